// The hostile inputs every engine is held to (tests/e2e for Chromium, tests/engines for Firefox
// and WebKit): malformed links from a fixed-seed fuzz, and valid but extreme configurations
// (each numeric setting at the ends of its range, and combinations of them).
import { SCHEMA } from '../../www/settings.gen.js';

const KEYS = ['eta', 'wd', 'momentum', 'schedule', 'milestones', 'factor', 'norm', 'net', 'init', 'dataset', 'batch', 'seed', 'speed', 'backend', 'embed', 'mode', 'texp', 'zzz', '__proto__', 'constructor'];
const VALUES = ['', '-1', 'NaN', 'Infinity', '1e308', '0', 'abc', '%', '%E0%A4%A', '<script>', '1,2,x', ',,,', '9'.repeat(400), 'null', 'undefined', '0x10', ' 0.1', '1e-400', '[]', '{}'];

/** `n` malformed query strings (fixed seed: the same links every run), each on the CPU engine. */
export function malformedLinks(n) {
  let seed = 12345;
  const rnd = (k) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const parts = [];
    for (let j = 0; j <= rnd(4); j += 1) parts.push(`${KEYS[rnd(KEYS.length)]}=${VALUES[rnd(VALUES.length)]}`);
    out.push(rnd(10) === 0 ? `?${'&'.repeat(rnd(5))}=%%%&&=` : `?${parts.join('&')}&backend=cpu`);
  }
  return out;
}

/**
 * Valid links at the edges of the settings' ranges (read from the schema): each number at its
 * minimum and maximum, then combinations that train hard (the largest LR with the largest
 * decay and momentum, the sharpest step decay, every norm on the standard net, a full sweep at
 * the range's ends, f32).
 */
export function extremeLinks() {
  const ends = SCHEMA.fields
    .filter((f) => (f.kind === 'number' || f.kind === 'int') && f.key !== 'seed')
    .flatMap((f) => [`${f.key}=${f.min}`, `${f.key}=${f.max}`]);
  const byKey = Object.fromEntries(SCHEMA.fields.map((f) => [f.key, f]));
  const norms = byKey.norm.values.map((n) => `norm=${n}&net=standard`);
  const e = byKey.sweep_eta;
  const w = byKey.sweep_wd;
  return [
    ...ends,
    `seed=${byKey.seed.max}`,
    `eta=${byKey.eta.max}&wd=${byKey.wd.max}&momentum=${byKey.momentum.max}`,
    `eta=${byKey.eta.min}&wd=${byKey.wd.min}&momentum=${byKey.momentum.min}`,
    `schedule=step&milestones=1,2,3&factor=${byKey.factor.min}`,
    `schedule=step&milestones=${byKey.milestones.max}&factor=${byKey.factor.max}`,
    `batch=${byKey.batch.min}&dataset=spirals&eta=${byKey.eta.max}`,
    ...norms,
    `sweep_eta=${e.min},${e.max}&sweep_wd=${w.min},${w.max}&sweep_twins=true`,
    'precision=f32&eta=1&momentum=0.99',
    'init=naive&texp=approx&schedule=step&milestones=5',
  ].map((q) => `?${q}&backend=cpu&speed=20`);
}

/** Runs in the page: text on screen that shows a number gone wrong ('NaN', 'undefined'), if any. */
export function brokenText() {
  const ids = ['readout', 'stepcount', 'theory', 'messages', 'rate', 'run-notes'];
  const text = ids.map((id) => document.getElementById(id)?.textContent || '').join(' ');
  const m = text.match(/.{0,40}\b(NaN|undefined)\b.{0,40}/);
  return m ? m[0] : null;
}

/** Runs in the page: the resources it fetched from another origin (the page's own record). */
export function foreignRequests() {
  return performance.getEntriesByType('resource').map((r) => r.name).filter((u) => !u.startsWith(location.origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
}

/** Runs in the page: the run has trained `n` steps, or stopped playing by itself (diverged). */
export function trainedOrStopped(n) {
  return Number(document.body.dataset.steps || 0) >= n || document.getElementById('play').getAttribute('aria-pressed') === 'false';
}
