// The CSV export of the kept history, by the engine's column table (SCHEMA.csv: name, metric,
// cell; `explr train` writes by the same table): one row per kept step and run, after a first
// comment line with the settings, the precision and which steps were kept.
import { SCHEMA } from './settings.gen.js';

/** How each kind of cell is made from its metric (metrics.rs `Cell`). */
const CELL = { value: (v) => v, log10: (v) => v * Math.LOG10E, exp: (v) => Math.exp(v) };
const ordinal = (n) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th'}`;
const cell = (v, c) => {
  const x = v === null || v === undefined ? NaN : CELL[c.cell](v);
  return Number.isFinite(x) ? String(x) : '';
};

/** CSV of `store` (a History) for `runs` ([{label}]), headed by `settings` and `engine`. */
export function csvText(store, runs, settings, engine) {
  const rows = [
    `# explr · ${engine.precision || '?'} on ${engine.backend || '?'} · every ${store.stride === 1 ? '' : `${ordinal(store.stride)} `}step kept · ${settings.replace(/\n/g, ' ')}`,
    ['step', 'run', ...SCHEMA.csv.map((c) => c.name)].join(','),
  ];
  for (const s of store.toObjects()) {
    s.runs.forEach((v, i) => {
      if (!runs[i]) return;
      rows.push([s.step, JSON.stringify(runs[i].label), ...SCHEMA.csv.map((c) => cell(v[c.metric], c))].join(','));
    });
  }
  return `${rows.join('\n')}\n`;
}

/** Run C's schedule in words ('constant LR' without one), with its weight decay and twin. */
export function scheduleText(state) {
  const text = lrScheduleText(state);
  return state.schedule !== 'constant' && state.wd_schedule === 'tied' ? `${text}, λ tied to C’s LR` : text;
}

function lrScheduleText(state) {
  const twin = state.texp === 'exact' ? 'exact twin' : 'approximate TEXP twin';
  const warm = state.warmup > 0 ? `after ${state.warmup} warm-up steps ` : '';
  switch (state.schedule) {
    case 'step': return `step decay ×${state.factor} at ${state.milestones.join(', ')} (${state.texp} TEXP twin)`;
    case 'cosine': return `cosine ${warm}to ${state.floor} at step ${state.total} (${twin})`;
    case 'linear': return `linear decay ${warm}to ${state.floor} at step ${state.total} (${twin})`;
    case 'list': return `LRs ${state.lrs.length ? state.lrs.join(', ') : `η×${state.factor}ᵏ`} from steps 0, ${state.milestones.join(', ')} (${twin})`;
    default: return 'constant LR';
  }
}

/** The settings `state` in words, for the figure's caption and the exports, with the engine and step. */
export function settingsText(state, engine, step, link) {
  const sched = scheduleText(state);
  return `η = ${state.eta}, λ = ${state.wd}, γ = ${state.momentum}; ${sched}; ${state.norm} norm, ${state.net === 'invariant' ? 'scale-invariant net' : 'standard net'}, ${state.dataset}, batch ${state.batch}, seed ${state.seed}; ` +
    `${engine.precision || '?'} on ${engine.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}; ${state.init} ṽ₀; after ${step} steps. ${link}`;
}

/** Downloads `data` (a string, a data: URL or a Blob) as file `name` of MIME `type`. */
export function download(name, type, data) {
  const a = document.createElement('a');
  a.href = typeof data === 'string' && data.startsWith('data:') ? data : URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}
