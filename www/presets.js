// Named starting points. Each is a partial state; missing fields take their defaults.
export const PRESETS = {
  paper: { eta: 0.1, wd: 5e-4, momentum: 0.9 },
  texp: { schedule: 'step', milestones: [300, 600], factor: 0.1, texp: 'exact' },
  nonorm: { norm: 'none' },
  standard: { net: 'standard' },
  naive: { init: 'naive' },
  mnist: { dataset: 'mnist', norm: 'batch', batch: 64 },
  toy: { toy: 'bn_regression', toyeta: 0.5, toywd: 0.1, toysteps: 200 },
};
