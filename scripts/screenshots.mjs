// Writes the README's screenshots into docs/: the default view after some training, embed mode
// and lecture mode (CPU backend: headless WebGPU canvases can come out blank, and these are
// DOM and 2-D canvas charts anyway). Needs a built dist/.
import { launch, playFor, ready, serve, ROOT } from '../tests/e2e/harness.mjs';
import { join } from 'node:path';

const shots = [
  ['default.png', '/?backend=cpu&speed=25', { width: 1400, height: 1500 }, 400],
  ['embed.png', '/?backend=cpu&embed=1&speed=25&schedule=step&milestones=150,300', { width: 900, height: 900 }, 400],
  ['lecture.png', '/?backend=cpu&mode=lecture&speed=25', { width: 1600, height: 1000 }, 400],
];
const server = await serve();
const browser = await launch({ webgpu: false });
for (const [file, url, viewport, steps] of shots) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${server.origin}${url}`);
  await ready(page);
  await playFor(page, steps);
  await page.waitForTimeout(1200);
  await page.screenshot({ path: join(ROOT, 'docs', file), fullPage: file === 'default.png' });
  console.log(`docs/${file}`);
  await page.close();
}
await browser.close();
await server.close();
