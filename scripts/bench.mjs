// Benchmark (not a test): prints, per engine, the .wasm size raw and gzipped, time from page
// load to the engine being ready and to the first step, steps/s on the default MLP and on the
// MNIST CNN; on WebGPU (software adapter in headless Chromium here) the time until it is warm
// and the run has moved there, what a step asks of the GPU (dispatches, submits, uploads,
// read-backs, top kernels); auto's measured decision; then the page's responsiveness on the
// CPU engine: for speeds 1, 10 and 100, frames/s while playing, how long a click on Pause takes
// to be answered, and the page's JS heap. Needs a built dist/ (npm run build).
// Usage: node scripts/bench.mjs [--steps N] [--play S (seconds per speed, default 20)]
//                               [--query 'schedule=step&…' (extra URL parameters)]
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { answerTime, frameRate, heapMB, ready, serve, withBrowser, ROOT } from '../tests/e2e/harness.mjs';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const steps = Number(arg('--steps')) || 200;
const playSecs = Number(arg('--play')) || 20;
const extra = arg('--query') ? `&${arg('--query')}` : '';
/** Which parts to run (`--parts engines,stacked,auto,responsive`; all by default). */
const parts = (arg('--parts') || 'engines,stacked,auto,responsive').split(',');
const assets = join(ROOT, 'dist', 'assets');
const wasmFiles = readdirSync(assets).filter((f) => f.endsWith('.wasm'));
if (!wasmFiles.length) {
  console.error('bench: no .wasm in dist/assets; run `npm run build` first');
  process.exit(1);
}
for (const [engine, re] of [['CPU engine', /^explr_cpu_bg/], ['WebGPU engine', /^explr_bg/]]) {
  const f = wasmFiles.find((x) => re.test(x));
  if (!f) continue;
  const bytes = readFileSync(join(assets, f));
  console.log(`${engine.padEnd(13)} wasm: ${(bytes.length / 1e6).toFixed(2)} MB raw, ${(gzipSync(bytes, { level: 9 }).length / 1e6).toFixed(2)} MB gzipped`);
}

/** Prints per-step WebGPU work between two profiles taken `n` steps apart. */
function report(a, b, n) {
  const per = (k) => ((b.totals[k] - a.totals[k]) / n).toFixed(1);
  console.log(`  WebGPU per step: ${per('dispatches')} dispatches, ${per('submits')} submits, ${per('uploads')} uploads, ` +
    `${per('readbacks')} read-backs; ${b.totals.pipelines} pipelines compiled in all`);
  const before = new Map(a.kernels);
  const top = b.kernels.map(([k, c]) => [k, (c - (before.get(k) || 0)) / n]).filter(([, c]) => c > 0).sort((x, y) => y[1] - x[1]);
  console.log(`  kernels per step (${top.length} kinds): ${top.slice(0, 12).map(([k, c]) => `${k} ${c.toFixed(1)}`).join(', ')}`);
}

const stepsNow = (page) => page.evaluate(() => Number(document.body.dataset.steps || 0));

/**
 * Plays `page` for `n` steps (or at most `secs` s) and resolves to steps/s, after `warmMs` of
 * play that is not counted (the engine's first steps compile its code, and the toy's engine
 * starts a second after the first step).
 */
async function rate(page, n, secs = 120, warmMs = 0) {
  if (warmMs) await rate(page, 1e9, warmMs / 1000);
  const s0 = await stepsNow(page);
  await page.click('#play');
  const t0 = Date.now();
  await page.waitForFunction((k) => Number(document.body.dataset.steps || 0) >= k, s0 + n, { timeout: secs * 1000, polling: 100 }).catch(() => {});
  const dt = (Date.now() - t0) / 1000;
  await page.click('#play');
  return ((await stepsNow(page)) - s0) / dt;
}

const server = await serve();
for (const [backend, dataset, n] of !parts.includes('engines') ? [] : [['cpu', 'circles', steps], ['cpu', 'mnist', 20], ['webgpu', 'circles', 60], ['webgpu', 'mnist', 6]]) {
  await withBrowser({ webgpu: backend === 'webgpu' }, async (browser) => {
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${server.origin}/?backend=${backend}&dataset=${dataset}&speed=10${extra}`);
    await ready(page, 300000);
    const readyMs = Date.now() - t0;
    await page.click('#step');
    await page.waitForFunction(() => Number(document.body.dataset.steps || 0) >= 1, null, { timeout: 300000 });
    const first = Date.now() - t0;
    let line = `${backend.padEnd(6)} ${dataset.padEnd(7)}: page load → CPU engine ready ${readyMs} ms, → first step ${first} ms`;
    if (backend === 'webgpu') {
      await page.waitForSelector('#badge[data-backend="webgpu"]', { timeout: 300000 });
      line += `; → WebGPU warm and the run moved there ${Date.now() - t0} ms`;
    }
    if (backend === 'cpu') await rate(page, 1e9, 2); // warm-up, not counted: code compiled, the toy's engine up
    const gpu0 = backend === 'webgpu' ? await page.evaluate(() => window.__explr.gpuProfile()) : null;
    const perf0 = await page.evaluate(() => window.__explr.perf);
    const s0 = await stepsNow(page);
    const r = await rate(page, n, 240);
    const perf1 = await page.evaluate(() => window.__explr.perf);
    const done = perf1.steps - perf0.steps;
    const runs = await page.evaluate(() => window.__explr.last.runs.length);
    const badge = await page.textContent('#badge');
    console.log(`${line}\n  [${badge}] ${r.toFixed(1)} steps/s (${(1000 / r).toFixed(1)} ms/step, ${runs} runs in lockstep, ${done} steps); ` +
      `per step ${((perf1.queueMs - perf0.queueMs) / done).toFixed(1)} ms queueing, ${((perf1.waitMs - perf0.waitMs) / done).toFixed(1)} ms waiting`);
    if (gpu0) report(gpu0, await page.evaluate(() => window.__explr.gpuProfile()), (await stepsNow(page)) - s0);
  });
}

// Stacked runs: sweeps of 2, 16 and 64 runs of the default MLP, trained in one graph.
const GRIDS = {
  2: 'sweep_eta=0.1,0.2&sweep_wd=0.0005',
  16: 'sweep_eta=0.05,0.1,0.2,0.4&sweep_wd=0.00025,0.0005,0.001,0.002',
  64: 'sweep_eta=0.02,0.03,0.05,0.07,0.1,0.14,0.2,0.3&sweep_wd=0.0001,0.00015,0.00025,0.00035,0.0005,0.0007,0.001,0.0014',
};
for (const backend of parts.includes('stacked') ? ['cpu', 'webgpu'] : []) {
  await withBrowser({ webgpu: backend === 'webgpu' }, async (browser) => {
    for (const [runs, grid] of Object.entries(GRIDS)) {
      const page = await browser.newPage();
      // Steps per message: 100 on the CPU; 10 on WebGPU, where 64 runs take about a second a step.
      await page.goto(`${server.origin}/?backend=${backend}&${grid}&speed=${backend === 'webgpu' ? 10 : 100}${extra}`);
      await ready(page, 300000);
      if (backend === 'webgpu') await page.waitForSelector('#badge[data-backend="webgpu"]', { timeout: 300000 });
      const r = await rate(page, backend === 'webgpu' ? 40 : 2000, backend === 'webgpu' ? 60 : 30, 3000);
      const precision = await page.evaluate(() => document.body.dataset.precision);
      console.log(`stacked ${backend.padEnd(6)} ${String(runs).padStart(2)} runs (${precision}): ${r.toFixed(1)} steps/s, ${(r * runs).toFixed(0)} run-steps/s`);
      await page.close();
    }
  });
}

// auto: where WebGPU is present, bring it up, time both engines, decide.
if (parts.includes('auto')) await withBrowser({ webgpu: true }, async (browser) => {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(`${server.origin}/?speed=10${extra}`);
  await page.waitForFunction(() => /Measured on this experiment|Moved the run/.test(document.getElementById('messages').textContent), null, { timeout: 300000 });
  const { measured } = await page.evaluate(() => window.__explr.engine);
  const moved = await page.evaluate(() => Number(document.body.dataset.engineMoves || 0) > 0);
  console.log(`auto: decided after ${Date.now() - t0} ms: CPU ${measured.cpu.toFixed(2)} ms/step, WebGPU ${measured.webgpu.toFixed(2)} ms/step → ${moved ? 'moved to WebGPU' : 'stays on the CPU'}`);
  // A forced move back and forth, timed.
  for (const to of ['webgpu', 'cpu']) {
    const t1 = Date.now();
    await page.selectOption('#backend', to);
    await page.waitForSelector(`#badge[data-backend="${to}"]`, { timeout: 300000 });
    console.log(`  moving the run to ${to}: ${Date.now() - t1} ms (bringing the engine up, warming it, snapshot and restore)`);
  }
});

if (parts.includes('responsive')) await withBrowser({ webgpu: false }, async (browser) => {
  for (const speed of [1, 10, 100]) {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/?backend=cpu&speed=${speed}${extra}`);
    await ready(page);
    await page.click('#play');
    await page.waitForTimeout(playSecs * 1000 - 3000);
    const fps = await frameRate(page, 3000);
    const ms = await answerTime(page, '#play');
    const n = await stepsNow(page);
    const kept = await page.evaluate(() => window.__explr.kept);
    const heap = await heapMB(page);
    console.log(`responsiveness, speed ${String(speed).padStart(3)}: ${n} steps in ${playSecs} s (${(n / playSecs).toFixed(0)} steps/s); ` +
      `${fps.fps.toFixed(1)} frames/s (longest gap ${fps.worstGapMs.toFixed(0)} ms); Pause answered in ${ms.toFixed(1)} ms; ` +
      `JS heap ${heap.toFixed(1)} MB (history ${(kept.bytes / 1e6).toFixed(1)} MB reserved, ${kept.rows} rows)`);
    await page.close();
  }
});
await server.close();
