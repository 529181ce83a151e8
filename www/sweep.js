// The sweep view (a grid of η × λ trained in lockstep): small multiples of each grid point's
// angular update against its predicted equilibrium √(2ηλ/(1+γ)), and the settled angular
// update and test accuracy of every run against the intrinsic LR λη — where runs with equal
// λη line up whatever η and λ are on their own (Li, Lyu & Arora 2020).
//
// Drawn on plain canvases from the bounded history, at most a fixed number of samples per
// pixel column, so a redraw costs the same at any history length.
import { fmtPow10, swatch } from './plots.js';
import { settled } from './history.js';

/**
 * The prediction as a line over λη, through the engine's Δ* of the runs (metrics.rs
 * `equilibrium_angular_update`, one definition): on log-log axes it is straight, so the line
 * through the two extreme points, extended, is the prediction everywhere. Returns [log10 λη,
 * log10 Δ*] pairs, or null for a grid of one λη (then each dot's Δ* is marked instead).
 */
export function predictionLine(points) {
  const byX = points.filter((p) => p.lambdaEta > 0 && p.predicted > 0).map((p) => [Math.log10(p.lambdaEta), Math.log10(p.predicted)]).sort((a, b) => a[0] - b[0]);
  if (byX.length < 2 || byX.at(-1)[0] - byX[0][0] < 1e-9) return null;
  const [[x0, y0], [x1, y1]] = [byX[0], byX.at(-1)];
  const slope = (y1 - y0) / (x1 - x0);
  return (x) => y0 + slope * (x - x0);
}

/** A short axis value: 3 significant digits. */
const fmtAxisValue = (v) => String(Number(v.toPrecision(3)));

/** One colour per η of the grid. */
const PALETTE = ['#1f5fbf', '#d1451b', '#2a8d4f', '#8a3ffc', '#a16207', '#0f766e', '#be185d', '#4b5563'];
/** One dash pattern per λ of the grid (the time charts: colour is η, the line is λ). */
const DASHES = [[], [9, 4], [2, 3], [12, 4, 2, 4], [6, 2, 2, 2], [1, 4], [16, 3], [4, 4, 1, 4]];
/** History rows read per drawn point at most (the rest are skipped evenly). */
const SAMPLES = 12;

/** Sizes `canvas` to `w`×`h` CSS pixels at the screen's pixel ratio; returns its context. */
function sized(canvas, w, h) {
  const r = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * r);
  canvas.height = Math.round(h * r);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const g = canvas.getContext('2d');
  g.setTransform(r, 0, 0, r, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '12px system-ui, sans-serif';
  g.textBaseline = 'middle';
  return g;
}

/** The sweep panel: small multiples and the λη plot, redrawn from the history on demand. */
export class SweepView {
  /**
   * `section`: the element to draw in; `runs`: the engine's view of each run (η, λ, λη and Δ*
   * of the grid point it is or twins); `intrinsic`: the cells' time axis is steps × λη (one
   * scale for all: cells of equal λη draw the same curve), else steps.
   */
  constructor(section, runs, { intrinsic = false } = {}) {
    this.intrinsic = intrinsic;
    this.points = runs.map(({ index, label, role, eta, wd, lambdaEta, predicted }) => ({ index, label, twin: role === 'twin', eta, wd, lambdaEta, predicted }));
    this.line = predictionLine(this.points);
    this.etas = [...new Set(this.points.map((p) => p.eta))].sort((a, b) => a - b);
    this.wds = [...new Set(this.points.map((p) => p.wd))].sort((a, b) => a - b);
    this.multiples = section.querySelector('#sweep-multiples');
    this.scatter = section.querySelector('#sweep-scatter');
    this.key = section.querySelector('#sweep-key');
    this.key.replaceChildren(...this.etas.map((eta, i) => {
      const s = document.createElement('span');
      s.style.color = PALETTE[i % PALETTE.length];
      s.textContent = `● η = ${eta}`;
      return s;
    }));
    this.last = [];
    this.drawMs = 0;
  }

  colour(p) {
    return PALETTE[this.etas.indexOf(p.eta) % PALETTE.length];
  }

  /**
   * The line style of each run in the time charts, in run order: colour by η, dash by λ, a
   * twin thin over its thicker run (they coincide).
   */
  styles() {
    return this.points.map((p) => ({ stroke: this.colour(p), width: p.twin ? 1.2 : 2.5, dash: DASHES[this.wds.indexOf(p.wd) % DASHES.length] }));
  }

  /**
   * The time charts' legend, grouped as the grid is: a coloured swatch per η, a dash per λ,
   * and what a thin line means.
   */
  legend() {
    const group = (title, items) => {
      const g = document.createElement('span');
      g.className = 'legend-group';
      g.append(document.createTextNode(title));
      for (const [style, text] of items) {
        const item = document.createElement('span');
        item.className = 'legend-item';
        item.append(swatch({ style }), document.createTextNode(text));
        g.append(item);
      }
      return g;
    };
    const out = [
      group('colour: η =', this.etas.map((eta, i) => [{ stroke: PALETTE[i % PALETTE.length], width: 3, dash: [] }, String(eta)])),
      group('line: λ =', this.wds.map((wd, i) => [{ stroke: '#333', width: 2, dash: DASHES[i % DASHES.length] }, String(wd)])),
    ];
    if (this.points.some((p) => p.twin)) out.push(group('', [[{ stroke: '#333', width: 1.2, dash: [] }, 'thin: exponential-LR twin (no WD)']]));
    return out;
  }

  /**
   * The status line of a sweep at its latest step: the grid, the range of its timescales
   * 1/(λη), and which point has come nearest to and stayed farthest from its equilibrium
   * (settled Δ over Δ*, as of the last redraw).
   */
  status(store) {
    const last = store.lastStep;
    if (!last) return '';
    const base = this.points.filter((p) => !p.twin);
    const name = (p) => `η=${p.eta} λ=${p.wd}`;
    const byLe = [...base].sort((a, b) => b.lambdaEta - a.lambdaEta);
    const steps = (p) => Math.round(1 / p.lambdaEta).toLocaleString('en');
    let text = `step ${last.step} · ${base.length} grid points (${this.etas.length} η × ${this.wds.length} λ)`;
    if (byLe.length > 1) text += ` · timescale 1/(λη) from ${steps(byLe[0])} steps (${name(byLe[0])}) to ${steps(byLe.at(-1))} (${name(byLe.at(-1))})`;
    const ratios = base.map((p) => ({ p, r: this.last[p.index] && this.last[p.index].delta > 0 ? this.last[p.index].delta / p.predicted : null })).filter((x) => x.r !== null);
    if (ratios.length > 1) {
      const off = (x) => Math.abs(Math.log(x.r));
      ratios.sort((a, b) => off(a) - off(b));
      const [near, far] = [ratios[0], ratios.at(-1)];
      text += ` · settled Δ/Δ*: ${near.r.toFixed(2)} nearest (${name(near.p)}), ${far.r.toFixed(2)} farthest (${name(far.p)})`;
    }
    return text;
  }

  /** Redraws both canvases from History `store`. */
  draw(store) {
    const t0 = performance.now();
    const width = Math.max(280, this.multiples.parentElement.clientWidth || 600);
    this.last = settled(store, this.points.length);
    this.drawMultiples(store, width);
    this.drawScatter(width);
    this.drawMs = performance.now() - t0;
  }

  /** One cell per (η, λ): log10 Δₜ of the run (solid) and its twin (dashed), Δ* dashed black. */
  drawMultiples(store, width) {
    const rows = this.etas.length;
    const cols = this.wds.length;
    const left = 58;
    const top = 18;
    const cw = Math.floor((width - left) / cols);
    const ch = Math.max(44, Math.min(80, Math.round(cw * 0.55)));
    const g = sized(this.multiples, width, top + rows * ch + 4);
    // One log10 range for every cell, from the predictions and the settled values.
    const values = this.points.flatMap((p, k) => [p.predicted, this.last[k].delta]).filter((v) => v > 0);
    const lo = Math.log10(Math.min(...values)) - 0.6;
    const hi = Math.log10(Math.max(...values)) + 0.8;
    const n = store.length;
    const s0 = n ? store.steps[0] : 0;
    const s1 = n ? store.steps[n - 1] : 1;
    // Where step `step` of run `p` lies across a cell, 0 to 1: by step, or by steps × λη on
    // one scale (the largest λη's run reaches the right edge).
    const leMax = Math.max(...this.points.map((p) => p.lambdaEta));
    const across = (step, p) => (this.intrinsic && leMax > 0 ? (step * p.lambdaEta) / (s1 * leMax) : (step - s0) / Math.max(1, s1 - s0));
    g.fillStyle = '#333';
    if (this.intrinsic) g.fillText(`x: steps × λη, to ${fmtAxisValue(s1 * leMax)}`, 2, 9);
    this.wds.forEach((wd, c) => g.fillText(`λ = ${wd}`, left + c * cw + 4, 9));
    this.etas.forEach((eta, r) => g.fillText(`η = ${eta}`, 2, top + r * ch + ch / 2));
    for (const p of this.points) {
      const x0 = left + this.wds.indexOf(p.wd) * cw;
      const y0 = top + this.etas.indexOf(p.eta) * ch;
      const y = (v) => y0 + ch - 3 - ((v - lo) / (hi - lo)) * (ch - 6);
      if (!p.twin) {
        g.strokeStyle = '#c8ccd2';
        g.setLineDash([]);
        g.lineWidth = 1;
        g.strokeRect(x0 + 0.5, y0 + 0.5, cw - 3, ch - 3);
        g.strokeStyle = '#111';
        g.setLineDash([4, 3]);
        g.beginPath();
        g.moveTo(x0 + 1, y(Math.log10(p.predicted)));
        g.lineTo(x0 + cw - 4, y(Math.log10(p.predicted)));
        g.stroke();
      }
      if (n < 2) continue;
      const buckets = Math.max(2, cw - 6);
      g.strokeStyle = this.colour(p);
      g.lineWidth = p.twin ? 1 : 2;
      g.setLineDash(p.twin ? [3, 2] : []);
      g.beginPath();
      let started = false;
      for (let b = 0; b < buckets; b += 1) {
        const i0 = Math.floor((b * n) / buckets);
        const i1 = Math.max(i0 + 1, Math.floor(((b + 1) * n) / buckets));
        const stride = Math.max(1, Math.floor((i1 - i0) / SAMPLES));
        let sum = 0;
        let count = 0;
        for (let i = i0; i < i1; i += stride) {
          const v = store.value(i, p.index, 'angular_update');
          if (v > 0) {
            sum += Math.log10(v);
            count += 1;
          }
        }
        if (!count) continue;
        const at = across(store.steps[i0], p);
        if (at > 1) break;
        const x = x0 + 2 + at * (cw - 7);
        const yy = Math.max(y0 + 1, Math.min(y0 + ch - 3, y(sum / count)));
        if (started) g.lineTo(x, yy);
        else g.moveTo(x, yy);
        started = true;
      }
      g.stroke();
    }
    g.setLineDash([]);
  }

  /** Settled Δ and test accuracy against λη, one marker per run (twins as rings). */
  drawScatter(width) {
    const wide = width >= 560;
    const pw = wide ? Math.floor((width - 16) / 2) : width;
    const ph = 220;
    const g = sized(this.scatter, width, wide ? ph : 2 * ph + 12);
    const xs = this.points.map((p) => Math.log10(p.lambdaEta));
    const xlo = Math.min(...xs) - 0.25;
    const xhi = Math.max(...xs) + 0.25;
    const deltas = this.points.flatMap((p, k) => [p.predicted, this.last[k].delta]).filter((v) => v > 0).map(Math.log10);
    const panels = [
      { title: 'settled Δ (rad) vs λη — line: √(2λη/(1+γ))', lo: Math.min(...deltas) - 0.15, hi: Math.max(...deltas) + 0.15, log: true, get: (k) => this.last[k].delta },
      { title: 'test accuracy vs λη', lo: 0, hi: 1, log: false, get: (k) => this.last[k].accuracy },
    ];
    panels.forEach((panel, j) => {
      const ox = wide ? j * (pw + 16) : 0;
      const oy = wide ? 0 : j * (ph + 12);
      const L = ox + 48;
      const R = ox + pw - 8;
      const T = oy + 22;
      const B = oy + ph - 26;
      const X = (v) => L + ((v - xlo) / (xhi - xlo)) * (R - L);
      const Y = (v) => B - ((v - panel.lo) / (panel.hi - panel.lo)) * (B - T);
      g.fillStyle = '#111';
      g.fillText(panel.title, L, oy + 9);
      g.strokeStyle = '#999';
      g.lineWidth = 1;
      g.strokeRect(L, T, R - L, B - T);
      g.fillStyle = '#333';
      for (let k = Math.ceil(xlo); k <= xhi; k += 1) {
        g.fillText(fmtPow10(k), X(k) - 10, B + 12);
        g.beginPath();
        g.moveTo(X(k), B);
        g.lineTo(X(k), B - 4);
        g.stroke();
      }
      g.fillText('λη', R - 14, B + 12);
      const yTicks = panel.log ? [Math.ceil(panel.lo * 4) / 4, (panel.lo + panel.hi) / 2, Math.floor(panel.hi * 4) / 4] : [0, 0.5, 1];
      for (const v of yTicks) g.fillText(panel.log ? String(Number((10 ** v).toPrecision(2))) : String(v), ox + 2, Y(v));
      if (panel.log) {
        // The prediction: a line (slope 1/2 on log-log axes), or a mark at each dot's Δ*.
        const { line } = this;
        g.strokeStyle = '#111';
        g.setLineDash([6, 4]);
        g.beginPath();
        if (line) {
          g.moveTo(X(xlo), Y(line(xlo)));
          g.lineTo(X(xhi), Y(line(xhi)));
        } else {
          for (const p of this.points) {
            const x = X(Math.log10(p.lambdaEta));
            g.moveTo(x - 14, Y(Math.log10(p.predicted)));
            g.lineTo(x + 14, Y(Math.log10(p.predicted)));
          }
        }
        g.stroke();
        g.setLineDash([]);
      }
      this.points.forEach((p, k) => {
        const v = panel.get(k);
        if (v === null || !(panel.log ? v > 0 : Number.isFinite(v))) return;
        const x = X(Math.log10(p.lambdaEta));
        const y = Y(panel.log ? Math.log10(v) : v);
        g.strokeStyle = this.colour(p);
        g.fillStyle = this.colour(p);
        g.lineWidth = 2;
        // Smaller dots for larger η: runs that coincide (equal λη) show as concentric rings.
        const r = 3 + 1.5 * (this.etas.length - 1 - this.etas.indexOf(p.eta));
        g.beginPath();
        g.arc(x, y, p.twin ? r + 3 : r, 0, 2 * Math.PI);
        if (p.twin) g.stroke();
        else g.fill();
      });
    });
  }

  /** What the view shows (for tests): per run its η, λ, λη, predicted and settled Δ, accuracy. */
  summary() {
    return this.points.map((p, k) => ({ ...p, ...this.last[k] }));
  }
}
