// Starts the CPU engine the moment the page's entry runs, before the controls and the charts
// are built: the worker's thread, its module and the wasm compile then overlap that work on the
// other core. The page adopts this worker on its first start if it asks for the same experiment
// (it does unless the settings changed in between; a worker told something else is stopped).
import { fromQuery, settingsOf, startPrecision } from './state.js';
import { cpuWorker } from './engines.js';

/** The link's settings as read at load: {state, problems, notices}. */
export const parsed = fromQuery(window.location.search);

/**
 * The worker's first message: build the trainer for `state` on `backend` in `precision`. A test
 * may set `window.__explrFaults` before the page's scripts run to break the WebGPU engine on
 * purpose (gpu-stats.js injectFaults).
 */
export function initMessage(state, backend, precision) {
  return {
    type: 'init',
    settings: JSON.stringify(settingsOf(state, precision)),
    backend,
    mnistUrl: new URL('../data/mnist.bin', import.meta.url).href,
    ...(globalThis.__explrFaults ? { faults: globalThis.__explrFaults } : {}),
  };
}

let early = null;
try {
  const message = initMessage(parsed.state, 'cpu', startPrecision(parsed.state, parsed.state.backend));
  const worker = cpuWorker();
  // The rest of the page may arrive after the engine's first answers: they wait in `inbox`.
  const inbox = [];
  worker.onmessage = ({ data }) => inbox.push(data);
  worker.onerror = (e) => {
    e.preventDefault();
    inbox.push({ type: 'error', message: e.message || 'the training worker stopped', fatal: true });
  };
  worker.postMessage(message);
  early = { worker, message, inbox };
} catch {
  // No early start (e.g. workers refused): the page's own start reports what went wrong.
  early = null;
}

/**
 * The worker started at load, {worker, inbox} (the messages it sent before it was adopted),
 * if it was told exactly `message`; else null (a worker told something else is stopped).
 * Answers once: later starts make their own workers.
 */
export function adoptEarlyWorker(message) {
  const e = early;
  early = null;
  if (!e) return null;
  if (JSON.stringify(e.message) === JSON.stringify(message)) return { worker: e.worker, inbox: e.inbox };
  e.worker.terminate();
  return null;
}
