// Named starting points, in menu order: a label and a partial state (missing fields take their
// defaults). The preset menu is built from this list.
export const PRESETS = {
  paper: { label: 'Paper defaults', state: { eta: 0.1, wd: 5e-4, momentum: 0.9 } },
  texp: { label: 'Step decay ↔ TEXP', state: { schedule: 'step', milestones: [300, 600], factor: 0.1, texp: 'exact' } },
  // XOR: a net without biases (and now without a normalization) predicts alike along each ray
  // from the origin, which fits XOR's quadrants, not circles or spirals.
  nonorm: { label: 'What breaks: no normalization', state: { norm: 'none', dataset: 'xor' } },
  standard: { label: 'What breaks: affine + trained head', state: { net: 'standard' } },
  naive: { label: 'What breaks: naive initial momentum', state: { init: 'naive' } },
  // λ = 0.005: 1/(λη) = 2 000 steps, so the equilibrium moves within the decay's 10 000 steps.
  gradrise: { label: 'Cosine decay: the late gradient rise', state: { schedule: 'cosine', wd: 0.005, total: 10000, floor: 0.001, chaos: false } },
  gradtied: { label: 'Cosine decay, λ tied to the LR: no rise', state: { schedule: 'cosine', wd: 0.005, total: 10000, floor: 0.001, wd_schedule: 'tied', chaos: false } },
  // Full-batch GD (200 training points, batch 200), no momentum: Lobacheva et al. (2021).
  spikes: { label: 'BN + WD: periodic loss spikes', state: { eta: 0.5, wd: 0.01, momentum: 0, samples: 400, batch: 200 } },
  mnist: { label: 'MNIST CNN', state: { dataset: 'mnist', norm: 'batch', batch: 64 } },
  intrinsic: {
    label: 'Intrinsic LR: a 4 × 4 sweep of η × λ',
    state: { sweep_eta: [0.05, 0.1, 0.2, 0.4], sweep_wd: [0.00025, 0.0005, 0.001, 0.002], chaos: false },
  },
  toy: { label: 'Toy: BN + WD never converges', state: { toy: 'bn_regression', toyeta: 0.5, toywd: 0.1, toysteps: 200 } },
};
