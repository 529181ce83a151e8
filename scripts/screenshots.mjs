// Writes the README's screenshots into docs/: the default view after some training, lecture
// mode at the two projector sizes it is designed for, embed mode in a 700 px blog column and
// on a 360 px phone, the intrinsic-LR sweep (its time charts and its λη view), the
// no-normalization preset once B has stopped, every scene of the guided tour at 1280×720, and
// the exported PNG figure (CPU backend:
// headless WebGPU canvases can come out blank, and these are DOM and 2-D canvas charts
// anyway). Needs a built dist/. `--only a.png,b.png` writes just those.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, playFor, ready, serve, ROOT } from '../tests/e2e/harness.mjs';

const shots = [
  ['default.png', '/?backend=cpu', { width: 1400, height: 1500 }, 3000, true],
  ['lecture-1280x720.png', '/?backend=cpu&mode=lecture', { width: 1280, height: 720 }, 3000, false],
  ['lecture-1024x768.png', '/?backend=cpu&mode=lecture', { width: 1024, height: 768 }, 3000, false],
  ['embed-700.png', '/?backend=cpu&embed=1', { width: 700, height: 900 }, 3000, true],
  ['embed-360.png', '/?backend=cpu&embed=1', { width: 360, height: 900 }, 3000, true],
  ['sweep.png', '/?backend=cpu&chaos=0&speed=40&sweep_eta=0.05,0.1,0.2,0.4&sweep_wd=0.00025,0.0005,0.001,0.002', { width: 1400, height: 1500 }, 4000, '#sweep-section'],
  ['sweep-charts.png', '/?backend=cpu&chaos=0&speed=40&sweep_eta=0.05,0.1,0.2,0.4&sweep_wd=0.00025,0.0005,0.001,0.002', { width: 1400, height: 1500 }, 4000, '.results'],
  ['schedule-cosine.png', '/?backend=cpu&chaos=0&speed=20&schedule=cosine&warmup=100&total=1500&floor=0.001', { width: 1400, height: 1500 }, 1500, '.results'],
  ['gradrise.png', '/?backend=cpu&chaos=0&speed=100&schedule=cosine&wd=0.005&total=10000&floor=0.001', { width: 1400, height: 1500 }, 12000, '.results'],
  ['spikes.png', '/?backend=cpu&speed=2&eta=0.5&wd=0.01&momentum=0&samples=400&batch=200', { width: 1400, height: 1500 }, 2000, '.results'],
  ['nonorm.png', '/?backend=cpu&speed=100&norm=none&dataset=xor', { width: 1400, height: 1500 }, 17000, '.results'],
];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
const server = await serve();
const browser = await launch({ webgpu: false });
for (const [file, url, viewport, steps, full] of shots.filter(([f]) => !only || only.includes(f))) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${server.origin}${url}`);
  await ready(page);
  await playFor(page, steps, 300000);
  await page.waitForTimeout(1200);
  // `full`: the whole page (true), the viewport (false), or the element it names.
  if (typeof full === 'string') await page.locator(full).screenshot({ path: join(ROOT, 'docs', file) });
  else await page.screenshot({ path: join(ROOT, 'docs', file), fullPage: full });
  console.log(`docs/${file}`);
  if (file === 'default.png') {
    const b64 = await page.evaluate(async () => {
      const blob = await window.__explr.figure();
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    });
    writeFileSync(join(ROOT, 'docs', 'figure.png'), Buffer.from(b64, 'base64'));
    console.log('docs/figure.png');
  }
  await page.close();
}
// The tour: each scene at 1280×720 once the engine has answered its question.
for (let k = 1; k <= 8; k += 1) {
  const file = `tour-${k}.png`;
  if (only && !only.includes(file)) continue;
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${server.origin}/?backend=cpu&tour=${k}`);
  await ready(page);
  await page.click('#tour .tour-show');
  await page.waitForSelector('#tour[data-phase="done"]', { timeout: 120000 });
  await page.waitForTimeout(1200);
  await page.screenshot({ path: join(ROOT, 'docs', file) });
  console.log(`docs/${file}`);
  await page.close();
}
await browser.close();
await server.close();
