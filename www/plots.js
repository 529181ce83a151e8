// Live charts (uPlot): one chart per quantity, one series per run, colour plus dash pattern so
// that runs stay distinguishable without colour. Curves that must coincide are drawn on top of
// each other: the thin dashed twin over the thick solid original.
//
// Cost per frame does not grow with the number of steps: each chart draws a min/max envelope
// of at most 2·BUCKETS points per run (envelope.js), and only when new steps arrived.
// Quantities that explode (LR, ‖w‖) are plotted as log10 of the engine's log-space values, so
// they stay on the chart long after they leave the range of f64.
import uPlot from 'uplot';
import { Envelope, bucketsFor } from './envelope.js';
import { fmt, fmtLog10 } from './format.js';

export { fmt, fmtLog10 } from './format.js';

export const RUN_STYLES = [
  { stroke: '#1f5fbf', width: 4, dash: [] },
  { stroke: '#d1451b', width: 2, dash: [8, 5] },
  { stroke: '#2a8d4f', width: 4, dash: [2, 3] },
  { stroke: '#8a3ffc', width: 2, dash: [12, 4, 2, 4] },
];
/** The rounding-chaos control A′: grey, dotted. */
export const CONTROL_STYLE = { stroke: '#6b7280', width: 2, dash: [2, 4] };
/** A predicted reference line (the equilibrium angular update): thin, black, dashed. */
export const PREDICTION_STYLE = { stroke: '#111111', width: 1.5, dash: [6, 4] };

/** Charts redrawn per animation frame at most (round-robin): each chart updates ≥ 20 times/s. */
const CHARTS_PER_FRAME = 2;
/** A second chart is drawn in the same frame only if the first took less than this (ms). */
const FRAME_BUDGET_MS = 8;

const LOG10E = Math.LOG10E;
const log10Floor = (v, floor) => (v === null || v === undefined || Number.isNaN(v) ? null : Math.log10(Math.max(v, floor)));
/** log10 of a positive value, null for zero (no weight decay: no equilibrium) or missing. */
const log10Positive = (v) => (typeof v === 'number' && v > 0 ? Math.log10(v) : null);
/** Spike onsets a chart keeps to mark (the latest; older ones have scrolled far left). */
const MAX_SPIKES = 400;
/** Runs beyond which a chart leaves out its predicted lines (a sweep draws them per cell). */
const MAX_RUNS_WITH_PREDICTIONS = 8;

/**
 * The predicted equilibrium line of each weight-decay run (a twin shares its run's), labelled
 * `name` and the run's short name; it holds for scale-invariant weights only.
 */
const equilibria = (name) => (runs, ctx) => {
  if (!ctx.invariant || runs.length > MAX_RUNS_WITH_PREDICTIONS) return [];
  return runs.filter((r) => r.role === 'wd').map((r) => ({ label: `${name} ${r.short}`, index: r.index, reference: r.index, role: 'prediction' }));
};

/**
 * Chart definitions: key, title, unit (y axis label), log10 values or not, the value getter
 * (per run metrics, run info) and which runs it shows. `title` may depend on the network.
 */
export const CHARTS = [
  { key: 'lr', title: () => 'Learning rate ηₜ', unit: 'LR (log scale)', log: true, get: (r) => r.ln_lr * LOG10E },
  {
    key: 'wnorm',
    title: (ctx) => (ctx.invariant ? '‖w‖ of the scale-invariant weights' : '‖w‖ of the hidden weights'),
    unit: '‖w‖ (log scale)',
    log: true,
    get: (r) => r.ln_weight_norm * LOG10E,
  },
  { key: 'loss', title: (ctx) => `Training loss (minibatch)${ctx.spikes ? '; ▾ a spike of ‖w‖' : ''}`, unit: 'cross-entropy', log: false, get: (r) => r.loss, spikes: true },
  { key: 'efflr', title: () => 'Effective LR ηₜ/‖wₜ‖²', unit: 'η/‖w‖² (log scale)', log: true, get: (r) => r.ln_effective_lr * LOG10E },
  { key: 'acc', title: () => 'Test accuracy', unit: 'fraction correct', log: false, range: [0, 1], get: (r) => r.test_accuracy, sparse: true },
  {
    key: 'dist',
    title: () => 'Distance to the reference run: angle between weights',
    unit: 'rad (log scale)',
    log: true,
    get: (r) => log10Floor(r.angle, 1e-18),
    only: (run) => run.reference !== run.index,
    empty: 'none here — no run has a twin or control to compare (a sweep draws them with “Each with its exponential-LR twin”)',
  },
  {
    key: 'angular',
    title: (ctx) => `Angular update Δₜ = ∠(wₜ, wₜ₊₁)${ctx.invariant ? ', dashed: Δ* = √(2ηλ/(1+γ))' : ''}`,
    unit: 'rad (log scale)',
    log: true,
    get: (r, run) => (run.role === 'prediction' ? log10Positive(r.equilibrium_angular_update) : log10Floor(r.angular_update, 1e-18)),
    only: (run) => run.role !== 'control',
    extra: equilibria('Δ* of'),
  },
  {
    key: 'layers',
    title: (ctx) => `Δₜ per layer: ${ctx.layers.join(' solid, ')}${ctx.layers.length > 1 ? ' dashed' : ''}${ctx.invariant ? '; black: Δ*' : ''}`,
    unit: 'rad (log scale)',
    log: true,
    get: (r, run) => (run.role === 'prediction' ? log10Positive(r.equilibrium_angular_update) : log10Floor(r.layer_angular_updates?.[run.layer], 1e-18)),
    only: () => false,
    // Each run once per layer, in its colour, the first layer solid and the others dashed.
    extra: (runs, ctx) => {
      if (runs.length > MAX_RUNS_WITH_PREDICTIONS) return [];
      const layered = runs.filter((r) => r.role !== 'control').flatMap((r) => ctx.layers.map((name, k) => ({
        ...r, label: `${r.short} ${name}`, layer: k, style: { ...styleOf(r), dash: k === 0 ? [] : [2 + 4 * k, 3] },
      })));
      return layered.length ? [...layered, ...equilibria('Δ* of')(runs, ctx)] : [];
    },
    empty: 'a sweep draws each grid point’s angular update in its own cell below',
  },
  {
    key: 'gradratio',
    title: (ctx) => `‖g‖/‖w‖ (a twin’s ×c²)${ctx.invariant ? ', dashed: √(2λ(1−γ)/ηₜ)' : ''}`,
    unit: '‖g‖/‖w‖ (log scale)',
    log: true,
    // A twin's ratio is its WD run's over c² (its weights are c times larger, its gradient c
    // times smaller): times c², the scale-free ratio that coincides with its run's.
    get: (r, run) => {
      if (run.role === 'prediction') return log10Positive(r.equilibrium_grad_weight_ratio);
      return (r.ln_grad_weight_ratio + (run.role === 'twin' ? 2 * r.ln_scale_predicted : 0)) * LOG10E;
    },
    only: (run) => run.role !== 'control',
    extra: equilibria('equilibrium of'),
  },
];

/** Keys of the charts each view shows, in order. */
export const VIEWS = {
  normal: ['lr', 'wnorm', 'loss', 'efflr', 'acc', 'dist', 'angular', 'layers', 'gradratio'],
  lecture: ['lr', 'wnorm', 'loss', 'efflr', 'acc', 'dist', 'angular'],
  embed: ['lr', 'wnorm', 'loss', 'efflr'],
};

/** The style of run `run` ({index, role}, or {style}: its own, e.g. a sweep's). */
export function styleOf(run) {
  if (run.style) return run.style;
  if (run.role === 'prediction') return PREDICTION_STYLE;
  return run.role === 'control' ? CONTROL_STYLE : RUN_STYLES[run.index % RUN_STYLES.length];
}

/** Draws run `run`'s line sample (its colour, width and dash) on `g` from (x, y), `len` long. */
export function drawSwatch(g, run, x, y, len = 36) {
  const st = styleOf(run);
  g.save();
  g.strokeStyle = st.stroke;
  g.lineWidth = st.width;
  g.setLineDash(st.dash);
  g.beginPath();
  g.moveTo(x, y);
  g.lineTo(x + len, y);
  g.stroke();
  g.restore();
}

/** A small canvas with the line sample of `run` (a run, or {style}), for legends. */
export function swatch(run) {
  const c = document.createElement('canvas');
  c.width = 36;
  c.height = 10;
  c.setAttribute('aria-hidden', 'true');
  drawSwatch(c.getContext('2d'), run, 0, 5);
  return c;
}

/** Holds the decimated history and the uPlot instances of every chart. */
export class Plots {
  /**
   * `runs`: [{label, index, reference, role}]; `view`: 'normal' | 'lecture' | 'embed';
   * `invariant`: whether the hidden weights feed a normalization (chart titles follow);
   * `keys`: the charts to show (default: the view's); `height`: each chart's (default: the
   * view's); `layers`: the hidden weights' names (the engine's, for the per-layer chart);
   * `lambdaEta`: with it, time is intrinsic — the x axis is steps × λη, one λη for all runs.
   */
  constructor(container, runs, { view = 'normal', invariant = true, keys = null, height = null, layers = [], lambdaEta = null } = {}) {
    this.container = container;
    this.height = height;
    this.runs = runs;
    this.view = view;
    this.ctx = { invariant, layers, spikes: false };
    this.lambdaEta = lambdaEta;
    /** Steps at which run A's ‖w‖ began a spike (the engine counts them), newest last. */
    this.spikeSteps = [];
    this.spikeCount = 0;
    this.lastStep = 0;
    this.next = 0;
    this.charts = [];
    container.replaceChildren();
    keys = keys || VIEWS[view] || VIEWS.normal;
    // Each chart is made at its final size: made small and resized, it would be drawn twice.
    const size = this.size();
    for (const key of keys) {
      const c = CHARTS.find((d) => d.key === key);
      // A chart with nothing to draw (no twin to measure a distance to) says so in one line.
      if (this.shown(c).length) this.charts.push(this.make(c, size));
      else this.note(c);
    }
  }

  /** In place of chart `c`, which has no run to show: its title and why it is empty. */
  note(c) {
    const p = document.createElement('p');
    p.className = 'chart-note hint';
    p.dataset.key = c.key;
    p.textContent = `${c.title(this.ctx)}: ${c.empty || 'no run to show in this configuration'}.`;
    this.container.append(p);
  }

  /** The runs chart `c` shows, then its reference lines (predictions) if any. */
  shown(c) {
    return [...this.runs.filter((r) => !c.only || c.only(r)), ...(c.extra ? c.extra(this.runs, this.ctx) : [])];
  }

  /**
   * uPlot options for chart `c` at width × height CSS pixels (`scale` thickens lines and type;
   * `spread` widens the spacing of ticks, for a figure drawn larger than it is shown).
   */
  options(c, width, height, scale = 1, legend = true, spread = 1) {
    const font = `${Math.round(12 * scale)}px system-ui, sans-serif`;
    const labelFont = `bold ${Math.round(12 * scale)}px system-ui, sans-serif`;
    const series = [{ label: this.lambdaEta ? 'steps × λη' : 'step' }];
    for (const run of this.shown(c)) {
      const st = styleOf(run);
      series.push({
        label: run.label,
        stroke: st.stroke,
        width: st.width * scale,
        dash: st.dash.map((d) => d * scale),
        spanGaps: true,
        points: { show: !!c.sparse, size: 5 * scale },
        value: (_u, v) => (v === null || v === undefined ? '—' : c.log ? fmtLog10(v) : fmt(v)),
      });
    }
    return {
      width,
      height,
      cursor: { sync: { key: 'explr' }, drag: { x: false, y: false } },
      legend: { show: legend, live: true },
      scales: { x: { time: false }, y: c.range ? { range: c.range } : { range: (_u, lo, hi) => padRange(lo, hi, c.log) } },
      axes: [
        {
          label: this.lambdaEta ? 'steps × λη (intrinsic time)' : 'step',
          font,
          labelFont,
          size: 36 * scale,
          labelSize: 18 * scale,
          stroke: '#333',
          space: 60 * spread,
          values: (_u, splits) => splits.map(this.lambdaEta ? fmtAxis : fmtStep),
        },
        {
          label: c.unit,
          font,
          labelFont,
          // As wide as its longest tick label, so that no label runs into the axis title.
          size: (u, values, axis, cycle) => yAxisSize(u, values, axis, cycle, scale),
          labelSize: 18 * scale,
          stroke: '#333',
          space: 30 * spread,
          incrs: c.log ? LOG_INCRS : undefined,
          values: (_u, splits) => splits.map((v) => (c.log ? fmtPow10(v) : fmtAxis(v))),
        },
      ],
      series,
      ...(c.spikes && { hooks: { draw: [(u) => this.markSpikes(u, scale)] } }),
    };
  }

  /** The x of step `step`: the step, or steps × λη in intrinsic time. */
  x(step) {
    return this.lambdaEta ? step * this.lambdaEta : step;
  }

  /** Marks each spike onset in view with a small triangle at the top of chart `u`. */
  markSpikes(u, scale) {
    if (!this.spikeSteps.length) return;
    const { ctx, bbox } = u;
    const [lo, hi] = [u.scales.x.min, u.scales.x.max];
    const r = 5 * scale * (window.devicePixelRatio || 1);
    ctx.save();
    ctx.fillStyle = '#b91c1c';
    for (const step of this.spikeSteps) {
      const x = this.x(step);
      if (x < lo || x > hi) continue;
      const px = u.valToPos(x, 'x', true);
      ctx.beginPath();
      ctx.moveTo(px - r, bbox.top);
      ctx.lineTo(px + r, bbox.top);
      ctx.lineTo(px, bbox.top + 1.6 * r);
      ctx.fill();
    }
    ctx.restore();
  }

  /** Makes chart `c` (a CHARTS entry) in its own figure, `width` × `height` px. */
  make(c, { width, height }) {
    const fig = document.createElement('figure');
    fig.className = 'chart';
    fig.dataset.key = c.key;
    const cap = document.createElement('figcaption');
    cap.textContent = c.title(this.ctx);
    const summary = document.createElement('p');
    summary.className = 'chart-summary sr-only';
    summary.setAttribute('aria-live', 'off');
    fig.append(cap, summary);
    this.container.append(fig);
    const shown = this.shown(c);
    const env = new Envelope(shown.length, bucketsFor(shown.length));
    const scale = this.view === 'lecture' ? 1.6 : 1;
    // One legend above all charts (#legend) names the runs; uPlot's own would repeat it per chart.
    const plot = new uPlot(this.options(c, width, height, scale, false), [[], ...shown.map(() => [])], fig);
    return { def: c, plot, fig, summary, env, shown, title: cap.textContent, dirty: false };
  }

  /** Records one batch of step metrics; the charts redraw at the next `draw()`. */
  push(steps) {
    for (const s of steps) {
      const x = this.x(s.step);
      for (const ch of this.charts) {
        ch.env.push(x, ch.shown.map((run) => ch.def.get(s.runs[run.index], run)));
        ch.dirty = true;
      }
      const spikes = s.runs[0]?.spikes ?? 0;
      if (spikes > this.spikeCount) {
        this.spikeSteps.push(s.step);
        if (this.spikeSteps.length > MAX_SPIKES) this.spikeSteps.shift();
        if (!this.ctx.spikes) this.retitle({ spikes: true });
      }
      this.spikeCount = spikes;
      this.lastStep = s.step;
    }
  }

  /** Sets `change` in the charts' context and the titles that depend on it. */
  retitle(change) {
    Object.assign(this.ctx, change);
    for (const ch of this.charts) {
      ch.title = ch.def.title(this.ctx);
      ch.fig.querySelector('figcaption').textContent = ch.title;
    }
  }

  /**
   * Redraws, from their envelopes, up to CHARTS_PER_FRAME charts that have new steps (one if it
   * took over FRAME_BUDGET_MS), taking turns (call once per frame); `all` redraws every one.
   * Returns whether anything was drawn.
   */
  draw(all = false) {
    let drawn = 0;
    const t0 = performance.now();
    const n = this.charts.length;
    for (let k = 0; k < n; k += 1) {
      const ch = this.charts[(this.next + k) % n];
      if (!ch.dirty) continue;
      ch.dirty = false;
      ch.plot.setData(ch.env.data());
      ch.summary.textContent = this.summary(ch);
      drawn += 1;
      // Many curves (a sweep) make a chart slow to draw: then one per frame.
      if (!all && (drawn === CHARTS_PER_FRAME || performance.now() - t0 > FRAME_BUDGET_MS)) {
        this.next = (this.next + k + 1) % n;
        break;
      }
    }
    return drawn > 0;
  }

  /** Whether some chart still has steps to draw. */
  get pending() {
    return this.charts.some((ch) => ch.dirty);
  }

  /**
   * What each chart shows now (for tests): its key, the last step drawn, each series' last
   * drawn value (null: no point there) and the y range.
   */
  drawn() {
    return this.charts.map((ch) => {
      const [xs, ...ys] = ch.plot.data;
      const y = ch.plot.scales.y;
      return {
        key: ch.def.key,
        runs: ch.shown.map((r) => r.label),
        lastStep: xs.at(-1) === undefined ? null : Math.round(xs.at(-1) / (this.lambdaEta || 1)),
        lastX: xs.at(-1) ?? null,
        last: ys.map((v) => v.at(-1) ?? null),
        yRange: [y.min, y.max],
      };
    });
  }

  /** A one-sentence text summary of a chart (for screen readers and the export). */
  summary(ch) {
    const parts = ch.shown
      .map((run, s) => {
        const v = ch.env.last[s];
        return Number.isNaN(v) ? null : `${run.label}: ${ch.def.log ? fmtLog10(v) : fmt(v)}`;
      })
      .filter(Boolean);
    return `${ch.title} at step ${this.lastStep}: ${parts.join('; ')}.`;
  }

  /** The size of each chart ({width, height}): up to three per row, none wider than the page. */
  size() {
    const w = this.container.clientWidth || 300;
    const gap = 10;
    const min = this.view === 'lecture' ? 300 : 280;
    const cols = Math.max(1, Math.min(3, Math.floor((w + gap) / (min + gap))));
    // Each figure adds 2 × 4 px padding and 2 × 1 px border around its plot.
    const width = Math.max(120, Math.floor((w - gap * (cols - 1)) / cols) - 12);
    let height = 200;
    if (this.view === 'lecture') height = Math.round(Math.min(340, Math.max(180, window.innerHeight * 0.34)));
    else if (this.view === 'embed') height = cols === 1 ? 170 : 180;
    return { width, height: this.height || height };
  }

  /** Sizes the charts to their container (after the window or the layout changed). */
  resize() {
    const size = this.size();
    for (const ch of this.charts) ch.plot.setSize(size);
  }

  /** Where `figure(caption)` puts its panels (see figureLayout). */
  layout(caption) {
    return figureLayout(this.charts.length, wrap(caption, 150).length);
  }

  /**
   * One figure of every chart for slides and papers: titled panels with axis units, a legend
   * and `caption` (the settings), at `ratio`× resolution on an opaque white background.
   * Resolves to a PNG Blob.
   */
  async figure(caption, ratio = 2) {
    const captionLines = wrap(caption, 150);
    const { W, H, panels, pad, titleH, legendH, foot, panelW, panelH } = this.layout(caption);
    const canvas = document.createElement('canvas');
    canvas.width = W * ratio;
    canvas.height = H * ratio;
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, W, H);
    g.fillStyle = '#111';
    g.font = 'bold 22px system-ui, sans-serif';
    g.fillText('Weight decay on a normalized net ≡ an exponentially growing LR (Li & Arora, ICLR 2020)', pad, 34);
    const host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:-20000px;top:0;width:600px';
    document.body.append(host);
    try {
      for (const [i, ch] of this.charts.entries()) {
        const { x, y } = panels[i];
        g.fillStyle = '#111';
        g.font = 'bold 16px system-ui, sans-serif';
        g.fillText(ch.title, x, y + 20);
        // uPlot draws at the screen's pixel ratio: draw ratio× larger, with type and lines to
        // match, and scale the canvas into the panel once uPlot has drawn (it draws after a
        // microtask, not in its constructor).
        let drawn;
        const done = new Promise((resolve) => {
          drawn = resolve;
        });
        const base = this.options(ch.def, panelW * ratio, panelH * ratio, 1.15 * ratio, false, 1.3 * ratio);
        const opts = { ...base, cursor: { show: false }, hooks: { draw: [...(base.hooks?.draw || []), () => drawn()] } };
        const u = new uPlot(opts, ch.env.data(), host);
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 1000))]);
        g.drawImage(u.ctx.canvas, x, y + titleH, panelW, panelH);
        u.destroy();
      }
    } finally {
      host.remove();
    }
    const ly = H - foot - legendH + 22;
    let lx = pad;
    g.font = '15px system-ui, sans-serif';
    for (const run of this.runs) {
      drawSwatch(g, run, lx, ly - 5);
      g.fillStyle = '#111';
      g.fillText(run.label, lx + 44, ly);
      lx += 60 + g.measureText(run.label).width;
    }
    g.fillStyle = '#333';
    g.font = '14px system-ui, sans-serif';
    captionLines.forEach((line, i) => g.fillText(line, pad, H - foot + 18 + 22 * i));
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  }
}

/**
 * Where the figure puts `n` charts (CSS px; the PNG is `ratio`× this): up to three per row,
 * each a title bar over a panel, under a heading and above the legend and `captionLines`
 * lines of caption. `panels[i]` = {x, y, w, h} of chart i with its title.
 */
export function figureLayout(n, captionLines = 2) {
  const panelW = 560;
  const panelH = 300;
  const cols = Math.min(3, n);
  const rows = Math.ceil(n / cols);
  const pad = 16;
  const titleH = 30;
  const head = 56;
  const legendH = 36;
  const foot = 22 * captionLines + 16;
  const W = cols * panelW + (cols + 1) * pad;
  const H = head + rows * (panelH + titleH + pad) + legendH + foot;
  const panels = Array.from({ length: n }, (_, i) => ({
    x: pad + (i % cols) * (panelW + pad),
    y: head + Math.floor(i / cols) * (panelH + titleH + pad),
    w: panelW,
    h: panelH + titleH,
  }));
  return { W, H, panels, pad, titleH, head, legendH, foot, panelW, panelH };
}

const LOG_INCRS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

/** Pads a data range so that a flat curve still sits inside a readable axis. */
function padRange(lo, hi, log) {
  if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) return log ? [-2, 0] : [0, 1];
  const span = hi - lo;
  const min = log ? 0.5 : Math.max(Math.abs(hi) * 0.05, 1e-12);
  const pad = span < min ? (min - span) / 2 : span * 0.06;
  return [lo - pad, hi + pad];
}

const SUP = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹', '.': '·' };

/** A log10 axis tick: 10ᵏ for whole k, else the plain value (or 10^k.k far from 1). */
export function fmtPow10(k) {
  if (k === null || k === undefined) return '';
  const r = Math.round(k * 10) / 10;
  if (Number.isInteger(r)) return `10${String(r).replace(/[-0-9.]/g, (c) => SUP[c])}`;
  if (Math.abs(r) < 4) return String(Number((10 ** r).toPrecision(2)));
  return `10${String(r).replace(/[-0-9.]/g, (c) => SUP[c])}`;
}

/** Axis tick labels of linear axes: short, exponential for very large or small values. */
function fmtAxis(v) {
  if (v === null || v === undefined) return '';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-2)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** A step-axis tick: whole steps, with k and M past 10 000 so that labels stay short. */
export function fmtStep(v) {
  if (v === null || v === undefined) return '';
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Math.round(v));
}

/**
 * The width of y axis `axis` of uPlot `u` (CSS px) that fits its widest tick label `values`
 * beside the ticks (uPlot's axis auto-size recipe; settles after two layout cycles).
 */
function yAxisSize(u, values, axis, cycle, scale) {
  const ax = u.axes[axis];
  if (cycle > 1 && ax._size) return ax._size;
  const longest = (values || []).reduce((acc, v) => (String(v).length > acc.length ? String(v) : acc), '');
  let width = 0;
  if (longest && u.ctx && ax.font) {
    u.ctx.font = ax.font[0];
    width = u.ctx.measureText(longest).width / (window.devicePixelRatio || 1);
  }
  return Math.max(40 * scale, Math.ceil((ax.ticks ? ax.ticks.size : 10) + (ax.gap || 5) + width + 4 * scale));
}

/** Splits `text` into lines of at most `n` characters at spaces. */
function wrap(text, n) {
  const out = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > n) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
