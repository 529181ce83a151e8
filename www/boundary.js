// Decision boundaries of the runs on a 2-D dataset, side by side: each cell coloured by the
// predicted class, its opacity by the confidence. Identical pictures are the point.
import { RUN_STYLES } from './plots.js';

const CLASS_RGB = [
  [31, 95, 191],
  [228, 87, 46],
  [42, 157, 85],
];

/** Renders `probs` (runs × res² × classes) into one canvas per run inside `box`. */
export function drawBoundaries(box, labels, res, classes, probs) {
  const runs = Math.min(labels.length, probs.length / (res * res * classes));
  if (box.children.length !== runs) {
    box.replaceChildren();
    for (let r = 0; r < runs; r += 1) {
      const fig = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.width = res;
      canvas.height = res;
      canvas.setAttribute('role', 'img');
      const cap = document.createElement('figcaption');
      cap.textContent = labels[r];
      cap.style.borderBottom = `3px ${RUN_STYLES[r % RUN_STYLES.length].dash.length ? 'dashed' : 'solid'} ${RUN_STYLES[r % RUN_STYLES.length].stroke}`;
      fig.append(canvas, cap);
      box.append(fig);
    }
  }
  for (let r = 0; r < runs; r += 1) {
    const canvas = box.children[r].querySelector('canvas');
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
    canvas.setAttribute('aria-label', `${labels[r]} decision regions over [−1.6, 1.6]²: ${share}`);
  }
}
