// One state object for the whole demo, serialized in the URL (TensorFlow Playground style).
// Every field has a type, a default and a range; parsing a URL clamps or rejects bad values
// and reports each problem, so a malformed link still opens a working page.

export const DATASETS = ['spirals', 'circles', 'xor', 'blobs', 'mnist'];
export const NORMS = ['batch', 'group', 'layer', 'instance', 'none'];

/** Field specifications: kind, default and range. */
export const FIELDS = {
  eta: { kind: 'number', def: 0.1, min: 1e-4, max: 1 },
  wd: { kind: 'number', def: 5e-4, min: 0, max: 0.05 },
  momentum: { kind: 'number', def: 0.9, min: 0, max: 0.99 },
  schedule: { kind: 'enum', def: 'constant', values: ['constant', 'step'] },
  milestones: { kind: 'list', def: [300, 600], min: 1, max: 100000 },
  factor: { kind: 'number', def: 0.1, min: 0.01, max: 1 },
  texp: { kind: 'enum', def: 'exact', values: ['exact', 'approx'] },
  norm: { kind: 'enum', def: 'batch', values: NORMS },
  net: { kind: 'enum', def: 'invariant', values: ['invariant', 'standard'] },
  init: { kind: 'enum', def: 'exact', values: ['exact', 'naive'] },
  dataset: { kind: 'enum', def: 'circles', values: DATASETS },
  batch: { kind: 'int', def: 64, min: 8, max: 512 },
  seed: { kind: 'int', def: 1, min: 0, max: 1e9 },
  speed: { kind: 'int', def: 20, min: 1, max: 100 },
  backend: { kind: 'enum', def: 'auto', values: ['auto', 'webgpu', 'cpu'] },
  precision: { kind: 'enum', def: 'auto', values: ['auto', 'f64', 'f32'] },
  chaos: { kind: 'bool', def: true },
  toy: { kind: 'enum', def: 'bn_regression', values: ['bn_regression', 'plain_regression', 'ratio'] },
  toyeta: { kind: 'number', def: 0.5, min: 0.01, max: 2 },
  toywd: { kind: 'number', def: 0.1, min: 0, max: 1 },
  toysteps: { kind: 'int', def: 200, min: 1, max: 5000 },
  embed: { kind: 'bool', def: false },
  mode: { kind: 'enum', def: 'normal', values: ['normal', 'lecture'] },
};

/** A fresh state holding every default. */
export function defaults() {
  const s = {};
  for (const [k, f] of Object.entries(FIELDS)) s[k] = Array.isArray(f.def) ? [...f.def] : f.def;
  return s;
}

function parseValue(key, raw, f) {
  if (raw.length > 200) return { error: `${key}: value too long` };
  switch (f.kind) {
    case 'number':
    case 'int': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) return { error: `${key}="${raw}" is not a number; using ${f.def}` };
      let x = f.kind === 'int' ? Math.round(v) : v;
      if (x < f.min || x > f.max) {
        x = Math.min(f.max, Math.max(f.min, x));
        return { value: x, error: `${key}=${raw} is out of range [${f.min}, ${f.max}]; clamped to ${x}` };
      }
      return { value: x };
    }
    case 'enum':
      return f.values.includes(raw)
        ? { value: raw }
        : { error: `${key}="${raw}" is not one of ${f.values.join(', ')}; using ${f.def}` };
    case 'bool':
      if (['1', 'true', 'yes'].includes(raw)) return { value: true };
      if (['0', 'false', 'no', ''].includes(raw)) return { value: false };
      return { error: `${key}="${raw}" is not a boolean; using ${f.def}` };
    case 'list': {
      const parts = raw.split(',').filter((p) => p !== '');
      const nums = parts.map(Number);
      if (parts.length > 8 || nums.some((n) => !Number.isInteger(n) || n < f.min || n > f.max)) {
        return { error: `${key}="${raw}" must be up to 8 whole numbers in [${f.min}, ${f.max}]` };
      }
      const sorted = [...new Set(nums)].sort((a, b) => a - b);
      return { value: sorted };
    }
    default:
      return { error: `${key}: unknown kind` };
  }
}

/**
 * Parses a query string into a state. Returns {state, problems}: unknown keys and bad values
 * are listed in `problems` and replaced by defaults (or clamped), never thrown.
 */
export function fromQuery(query) {
  const state = defaults();
  const problems = [];
  let params;
  try {
    params = new URLSearchParams(query);
  } catch {
    return { state, problems: ['the link could not be read; showing the defaults'] };
  }
  for (const [key, raw] of params) {
    const f = Object.prototype.hasOwnProperty.call(FIELDS, key) ? FIELDS[key] : null;
    if (!f) {
      problems.push(`unknown setting "${String(key).slice(0, 40)}" ignored`);
      continue;
    }
    const r = parseValue(key, raw, f);
    if (r.error) problems.push(r.error);
    if (r.value !== undefined) state[key] = r.value;
  }
  for (const p of crossCheck(state)) problems.push(p);
  return { state, problems };
}

/** Fixes combinations that cannot run, returning a message for each fix. */
export function crossCheck(state) {
  const out = [];
  if (state.norm === 'instance' && state.dataset !== 'mnist') {
    out.push('instance norm needs image feature maps: switched the dataset to MNIST');
    state.dataset = 'mnist';
  }
  const disc = (1 - state.momentum) ** 2 - 2 * state.wd * state.eta * (1 + state.momentum) + (state.wd * state.eta) ** 2;
  if (disc < 0) {
    out.push(`no real α for η=${state.eta}, λ=${state.wd}, γ=${state.momentum}: weight decay reset to 5e-4`);
    state.wd = 5e-4;
  }
  if (state.schedule === 'step' && state.milestones.length === 0) state.milestones = [...FIELDS.milestones.def];
  return out;
}

/** The query string for a state: only fields that differ from their defaults. */
export function toQuery(state) {
  const p = new URLSearchParams();
  const d = defaults();
  for (const key of Object.keys(FIELDS)) {
    const v = state[key];
    const same = Array.isArray(v) ? v.join(',') === d[key].join(',') : v === d[key];
    if (same) continue;
    p.set(key, Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return p.toString();
}

/**
 * The engine's experiment JSON for a state; `precision` ('f64' | 'f32') is the one the
 * chosen backend computes in (see `resolvePrecision`).
 */
export function toExperiment(state, precision = 'f32') {
  const mnist = state.dataset === 'mnist';
  const runs = [
    { label: 'A: WD, fixed LR', kind: { kind: 'weight_decay', schedule: { Constant: { eta: state.eta } } } },
    { label: state.init === 'exact' ? 'B: no WD, exp LR' : 'B: no WD, exp LR, naive v0', kind: { kind: 'exponential', of: 0, init: state.init === 'exact' ? 'Exact' : 'Naive' } },
  ];
  if (state.schedule === 'step') {
    runs.push({
      label: 'C: WD, step decay',
      kind: { kind: 'weight_decay', schedule: { StepDecay: { eta: state.eta, milestones: state.milestones, factor: state.factor } } },
    });
    runs.push(
      state.texp === 'exact'
        ? { label: 'D: no WD, exact TEXP', kind: { kind: 'exact', of: 2 } }
        : { label: 'D: no WD, TEXP', kind: { kind: 'texp', of: 2, init: 'Exact' } },
    );
  }
  if (state.chaos) runs.push({ label: 'A′: A from weights 1 ulp apart', kind: { kind: 'perturbed', of: 0 } });
  const norm = state.norm === 'group' ? { group: { groups: 4 } } : state.norm;
  return {
    dataset: state.dataset,
    samples: 1200,
    test_samples: mnist ? 1000 : 200,
    net: {
      arch: mnist ? { cnn: { c1: 8, c2: 16 } } : { mlp: { hidden: 32 } },
      norm,
      mode: state.net === 'invariant' ? 'scaleinvariant' : 'standard',
      eps: 1e-5,
    },
    hyper: { eta: state.eta, wd: state.wd, momentum: state.momentum },
    runs,
    batch: state.batch,
    seed: state.seed,
    precision,
    eval_every: 20,
    rescale_log2: 16,
  };
}

/**
 * The precision a run computes in: f32 on WebGPU (WGSL has no f64), else f64 unless the state
 * asks for f32.
 */
export function resolvePrecision(state, backend) {
  if (backend === 'webgpu') return 'f32';
  return state.precision === 'f32' ? 'f32' : 'f64';
}

/**
 * Who is who among the runs of an experiment: [{label, index, reference, role}] where
 * `reference` is the run it is compared with (itself for a weight-decay run) and `role` is
 * 'wd', 'twin' or 'control' (A′).
 */
export function runInfo(exp) {
  return exp.runs.map((r, index) => {
    const k = r.kind.kind;
    const role = k === 'weight_decay' ? 'wd' : k === 'perturbed' ? 'control' : 'twin';
    return { label: r.label, index, reference: role === 'wd' ? index : r.kind.of, role };
  });
}
