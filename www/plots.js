// Live charts (uPlot): one chart per quantity, one series per run, colour plus dash pattern so
// that runs stay distinguishable without colour. Curves that must coincide are drawn on top of
// each other: the thin dashed twin over the thick solid original.
import uPlot from 'uplot';

export const RUN_STYLES = [
  { stroke: '#1f5fbf', width: 4, dash: [] },
  { stroke: '#e4572e', width: 2, dash: [8, 5] },
  { stroke: '#2a9d55', width: 4, dash: [2, 3] },
  { stroke: '#8a3ffc', width: 2, dash: [12, 4, 2, 4] },
];

/** Chart definitions: key, title, y label, log scale, value getter (per run metrics). */
export const CHARTS = [
  { key: 'lr', title: 'Learning rate (log)', log: true, get: (r) => Math.exp(r.ln_lr) },
  { key: 'wnorm', title: '‖w‖ of the normalized layers (log)', log: true, get: (r) => Math.exp(r.ln_weight_norm) },
  { key: 'efflr', title: 'Effective LR η/‖w‖² (log)', log: true, get: (r) => r.effective_lr },
  { key: 'loss', title: 'Training loss', log: false, get: (r) => r.loss },
  { key: 'acc', title: 'Test accuracy', log: false, get: (r) => r.test_accuracy, sparse: true },
  { key: 'dist', title: 'Distance to the WD twin: angle (rad, log)', log: true, get: (r, i) => (i % 2 === 1 ? Math.max(r.angle, 1e-18) : null), twinsOnly: true },
];

/** Holds the metric history and the uPlot instances. */
export class Plots {
  constructor(container, labels, { lecture = false } = {}) {
    this.container = container;
    this.labels = labels;
    this.lecture = lecture;
    this.steps = [];
    this.series = Object.fromEntries(CHARTS.map((c) => [c.key, labels.map(() => [])]));
    this.charts = [];
    container.replaceChildren();
    for (const c of CHARTS) this.charts.push(this.make(c));
    this.resize();
  }

  make(c) {
    const fig = document.createElement('figure');
    fig.className = 'chart';
    fig.dataset.key = c.key;
    const cap = document.createElement('figcaption');
    cap.textContent = c.title;
    const summary = document.createElement('p');
    summary.className = 'chart-summary sr-only';
    summary.setAttribute('aria-live', 'off');
    fig.append(cap, summary);
    this.container.append(fig);
    const scale = this.lecture ? 2 : 1;
    const series = [{ label: 'step' }];
    this.labels.forEach((label, i) => {
      if (c.twinsOnly && i % 2 === 0) {
        series.push({ label, show: false });
        return;
      }
      const st = RUN_STYLES[i % RUN_STYLES.length];
      series.push({
        label,
        stroke: st.stroke,
        width: st.width * scale,
        dash: st.dash.map((d) => d * scale),
        spanGaps: true,
        points: { show: !!c.sparse },
      });
    });
    const opts = {
      width: 400,
      height: 220,
      cursor: { sync: { key: 'explr' } },
      legend: { show: true, live: true },
      scales: { x: { time: false }, y: c.log ? { distr: 3 } : {} },
      axes: [
        { label: 'step', ...(this.lecture ? { font: '16px sans-serif', labelFont: 'bold 16px sans-serif' } : {}) },
        { size: 70, values: (_u, splits) => splits.map(fmtAxis), ...(this.lecture ? { font: '16px sans-serif' } : {}) },
      ],
      series,
    };
    const plot = new uPlot(opts, [[], ...this.labels.map(() => [])], fig);
    return { def: c, plot, fig, summary };
  }

  /** Appends one batch of step metrics. */
  push(steps) {
    for (const s of steps) {
      this.steps.push(s.step);
      for (const c of CHARTS) {
        s.runs.forEach((r, i) => {
          const v = c.get(r, i);
          this.series[c.key][i].push(v === undefined || v === null || !Number.isFinite(v) ? null : v);
        });
      }
    }
    for (const ch of this.charts) {
      ch.plot.setData([this.steps, ...this.series[ch.def.key]]);
      ch.summary.textContent = this.summary(ch.def);
    }
  }

  /** A one-sentence text summary of a chart (for screen readers and the export). */
  summary(c) {
    const parts = this.labels
      .map((l, i) => {
        const arr = this.series[c.key][i];
        const last = [...arr].reverse().find((v) => v !== null);
        return last === undefined ? null : `${l}: ${fmt(last)}`;
      })
      .filter(Boolean);
    return `${c.title} at step ${this.steps.at(-1) ?? 0}: ${parts.join('; ')}.`;
  }

  resize() {
    const w = Math.max(260, Math.floor(this.container.clientWidth / (window.innerWidth > 900 ? 3 : 1)) - 24);
    for (const ch of this.charts) ch.plot.setSize({ width: w, height: this.lecture ? 300 : 220 });
  }

  /** The chart canvas of `key` as a PNG data URL. */
  png(key) {
    const ch = this.charts.find((c) => c.def.key === key);
    return ch ? ch.plot.ctx.canvas.toDataURL('image/png') : null;
  }
}

/** Axis tick labels: short, exponential for very large or small values. */
function fmtAxis(v) {
  if (v === null || v === undefined) return '';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-2)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** Compact number formatting for labels and summaries. */
export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return v.toPrecision(4);
}
