// The toy example of paper §8 as an interactive panel: full-batch GD on the scale-invariant
// loss L(w) = 2 − 2·w₂/‖w‖ ("BN'd linear regression"), computed by the Rust engine. With weight
// decay the norm shrinks until ‖w‖² < η (inside the dashed √η circle), the minimum turns
// unstable and the loss spikes — again and again.
import { swatch } from './plots.js';

const VIEW = { x0: -1.6, x1: 1.6, y0: -0.6, y1: 2.0 };

/** Draws the loss landscape, the √η circle and the GD `path` on `canvas`. */
export function drawToy(canvas, path, eta, toy) {
  const ctx = canvas.getContext('2d');
  const { width: W, height: H } = canvas;
  const sx = (x) => ((x - VIEW.x0) / (VIEW.x1 - VIEW.x0)) * W;
  const sy = (y) => H - ((y - VIEW.y0) / (VIEW.y1 - VIEW.y0)) * H;
  const img = ctx.createImageData(W, H);
  for (let j = 0; j < H; j += 1) {
    for (let i = 0; i < W; i += 1) {
      const x = VIEW.x0 + ((i + 0.5) / W) * (VIEW.x1 - VIEW.x0);
      const y = VIEW.y1 - ((j + 0.5) / H) * (VIEW.y1 - VIEW.y0);
      const n = Math.hypot(x, y);
      let l;
      if (toy === 'ratio') l = (x * x) / (n * n);
      else if (toy === 'plain_regression') l = Math.min(1, (x * x + (y - 1) ** 2) / 4);
      else l = (2 - (2 * y) / n) / 4;
      const v = Math.round(255 - 150 * l);
      const band = Math.abs((l * 10) % 1) < 0.04 ? 40 : 0;
      img.data.set([v - band, v - band, 255 - band, 255], (j * W + i) * 4);
    }
  }
  ctx.putImageData(img, 0, 0);
  ctx.strokeStyle = '#555';
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 2;
  ctx.beginPath();
  const r = Math.sqrt(eta);
  ctx.ellipse(sx(0), sy(0), (r / (VIEW.x1 - VIEW.x0)) * W, (r / (VIEW.y1 - VIEW.y0)) * H, 0, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = '#e4572e';
  ctx.lineWidth = 2;
  ctx.beginPath();
  path.forEach((p, k) => (k ? ctx.lineTo(sx(p.w[0]), sy(p.w[1])) : ctx.moveTo(sx(p.w[0]), sy(p.w[1]))));
  ctx.stroke();
  ctx.fillStyle = '#1b1f24';
  for (const p of [path[0], path.at(-1)]) {
    ctx.beginPath();
    ctx.arc(sx(p.w[0]), sy(p.w[1]), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** The toy chart's three lines: what the legend under it names (colour, dash, words). */
export const TOY_LINES = [
  { key: 'loss', stroke: '#e4572e', dash: [], text: 'loss L(w) (left axis)' },
  { key: 'norm', stroke: '#1f5fbf', dash: [6, 4], text: '‖w‖² (right axis)' },
  { key: 'eta', stroke: '#888', dash: [2, 3], text: '‖w‖² = η: below it the minimum is unstable' },
];

/**
 * Draws loss (solid, left axis) and ‖w‖² (dashed, right axis) against the step on `canvas`,
 * with the level ‖w‖² = η dotted, axis labels and ticks.
 */
export function drawToyCurves(canvas, path, eta) {
  const ctx = canvas.getContext('2d');
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  const [L, R, T, B] = [44, W - 44, 8, H - 30];
  const maxL = Math.max(1e-9, ...path.map((p) => p.loss));
  const maxN = Math.max(eta * 1.5, ...path.map((p) => p.norm_sq));
  const steps = Math.max(1, path.length - 1);
  const x = (k) => L + (k / steps) * (R - L);
  const y = (v, max) => B - (v / max) * (B - T);
  const [loss, norm, level] = TOY_LINES;
  const line = (get, max, style) => {
    ctx.strokeStyle = style.stroke;
    ctx.setLineDash(style.dash);
    ctx.lineWidth = 2;
    ctx.beginPath();
    path.forEach((p, k) => (k ? ctx.lineTo(x(k), y(get(p), max)) : ctx.moveTo(x(k), y(get(p), max))));
    ctx.stroke();
  };
  // Axes, ticks and their labels.
  ctx.setLineDash([]);
  ctx.strokeStyle = '#999';
  ctx.lineWidth = 1;
  ctx.strokeRect(L, T, R - L, B - T);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const num = (v) => String(Number(v.toPrecision(2)));
  ctx.fillStyle = loss.stroke;
  ctx.textAlign = 'right';
  for (const f of [0, 0.5, 1]) ctx.fillText(num(f * maxL), L - 4, y(f * maxL, maxL));
  ctx.fillStyle = norm.stroke;
  ctx.textAlign = 'left';
  for (const f of [0, 0.5, 1]) ctx.fillText(num(f * maxN), R + 4, y(f * maxN, maxN));
  ctx.fillStyle = '#333';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const f of [0, 0.5, 1]) ctx.fillText(String(Math.round(f * steps)), x(f * steps), B + 3);
  ctx.fillText('step', (L + R) / 2, B + 16);
  ctx.save();
  ctx.translate(10, (T + B) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillStyle = loss.stroke;
  ctx.fillText('loss', 0, -6);
  ctx.restore();
  ctx.save();
  ctx.translate(W - 10, (T + B) / 2);
  ctx.rotate(Math.PI / 2);
  ctx.fillStyle = norm.stroke;
  ctx.fillText('‖w‖²', 0, -6);
  ctx.restore();
  ctx.textAlign = 'start';
  ctx.textBaseline = 'alphabetic';
  line((p) => p.loss, maxL, loss);
  line((p) => p.norm_sq, maxN, norm);
  ctx.setLineDash(level.dash);
  ctx.strokeStyle = level.stroke;
  ctx.beginPath();
  ctx.moveTo(L, y(eta, maxN));
  ctx.lineTo(R, y(eta, maxN));
  ctx.stroke();
  ctx.setLineDash([]);
}

/** Fills `box` with the toy chart's legend: a line sample and the words for each line. */
export function toyLegend(box) {
  box.replaceChildren(...TOY_LINES.map((l) => {
    const item = document.createElement('span');
    item.className = 'legend-item';
    item.dataset.line = l.key;
    item.append(swatch({ style: { stroke: l.stroke, width: 2, dash: l.dash } }), document.createTextNode(l.text));
    return item;
  }));
}

/**
 * One-line description of a path for screen readers and the caption; `steps` is how many
 * were asked for (the engine ends a path early where GD leaves the loss's domain).
 */
export function toySummary(path, eta, steps = path.length - 1) {
  let spikes = 0;
  for (let k = 1; k < path.length; k += 1) if (path[k].loss > 0.1 && path[k - 1].loss <= 0.1) spikes += 1;
  const last = path.at(-1);
  const stopped = path.length - 1 < steps
    ? ` GD stopped after ${path.length - 1} of ${steps} steps: the next step leaves the loss’s domain (w = 0 or overflow; weight decay with ηλ ≥ 1 shrinks w to 0 or flips it).`
    : '';
  return `${path.length - 1} steps of GD: final loss ${last.loss.toExponential(2)}, ‖w‖² = ${last.norm_sq.toFixed(3)} (η = ${eta}), ${spikes} loss spike${spikes === 1 ? '' : 's'} above 0.1.${stopped}`;
}

/**
 * The toy's panel: computes GD paths in its own small worker (independent of the training run)
 * and draws them. `els`: {canvas, curves, summary, makeWorker(), onError(text)}.
 */
export class ToyPanel {
  constructor(els) {
    this.els = els;
    this.worker = null;
    this.state = null;
  }

  /** Whether its worker has been started. */
  get started() {
    return Boolean(this.worker);
  }

  /** Recomputes and redraws the path for the toy settings of `state`. */
  run(state) {
    const { canvas, curves, summary, makeWorker, onError } = this.els;
    this.state = state;
    if (!this.worker) {
      this.worker = makeWorker();
      this.worker.onmessage = ({ data }) => {
        const s = this.state;
        if (data.type === 'toy') {
          drawToy(canvas, data.path, s.toyeta, s.toy);
          drawToyCurves(curves, data.path, s.toyeta);
          summary.textContent = toySummary(data.path, s.toyeta, s.toysteps);
        } else if (data.type === 'error') {
          onError(`toy: ${data.message}`);
        }
      };
    }
    this.worker.postMessage({ type: 'toy', toy: state.toy, x0: 1.0, y0: 0.2, eta: state.toyeta, wd: state.toywd, steps: state.toysteps });
  }
}
