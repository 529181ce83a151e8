// Benchmark (not a test): prints, per engine, the .wasm size raw and gzipped, time from page
// load to the engine being ready and to the first step, steps/s on the default MLP and on the
// MNIST CNN; on WebGPU (software adapter in headless Chromium here) the time until it is warm
// and the run has moved there, what a step asks of the GPU (dispatches, submits, uploads,
// read-backs, top kernels); auto's measured decision; then the page's responsiveness on the
// CPU engine: for speeds 1, 10 and 100, frames/s while playing, how long a click on Pause takes
// to be answered, and the page's JS heap. Part `first`: the time to the first step over many
// fresh loads, by the page's own clock, on the page and for the CPU engine alone. Part
// `pipelines`: the WGSL of every pipeline the WebGPU engine compiled for the default MLP,
// compiled again in a bare page one by one, all at once (createComputePipelineAsync) and with
// the synchronous call wgpu uses. Part `transport`: steps/s on the page at 10, 20 and 100 steps
// per message, and the bytes per step of the metrics (packed numbers, and the JSON text of the
// same step that the engine used to send). Part `browsers`: the CPU engine's steps/s on the
// page in Chromium, Firefox and WebKit. Part `peer`: the CPU engine against TF.js 4.22's wasm
// backend on the same problem (scripts/peer.mjs). Part `stacked`: 2, 16, 64 and 128 stacked runs
// on both engines in Chromium, with WebGPU's dispatches per step and the floor they set on a
// hardware GPU; `stacked-firefox`: the same on Firefox's WebGPU; `native`: the same with the
// explr CLI on burn-wgpu (this machine's Vulkan driver) and flex. Part `size`: each engine's
// .wasm per crate (scripts/wasm-size.mjs). Needs a
// built dist/ (npm run build; EXPLR_DIST measures another build); parts `peer` and `native`
// build the CLI (cargo, in CARGO_TARGET_DIR as the tests do).
// Usage: node scripts/bench.mjs [--steps N] [--play S (seconds per speed, default 20)]
//                               [--query 'schedule=step&…' (extra URL parameters)]
//                               [--loads N (fresh loads for part `first`, default 15)]
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { answerTime, frameRate, frameWatch, heapMB, launch, ready, recordWorkers, serve, setControl, twoQuickChanges, withBrowser, ROOT } from '../tests/e2e/harness.mjs';
import { firefox, webkit } from '../tests/engines/drivers.mjs';
import { SCHEMA } from '../www/settings.gen.js';
import { explrCli, peer, peerFiles } from './peer.mjs';
import { crateSizes } from './wasm-size.mjs';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const steps = Number(arg('--steps')) || 200;
const playSecs = Number(arg('--play')) || 20;
const extra = arg('--query') ? `&${arg('--query')}` : '';
const loads = Number(arg('--loads')) || 15;
/** Which parts to run (`--parts first,engines,…`; all by default). */
const parts = (arg('--parts') || 'size,first,engines,peer,transport,browsers,pipelines,stacked,stacked-firefox,native,auto,responsive,freeze').split(',');
const assets = join(process.env.EXPLR_DIST || join(ROOT, 'dist'), 'assets');
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

// Where each engine's .wasm goes, per crate (cargo's output, which still names its functions).
if (parts.includes('size')) {
  const target = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
  const compiler = /^(cubecl|cubek|pliron|combine|rustc_apfloat)/;
  for (const [engine, profile] of [['CPU engine', 'wasm-cpu'], ['WebGPU engine', 'wasm-release']]) {
    const path = join(target, 'wasm32-unknown-unknown', profile, 'explr.wasm');
    let r;
    try {
      r = crateSizes(path);
    } catch {
      console.log(`size: no ${path}; run \`npm run build\` first`);
      continue;
    }
    const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
    const share = (n) => `${((100 * n) / r.code).toFixed(0)} %`;
    const gpu = r.crates.filter(([c]) => compiler.test(c)).reduce((a, [, n]) => a + n, 0);
    console.log(`size, ${engine}: cargo's .wasm ${mb(r.total)}, function bodies ${mb(r.code)}` +
      (gpu ? `; the GPU compiler (cubecl*, cubek*, pliron, combine, rustc_apfloat) ${mb(gpu)} (${share(gpu)})` : ''));
    console.log(`  ${r.crates.slice(0, 14).map(([c, n]) => `${c} ${mb(n)} (${share(n)})`).join(', ')}`);
  }
}

/** Prints per-step WebGPU work between two profiles taken `n` steps apart. */
function report(a, b, n) {
  const per = (k) => ((b.totals[k] - a.totals[k]) / n).toFixed(1);
  console.log(`  WebGPU per step: ${per('dispatches')} dispatches, ${per('submits')} submits, ${per('uploads')} uploads, ` +
    `${per('readbacks')} read-backs; ${b.totals.pipelines} pipelines compiled in all`);
  const before = new Map(a.kernels);
  const top = b.kernels.map(([k, c]) => [k, (c - (before.get(k) || 0)) / n]).filter(([, c]) => c > 0).sort((x, y) => y[1] - x[1]);
  console.log(`  kernels per step (${top.length} kinds): ${top.slice(0, 12).map(([k, c]) => `${k} ${c.toFixed(1)}`).join(', ')}`);
  // The same by family: the name without its hash and its type and layout parameters.
  const families = new Map();
  for (const [k, c] of top) {
    const f = k.replace(/_[0-9a-f]{8}$/, '').split(/_(?:c|e|in|n|lhs|input)_/)[0];
    const [n, kinds] = families.get(f) || [0, 0];
    families.set(f, [n + c, kinds + 1]);
  }
  console.log(`  by family: ${[...families].sort((a, b) => b[1][0] - a[1][0]).map(([f, [n, kinds]]) => `${f} ${n.toFixed(1)} (${kinds})`).join(', ')}`);
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

/**
 * Runs in the page before its scripts (an init script): presses Step as soon as the page has
 * wired it, and records in `window.__first`, in ms from navigation start by the page's clock,
 * the load event, the engine being ready and the first step shown.
 */
function recordFirstStep() {
  const t = (window.__first = {});
  addEventListener('load', () => (t.load = performance.now()));
  const press = () => {
    const b = document.getElementById('step');
    if (b && b.onclick) b.click();
    else setTimeout(press, 2);
  };
  document.addEventListener('DOMContentLoaded', () => {
    press();
    new MutationObserver(() => {
      const d = document.body.dataset;
      if (d.ready === '1' && !t.ready) t.ready = performance.now();
      if (Number(d.steps || 0) >= 1 && !t.step) {
        t.step = performance.now();
        console.debug('explr: first step');
      }
    }).observe(document.body, { attributes: true });
  });
}

/** The CPU engine alone: a bare page whose worker builds the default experiment and takes a step. */
const cpuWorkerFile = readdirSync(assets).find((f) => /^worker-cpu.*\.js$/.test(f));
const ENGINE_ONLY = `<!doctype html><meta charset="utf-8"><script type="module">
const w = new Worker('./assets/${cpuWorkerFile}', { type: 'module' });
w.postMessage({ type: 'init', settings: '{}', backend: 'cpu', precision: 'f64', mnistUrl: '' });
w.postMessage({ type: 'step', steps: 1 });
w.onmessage = ({ data }) => {
  if (data.type !== 'metrics' && data.type !== 'error') return;
  window.__first = { step: performance.now(), error: data.message };
  console.debug('explr: first step');
};
</script>`;

/** Median and range of `xs` (ms), as text. */
const spread = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${Math.round(s[s.length >> 1])} ms (${Math.round(s[0])}–${Math.round(s.at(-1))})`;
};

/**
 * Runs in a bare page: compiles `shaders` ([{entryPoint, code}]) on a fresh device per mode —
 * one after another (async), all at once (async) and with the synchronous call — and resolves
 * to each mode's total ms. A comment naming the mode keeps one mode from hitting another's cache.
 */
async function compileShaders(shaders) {
  const out = {};
  for (const mode of ['one by one', 'all at once', 'synchronous']) {
    const device = await (await navigator.gpu.requestAdapter()).requestDevice();
    const t0 = performance.now();
    const make = (s) => ({ layout: 'auto', compute: { module: device.createShaderModule({ code: `${s.code}\n// ${mode}` }), entryPoint: s.entryPoint } });
    if (mode === 'one by one') for (const s of shaders) await device.createComputePipelineAsync(make(s));
    else if (mode === 'all at once') await Promise.all(shaders.map((s) => device.createComputePipelineAsync(make(s))));
    else {
      shaders.forEach((s) => device.createComputePipeline(make(s)));
      await device.queue.onSubmittedWorkDone();
    }
    out[mode] = performance.now() - t0;
    device.destroy();
  }
  return out;
}

const server = await serve({ '/engine-only.html': ENGINE_ONLY, '/blank.html': '<!doctype html><title>blank</title>', ...(parts.includes('peer') ? await peerFiles(assets) : {}) });

// Page load → first step, CPU engine: `loads` fresh loads (a new browser context each, nothing
// cached), the page and the engine-only page interleaved so both see the same machine.
if (parts.includes('first')) await withBrowser({ webgpu: true }, async (browser) => {
  const got = { page: [], load: [], worker: [], ready: [], engine: [] };
  for (let i = 0; i < loads; i++) {
    for (const which of ['page', 'engine']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      if (which === 'page') {
        await recordWorkers(page);
        await page.addInitScript(recordFirstStep);
      }
      // Waiting on a console message, not on a polled predicate: Playwright's polling would
      // evaluate its own script in the page while the page is starting.
      const stepped = page.waitForEvent('console', { predicate: (m) => m.text() === 'explr: first step', timeout: 60000 });
      await page.goto(`${server.origin}/${which === 'page' ? `?backend=cpu${extra}` : 'engine-only.html'}`, { waitUntil: 'commit' });
      await stepped;
      const t = await page.evaluate(() => window.__first);
      if (t.error) throw new Error(`engine-only page: ${t.error}`);
      if (which === 'page') {
        got.page.push(t.step);
        got.load.push(t.step - t.load);
        got.ready.push(t.ready);
        got.worker.push(await page.evaluate(() => window.__workers[0].at));
      } else got.engine.push(t.step);
      await context.close();
    }
  }
  console.log(`first step, CPU engine (${loads} fresh loads, Step pressed as soon as the page takes it):`);
  console.log(`  on the page, from navigation start: ${spread(got.page)}; from the load event: ${spread(got.load)}; ` +
    `worker started ${spread(got.worker)}, engine ready ${spread(got.ready)}`);
  console.log(`  the engine alone (bare page, worker + wasm + default experiment): ${spread(got.engine)}`);
});
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
    // The driver's clock (it polls, then clicks): part `first` times the first step in the page.
    let line = `${backend.padEnd(6)} ${dataset.padEnd(7)}: page load → CPU engine ready ${readyMs} ms, → first step ${first} ms (driver's clock)`;
    if (backend === 'webgpu') {
      await page.waitForSelector('#badge[data-backend="webgpu"]', { timeout: 300000 });
      line += `; → WebGPU warm and the run moved there ${Date.now() - t0} ms`;
      const { warmup } = await page.evaluate(() => window.__explr.engine);
      if (warmup) line += ` (its 3 warm-up steps ${Math.round(warmup.ms)} ms, compiling ${warmup.pipelines} pipelines)`;
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

// The CPU engine against TF.js 4.22 (wasm backend) on the same problem, each worker timed alone.
if (parts.includes('peer')) await withBrowser({ webgpu: false }, (browser) => peer(browser, server.origin));

// Metrics transport: the page's steps/s per steps-per-message, and what a step's metrics weigh.
if (parts.includes('transport')) await withBrowser({ webgpu: false }, async (browser) => {
  for (const speed of [10, 20, 100]) {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/?backend=cpu&speed=${speed}${extra}`);
    await ready(page);
    await rate(page, 1e9, 2);
    const r = await rate(page, 1e9, 8);
    const last = await page.evaluate(() => window.__explr.last);
    const layers = last.runs[0].layer_angular_updates.length;
    const packed = 8 * (1 + last.runs.length * (SCHEMA.packed.scalars.length + layers)) + (8 * SCHEMA.packed.header) / speed;
    console.log(`transport, ${String(speed).padStart(3)} steps per message: ${r.toFixed(0)} steps/s on the page; metrics per step ` +
      `${packed.toFixed(0)} B packed, ${JSON.stringify(last).length} B as JSON text (${last.runs.length} runs)`);
    await page.close();
  }
});

// The CPU engine in each browser engine: steps/s on the page after a warm-up (JavaScriptCore
// speeds the wasm up after 5–15 s).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Plays the page of driver `d` for `warmMs` uncounted, then `ms`: steps/s over the latter. */
const playRate = async (d, warmMs, ms) => {
  await d.click('#play');
  await sleep(warmMs);
  const s0 = await d.eval(() => Number(document.body.dataset.steps));
  const t0 = Date.now();
  await sleep(ms);
  const r = (((await d.eval(() => Number(document.body.dataset.steps))) - s0) * 1000) / (Date.now() - t0);
  await d.click('#play');
  return r;
};
if (parts.includes('browsers')) {
  /** Chromium behind the same small interface as the other engines' drivers. */
  const chromium = async () => {
    const browser = await launch({ webgpu: false });
    const page = await browser.newPage();
    return { name: 'Chromium', version: browser.version(), goto: (u) => page.goto(u), eval: (f, a) => page.evaluate(f, a), click: (q) => page.click(q), close: () => browser.close() };
  };
  for (const make of [chromium, firefox, webkit]) {
    const d = await make();
    const line = [];
    for (const speed of [20, 100]) {
      await d.goto(`${server.origin}/?backend=cpu&speed=${speed}${extra}`);
      const t = Date.now();
      while (await d.eval(() => document.body.dataset.ready !== '1')) {
        if (Date.now() - t > 90000) throw new Error(`${d.name}: not ready`);
        await sleep(200);
      }
      line.push(`${(await playRate(d, 8000, 8000)).toFixed(0)} steps/s at ${speed} per message`);
    }
    console.log(`browsers: ${d.name} ${d.version}, CPU engine (f64, 3 runs, after 8 s of play): ${line.join(', ')}`);
    await d.close();
  }
  // Firefox's WebGPU (lavapipe), forced: ms/step at 1 and 20 steps per message, dispatches/step.
  const d = await firefox({ webgpu: true });
  for (const speed of [1, 20]) {
    await d.goto(`${server.origin}/?backend=webgpu&speed=${speed}${extra}`);
    await d.waitFor(() => document.getElementById('badge').dataset.backend === 'webgpu', null, 180000);
    const r = await playRate(d, 5000, 8000);
    const shown = await d.eval(() => document.getElementById('rate').textContent);
    console.log(`browsers: Firefox WebGPU (lavapipe), forced, ${speed} steps per message: ${(1000 / r).toFixed(1)} ms/step (${shown})`);
  }
  await d.close();
}

// The WebGPU warm-up is pipeline compilation: the default MLP's pipelines, compiled apart.
if (parts.includes('pipelines')) {
  const shaders = await withBrowser({ webgpu: true }, async (browser) => {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/?backend=webgpu&speed=10${extra}`);
    await page.waitForSelector('#badge[data-backend="webgpu"]', { timeout: 300000 });
    return (await page.evaluate(() => window.__explr.gpuProfile(true))).shaders;
  });
  const kb = shaders.reduce((a, s) => a + s.code.length, 0) / 1000;
  const ms = await withBrowser({ webgpu: true }, async (browser) => {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/blank.html`);
    return page.evaluate(compileShaders, shaders);
  });
  console.log(`pipelines: the default MLP's ${shaders.length} WGSL kernels (${kb.toFixed(0)} kB), compiled in a bare page: ` +
    Object.entries(ms).map(([mode, t]) => `${mode} ${(t / 1000).toFixed(1)} s`).join(', ') +
    ` (${(ms['one by one'] / shaders.length).toFixed(0)} ms per pipeline)`);
}

// Stacked runs: sweeps of 2, 16, 64 and 128 runs (the 8 × 8 grid, each point with its twin)
// of the default MLP, trained in one graph; on WebGPU with its dispatches per step and the
// floor those set on a hardware GPU (24–71 µs of API overhead per dispatch, published).
const GRIDS = {
  2: 'sweep_eta=0.1,0.2&sweep_wd=0.0005',
  16: 'sweep_eta=0.05,0.1,0.2,0.4&sweep_wd=0.00025,0.0005,0.001,0.002',
  64: 'sweep_eta=0.02,0.03,0.05,0.07,0.1,0.14,0.2,0.3&sweep_wd=0.0001,0.00015,0.00025,0.00035,0.0005,0.0007,0.001,0.0014',
};
GRIDS[128] = `${GRIDS[64]}&sweep_twins=true`;
/** Per-dispatch API overhead on hardware GPUs, µs (Vulkan 24–36, Metal 32–71: arXiv 2604.02344). */
const DISPATCH_US = [24, 71];
/** What `d` dispatches per step allow `runs` stacked runs on a hardware GPU if arithmetic were free. */
const floorText = (d, runs) => {
  const ms = DISPATCH_US.map((us) => (d * us) / 1000);
  return `dispatch floor on a hardware GPU ${ms.map((x) => x.toFixed(1)).join('–')} ms/step (≤ ${ms.map((x) => Math.round((runs * 1000) / x)).reverse().join('–')} run-steps/s)`;
};
for (const backend of parts.includes('stacked') ? ['cpu', 'webgpu'] : []) {
  await withBrowser({ webgpu: backend === 'webgpu' }, async (browser) => {
    for (const [runs, grid] of Object.entries(GRIDS)) {
      const page = await browser.newPage();
      // Steps per message: 100 on the CPU; 10 on WebGPU, where 64 runs take about a second a step.
      await page.goto(`${server.origin}/?backend=${backend}&${grid}&speed=${backend === 'webgpu' ? 10 : 100}${extra}`);
      await ready(page, 300000);
      if (backend === 'webgpu') await page.waitForSelector('#badge[data-backend="webgpu"]', { timeout: 300000 });
      const gpu0 = backend === 'webgpu' ? await page.evaluate(() => window.__explr.gpuProfile()) : null;
      const s0 = await stepsNow(page);
      const r = await rate(page, backend === 'webgpu' ? 40 : 2000, backend === 'webgpu' ? 60 : 30, 3000);
      let floor = '';
      if (gpu0) {
        const gpu1 = await page.evaluate(() => window.__explr.gpuProfile());
        const d = (gpu1.totals.dispatches - gpu0.totals.dispatches) / ((await stepsNow(page)) - s0);
        floor = `; ${d.toFixed(0)} dispatches/step: ${floorText(d, Number(runs))}`;
      }
      const precision = await page.evaluate(() => document.body.dataset.precision);
      console.log(`stacked ${backend.padEnd(6)} ${String(runs).padStart(3)} runs (${precision}): ${r.toFixed(1)} steps/s, ${(r * runs).toFixed(0)} run-steps/s${floor}`);
      await page.close();
    }
  });
}

// Firefox's WebGPU (Mesa's lavapipe), forced, on the same grids.
if (parts.includes('stacked-firefox')) {
  const d = await firefox({ webgpu: true });
  for (const [runs, grid] of Object.entries(GRIDS)) {
    await d.goto(`${server.origin}/?backend=webgpu&${grid}&speed=10${extra}`);
    await d.waitFor(() => document.getElementById('badge').dataset.backend === 'webgpu', null, 300000);
    const r = await playRate(d, 3000, 10000);
    console.log(`stacked firefox-webgpu ${String(runs).padStart(3)} runs (f32, lavapipe): ${r.toFixed(1)} steps/s, ${(r * runs).toFixed(0)} run-steps/s`);
  }
  await d.close();
}

// The same stacked runs natively (the explr CLI, release build): burn-wgpu on this machine's
// Vulkan driver (lavapipe here) and flex, f32; per step from two lengths of run, so that start-up
// and shader compilation cancel.
if (parts.includes('native')) {
  const cli = (args) => {
    const t0 = Date.now();
    explrCli(['sweep', ...args, '-o', join(tmpdir(), 'explr-bench-sweep.json')], { quiet: true });
    return (Date.now() - t0) / 1000;
  };
  const flags = (query) => [...new URLSearchParams(query)].flatMap(([k, v]) => (v === 'true' ? [`--${k}`] : [`--${k}`, v]));
  for (const backend of ['wgpu', 'flex']) {
    for (const [runs, grid] of Object.entries(GRIDS)) {
      const n = Math.max(20, Math.round(4000 / Number(runs)));
      const args = [...flags(grid), '--backend', backend, '--precision', 'f32', '--chaos=false'];
      const short = cli([...args, '--steps', '10']);
      const long = cli([...args, '--steps', String(10 + n)]);
      const ms = ((long - short) * 1000) / n;
      console.log(`native  ${backend.padEnd(5)} ${String(runs).padStart(3)} runs (f32): ${(1000 / ms).toFixed(1)} steps/s, ${((runs * 1000) / ms).toFixed(0)} run-steps/s (${ms.toFixed(1)} ms/step over ${n} steps)`);
    }
  }
}

// auto: where WebGPU is present, bring it up (on a software adapter: on Measure), time both engines, decide.
if (parts.includes('auto')) await withBrowser({ webgpu: true }, async (browser) => {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(`${server.origin}/?speed=10${extra}`);
  await ready(page);
  // On a software adapter auto measures only when asked: ask, as a visitor would.
  await page.waitForFunction(() => !document.getElementById('measure').hidden || /Moved the run|Measured/.test(document.getElementById('messages').textContent), null, { timeout: 60000 });
  if (await page.isVisible('#measure')) await page.click('#measure');
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
// freeze: with auto and WebGPU present (SwiftShader), what setting changes and reloads cost
// the page: frames, the time 300 steps take after a change, a Step click, time to ready.
if (parts.includes('freeze')) await withBrowser({ webgpu: true }, async (browser) => {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/?speed=100${extra}`);
  await ready(page);
  await page.click('#play');
  await page.waitForTimeout(12000);
  const t0 = Date.now();
  const steps300 = await twoQuickChanges(page);
  // Frames are counted for 7 s from the second change (1.5 s after the first).
  await page.waitForTimeout(Math.max(0, 8500 - (Date.now() - t0)));
  const { frames, seconds: span, worstGapMs: worst } = await frameWatch(page);
  await setControl(page, '#eta', '0.1');
  const stepMs = await answerTime(page, '#step');
  console.log(`freeze: after two η changes 1.5 s apart (auto, WebGPU on SwiftShader): longest frame gap ${worst.toFixed(0)} ms, ` +
    `${(frames / span).toFixed(1)} frames/s over ${span.toFixed(1)} s; 300 steps took ${(steps300 / 1000).toFixed(2)} s; a Step click after a third change answered in ${stepMs.toFixed(0)} ms`);
  const times = [];
  for (let i = 0; i < 10; i += 1) {
    const t1 = Date.now();
    await page.goto(`${server.origin}/?speed=100${extra}`);
    await ready(page, 120000);
    times.push(Date.now() - t1);
    await page.waitForTimeout(Math.max(0, 1500 - (Date.now() - t1)));
  }
  console.log(`freeze: 10 reloads 1.5 s apart, ready after ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s`);
  const presets = [];
  for (const name of ['texp', 'standard', 'paper']) {
    await page.selectOption('#preset', name);
    await ready(page);
    const t2 = Date.now();
    await page.click('#play');
    await page.waitForFunction(() => Number(document.body.dataset.steps || 0) >= 300, null, { timeout: 120000, polling: 50 });
    presets.push(`${name} ${((Date.now() - t2) / 1000).toFixed(2)} s`);
    await page.click('#play');
  }
  console.log(`freeze: 300 steps after each preset: ${presets.join(', ')}`);
});
await server.close();
