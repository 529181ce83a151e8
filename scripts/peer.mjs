// Part `peer` of `npm run bench`: the CPU engine against TF.js 4.22's wasm backend on the same
// problem, side by side in one headless Chromium. `explr fixture` writes the default MLP's
// problem with A′ left out (two runs, A and its twin B: data, initial weights and momentum, LR
// and weight decay per step, minibatch order, the engine's f64 losses); the engine's own
// worker trains it in f32 and scripts/peer/tfjs-worker.js trains it in TF.js, each in a worker,
// both reading back per message what they need for the charts. The driver checks that the
// per-step losses agree, then times each worker alone — messages of 10, 20 and 100 steps sent
// one after another, the next when the last one's metrics arrived — interleaved round by round
// so that both see the same machine. The page's own pacing plays no part.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { unpackSteps } from '../www/packed.js';
import { ROOT } from '../tests/e2e/harness.mjs';

/** Steps whose losses are compared. */
const AGREE_STEPS = 200;
/** The settings of both: the page's defaults without A′, in f32 (TF.js's wasm backend has no f64). */
const SETTINGS = { chaos: false, precision: 'f32' };

const TFJS = join(ROOT, 'node_modules', '@tensorflow');

/**
 * The files the peer page needs, to serve beside dist/ (bench.mjs passes them to serve()):
 * the page, the TF.js worker bundled with TF.js (in memory, by Vite) and TF.js's wasm files.
 */
export async function peerFiles(assets) {
  const worker = readdirSync(assets).find((f) => /^worker-cpu.*\.js$/.test(f));
  const bundle = await build({
    configFile: false,
    logLevel: 'warn',
    build: { write: false, minify: true, lib: { entry: join(ROOT, 'scripts', 'peer', 'tfjs-worker.js'), formats: ['es'], fileName: 'tfjs-worker' } },
  });
  const code = [bundle].flat()[0].output.find((c) => c.type === 'chunk').code;
  const wasm = join(TFJS, 'tfjs-backend-wasm', 'dist');
  const out = {
    '/peer.html': `<!doctype html><meta charset="utf-8"><title>peer</title><script type="module">${PAGE.replace('WORKER', `./assets/${worker}`)}</script>`,
    '/peer/tfjs-worker.js': { body: code, type: 'text/javascript' },
  };
  for (const f of readdirSync(wasm).filter((x) => x.endsWith('.wasm'))) out[`/peer/tfjs/${f}`] = { body: readFileSync(join(wasm, f)), type: 'application/wasm' };
  return out;
}

// The page: both workers and, as window.peer, what the driver asks of them.
const PAGE = `
const make = {
  explr: () => new Worker('WORKER', { type: 'module' }),
  tfjs: () => new Worker('./peer/tfjs-worker.js', { type: 'module' }),
};
const workers = {};
const reply = (w, type) => new Promise((resolve, reject) => {
  w.onmessage = ({ data }) => {
    if (data.type === type) resolve(data);
    else if (data.type === 'error') reject(new Error(data.message));
  };
});
/** Asks \`engine\` for k steps; resolves to its metrics message. */
const send = (engine, k) => {
  const got = reply(workers[engine], 'metrics');
  workers[engine].postMessage({ type: 'step', steps: k });
  return got;
};
window.peer = {
  async start(engine, init) {
    const w = (workers[engine] = make[engine]());
    const ready = reply(w, 'ready');
    w.postMessage(init);
    const r = await ready;
    return { backend: r.backend, simd: r.simd };
  },
  /** One message of k steps: its metrics (explr: packed numbers; TF.js: losses). */
  async steps(engine, k) {
    const m = await send(engine, k);
    return Array.from(m.packed || m.losses);
  },
  /** Steps/s over ms of messages of k steps, each sent when the last one's metrics arrived. */
  async rate(engine, k, ms) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      await send(engine, k);
      n += k;
    }
    return (n * 1000) / (performance.now() - t0);
  },
};
`;

/**
 * Runs the explr CLI with `args` (a release build, made by cargo if needed, in CARGO_TARGET_DIR
 * as the tests build it) and returns its standard output; its standard error is shown only
 * with `quiet` false.
 */
export function explrCli(args, { quiet = false } = {}) {
  return execFileSync('cargo', ['run', '--release', '--quiet', '--bin', 'explr', '--', ...args], { cwd: ROOT, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'] });
}

/**
 * The bench's problem from the explr CLI: the settings above, in f64, so that both f32
 * trainings are compared with the exact losses.
 */
export function writeFixture(steps = AGREE_STEPS) {
  return JSON.parse(explrCli(['fixture', `--chaos=${SETTINGS.chaos}`, '--precision', 'f64', '--steps', String(steps)]));
}

const maxDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

/**
 * Runs the comparison in `browser` against `origin` (serving peerFiles): prints the losses'
 * agreement, then steps/s of each engine at 10, 20 and 100 steps per message and the ratios.
 */
export async function peer(browser, origin, { rounds = 3, secs = 3 } = {}) {
  const fixture = writeFixture();
  const R = fixture.runs.length;
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`peer page: ${e.message}`));
  await page.goto(`${origin}/peer.html`);
  await page.waitForFunction(() => window.peer);
  const explr = await page.evaluate((s) => window.peer.start('explr', { type: 'init', settings: JSON.stringify(s), backend: 'cpu', mnistUrl: '' }), SETTINGS);
  const tfjs = await page.evaluate((fx) => window.peer.start('tfjs', { type: 'init', fixture: fx, base: `${location.origin}/peer/tfjs/` }), fixture);
  // The same first steps on both, against the engine's f64 losses from the fixture.
  const packed = new Float64Array(await page.evaluate((k) => window.peer.steps('explr', k), AGREE_STEPS));
  const ours = unpackSteps(packed).map((s) => s.runs.map((r) => r.loss));
  const flat = await page.evaluate((k) => window.peer.steps('tfjs', k), AGREE_STEPS);
  const theirs = Array.from({ length: AGREE_STEPS }, (_, t) => flat.slice(t * R, t * R + R));
  const f64 = Array.from({ length: AGREE_STEPS }, (_, t) => fixture.runs.map((r) => r.loss[t]));
  const worst = (a, b) => Math.max(...a.map((row, t) => maxDiff(row, b[t])));
  const first = (a, b, n) => worst(a.slice(0, n), b.slice(0, n));
  console.log(`peer: ${fixture.runs.map((r) => r.label).join(' and ')}, default MLP, batch ${fixture.batches[0].length}, f32; ` +
    `explr CPU engine (${explr.backend}) vs TF.js 4.22 (${tfjs.backend}${tfjs.simd ? ', SIMD' : ''}), each in a worker`);
  console.log(`  per-step losses, largest difference over the first 20 / ${AGREE_STEPS} steps: TF.js − explr ${first(theirs, ours, 20).toExponential(1)} / ${worst(theirs, ours).toExponential(1)}; ` +
    `explr f32 − f64 ${first(ours, f64, 20).toExponential(1)} / ${worst(ours, f64).toExponential(1)}; TF.js − explr f64 ${first(theirs, f64, 20).toExponential(1)} / ${worst(theirs, f64).toExponential(1)}`);
  const rates = { explr: {}, tfjs: {} };
  for (let round = 0; round < rounds; round += 1) {
    for (const k of [10, 20, 100]) {
      for (const engine of round % 2 ? ['tfjs', 'explr'] : ['explr', 'tfjs']) {
        await page.evaluate(([e, n]) => window.peer.rate(e, n, 1000), [engine, k]);
        const r = await page.evaluate(([e, n, ms]) => window.peer.rate(e, n, ms), [engine, k, secs * 1000]);
        (rates[engine][k] ||= []).push(r);
      }
    }
  }
  const range = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
  for (const k of [10, 20, 100]) {
    const ratio = rates.explr[k].map((r, i) => r / rates.tfjs[k][i]);
    console.log(`  ${String(k).padStart(3)} steps per message: explr ${range(rates.explr[k])} steps/s, TF.js ${range(rates.tfjs[k])} steps/s: ` +
      `${Math.min(...ratio).toFixed(2)}–${Math.max(...ratio).toFixed(2)}× (${rounds} rounds of ${secs} s each, interleaved)`);
  }
  await page.close();
  return { rates, agree: worst(theirs, ours) };
}
