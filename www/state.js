// One state object for the whole demo, serialized in the URL (TensorFlow Playground style).
// Every field has a type, a default and a range — the engine's from Rust (settings.gen.js);
// parsing a URL clamps or rejects bad values and reports each problem, so a malformed link
// still opens a working page. The experiment itself is built by the engine from the settings.
import { SCHEMA } from './settings.gen.js';
import { SCENES } from './scenes.js';

/** A field of the engine's schema as the page's field spec: kind, default, range, values. */
const spec = (f, def) => ({ kind: f.kind, def, ...(f.min !== undefined && { min: f.min, max: f.max }), ...(f.values && { values: f.values }) });

/**
 * The engine's settings (ranges and defaults owned by Rust: src/settings.rs, src/toy.rs) except
 * precision, which the page chooses per backend ('auto').
 */
const ENGINE_FIELDS = Object.fromEntries(SCHEMA.fields.filter((f) => f.key !== 'precision').map((f) => [f.key, spec(f, SCHEMA.defaults[f.key])]));
const TOY_FIELDS = Object.fromEntries(SCHEMA.toy.fields.map((f) => [f.key, spec(f, SCHEMA.toy.defaults[f.key])]));

/** Field specifications: the engine's, then the page's own (playback, engine choice, views). */
export const FIELDS = {
  ...ENGINE_FIELDS,
  speed: { kind: 'int', def: 20, min: 1, max: 100 },
  backend: { kind: 'enum', def: 'auto', values: ['auto', 'webgpu', 'cpu'] },
  precision: { kind: 'enum', def: 'auto', values: ['auto', 'f64', 'f32'] },
  ...TOY_FIELDS,
  embed: { kind: 'bool', def: false },
  tour: { kind: 'int', def: 0, min: 0, max: SCENES.length },
  mode: { kind: 'enum', def: 'normal', values: ['normal', 'lecture'] },
  time: { kind: 'enum', def: 'steps', values: ['steps', 'intrinsic'] },
};

/** The engine's settings in `state` (what the worker turns into an experiment). */
export function settingsOf(state, precision) {
  const out = Object.fromEntries(Object.keys(ENGINE_FIELDS).map((k) => [k, state[k]]));
  return { ...out, precision };
}

/** A fresh state holding every default. */
export function defaults() {
  const s = {};
  for (const [k, f] of Object.entries(FIELDS)) s[k] = Array.isArray(f.def) ? [...f.def] : f.def;
  return s;
}

/** Keys that links pick up on their way (campaign and click trackers): dropped quietly. */
const TRACKING = /^(utm_[a-z_]*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|ref|ref_src|_ga|_gl)$/i;

/** A plain decimal number: digits, an optional point and exponent (no hex, octal or binary). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The value as typed, cleaned: full-width and other compatibility digits folded to ASCII,
 * surrounding spaces and control characters removed. Returns {value, note} where `note` says
 * what was cleaned.
 */
function clean(raw) {
  // eslint-disable-next-line no-control-regex
  const value = raw.normalize('NFKC').replace(/^[\s\u0000-\u001f\u007f]+|[\s\u0000-\u001f\u007f]+$/g, '');
  return { value, note: value !== raw };
}

function parseValue(key, typed, f) {
  if (typed.length > 200) return { error: `${key}: value too long; using ${f.def}` };
  const { value: raw, note } = clean(typed);
  const r = parseClean(key, raw, f);
  if (note && r.value !== undefined && !r.error) r.error = `${key}="${typed}" had stray spaces, control or full-width characters; read as ${raw}`;
  return r;
}

function parseClean(key, raw, f) {
  switch (f.kind) {
    case 'number':
    case 'int': {
      const v = DECIMAL.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(v)) return { error: `${key}="${raw}" is not a decimal number; using ${f.def}` };
      let x = f.kind === 'int' ? Math.round(v) : v;
      if (x < f.min || x > f.max) {
        x = Math.min(f.max, Math.max(f.min, x));
        return { value: x, error: `${key}=${raw} is out of range [${f.min}, ${f.max}]; clamped to ${x}` };
      }
      if (x !== v) return { value: x, error: `${key}=${raw} is not a whole number; rounded to ${x}` };
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
      const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
      const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
      if (parts.length === 0) return { error: `${key} is empty; using ${f.def.join(',')}` };
      if (parts.length > SCHEMA.max_list || nums.some((n) => !Number.isInteger(n) || n < f.min || n > f.max)) {
        return { error: `${key}="${raw}" must be up to ${SCHEMA.max_list} whole numbers in [${f.min}, ${f.max}]; using ${f.def.join(',')}` };
      }
      const sorted = [...new Set(nums)].sort((a, b) => a - b);
      return { value: sorted };
    }
    case 'numbers': {
      // A sweep's values or an LR list: up to max_list decimals in range; empty is none.
      const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
      const nums = parts.map((p) => (DECIMAL.test(p) ? Number(p) : NaN));
      if (parts.length > SCHEMA.max_list || nums.some((n) => !Number.isFinite(n) || n < f.min || n > f.max)) {
        return { error: `${key}="${raw}" must be up to ${SCHEMA.max_list} numbers in [${f.min}, ${f.max}]; left out` };
      }
      // A sweep's values are a set (sorted); an LR list is a sequence: order and repeats are its meaning.
      return { value: key === 'lrs' ? nums : [...new Set(nums)].sort((a, b) => a - b) };
    }
    default:
      return { error: `${key}: unknown kind` };
  }
}

/**
 * Parses a query string into a state. Returns {state, problems, notices}: bad values are listed
 * in `problems` and replaced by defaults (or clamped), never thrown; unknown keys get a calm
 * notice, tracking keys (utm_*, fbclid, …) nothing.
 */
export function fromQuery(query) {
  const state = defaults();
  const problems = [];
  const notices = [];
  const seen = new Set();
  let params;
  try {
    params = new URLSearchParams(query);
  } catch {
    return { state, problems: ['the link could not be read; showing the defaults'] };
  }
  for (const [key, raw] of params) {
    const f = Object.prototype.hasOwnProperty.call(FIELDS, key) ? FIELDS[key] : null;
    if (!f) {
      if (!TRACKING.test(key)) notices.push(`The link's setting "${String(key).slice(0, 40)}" is not one of explr's; it was left out.`);
      continue;
    }
    if (seen.has(key)) problems.push(`${key} is given twice; the last one counts`);
    seen.add(key);
    const r = parseValue(key, raw, f);
    if (r.error) problems.push(r.error);
    if (r.value !== undefined) state[key] = r.value;
  }
  for (const p of crossCheck(state)) problems.push(p);
  return { state, problems, notices };
}

/** Fixes combinations that cannot run, returning a message for each fix. */
export function crossCheck(state) {
  const out = [];
  if (state.norm === 'instance' && state.dataset !== 'mnist') {
    out.push('instance norm needs image feature maps: switched the dataset to MNIST');
    state.dataset = 'mnist';
  }
  // α is real iff (1+γ−λη)² ≥ 4γ, i.e. λη ≤ (1−√γ)²: move λ to the largest value that runs.
  const wdMax = maxWeightDecay(state.eta, state.momentum);
  if (state.wd > wdMax) {
    const wd = Number(wdMax.toPrecision(3)) > wdMax ? Number((wdMax * 0.999).toPrecision(3)) : Number(wdMax.toPrecision(3));
    out.push(`no real α for η=${state.eta}, λ=${state.wd}, γ=${state.momentum} (λη must be ≤ (1−√γ)²): weight decay moved to ${wd}, the largest that runs`);
    state.wd = wd;
  }
  const train = state.samples - SCHEMA.test_samples;
  if (state.dataset !== 'mnist' && state.batch > train) {
    out.push(`a batch of ${state.batch} from ${train} training points (samples ${state.samples} less ${SCHEMA.test_samples} held out): batch set to ${train}, full-batch GD`);
    state.batch = train;
  }
  if ((state.schedule === 'step' || state.schedule === 'list') && state.milestones.length === 0) state.milestones = [...FIELDS.milestones.def];
  if ((state.schedule === 'cosine' || state.schedule === 'linear')) {
    if (state.floor > state.eta) {
      out.push(`the final LR ${state.floor} is above η = ${state.eta}: set to η (warm-up, then constant)`);
      state.floor = state.eta;
    }
    if (state.total <= state.warmup) {
      out.push(`the decay must end after the warm-up's ${state.warmup} steps: it now ends at step ${state.warmup + 1}`);
      state.total = state.warmup + 1;
    }
  }
  if (state.schedule === 'list' && state.lrs.length && state.lrs.length !== state.milestones.length + 1) {
    out.push(`${state.lrs.length} LRs for ${state.milestones.length} milestones (one more is needed): the list decays by the factor instead`);
    state.lrs = [];
  }
  if (isSweep(state)) {
    if (state.schedule !== 'constant') {
      out.push('a sweep trains constant-LR runs: schedule set to constant');
      state.schedule = 'constant';
    }
    // Every grid point needs a real α: drop the λ (then η) values for which some point has none.
    const admissible = (eta, wd) => wd <= maxWeightDecay(eta, state.momentum);
    const drop = (key, ok, symbol, where = '') => {
      const dropped = state[key].filter((v) => !ok(v));
      if (!dropped.length) return;
      out.push(`sweep: no real α for ${symbol} = ${dropped.join(', ')}${where} (λη must be ≤ (1−√γ)²); left out`);
      state[key] = state[key].filter(ok);
    };
    const etas = state.sweep_eta.length ? state.sweep_eta : [state.eta];
    drop('sweep_wd', (wd) => etas.every((eta) => admissible(eta, wd)), 'λ', ' at the largest η');
    const wds = state.sweep_wd.length ? state.sweep_wd : [state.wd];
    drop('sweep_eta', (eta) => wds.every((wd) => admissible(eta, wd)), 'η');
  }
  return out;
}

/** Whether `state` describes a sweep (a grid of η or λ). */
export function isSweep(state) {
  return state.sweep_eta.length > 0 || state.sweep_wd.length > 0;
}

/** The largest weight decay λ for which α is real at (η, γ): (1−√γ)²/η. */
export function maxWeightDecay(eta, momentum) {
  return (1 - Math.sqrt(momentum)) ** 2 / eta;
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
 * The precision a run computes in: f32 on WebGPU (WGSL has no f64), else f64 unless the state
 * asks for f32.
 */
export function resolvePrecision(state, backend) {
  if (backend === 'webgpu') return 'f32';
  return state.precision === 'f32' ? 'f32' : 'f64';
}

/**
 * The precision a start computes in: f32 for a run that will move to WebGPU (`want`, forced),
 * else the state's choice resolved for the CPU engine.
 */
export const startPrecision = (state, want) => resolvePrecision(state, want === 'webgpu' ? 'webgpu' : 'cpu');
