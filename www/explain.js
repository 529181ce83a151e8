// Words next to the charts: what the current configuration shows (and, for the "what breaks"
// presets, what broke and why), and the live readout of how far run B has grown.
import { fmt, fmtLn } from './format.js';
import { SCHEMA } from './settings.gen.js';

/** One or two sentences on what the configuration of `state` shows, or breaks and why. */
export function explanation(state) {
  if (state.norm === 'none') {
    const fit = ['circles', 'spirals'].includes(state.dataset)
      ? ' This network has no biases, so without a normalization it predicts alike along each ray from the origin and cannot fit circles or spirals: the preset uses XOR, which it can.'
      : '';
    return `What breaks: without a normalization layer the loss is not scale-invariant. Run B’s weights still grow by α⁻ᵗ, but now that changes what the network computes: its effective LR is no longer A’s, and B’s loss, accuracy and decision boundary part from A’s — far beyond A′, so it is no rounding effect.${fit}`;
  }
  if (state.net === 'standard') {
    return 'What breaks: the norm’s affine gains and the trained output layer are not scale-invariant. Weight decay on them is real regularization, not a rescaling, and the exponential LR B uses on them has no counterpart in A — so B leaves A.';
  }
  if (state.init === 'naive') {
    return 'What breaks: B starts with momentum ṽ₀ = 0 where the exact twin needs ṽ₀ = κθ₀. The runs differ from the first step by a small, lasting amount: B’s distance to A starts far above A′’s.';
  }
  if (state.momentum === 0 && state.dataset !== 'mnist' && state.batch >= state.samples - SCHEMA.test_samples) {
    return 'Full-batch GD without momentum never settles (Lobacheva et al. 2021): weight decay shrinks ‖w‖ until the effective LR η/‖w‖² makes the minimum unstable; the loss spikes (▾ on its chart), the gradient throws ‖w‖ back out, and it begins again. Each spike amplifies rounding too: B parts from A as fast as A′ does — chaos, not a failure of the theorem.';
  }
  const tied = state.wd_schedule === 'tied'
    ? ' C’s weight decay follows its LR, λₜ = λ·ηₜ/η: the equilibrium √(2λₜ(1−γ)/ηₜ) of ‖g‖/‖w‖ stays where it began, and so does the ratio — no late rise.'
    : ' Watch ‖g‖/‖w‖: as ηₜ falls its equilibrium √(2λ(1−γ)/ηₜ) rises, and the ratio follows, late — the rise of the gradient norm at the end of training.';
  if (state.schedule === 'step') {
    return `Step decay (C) maps to a tapered exponential schedule (D): the LR jumps down at each milestone and grows again, and D stays C scaled.${state.wd_schedule === 'tied' ? tied : ''}`;
  }
  if (state.schedule !== 'constant') {
    return `Any schedule has an exact twin without weight decay (§4): D’s LR follows C’s ${state.schedule === 'list' ? 'list' : 'decay'} times a growth factor the recursion computes step by step, and D stays C scaled${state.texp === 'exact' ? '' : ' — here only approximately: the per-step TEXP uses each step’s α, not the exact recursion'}.${state.schedule === 'list' && state.wd_schedule !== 'tied' ? '' : tied}`;
  }
  return '';
}

/** The sentence under the distance chart that tells rounding chaos from a real difference. */
export function chaosNote(precision, backend) {
  const gpu = backend === 'webgpu'
    ? ' On WebGPU, A′ is a lower bound: its rounding stays in step with A’s, while the GPU’s kernels round B’s differently scaled weights differently — B drifts further from A in f32 here, and exactly as far from B rescaled by 1.01 (the same run): rounding, not a defect (see the README).'
    : '';
  return `Distance to A. A′ is A started from weights moved by one unit in the last place (${precision}): if B stays as close to A as A′ does, what separates them is rounding amplified by training, which f64 pushes out of sight; a real difference (naive ṽ₀, no normalization) separates at once.${gpu}`;
}

/**
 * The live readout: how far B's LR and weights have grown and how close its loss stays to A's.
 * `runs`: [{label, index, reference, role}]; `last`: the latest step's metrics; `eta`: η.
 */
export function readout(runs, last, eta) {
  const b = runs.find((r) => r.role === 'twin');
  if (!last || !b) return '';
  const m = last.runs[b.index];
  const a = last.runs[b.reference];
  const lrRatio = fmtLn(m.ln_lr - Math.log(eta));
  const wRatio = fmtLn(m.ln_scale_measured);
  const dLoss = Math.abs(m.loss - a.loss);
  // From the second spike on: one can be the overshoot of ‖w‖'s first collapse.
  const spikes = a.spike_period ? ` · A: ${a.spikes} spikes of ‖w‖, one every ${a.spike_period.toFixed(0)} steps` : '';
  return `step ${last.step}: B’s LR ×${lrRatio} (η̃ = ${fmtLn(m.ln_lr)}), ‖w̃‖/‖w‖ = ${wRatio} — losses differ by ${dLoss === 0 ? '0' : fmt(dLoss)}${spikes}`;
}
