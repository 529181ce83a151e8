// What the engine asks of WebGPU, counted in the worker that owns it: compute dispatches (per
// kernel), queue submits, buffer uploads, read-backs and pipelines created (with their WGSL, so
// that `npm run bench` can time their compilation apart). It wraps the WebGPU prototypes before
// wgpu opens its device, and watches that device for loss.

const totals = { dispatches: 0, submits: 0, uploads: 0, readbacks: 0, pipelines: 0 };
const kernels = new Map();
const devices = new Set();
const passKernel = new WeakMap();
/** The WGSL of each shader module wgpu created, and {label, entryPoint, code} of each pipeline. */
const wgsl = new WeakMap();
const sources = [];
let installed = false;
/** The unwrapped GPUQueue.submit, for the nudges (not counted as the engine's submits). */
let emptySubmit = null;

/** What `before` returns to leave the wrapped call out (a fault injected on purpose). */
const SKIP = Symbol('skip');

function wrap(proto, name, before) {
  const original = proto && proto[name];
  if (typeof original !== 'function') return;
  proto[name] = function wrapped(...args) {
    if (before(this, args) === SKIP) return undefined;
    return original.apply(this, args);
  };
}

/** Faults a test asks for ({skipEvery: n}): see injectFaults. */
let faults = {};

/**
 * Makes the engine's WebGPU work wrong on purpose, for the tests of the page's cross-check:
 * `{skipEvery: n}` leaves out every n-th compute dispatch, so its output keeps stale data — as
 * cubecl on wasm does with a kernel that fails validation (cubecl #1641).
 */
export function injectFaults(f) {
  faults = { ...f };
}

/**
 * Starts counting (once per worker) and calls `onLost(info)` when a device wgpu opened is lost
 * (`info` is the GPUDeviceLostInfo: reason and message). A no-op without WebGPU.
 */
export function installGpuStats(onLost) {
  if (installed || typeof GPUComputePassEncoder === 'undefined') return;
  installed = true;
  wrap(GPUComputePassEncoder.prototype, 'setPipeline', (pass, [pipeline]) => passKernel.set(pass, pipeline.label || '?'));
  const dispatch = (pass) => {
    totals.dispatches += 1;
    const k = passKernel.get(pass) || '?';
    kernels.set(k, (kernels.get(k) || 0) + 1);
    return faults.skipEvery > 0 && totals.dispatches % faults.skipEvery === 0 ? SKIP : undefined;
  };
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', dispatch);
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroupsIndirect', dispatch);
  emptySubmit = GPUQueue.prototype.submit;
  wrap(GPUQueue.prototype, 'submit', () => { totals.submits += 1; });
  wrap(GPUQueue.prototype, 'writeBuffer', () => { totals.uploads += 1; });
  wrap(GPUBuffer.prototype, 'mapAsync', () => { totals.readbacks += 1; });
  const pipeline = (_device, [desc]) => {
    totals.pipelines += 1;
    const { module, entryPoint } = desc.compute;
    sources.push({ label: desc.label || '?', entryPoint, code: wgsl.get(module) || '' });
  };
  wrap(GPUDevice.prototype, 'createComputePipeline', pipeline);
  wrap(GPUDevice.prototype, 'createComputePipelineAsync', pipeline);
  const createShaderModule = GPUDevice.prototype.createShaderModule;
  GPUDevice.prototype.createShaderModule = function kept(desc) {
    const module = createShaderModule.call(this, desc);
    wgsl.set(module, desc.code);
    return module;
  };
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function watched(...args) {
    const device = await requestDevice.apply(this, args);
    devices.add(device);
    device.lost.then((info) => {
      devices.delete(device);
      onLost(info);
    });
    return device;
  };
}

/** The pipelines created so far: [{label, entryPoint, code (WGSL)}], in order. */
export function pipelineSources() {
  return sources.slice();
}

/** A copy of the running totals. */
export function gpuTotals() {
  return { ...totals };
}

/** `b − a` for two totals. */
export function gpuDelta(a, b) {
  return Object.fromEntries(Object.keys(totals).map((k) => [k, b[k] - a[k]]));
}

/** Dispatches per kernel (pipeline label) since the worker started, most frequent first. */
export function kernelCounts() {
  return [...kernels].sort((x, y) => y[1] - x[1]);
}

/** Destroys every device wgpu opened (their `lost` promises then resolve): a loss on demand. */
export function destroyDevices() {
  const n = devices.size;
  for (const d of devices) d.destroy();
  return n;
}

/** How often a pending read-back nudges the queue (ms). */
const NUDGE_MS = 1;

/**
 * Resolves as `promise` does, submitting an empty command list to every open device's queue
 * every NUDGE_MS until then. Firefox checks for finished GPU work on a 100 ms timer, so a
 * read-back otherwise waits up to 100 ms whatever the GPU took; a submit makes it check now
 * (measured here, Firefox 153 on lavapipe: a 16-byte read-back 71–103 ms → 1–2 ms). Elsewhere
 * the empty submits cost next to nothing.
 */
export async function nudged(promise) {
  if (!emptySubmit || !devices.size) return promise;
  let done = false;
  const tick = () => {
    if (done) return;
    for (const d of devices) emptySubmit.call(d.queue, []);
    setTimeout(tick, NUDGE_MS);
  };
  tick();
  try {
    return await promise;
  } finally {
    done = true;
  }
}
