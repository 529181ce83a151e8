// The training worker: owns the wasm module and the lockstep Trainer, so the page never
// freezes. It speaks the protocol of protocol.js (the messages and their shapes, both ways).
import { unpackSteps } from './packed.js';
import { MAX_AHEAD, MAX_CHUNK } from './protocol.js';

/** Counters of WebGPU work where there is no WebGPU: all zero. */
const NO_GPU = {
  installGpuStats() {},
  injectFaults() {},
  gpuTotals: () => ({ dispatches: 0, submits: 0, uploads: 0, readbacks: 0, pipelines: 0 }),
  gpuDelta: () => null,
  kernelCounts: () => [],
  pipelineSources: () => [],
  destroyDevices: () => 0,
  nudged: (promise) => promise,
};

/**
 * Serves the worker protocol above with `wasm` ({init, Trainer, theory, toyPath}: one of the
 * two engines) and `gpu` (the WebGPU counters of gpu-stats.js, or none for the CPU engine).
 */
export function serve(wasm, gpu = NO_GPU) {
  const { init, Trainer, theory, toyPath } = wasm;
  const { destroyDevices, gpuDelta, gpuTotals, injectFaults, installGpuStats, kernelCounts, nudged, pipelineSources } = gpu;

  // Backpressure (protocol.js): while playing, at most MAX_AHEAD metrics messages are on their
  // way to the page or waiting for it to draw them; the page acknowledges once per frame, so
  // training never runs ahead of what the page shows, and the page never queues a backlog.
  let trainer = null;
  let backend = null;
  /** The experiment as the trainer was built from it (JSON), and the MNIST bytes if it uses them. */
  let config = null;
  let mnist;
  let deviceLost = false;
  let playing = false;
  let chunk = 10;
  let busy = false;
  let scheduled = false;
  /** Metrics messages posted during play and not yet acknowledged by the page. */
  let ahead = 0;
  let queue = Promise.resolve();

  /** Runs `fn` after every earlier queued call: the Trainer is never used re-entrantly. */
  function serial(fn) {
    queue = queue.then(fn, fn);
    return queue;
  }

  const post = (msg, transfer = []) => self.postMessage(msg, transfer);

  /** The message of a thrown value (wasm-bindgen's JsError, an Error, or anything else). */
  const errorText = (e) => String(e && e.message ? e.message : e);

  installGpuStats((info) => {
    if (deviceLost) return;
    deviceLost = true;
    playing = false;
    post({ type: 'lost', message: `the WebGPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''})` });
  });


  async function loadMnist(url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not load the MNIST digits (${res.status} ${res.statusText})`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async function setup({ settings, backend: chosen, mnistUrl, faults }) {
    if (faults) injectFaults(faults);
    await init();
    let adapter = null;
    if (chosen === 'webgpu') {
      adapter = await adapterInfo();
      if (!adapter) throw new Error('WebGPU is not available in this browser');
    }
    // The engine builds the experiment from the settings (precision included); only the
    // digits, if it uses them, are fetched here first.
    mnist = JSON.parse(settings).dataset === 'mnist' ? mnist || await loadMnist(mnistUrl) : undefined;
    trainer = await Trainer.fromSettings(settings, chosen, mnist);
    backend = chosen;
    config = trainer.experiment();
    const exp = JSON.parse(config);
    post({
      type: 'ready',
      backend: chosen,
      adapter: adapter && adapter.name,
      experiment: config,
      runs: JSON.parse(trainer.runs()),
      layers: JSON.parse(trainer.layers()),
      theory: JSON.parse(theory(exp.hyper.eta, exp.hyper.wd, exp.hyper.momentum)),
    });
  }

  /**
   * Times `steps` steps of a throwaway copy of the experiment on this engine, after a few
   * steps that compile and warm what the first steps need; the copy is freed after. Resolves
   * to {msPerStep, warmMs, pipelines, first}: the timed rate, how long the warm-up steps took
   * and how many GPU pipelines (kernels) they compiled (0 on the CPU engine), and each warm-up
   * step's loss per run — from the run's own start, so that the page can check one engine's
   * first steps against the other's. Where the copy turns NaN/∞ in those steps, the rest of
   * its first steps read NaN, `diverged` says why and nothing is timed (msPerStep null).
   */
  async function bench(steps) {
    const copy = await Trainer.create(config, backend, mnist);
    try {
      const w0 = performance.now();
      const p0 = gpuTotals().pipelines;
      const warm = unpackSteps(await nudged(copy.run(3)));
      const runs = JSON.parse(copy.runs()).length;
      const first = [0, 1, 2].map((t) => (warm[t] ? warm[t].runs.map((r) => r.loss ?? NaN) : new Array(runs).fill(NaN)));
      if (copy.error) return { msPerStep: null, warmMs: performance.now() - w0, pipelines: gpuTotals().pipelines - p0, first, diverged: copy.error };
      const t0 = performance.now();
      await nudged(copy.run(steps));
      return { msPerStep: (performance.now() - t0) / steps, warmMs: t0 - w0, pipelines: gpuTotals().pipelines - p0, first };
    } finally {
      copy.free();
    }
  }

  function runSteps(n, paced = false) {
    return serial(() => runStepsNow(n, paced));
  }

  /** Trains `n` steps, posting their metrics; `paced` (play) counts the messages against MAX_AHEAD. */
  async function runStepsNow(n, paced) {
    if (!trainer || busy) return;
    busy = true;
    try {
      for (let left = n; left > 0 && !deviceLost;) {
        const k = Math.min(left, MAX_CHUNK);
        left -= k;
        const before = gpuTotals();
        const packed = await nudged(trainer.run(k));
        const msg = { type: 'metrics', packed, queueMs: trainer.queueMs, waitMs: trainer.waitMs };
        if (backend === 'webgpu') msg.gpu = gpuDelta(before, gpuTotals());
        if (paced) {
          ahead += 1;
          msg.paced = true;
        }
        // The numbers move to the page without a copy (transferred).
        if (packed[2] > 0) post(msg, [packed.buffer]);
        if (trainer.error) {
          // The steps before the first NaN/∞ were posted above: the history keeps them.
          playing = false;
          post({ type: 'error', message: `${trainer.error}. The steps before it are kept; press Reset to start again (or change a setting).`, fatal: false, diverged: true });
          break;
        }
      }
    } catch (e) {
      playing = false;
      // A lost device also fails the step in flight; the 'lost' message already says why.
      await new Promise((r) => setTimeout(r, 0));
      if (!deviceLost) post({ type: 'error', message: errorText(e), fatal: false });
    } finally {
      busy = false;
    }
    if (playing) kick();
  }

  /**
   * Schedules the next chunk of the play loop unless one is already running or queued, or the
   * page has not yet drawn what it was sent.
   */
  function kick() {
    if (busy || scheduled || !trainer || ahead >= MAX_AHEAD) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      if (playing && ahead < MAX_AHEAD) runSteps(chunk, true);
    }, 0);
  }

  /**
   * Runs a request on the trainer in turn with the steps; what the engine refuses (a bad run
   * index or factor, a failed read-back) is reported as `what: …` and the run goes on.
   */
  function request(what, fn) {
    return serial(async () => {
      if (!trainer) return;
      try {
        await fn();
      } catch (e) {
        post({ type: 'error', message: `${what}: ${errorText(e)}`, fatal: false });
      }
    });
  }

  self.onmessage = async ({ data }) => {
    try {
      switch (data.type) {
        case 'init':
          // Serialized: a step or play asked for during the start waits for the trainer.
          await serial(() => setup(data));
          if (playing) kick();
          break;
        case 'play':
          chunk = Math.max(1, Math.min(200, data.chunk | 0 || 10));
          playing = true;
          kick();
          break;
        case 'pause':
          playing = false;
          break;
        case 'ack':
          ahead = Math.max(0, ahead - (data.n | 0));
          if (playing) kick();
          break;
        case 'step':
          playing = false;
          await runSteps(Math.max(1, data.steps | 0 || 1));
          break;
        case 'snapshot':
          await serial(async () => {
            const snapshot = await nudged(trainer.snapshot());
            post({ type: 'snapshot', snapshot, step: trainer.stepsDone() });
          });
          break;
        case 'restore':
          playing = false;
          await serial(() => {
            trainer.restore(data.snapshot);
            post({ type: 'restored', step: trainer.stepsDone() });
          });
          break;
        case 'bench':
          await serial(async () => {
            const n = Math.max(1, Math.min(200, data.steps | 0 || 10));
            post({ type: 'bench', backend, steps: n, ...(await bench(n)) });
          });
          break;
        case 'gpu-profile':
          await serial(() => post({ type: 'gpu-profile', backend, totals: gpuTotals(), kernels: kernelCounts(), ...(data.shaders ? { shaders: pipelineSources() } : {}) }));
          break;
        case 'lose-device':
          post({ type: 'notice', message: `Destroying ${destroyDevices()} WebGPU device(s) on request.` });
          break;
        case 'boundary':
          await request('decision boundary', async () => {
            const res = Math.max(2, Math.min(128, data.res | 0 || 48));
            const probs = await nudged(trainer.boundary(res));
            post({ type: 'boundary', res, classes: trainer.classes(), probs }, [probs.buffer]);
          });
          break;
        case 'probe':
          await request('probe', async () => {
            const cs = (Array.isArray(data.cs) ? data.cs : []).map(Number).slice(0, 64);
            const run = Math.max(0, data.run | 0);
            post({ type: 'probe', run, points: JSON.parse(await nudged(trainer.scaleProbe(run, new Float64Array(cs)))) });
          });
          break;
        case 'rescale':
          await request('rescale', () => {
            const run = Math.max(0, data.run | 0);
            trainer.rescaleVisibly(run, Number(data.c));
            post({ type: 'rescaled', run, c: Number(data.c), step: trainer.stepsDone() });
          });
          break;
        case 'toy':
          await init();
          post({ type: 'toy', id: data.id, path: JSON.parse(toyPath(data.toy, data.x0, data.y0, data.eta, data.wd, data.steps)) });
          break;
        default:
          post({ type: 'error', message: `unknown message ${data.type}`, fatal: false });
      }
    } catch (e) {
      post({ type: 'error', message: errorText(e), fatal: true });
    }
  };

  self.addEventListener('error', (e) => {
    if (!deviceLost) post({ type: 'error', message: e.message, fatal: true });
  });
  self.addEventListener('unhandledrejection', (e) => {
    if (!deviceLost) post({ type: 'error', message: String(e.reason), fatal: true });
  });
}

/**
 * The WebGPU adapter's name and whether it is a software one, or null without WebGPU (no
 * `navigator.gpu`, a null one as WebKit gives with WebGPU switched on, or a refused request).
 */
export async function adapterInfo() {
  if (typeof navigator === 'undefined' || !navigator.gpu) return null;
  let adapter;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info || {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  const software = Boolean(info.isFallbackAdapter || adapter.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe|software|warp/i.test(name);
  return { name, software };
}
