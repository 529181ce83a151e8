// The toy example of paper §8 as an interactive panel: full-batch GD on the scale-invariant
// loss L(w) = 2 − 2·w₂/‖w‖ ("BN'd linear regression"), computed by the Rust engine. With weight
// decay the norm shrinks until ‖w‖² < η (inside the dashed √η circle), the minimum turns
// unstable and the loss spikes — again and again.

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

/** Draws loss (solid) and ‖w‖² (dashed, right scale) against the step on `canvas`. */
export function drawToyCurves(canvas, path, eta) {
  const ctx = canvas.getContext('2d');
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  const maxL = Math.max(1e-9, ...path.map((p) => p.loss));
  const maxN = Math.max(eta * 1.5, ...path.map((p) => p.norm_sq));
  const x = (k) => (k / Math.max(1, path.length - 1)) * (W - 8) + 4;
  const line = (get, max, color, dash) => {
    ctx.strokeStyle = color;
    ctx.setLineDash(dash);
    ctx.lineWidth = 2;
    ctx.beginPath();
    path.forEach((p, k) => {
      const y = H - 4 - (get(p) / max) * (H - 8);
      if (k) ctx.lineTo(x(k), y);
      else ctx.moveTo(x(k), y);
    });
    ctx.stroke();
  };
  line((p) => p.loss, maxL, '#e4572e', []);
  line((p) => p.norm_sq, maxN, '#1f5fbf', [6, 4]);
  ctx.setLineDash([2, 3]);
  ctx.strokeStyle = '#888';
  const yEta = H - 4 - (eta / maxN) * (H - 8);
  ctx.beginPath();
  ctx.moveTo(0, yEta);
  ctx.lineTo(W, yEta);
  ctx.stroke();
  ctx.setLineDash([]);
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
