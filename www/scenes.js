// The guided tour, as data: one idea per scene, each a live figure on the real engine (f64 on
// the CPU), a question the reader answers before the engine does, and the claim the figure
// makes, computed from the engine's own numbers. tour.js plays them; nothing here touches the
// DOM. A scene: `settings` (a partial state, the rest defaults), `charts` (plots.js keys; none
// for the probe), `steps` trained for the reveal, `text` (plain words first, the notation
// once), `question` {prompt, choices: [label], answer: index}, and `claim(numbers)` →
// {ok, text, values}: `numbers` has the kept history `store`, the runs, the theory's constants
// and, for the probe, its points.
import { settled } from './history.js';

/** The largest |value of column `col` of run a − of run b| over the kept history. */
export function maxDiff(store, a, b, col) {
  let d = 0;
  for (let i = 0; i < store.length; i += 1) {
    const x = store.value(i, a, col) - store.value(i, b, col);
    if (Number.isFinite(x)) d = Math.max(d, Math.abs(x));
  }
  return d;
}

/** The largest value of column `col` of run `k` over the kept history. */
export function maxOf(store, k, col) {
  let m = 0;
  for (let i = 0; i < store.length; i += 1) {
    const v = store.value(i, k, col);
    if (Number.isFinite(v)) m = Math.max(m, v);
  }
  return m;
}

/** Column `col` of run `k` at the last kept row. */
const last = (store, k, col) => store.value(store.length - 1, k, col);
const sci = (v) => (v === 0 ? '0' : v.toExponential(1));
/** The index of the run named `short` ("A", "B", "A′", "C", "D") in the engine's run views. */
export const run = (runs, short) => runs.findIndex((r) => r.short === short);

/**
 * How far twin `b` is from run `a` over the kept history: the largest loss difference and the
 * largest relative weight error ‖θ̃/c_t − θ‖/‖θ‖.
 */
const twinGap = (store, runs, a, b) => ({
  loss: maxDiff(store, run(runs, a), run(runs, b), 'loss'),
  weights: maxOf(store, run(runs, b), 'rel_weight_error'),
});

/** The probe's factors c (scene 1): from a tenth to ten times the trained weights. */
export const PROBE_CS = [0.1, 0.3, 1, 3, 10];

export const SCENES = [
  {
    key: 'invariance',
    title: 'A normalized network ignores the size of its weights',
    settings: { chaos: false },
    charts: [],
    steps: 50,
    probe: true,
    text: [
      'Every hidden layer here feeds a BatchNorm, which divides by the spread of its input. Multiply all the hidden weights by a number c and the spread grows by c too: the network computes exactly the same function. Its loss is scale-invariant.',
      'The figure evaluates the real network, after 50 steps of training, at its weights w and at c·w, and measures the gradient at each.',
    ],
    question: {
      prompt: 'Make the weights 10 times larger. What happens to the gradient ∇L?',
      choices: ['It grows 10 times', 'It stays the same', 'It shrinks 10 times'],
      answer: 2,
    },
    claim({ points }) {
      const at1 = points.find((p) => p.c === 1);
      const predictions = Math.max(...points.map((p) => p.prob_diff));
      const spread = Math.max(...points.map((p) => Math.abs(p.grad_times_weight - at1.grad_times_weight) / at1.grad_times_weight));
      const radial = Math.max(...points.map((p) => Math.abs(p.radial)));
      return {
        ok: predictions <= 1e-12 && spread <= 1e-12 && radial <= 1e-12,
        values: { predictions, spread, radial },
        text: `From c = 0.1 to c = 10 the predictions differ by at most ${sci(predictions)}; the gradient shrinks as 1/c, so ‖∇L‖·‖w‖ stays at ${at1.grad_times_weight.toPrecision(12)} (to ${sci(spread)}), and it has no part along w (cosine ≤ ${sci(radial)}). A step of SGD therefore moves a large w by a smaller angle: what matters is η/‖w‖², the effective learning rate.`,
      };
    },
  },
  {
    key: 'rescale',
    title: 'Only η/‖w‖² matters: rescale a run while it trains',
    settings: { chaos: false },
    charts: ['loss', 'wnorm', 'lr'],
    steps: 300,
    rescale: { run: 'B', at: 150, c: 3 },
    text: [
      'Run B trains without weight decay (A, its weight-decay twin, is not touched). Halfway, the engine multiplies B’s weights by c, divides its momentum by c and multiplies its learning rate by c² — the paper’s exact rescaling (θ, v, η) → (cθ, v/c, c²η), which leaves η/‖w‖² as it was.',
    ],
    question: {
      prompt: 'At step 150 B’s weights become 3 times larger. What does its loss curve do?',
      choices: ['It jumps', 'It drifts away from A’s', 'Nothing: it goes on exactly as before'],
      answer: 2,
    },
    claim({ store, runs }) {
      const { loss } = twinGap(store, runs, 'A', 'B');
      return {
        ok: loss <= 1e-12,
        values: { loss },
        text: `B’s ‖w‖ jumped ×3 and its LR ×9 at step 150, yet its loss stayed A’s to ${sci(loss)} at every step: the network’s function and its future depend on η/‖w‖² only.`,
      };
    },
  },
  {
    key: 'efflr',
    title: 'Weight decay shrinks ‖w‖, so it raises η/‖w‖²',
    settings: { chaos: false },
    charts: ['wnorm', 'efflr'],
    steps: 600,
    text: [
      'Run A trains with a fixed learning rate η = 0.1 and weight decay λ = 5·10⁻⁴, which pulls w towards zero at every step. The loss does not care about ‖w‖, so nothing pushes back but the gradient steps, which only ever grow w (they are orthogonal to it).',
    ],
    question: {
      prompt: 'η is fixed. Over training, what does A’s effective LR η/‖w‖² do?',
      choices: ['It falls', 'It stays put', 'It climbs'],
      answer: 2,
    },
    claim({ store, runs }) {
      const a = run(runs, 'A');
      const ratio = Math.exp(last(store, a, 'ln_effective_lr') - store.value(0, a, 'ln_effective_lr'));
      return {
        ok: ratio > 1,
        values: { ratio },
        text: `A’s η/‖w‖² is ${ratio.toFixed(2)}× what it was at step 0, with η never touched: weight decay acts as a growing learning rate. The next scene makes that exact.`,
      };
    },
  },
  {
    key: 'twin',
    title: 'Drop weight decay and grow the learning rate instead',
    settings: { chaos: false },
    charts: ['lr', 'loss', 'dist'],
    steps: 500,
    text: [
      'Run B has no weight decay. Its learning rate grows by a fixed factor every step: η̃ₜ = η·α⁻²ᵗ⁻¹, where α is the larger root of x² − (1 + γ − λη)x + γ = 0 (γ the momentum). Its weights grow by α⁻ᵗ, and the two growths cancel in η/‖w‖².',
    ],
    question: {
      prompt: 'With η = 0.1, λ = 5·10⁻⁴, γ = 0.9: by what factor must B’s LR grow per step?',
      choices: ['1 + λη = 1.00005', 'α⁻² ≈ 1.001', '1 + λ = 1.0005'],
      answer: 1,
    },
    claim({ store, runs, theory }) {
      const { loss, weights } = twinGap(store, runs, 'A', 'B');
      return {
        ok: loss <= 1e-12 && weights <= 1e-12,
        values: { loss, weights },
        text: `α⁻² = ${theory ? theory.lrFactorPerStep.toPrecision(10) : '…'} per step. Over ${store.length} steps B’s loss equals A’s to ${sci(loss)}, and its weights are A’s times α⁻ᵗ to ${sci(weights)} (relative): the same training run, in f64 rounding.`,
      };
    },
  },
  {
    key: 'momentum',
    title: 'Momentum remembers: B must start with the right velocity',
    settings: { init: 'naive', chaos: true },
    charts: ['dist', 'loss'],
    steps: 300,
    text: [
      'With momentum, each step adds the last velocity v. For B to be A rescaled, its velocity must be rescaled too — and at step 0 that asks for ṽ₀ = κθ₀ with κ = (α − 1)/(αη), not zero. Here B starts from ṽ₀ = 0. A′ is A itself, started from weights one rounding step (1 ulp) apart: the floor of what f64 can tell apart.',
    ],
    question: {
      prompt: 'B starts with zero velocity, a tiny difference. How far does B end up from A, next to A′?',
      choices: ['As close as A′: rounding only', 'Clearly farther than A′, and it stays'],
      answer: 1,
    },
    claim({ store, runs }) {
      const gap = maxOf(store, run(runs, 'B'), 'angle');
      const floor = maxOf(store, run(runs, 'A′'), 'angle');
      return {
        ok: gap > 1e4 * Math.max(floor, 1e-16),
        values: { gap, floor },
        text: `B’s angle to A reaches ${sci(gap)} rad, against ${sci(floor)} for A′: ${sci(gap / Math.max(floor, 1e-16))} times the rounding floor. With ṽ₀ = κθ₀ (the default) the gap is rounding only.`,
      };
    },
  },
  {
    key: 'texp',
    title: 'Step decay becomes a tapered exponential (TEXP)',
    settings: { schedule: 'step', milestones: [150, 300], factor: 0.1, chaos: false },
    charts: ['lr', 'loss'],
    steps: 450,
    text: [
      'Run C divides its learning rate by 10 at steps 150 and 300, with weight decay, as in the usual recipe. Its twin D has no weight decay: at each drop its LR falls too, and then grows again, more slowly — a tapered exponential. The exact growth after each drop comes from the paper’s §4 recursion.',
    ],
    question: {
      prompt: 'C’s LR drops ×0.1 at step 150. What does D’s LR do there?',
      choices: ['It keeps growing as before', 'It drops, then grows more slowly', 'It stops growing'],
      answer: 1,
    },
    claim({ store, runs }) {
      const { loss, weights } = twinGap(store, runs, 'C', 'D');
      return {
        ok: loss <= 1e-12 && weights <= 1e-12,
        values: { loss, weights },
        text: `Across both drops D’s loss equals C’s to ${sci(loss)} and its weights are C’s rescaled to ${sci(weights)}: step decay with weight decay is a tapered exponential LR without it.`,
      };
    },
  },
  {
    key: 'equilibrium',
    title: '‖w‖ settles: the angular update reaches √(2ηλ/(1+γ))',
    settings: { wd: 0.005, chaos: false },
    charts: ['wnorm', 'angular'],
    steps: 1500,
    text: [
      'Weight decay shrinks w, the gradient steps (orthogonal to w) grow it, and the two balance: each step then turns w by a steady angle Δ ≈ √(2ηλ/(1+γ)) (dashed; λ = 0.005 here, to settle within a few hundred steps). B’s ‖w‖ never settles.',
    ],
    question: {
      prompt: 'B has no weight decay and its ‖w‖ keeps growing. Does B turn by the same angle per step as A?',
      choices: ['Yes, the same angles', 'No, smaller ones: its weights are larger'],
      answer: 0,
    },
    claim({ store, runs }) {
      const [a, b] = [run(runs, 'A'), run(runs, 'B')];
      const same = maxDiff(store, a, b, 'angular_update');
      const ratio = settled(store, runs.length)[a].delta / last(store, a, 'equilibrium_angular_update');
      return {
        ok: same <= 1e-12,
        values: { same, settled: ratio },
        text: `B’s angular updates equal A’s to ${sci(same)} rad at every step. Over the last quarter A turned by ${ratio.toFixed(2)} × √(2ηλ/(1+γ)) per step: the formula is an approximation.`,
      };
    },
  },
  {
    key: 'breaks',
    title: 'What breaks: without normalization there is no twin',
    settings: { norm: 'none', dataset: 'xor', chaos: false },
    charts: ['loss', 'dist'],
    steps: 300,
    text: [
      'Take the normalization away and the loss does care about ‖w‖: B’s larger weights now compute a different function. The exponential LR no longer undoes weight decay. (Affine gains and a trained head break it too: the full demo’s presets show both.)',
    ],
    question: {
      prompt: 'Without BatchNorm, does B still follow A?',
      choices: ['Yes, to rounding', 'No, it parts from A'],
      answer: 1,
    },
    claim({ store, runs }) {
      const loss = maxDiff(store, run(runs, 'A'), run(runs, 'B'), 'loss');
      return {
        ok: loss > 1e-6,
        values: { loss },
        text: `B’s loss differs from A’s by up to ${sci(loss)}, far above rounding: the equivalence needs scale invariance. That is the whole trick — and why it holds for every network whose weights feed a normalization.`,
      };
    },
  },
];
