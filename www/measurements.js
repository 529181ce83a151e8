// What auto measured, remembered: the ms per step of each engine for one WebGPU adapter and one
// model shape (the network, the data, the batch, how many runs, the precision), so that an
// experiment is timed on both engines once per adapter and shape, not at every restart or load.
// Kept in localStorage where the browser allows it (else for this page's life only).

const PREFIX = 'explr:measured:';
/** Measurements older than this are taken again (browsers and drivers change). */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const memory = new Map();

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The shape of experiment `exp` (the engine's JSON) that decides what a step costs: the
 * network, the data, the batch, the number of runs and the CPU engine's precision. η, λ, γ, the
 * seed and the schedule change no cost.
 */
export function shapeKey(exp, precision) {
  return JSON.stringify([exp.dataset, exp.net.arch, exp.net.norm, exp.batch, exp.runs.length, precision]);
}

/** The remembered {cpu, webgpu} ms per step on `adapter` for `shape`, or null. */
export function recall(adapter, shape) {
  const key = PREFIX + adapter + shape;
  let m = memory.get(key) || null;
  if (!m) {
    try {
      const raw = storage()?.getItem(key);
      m = raw ? JSON.parse(raw) : null;
    } catch {
      m = null;
    }
  }
  const ok = m && Number.isFinite(m.cpu) && Number.isFinite(m.webgpu) && Number.isFinite(m.at) && Date.now() - m.at < MAX_AGE_MS;
  return ok ? { cpu: m.cpu, webgpu: m.webgpu } : null;
}

/** Remembers {cpu, webgpu} ms per step on `adapter` for `shape`. */
export function remember(adapter, shape, { cpu, webgpu }) {
  if (!Number.isFinite(cpu) || !Number.isFinite(webgpu)) return;
  const key = PREFIX + adapter + shape;
  const m = { cpu, webgpu, at: Date.now() };
  memory.set(key, m);
  try {
    storage()?.setItem(key, JSON.stringify(m));
  } catch {
    // Storage full or refused: the page's own memory keeps it.
  }
}
