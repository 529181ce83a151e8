// The page: one state object (URL-serialized), the controls bound to it, the training worker
// and the live plots. Errors are shown in #messages; the page keeps working.
//
// Responsiveness: worker messages only append to the bounded history and the charts'
// envelopes (cheap, O(steps in the message)); everything visible is drawn at most once per
// animation frame, and each frame acknowledges what it drew, which is what lets the worker go
// on (it runs at most two messages ahead). So the page answers within a frame at any speed and
// any history length.
import 'uplot/dist/uPlot.min.css';
import { FIELDS, crossCheck, defaults, fromQuery, resolvePrecision, runInfo, toExperiment, toQuery } from './state.js';
import { Plots, fmt, styleOf } from './plots.js';
import { History } from './history.js';
import { csvText } from './export.js';
import { theoryPanel } from './theory.js';
import { PRESETS } from './presets.js';
import { drawBoundaries } from './boundary.js';
import { chaosNote, explanation, readout } from './explain.js';
import { drawToy, drawToyCurves, toySummary } from './toy.js';

const $ = (id) => document.getElementById(id);
const parsed = fromQuery(window.location.search);
let state = parsed.state;
const view = state.embed ? 'embed' : state.mode === 'lecture' ? 'lecture' : 'normal';
let worker = null;
let plots = null;
let store = null;
let runs = [];
let playing = false;
let lastRate = { t: performance.now(), steps: 0 };
let generation = 0;
let fellBack = false;
let constants = null;
let engineReady = false;
let pendingSteps = 0;
let lastBoundary = 0;
let lastTheory = 0;
let toyWorker = null;
/** After a fallback: {steps, play} to replay on the new backend, so no progress is lost. */
let resume = null;
let gpuPerStep = null;
/** What the engine runs on: {backend, precision, adapter}. */
let engine = { backend: '', precision: '', adapter: null };
/** Running totals of where training time went: queueing steps vs waiting for results. */
let perf = { steps: 0, queueMs: 0, waitMs: 0 };
/** Frame bookkeeping: paced messages to acknowledge, whether a frame is requested, counters. */
let unacked = 0;
let frameRequested = false;
const frames = { drawn: 0, maxMs: 0 };
const profileWaiters = [];
const TOY_KEYS = ['toy', 'toyeta', 'toywd', 'toysteps'];

/** Shows a message; kind is 'error' or 'notice'. */
export function message(text, kind = 'notice') {
  const box = $('messages');
  const p = document.createElement('p');
  p.className = kind;
  p.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'dismiss');
  close.onclick = () => p.remove();
  p.append(close);
  box.append(p);
  while (box.children.length > 4) box.firstChild.remove();
}

function syncUrl() {
  const q = toQuery(state);
  const url = `${window.location.pathname}${q ? `?${q}` : ''}`;
  window.history.replaceState(null, '', url);
  const full = new URLSearchParams(q);
  full.delete('embed');
  const link = $('fulldemo');
  if (link) link.href = `${window.location.pathname}${full.toString() ? `?${full}` : ''}`;
}

function renderControls() {
  for (const key of Object.keys(FIELDS)) {
    const el = $(key);
    if (!el) continue;
    if (el.type === 'checkbox') el.checked = Boolean(state[key]);
    else el.value = Array.isArray(state[key]) ? state[key].join(',') : String(state[key]);
  }
  const step = state.schedule === 'step';
  for (const id of ['milestones', 'factor', 'texp']) $(id).closest('label').hidden = !step;
  $('net').options[0].textContent = state.norm === 'none' ? 'no affine, frozen head' : 'scale-invariant';
  $('play').textContent = playing ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(playing));
}

function setBadge(text, backend) {
  const b = $('badge');
  b.textContent = text;
  b.dataset.backend = backend;
}

/** The words beside the charts that follow the configuration. */
function renderNotes() {
  const text = explanation(state);
  $('explain').textContent = text;
  $('explain').hidden = !text;
  const distNote = $('dist-note');
  distNote.textContent = state.chaos ? chaosNote(engine.precision || resolvePrecision(state, 'cpu')) : 'Distance to A: the angle between the weights of each twin and its weight-decay run.';
  $('boundary-hint').textContent = state.norm === 'none'
    ? 'Predicted class over [−1.6, 1.6]². Without normalization B’s larger weights change its predictions: the pictures part.'
    : `Predicted class over [−1.6, 1.6]², ${state.norm === 'batch' ? 'batch-norm statistics from a fixed training batch' : 'each point normalized on its own'}. Run B’s weights are α^−t times larger; its picture is the same.`;
}

/**
 * (Re)starts the worker with the current state; `backend` overrides the state's choice,
 * `replay` ({steps, play}) retrains that many steps on it before going on, and `precision`
 * overrides the state's (a replay keeps the precision it replays).
 */
function restart(backend = null, replay = null, precision = null) {
  generation += 1;
  const gen = generation;
  if (worker) worker.terminate();
  playing = false;
  unacked = 0;
  renderControls();
  const exp = toExperiment(state);
  runs = runInfo(exp);
  store = new History(runs.length);
  plots = new Plots($('plots'), runs, { view, invariant: state.norm !== 'none' });
  renderLegend();
  $('stepcount').textContent = 'step 0';
  $('readout').textContent = '';
  setBadge('starting…', '');
  engineReady = false;
  pendingSteps = 0;
  resume = replay && replay.steps > 0 ? replay : null;
  gpuPerStep = null;
  engine = { backend: '', precision: '', adapter: null };
  $('rate').textContent = '';
  $('boundaries').replaceChildren();
  document.body.dataset.ready = '0';
  document.body.dataset.steps = '0';
  renderNotes();
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const want = backend || (fellBack && state.backend !== 'webgpu' ? 'cpu' : state.backend);
  worker.onmessage = ({ data }) => {
    if (gen !== generation) return;
    onWorker(data);
  };
  worker.onerror = (e) => {
    if (gen !== generation) return;
    e.preventDefault();
    fatal(e.message || 'the training worker stopped');
  };
  worker.postMessage({
    type: 'init',
    experiment: JSON.stringify(exp),
    backend: want,
    precision: precision || (state.precision === 'auto' ? 'f64' : state.precision),
    mnistUrl: new URL('../data/mnist.bin', import.meta.url).href,
  });
  constants = null;
  $('theory').replaceChildren(theoryPanel(state, null, null, runs));
}

/** A legend shared by all charts: colour, dash and label of each run. */
function renderLegend() {
  const box = $('legend');
  box.replaceChildren();
  for (const run of runs) {
    const item = document.createElement('span');
    item.className = `legend-item role-${run.role}`;
    const sw = document.createElement('canvas');
    sw.width = 36;
    sw.height = 10;
    sw.setAttribute('aria-hidden', 'true');
    const g = sw.getContext('2d');
    const s = styleOf(run);
    g.strokeStyle = s.stroke;
    g.lineWidth = s.width;
    g.setLineDash(s.dash);
    g.beginPath();
    g.moveTo(0, 5);
    g.lineTo(36, 5);
    g.stroke();
    item.append(sw, document.createTextNode(run.label));
    box.append(item);
  }
}

/** Where training had got to: the steps to replay after a fallback, and whether it played. */
function progress() {
  return { steps: store && store.lastStep ? store.lastStep.step : 0, play: playing };
}

function fallBackToCpu(what) {
  fellBack = true;
  const p = progress();
  const replay = p.steps > 0 ? ` Replaying the ${p.steps} steps done so far from the same seed, then going on.` : '';
  message(`${what}. Restarting on the CPU backend.${replay}`, 'error');
  restart('cpu', p, engine.precision || null);
}

function fatal(text) {
  const onGpu = engine.backend === 'webgpu' || (engine.backend === '' && state.backend === 'webgpu');
  if (onGpu && !fellBack) {
    fallBackToCpu(`The GPU run failed (${text})`);
  } else {
    message(`Training stopped: ${text}`, 'error');
    playing = false;
    renderControls();
  }
}

/** Asks for one animation frame (at most one outstanding). */
function requestFrame() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(frame);
}

/** Draws what arrived since the last frame, then lets the worker go on. */
function frame() {
  frameRequested = false;
  const t0 = performance.now();
  const drew = plots.draw();
  const last = store.lastStep;
  if (drew && last) {
    $('stepcount').textContent = `step ${last.step}`;
    $('readout').textContent = readout(runs, last, state.eta);
    document.body.dataset.steps = String(last.step);
    if (t0 - lastTheory > 250) {
      lastTheory = t0;
      $('theory').replaceChildren(theoryPanel(state, constants, last, runs));
    }
    if (t0 - lastRate.t > 1000) {
      const rate = ((last.step - lastRate.steps) * 1000) / (t0 - lastRate.t);
      const gpu = gpuPerStep === null ? '' : ` · ${Math.round(gpuPerStep)} GPU dispatches/step`;
      $('rate').textContent = `${fmt(Math.max(0, rate))} steps/s${gpu}`;
      lastRate = { t: t0, steps: last.step };
    }
    requestBoundary();
  }
  if (unacked > 0 && worker) {
    worker.postMessage({ type: 'ack', n: unacked });
    unacked = 0;
  }
  if (plots.pending) requestFrame();
  frames.drawn += drew ? 1 : 0;
  frames.maxMs = Math.max(frames.maxMs, performance.now() - t0);
}

function onWorker(m) {
  switch (m.type) {
    case 'ready': {
      const exp = JSON.parse(m.experiment);
      engine = { backend: m.backend, precision: exp.precision, adapter: m.adapter };
      setBadge(`${m.backend === 'webgpu' ? `WebGPU · ${m.adapter}` : 'CPU · wasm (flex)'} · ${exp.precision}`, m.backend);
      document.body.dataset.ready = '1';
      document.body.dataset.precision = exp.precision;
      engineReady = true;
      constants = m.theory;
      renderNotes();
      if (resume) {
        pendingSteps += resume.steps;
        playing = playing || resume.play;
        resume = null;
        renderControls();
      }
      if (pendingSteps > 0) worker.postMessage({ type: 'step', steps: pendingSteps });
      pendingSteps = 0;
      $('boundaries-section').hidden = state.dataset === 'mnist';
      requestBoundary(true);
      $('theory').replaceChildren(theoryPanel(state, constants, null, runs));
      if (playing) worker.postMessage({ type: 'play', chunk: state.speed });
      break;
    }
    case 'boundary':
      drawBoundaries($('boundaries'), runs, m.res, m.classes, m.probs);
      break;
    case 'metrics': {
      store.append(m.steps);
      plots.push(m.steps);
      if (m.paced) unacked += 1;
      if (m.gpu) gpuPerStep = m.gpu.dispatches / m.steps.length;
      perf = { steps: perf.steps + m.steps.length, queueMs: perf.queueMs + m.queueMs, waitMs: perf.waitMs + m.waitMs };
      requestFrame();
      break;
    }
    case 'notice':
      message(m.message, 'notice');
      break;
    case 'lost':
      if (state.backend !== 'cpu') fallBackToCpu(`The GPU stopped: ${m.message}`);
      break;
    case 'gpu-profile':
      profileWaiters.splice(0).forEach((resolve) => resolve(m));
      break;
    case 'error':
      if (m.fatal) fatal(m.message);
      else {
        message(m.message, 'error');
        playing = false;
        renderControls();
      }
      break;
    default:
      break;
  }
}

function requestBoundary(force = false) {
  if (state.dataset === 'mnist' || !engineReady || view === 'embed') return;
  const now = performance.now();
  if (!force && now - lastBoundary < 500) return;
  lastBoundary = now;
  worker.postMessage({ type: 'boundary', res: 48 });
}

/** Recomputes the toy path in its own small worker (independent of the training run). */
function runToy() {
  if (view === 'embed') return;
  if (!toyWorker) {
    toyWorker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    toyWorker.onmessage = ({ data }) => {
      if (data.type === 'toy') {
        drawToy($('toy-canvas'), data.path, state.toyeta, state.toy);
        drawToyCurves($('toy-curves'), data.path, state.toyeta);
        $('toy-summary').textContent = toySummary(data.path, state.toyeta);
      } else if (data.type === 'error') {
        message(`toy: ${data.message}`, 'error');
      }
    };
  }
  toyWorker.postMessage({ type: 'toy', toy: state.toy, x0: 1.0, y0: 0.2, eta: state.toyeta, wd: state.toywd, steps: state.toysteps });
}

function togglePlay() {
  playing = !playing;
  if (engineReady) worker.postMessage(playing ? { type: 'play', chunk: state.speed } : { type: 'pause' });
  renderControls();
}

function onControl(e) {
  const key = e.target.id;
  if (!Object.prototype.hasOwnProperty.call(FIELDS, key)) return;
  const q = new URLSearchParams(toQuery(state));
  q.set(key, e.target.type === 'checkbox' ? (e.target.checked ? '1' : '0') : e.target.value);
  const { state: next, problems } = fromQuery(q.toString());
  next.embed = state.embed;
  next.mode = state.mode;
  problems.forEach((p) => message(p, 'error'));
  const wasPlaying = playing;
  state = next;
  syncUrl();
  if (TOY_KEYS.includes(key)) {
    renderControls();
    runToy();
    return;
  }
  if (key === 'speed') {
    renderControls();
    if (playing && engineReady) worker.postMessage({ type: 'play', chunk: state.speed });
    return;
  }
  restart();
  if (wasPlaying) togglePlay();
}

function download(name, type, data) {
  const a = document.createElement('a');
  a.href = typeof data === 'string' && data.startsWith('data:') ? data : URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

/** The settings in words, for the figure's caption and the exports. */
function settingsText() {
  const last = store && store.lastStep ? store.lastStep.step : 0;
  const sched = state.schedule === 'step' ? `step decay ×${state.factor} at ${state.milestones.join(', ')} (${state.texp} TEXP twin)` : 'constant LR';
  return `η = ${state.eta}, λ = ${state.wd}, γ = ${state.momentum}; ${sched}; ${state.norm} norm, ${state.net === 'invariant' ? 'scale-invariant net' : 'standard net'}, ${state.dataset}, batch ${state.batch}, seed ${state.seed}; ` +
    `${engine.precision || '?'} on ${engine.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}; ${state.init} ṽ₀; after ${last} steps. ${window.location.href}`;
}

function applyPreset(name) {
  const p = PRESETS[name];
  if (!p) return;
  state = { ...defaults(), ...p, embed: state.embed, mode: state.mode, backend: state.backend, speed: state.speed, precision: state.precision };
  crossCheck(state);
  syncUrl();
  restart();
  runToy();
  if (name === 'toy') $('toy-section').scrollIntoView({ behavior: 'auto', block: 'start' });
}

function wire() {
  for (const id of ['controls', 'quick', 'toy-controls']) {
    $(id).addEventListener('change', onControl);
    $(id).addEventListener('submit', (e) => e.preventDefault());
  }
  $('play').onclick = togglePlay;
  $('step').onclick = () => {
    playing = false;
    if (engineReady) worker.postMessage({ type: 'step', steps: 1 });
    else pendingSteps += 1;
    renderControls();
  };
  $('reset').onclick = () => restart();
  $('preset').onchange = (e) => {
    applyPreset(e.target.value);
    e.target.value = '';
  };
  $('copylink').onclick = async () => {
    const link = window.location.href;
    try {
      await navigator.clipboard.writeText(link);
      message('Link copied.');
    } catch {
      message(`Link: ${link}`);
    }
  };
  $('export-csv').onclick = () => download('explr-metrics.csv', 'text/csv', csvText(store, runs, settingsText(), engine));
  $('export-json').onclick = () => download('explr-metrics.json', 'application/json',
    JSON.stringify({ state, experiment: toExperiment(state, engine.precision || 'f32'), engine, stride: store.stride, steps: store.toObjects() }));
  $('export-png').onclick = async () => {
    const blob = await plots.figure(settingsText());
    download('explr-figure.png', 'image/png', blob);
  };
  $('app').addEventListener('keydown', (e) => {
    if (e.target.closest('input, select, textarea, button, a')) return;
    if (e.key === ' ') {
      e.preventDefault();
      togglePlay();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      $('step').click();
    } else if (e.key === 'r' || e.key === 'R') {
      restart();
    }
  });
  let resizeFrame = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => plots && plots.resize());
  });
  if (state.embed && window.parent !== window) {
    new ResizeObserver(() => {
      window.parent.postMessage({ type: 'explr:height', height: document.documentElement.scrollHeight }, '*');
    }).observe(document.body);
  }
}

// Hooks for tests and the benchmark: the metric history, the current state, frame counters,
// the worker's WebGPU counters, and a way to lose the GPU device on purpose.
window.__explr = {
  /** Every kept step as objects (materialized on demand: tests only). */
  get history() {
    return store ? store.toObjects() : [];
  },
  get last() {
    return store ? store.lastStep : null;
  },
  get kept() {
    return store ? { rows: store.length, stride: store.stride, bytes: store.bytes } : null;
  },
  get state() {
    return state;
  },
  get engine() {
    return { ...engine };
  },
  get frames() {
    return { ...frames };
  },
  get perf() {
    return { ...perf };
  },
  /** The PNG figure the export button downloads, as a Blob. */
  figure() {
    return plots.figure(settingsText());
  },
  /** What each chart draws now: key, last step, each run's last value. */
  charts() {
    return plots.drawn();
  },
  gpuProfile() {
    return new Promise((resolve) => {
      profileWaiters.push(resolve);
      worker.postMessage({ type: 'gpu-profile' });
    });
  },
  loseDevice() {
    worker.postMessage({ type: 'lose-device' });
  },
};

document.body.classList.toggle('embed', view === 'embed');
document.body.classList.toggle('lecture', view === 'lecture');
document.documentElement.classList.toggle('lecture', view === 'lecture');
if (window.matchMedia('(prefers-reduced-motion: reduce)').matches) document.body.classList.add('reduced-motion');
wire();
parsed.problems.forEach((p) => message(p, 'error'));
syncUrl();
restart();
runToy();
