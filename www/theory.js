// The live formula panel (MathML, no library): α from the quadratic, the twin's schedule, and
// the predicted against the measured weight-norm ratio.
import { fmt } from './format.js';
import { isSweep } from './state.js';

const NS = 'http://www.w3.org/1998/Math/MathML';

function m(tag, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const k of kids) el.append(typeof k === 'string' ? document.createTextNode(k) : k);
  return el;
}
const mi = (t) => m('mi', t);
const mo = (t) => m('mo', t);
const mn = (t) => m('mn', t);
const sup = (a, b) => m('msup', a, b);
const sub = (a, b) => m('msub', a, b);
const row = (...k) => m('mrow', ...k);

function math(...kids) {
  const el = m('math', row(...kids));
  el.setAttribute('display', 'block');
  return el;
}

/** e^x to `digits` significant digits, or "10^k" where e^x is beyond f64. */
function bigExp(x, digits) {
  if (Math.abs(x) < 700) return Math.exp(x).toPrecision(digits);
  return `10^${(x * Math.LOG10E).toFixed(4)}`;
}

/**
 * The panel for `state`, the theorem's `constants` (from the engine), the `last` step, the
 * `runs` ([{index, reference, role}]) and each run's `smoothed` angular update.
 */
export function theoryPanel(state, constants, last, runs = [], smoothed = []) {
  const box = document.createElement('div');
  const p = (text) => {
    const e = document.createElement('p');
    e.textContent = text;
    return e;
  };
  box.append(
    math(sup(mi('x'), mn('2')), mo('−'), row(mo('('), mn('1'), mo('+'), mi('γ'), mo('−'), mi('λ'), mi('η'), mo(')')), mi('x'), mo('+'), mi('γ'), mo('='), mn('0')),
  );
  // Every row is there from the start, '…' until its value is known: the panel keeps its
  // height when the engine answers and when the first step arrives (nothing below it moves).
  const c = (f) => (constants ? f(constants) : '…');
  // Short formulas, one per line: each fits a 360 px phone.
  box.append(
    math(mi('α'), mo('='), mn(c((k) => k.alpha.toPrecision(15)))),
    math(sub(mi('η̃'), mi('t')), mo('='), mi('η'), mo('·'), sup(mi('α'), row(mo('−'), mn('2'), mi('t'), mo('−'), mn('1')))),
    math(sub(mi('η̃'), mi('t')), mo('='), mn(String(state.eta)), mo('·'), sup(mn(c((k) => k.lrFactorPerStep.toPrecision(12))), mi('t')), mo('/'), mi('α')),
  );
  const init = state.init === 'exact'
    ? `Run B starts with momentum ṽ₀ = κ·θ₀, κ = (α−1)/(αη) = ${c((k) => fmt(k.v0Coefficient))}.`
    : 'Run B starts with ṽ₀ = 0 (naive): close to, but not exactly, run A.';
  // A twin is there unless a sweep was asked for without them.
  const twin = runs.find((r) => r.role === 'twin');
  const hasTwin = Boolean(twin) || (runs.length === 0 && (!isSweep(state) || state.sweep_twins));
  if (hasTwin) box.append(p(init));
  if (state.wd > 0) {
    box.append(p(`η̃ would leave float32 after ${c((k) => (k.f32LrHorizon ? k.f32LrHorizon.toLocaleString('en') : '—'))} steps; the engine rescales (θ, v, η) → (sθ, v/s, s²η) exactly to stay in range.`));
  }
  if (hasTwin) {
    const b = last && twin ? last.runs[twin.index] : null;
    const t = b ? String(last.step) : 't';
    box.append(
      math(mfrac(row(mo('‖'), sub(mi('w̃'), mi('t')), mo('‖')), row(mo('‖'), sub(mi('w'), mi('t')), mo('‖'))), mo('='),
        mn(b ? bigExp(b.ln_scale_measured, 12) : '…'), mspace(), mtext('measured')),
      math(sup(mi('α'), row(mo('−'), mn(t))), mo('='), mn(b ? bigExp(b.ln_scale_predicted, 12) : '…'), mspace(), mtext('predicted')),
      p(`Angle between the weights of A and B: ${b ? fmt(b.angle) : '…'} rad; largest difference of predicted probabilities: ${b ? fmt(b.prob_diff) : '…'}.`),
    );
    const control = runs.find((r) => r.role === 'control');
    if (control || (runs.length === 0 && state.chaos && !isSweep(state))) {
      const a = b && control ? last.runs[control.index] : null;
      box.append(p(`A′ (A from weights 1 ulp apart): angle to A ${a ? fmt(a.angle) : '…'} rad.`));
    }
  }
  // The equilibrium is a property of scale-invariant weights: none without a normalization. A
  // sweep's runs each have their own (the sweep view draws them).
  if (state.wd > 0 && state.norm !== 'none' && !isSweep(state)) box.append(...equilibrium(runs, smoothed));
  return box;
}

/**
 * The equilibrium of the angular update: Δ* = √(2ηλ/(1+γ)) against A's (and B's) measured
 * Δₜ, averaged over the last ≈ 100 steps, and what it means for the effective LR.
 */
function equilibrium(runs, smoothed) {
  // Run A comes first (the engine builds it so) and B is its twin; Δ* is the engine's.
  const a = runs[0];
  const b = runs.find((r) => r.role === 'twin' && a && r.reference === a.index);
  const measured = [a, b].filter((r) => r && smoothed[r.index] !== undefined).map((r) => `${r.short} ${fmt(smoothed[r.index])}`);
  const out = [
    math(sup(mi('Δ'), mo('*')), mo('≈'), m('msqrt', row(mfrac(row(mn('2'), mi('η'), mi('λ')), row(mn('1'), mo('+'), mi('γ'))))), mo('='), mn(a ? a.predicted.toPrecision(4) : '…')),
  ];
  const now = document.createElement('p');
  now.className = 'measured';
  const clock = a && a.lambdaEta > 0 ? `${Math.round(1 / a.lambdaEta).toLocaleString('en')} steps` : '…';
  now.textContent = `measured Δₜ (≈ 100-step mean): ${measured.length ? measured.join(', ') : '…'}; timescale 1/(λη) = ${clock}`;
  out.push(now);
  const e = document.createElement('p');
  e.textContent = 'Δₜ is the angle the scale-invariant weights turn per step. It settles where weight decay’s shrinking of ‖w‖ balances the gradient’s growth of it (Wan et al. 2020) — which is why the effective LR η/‖w‖² levels off, after ≈ 1/(λη) steps (the Time axis “steps × λη” counts in them). B turns by exactly A’s angles with no weight decay at all: its growing LR does weight decay’s job.';
  out.push(e);
  return out;
}

function mspace() {
  const s = m('mspace');
  s.setAttribute('width', '1em');
  return s;
}
function mtext(t) {
  return m('mtext', t);
}
function mfrac(a, b) {
  return m('mfrac', a, b);
}
