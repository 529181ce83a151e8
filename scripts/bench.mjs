// Benchmark (not a test): prints the .wasm size raw and gzipped, time from page load to the
// first training step, and steps/s of the default configuration on WebGPU (software adapter
// in headless Chromium here) and on the CPU fallback, and on WebGPU what a step asks of the GPU:
// dispatches, submits, uploads and read-backs per step, and the kernels dispatched most.
// Needs a built dist/ (npm run build).
// Then the page's responsiveness on the CPU engine: for speeds 1, 10 and 100, frames/s while
// playing, how long a click on Pause takes to be answered, and the page's JS heap.
// Usage: node scripts/bench.mjs [--steps N] [--play S (seconds per speed, default 20)]
//                               [--query 'schedule=step&…' (extra URL parameters)]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { answerTime, frameRate, heapMB, ready, serve, withBrowser, ROOT } from '../tests/e2e/harness.mjs';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const steps = Number(arg('--steps')) || 60;
const extra = arg('--query') ? `&${arg('--query')}` : '';
const assets = join(ROOT, 'dist', 'assets');
const wasm = readdirSync(assets).find((f) => f.endsWith('.wasm'));
if (!wasm) {
  console.error('bench: no .wasm in dist/assets; run `npm run build` first');
  process.exit(1);
}
const bytes = readFileSync(join(assets, wasm));
console.log(`wasm size: ${(statSync(join(assets, wasm)).size / 1e6).toFixed(2)} MB raw, ${(gzipSync(bytes, { level: 9 }).length / 1e6).toFixed(2)} MB gzipped`);

/** Prints per-step WebGPU work between two profiles taken `steps` steps apart. */
function report(a, b, steps) {
  const per = (k) => ((b.totals[k] - a.totals[k]) / steps).toFixed(1);
  console.log(`  WebGPU per step: ${per('dispatches')} dispatches, ${per('submits')} submits, ${per('uploads')} uploads, ` +
    `${per('readbacks')} read-backs; ${b.totals.pipelines} pipelines compiled in all`);
  const before = new Map(a.kernels);
  const top = b.kernels.map(([k, n]) => [k, (n - (before.get(k) || 0)) / steps]).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]);
  console.log(`  kernels per step (${top.length} kinds): ${top.slice(0, 12).map(([k, n]) => `${k} ${n.toFixed(1)}`).join(', ')}`);
}

const server = await serve();
for (const backend of ['webgpu', 'cpu']) {
  await withBrowser({ webgpu: backend === 'webgpu' }, async (browser) => {
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${server.origin}/?backend=${backend}&speed=10${extra}`);
    await ready(page, 300000);
    const readyMs = Date.now() - t0;
    await page.click('#step');
    await page.waitForFunction(() => Number(document.body.dataset.steps || 0) >= 1, null, { timeout: 300000 });
    const first = Date.now() - t0;
    const badge = await page.textContent('#badge');
    const gpu0 = await page.evaluate(() => window.__explr.gpuProfile());
    const perf0 = await page.evaluate(() => window.__explr.perf);
    await page.click('#play');
    const t1 = Date.now();
    await page.waitForFunction((n) => Number(document.body.dataset.steps || 0) >= n, steps + 1, { timeout: 600000, polling: 100 });
    const dt = (Date.now() - t1) / 1000;
    const done = await page.evaluate(() => Number(document.body.dataset.steps));
    await page.click('#play');
    const gpu1 = await page.evaluate(() => window.__explr.gpuProfile());
    const perf1 = await page.evaluate(() => window.__explr.perf);
    const n = perf1.steps - perf0.steps;
    const runs = await page.evaluate(() => window.__explr.history.at(-1).runs.length);
    console.log(`${backend.padEnd(6)} [${badge}]: page load → engine ready ${readyMs} ms, → first step ${first} ms; ` +
      `${((done - 1) / dt).toFixed(1)} steps/s (${(1000 * dt / (done - 1)).toFixed(1)} ms/step, ${runs} runs in lockstep, ${done - 1} steps)`);
    console.log(`  per step: ${((perf1.queueMs - perf0.queueMs) / n).toFixed(1)} ms queueing (graph, encoding, submits), ` +
      `${((perf1.waitMs - perf0.waitMs) / n).toFixed(1)} ms waiting for the device and the read-back`);
    if (gpu1.backend === 'webgpu') report(gpu0, gpu1, (await page.evaluate(() => window.__explr.history.at(-1).step)) - 1);
  });
}
const playSecs = Number(arg('--play')) || 20;
await withBrowser({ webgpu: false }, async (browser) => {
  for (const speed of [1, 10, 100]) {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/?backend=cpu&speed=${speed}${extra}`);
    await ready(page);
    await page.click('#play');
    await page.waitForTimeout(playSecs * 1000 - 3000);
    const fps = await frameRate(page, 3000);
    const ms = await answerTime(page, '#play');
    const steps = await page.evaluate(() => Number(document.body.dataset.steps));
    const kept = await page.evaluate(() => window.__explr.kept);
    const heap = await heapMB(page);
    console.log(`responsiveness, speed ${String(speed).padStart(3)}: ${steps} steps in ${playSecs} s (${(steps / playSecs).toFixed(0)} steps/s); ` +
      `${fps.fps.toFixed(1)} frames/s (longest gap ${fps.worstGapMs.toFixed(0)} ms); Pause answered in ${ms.toFixed(1)} ms; ` +
      `JS heap ${heap.toFixed(1)} MB (history ${(kept.bytes / 1e6).toFixed(1)} MB reserved, ${kept.rows} rows)`);
    await page.close();
  }
});
await server.close();
