// Decision boundaries of the runs on a 2-D dataset, side by side: each cell coloured by the
// predicted class, its opacity by the confidence. Identical pictures are the point.
import { styleOf } from './plots.js';

const CLASS_RGB = [
  [31, 95, 191],
  [228, 87, 46],
  [42, 157, 85],
];

/**
 * Renders `probs` (all runs × res² × classes) into one canvas per run of `runs` ([{label,
 * index, role}]) inside `box`; the rounding-chaos control A′ is left out.
 */
export function drawBoundaries(box, runs, res, classes, probs) {
  const shown = runs.filter((run) => run.role !== 'control' && (run.index + 1) * res * res * classes <= probs.length);
  if (box.children.length !== shown.length) {
    box.replaceChildren();
    for (const run of shown) {
      const fig = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.width = res;
      canvas.height = res;
      canvas.setAttribute('role', 'img');
      const cap = document.createElement('figcaption');
      cap.textContent = run.label;
      const st = styleOf(run);
      cap.style.borderBottom = `3px ${st.dash.length ? 'dashed' : 'solid'} ${st.stroke}`;
      fig.append(canvas, cap);
      box.append(fig);
    }
  }
  shown.forEach((run, slot) => {
    const r = run.index;
    const canvas = box.children[slot].querySelector('canvas');
    if (canvas.width !== res) {
      canvas.width = res;
      canvas.height = res;
    }
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(res, res);
    const counts = new Array(classes).fill(0);
    for (let i = 0; i < res * res; i += 1) {
      const base = (r * res * res + i) * classes;
      let best = 0;
      for (let c = 1; c < classes; c += 1) if (probs[base + c] > probs[base + best]) best = c;
      counts[best] += 1;
      const conf = (probs[base + best] - 1 / classes) / (1 - 1 / classes);
      const [R, G, B] = CLASS_RGB[best % CLASS_RGB.length];
      const a = 0.25 + 0.75 * Math.max(0, Math.min(1, conf));
      img.data.set([255 - a * (255 - R), 255 - a * (255 - G), 255 - a * (255 - B), 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
    const share = counts.map((n, c) => `class ${c}: ${Math.round((100 * n) / (res * res))}%`).join(', ');
    canvas.setAttribute('aria-label', `${run.label} decision regions over [−1.6, 1.6]²: ${share}`);
  });
}
