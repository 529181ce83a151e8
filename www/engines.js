// The two training engines, each in its own Web Worker: the small CPU engine, started first so
// that training begins at once, and the WebGPU engine, brought up behind it. A running
// experiment moves between them whole (snapshot → restore), so a switch changes no result.
export { adapterInfo } from './worker-core.js';

/** A new worker running the CPU engine (flex only). */
export function cpuWorker() {
  return new Worker(new URL('./worker-cpu.js', import.meta.url), { type: 'module' });
}

/** A new worker running the full engine (WebGPU and flex). */
export function gpuWorker() {
  return new Worker(new URL('./worker-gpu.js', import.meta.url), { type: 'module' });
}

/** A new worker for the engine of `kind` ('cpu' | 'webgpu'). */
export const workerFor = (kind) => (kind === 'webgpu' ? gpuWorker() : cpuWorker());

/**
 * Whether `auto` should move to WebGPU: only where a measured WebGPU step is faster than a
 * measured CPU step of the same experiment.
 */
export const gpuIsFaster = (cpuMs, gpuMs) => Number.isFinite(gpuMs) && gpuMs < cpuMs;
