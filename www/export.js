// The CSV export of the kept history, in the engine's columns (SCHEMA.csv, the same as
// `explr train` writes): one row per kept step and run, LR and norms both as values (empty
// once beyond f64) and as log10 (always finite), after a first comment line with the
// settings, the precision and which steps were kept.
import { SCHEMA } from './settings.gen.js';

const LOG10E = Math.LOG10E;
const ordinal = (n) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th'}`;
const cell = (v) => (v === null || v === undefined || Number.isNaN(v) ? '' : Number.isFinite(v) ? String(v) : '');

/** CSV of `store` (a History) for `runs` ([{label}]), headed by `settings` and `engine`. */
export function csvText(store, runs, settings, engine) {
  const rows = [
    `# explr · ${engine.precision || '?'} on ${engine.backend || '?'} · every ${store.stride === 1 ? '' : `${ordinal(store.stride)} `}step kept · ${settings.replace(/\n/g, ' ')}`,
    SCHEMA.csv.join(','),
  ];
  for (const s of store.toObjects()) {
    s.runs.forEach((v, i) => {
      if (!runs[i]) return;
      rows.push([
        s.step, JSON.stringify(runs[i].label), cell(v.loss), cell(v.accuracy),
        cell(v.ln_lr * LOG10E), cell(v.ln_weight_norm * LOG10E), cell(v.ln_effective_lr * LOG10E),
        cell(Math.exp(v.ln_lr)), cell(Math.exp(v.ln_weight_norm)), cell(Math.exp(v.ln_effective_lr)),
        cell(Math.exp(v.ln_scale_measured)), cell(Math.exp(v.ln_scale_predicted)),
        cell(v.rel_weight_error), cell(v.angle), cell(v.prob_diff), cell(v.test_loss), cell(v.test_accuracy),
        cell(v.angular_update), cell(v.equilibrium_angular_update),
      ].join(','));
    });
  }
  return `${rows.join('\n')}\n`;
}

/** The settings `state` in words, for the figure's caption and the exports, with the engine and step. */
export function settingsText(state, engine, step, link) {
  const sched = state.schedule === 'step' ? `step decay ×${state.factor} at ${state.milestones.join(', ')} (${state.texp} TEXP twin)` : 'constant LR';
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
