// The page: one state object (URL-serialized), the controls bound to it, the training worker
// and the live plots. Errors are shown in #messages; the page keeps working.
import 'uplot/dist/uPlot.min.css';
import { FIELDS, crossCheck, defaults, fromQuery, toExperiment, toQuery } from './state.js';
import { Plots, fmt } from './plots.js';
import { theoryPanel } from './theory.js';
import { PRESETS } from './presets.js';
import { drawBoundaries } from './boundary.js';
import { drawToy, drawToyCurves, toySummary } from './toy.js';

const $ = (id) => document.getElementById(id);
const parsed = fromQuery(window.location.search);
let state = parsed.state;
let worker = null;
let plots = null;
let playing = false;
let history = [];
let lastRate = { t: performance.now(), steps: 0 };
let generation = 0;
let fellBack = false;
let constants = null;
let engineReady = false;
let pendingSteps = 0;
let lastBoundary = 0;
let toyWorker = null;
/** After a fallback: {steps, play} to replay on the new backend, so no progress is lost. */
let resume = null;
let gpuPerStep = null;
/** Running totals of where training time went: queueing steps vs waiting for results. */
let perf = { steps: 0, queueMs: 0, waitMs: 0 };
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
}

function renderControls() {
  for (const key of Object.keys(FIELDS)) {
    const el = $(key);
    if (!el) continue;
    el.value = Array.isArray(state[key]) ? state[key].join(',') : String(state[key]);
  }
  const step = state.schedule === 'step';
  for (const id of ['milestones', 'factor', 'texp']) $(id).closest('label').hidden = !step;
  $('play').textContent = playing ? '❚❚ Pause' : '▶ Play';
}

function setBadge(text, backend) {
  const b = $('badge');
  b.textContent = text;
  b.dataset.backend = backend;
}

function labelsOf(exp) {
  return exp.runs.map((r) => r.label);
}

/**
 * (Re)starts the worker with the current state; `backend` overrides the state's choice and
 * `replay` ({steps, play}) retrains that many steps on it before going on.
 */
function restart(backend = null, replay = null) {
  generation += 1;
  const gen = generation;
  if (worker) worker.terminate();
  playing = false;
  history = [];
  renderControls();
  const exp = toExperiment(state);
  plots = new Plots($('plots'), labelsOf(exp), { lecture: state.mode === 'lecture' });
  $('stepcount').textContent = 'step 0';
  setBadge('starting…', '');
  engineReady = false;
  pendingSteps = 0;
  resume = replay && replay.steps > 0 ? replay : null;
  gpuPerStep = null;
  $('rate').textContent = '';
  document.body.dataset.ready = '0';
  document.body.dataset.steps = '0';
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
  worker.postMessage({ type: 'init', experiment: JSON.stringify(exp), backend: want, mnistUrl: new URL('../data/mnist.bin', import.meta.url).href });
  constants = null;
  $('theory').replaceChildren(theoryPanel(state, null, null));
}

/** Where training had got to: the steps to replay after a fallback, and whether it played. */
function progress() {
  return { steps: history.length ? history.at(-1).step : 0, play: playing };
}

function fallBackToCpu(what) {
  fellBack = true;
  const p = progress();
  const replay = p.steps > 0 ? ` Replaying the ${p.steps} steps done so far from the same seed, then going on.` : '';
  message(`${what}. Restarting on the CPU backend.${replay}`, 'error');
  restart('cpu', p);
}

function fatal(text) {
  const onGpu = $('badge').dataset.backend === 'webgpu' || $('badge').dataset.backend === '';
  if (onGpu && state.backend !== 'cpu' && !fellBack) {
    fallBackToCpu(`The GPU run failed (${text})`);
  } else {
    message(`Training stopped: ${text}`, 'error');
    playing = false;
    renderControls();
  }
}

function onWorker(m) {
  switch (m.type) {
    case 'ready':
      setBadge(m.backend === 'webgpu' ? `WebGPU · ${m.adapter}` : 'CPU · wasm (flex)', m.backend);
      document.body.dataset.ready = '1';
      engineReady = true;
      constants = m.theory;
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
      $('theory').replaceChildren(theoryPanel(state, constants, null));
      if (playing) worker.postMessage({ type: 'play', chunk: state.speed });
      break;
    case 'boundary':
      drawBoundaries($('boundaries'), labelsOf(toExperiment(state)), m.res, m.classes, m.probs);
      break;
    case 'metrics': {
      history.push(...m.steps);
      requestBoundary();
      plots.push(m.steps);
      const last = m.steps.at(-1);
      $('stepcount').textContent = `step ${last.step}`;
      $('theory').replaceChildren(theoryPanel(state, constants, last));
      if (m.gpu) gpuPerStep = m.gpu.dispatches / m.steps.length;
      perf = { steps: perf.steps + m.steps.length, queueMs: perf.queueMs + m.queueMs, waitMs: perf.waitMs + m.waitMs };
      const now = performance.now();
      if (now - lastRate.t > 1000) {
        const rate = ((last.step - lastRate.steps) * 1000) / (now - lastRate.t);
        const gpu = gpuPerStep === null ? '' : ` · ${Math.round(gpuPerStep)} GPU dispatches/step`;
        $('rate').textContent = `${fmt(Math.max(0, rate))} steps/s${gpu}`;
        lastRate = { t: now, steps: last.step };
      }
      document.body.dataset.steps = String(last.step);
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
  if (state.dataset === 'mnist' || !engineReady) return;
  const now = performance.now();
  if (!force && now - lastBoundary < 500) return;
  lastBoundary = now;
  worker.postMessage({ type: 'boundary', res: 48 });
}

/** Recomputes the toy path in its own small worker (independent of the training run). */
function runToy() {
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
  q.set(key, e.target.value);
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
  a.href = typeof data === 'string' && data.startsWith('data:') ? data : URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

function csv() {
  const labels = labelsOf(toExperiment(state));
  const rows = ['step,run,loss,accuracy,lr,weight_norm,effective_lr,scale_measured,scale_predicted,rel_weight_error,angle,prob_diff,test_loss,test_accuracy'];
  for (const s of history) {
    s.runs.forEach((r, i) => {
      rows.push([s.step, JSON.stringify(labels[i]), r.loss, r.accuracy, Math.exp(r.ln_lr), Math.exp(r.ln_weight_norm), r.effective_lr,
        Math.exp(r.ln_scale_measured), Math.exp(r.ln_scale_predicted), r.rel_weight_error, r.angle, r.prob_diff, r.test_loss ?? '', r.test_accuracy ?? ''].join(','));
    });
  }
  return `${rows.join('\n')}\n`;
}

function applyPreset(name) {
  const p = PRESETS[name];
  if (!p) return;
  state = { ...defaults(), ...p, embed: state.embed, mode: state.mode, backend: state.backend, speed: state.speed };
  crossCheck(state);
  syncUrl();
  restart();
  runToy();
  if (name === 'toy') $('toy-section').scrollIntoView({ behavior: 'auto', block: 'start' });
}

function wire() {
  $('controls').addEventListener('change', onControl);
  $('toy-controls').addEventListener('change', onControl);
  $('toy-controls').addEventListener('submit', (e) => e.preventDefault());
  $('controls').addEventListener('submit', (e) => e.preventDefault());
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
  $('export-csv').onclick = () => download('explr-metrics.csv', 'text/csv', csv());
  $('export-json').onclick = () => download('explr-metrics.json', 'application/json',
    JSON.stringify({ state, experiment: toExperiment(state), steps: history }));
  $('export-png').onclick = () => {
    for (const key of ['lr', 'wnorm', 'efflr', 'loss', 'acc', 'dist']) {
      const url = plots.png(key);
      if (url) download(`explr-${key}.png`, 'image/png', url);
    }
  };
  $('app').addEventListener('keydown', (e) => {
    if (e.target.closest('input, select, textarea')) return;
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
  window.addEventListener('resize', () => plots && plots.resize());
  if (state.embed && window.parent !== window) {
    new ResizeObserver(() => {
      window.parent.postMessage({ type: 'explr:height', height: document.documentElement.scrollHeight }, '*');
    }).observe(document.body);
  }
}

// Hooks for tests and the benchmark: the metric history, the current state, the worker's
// WebGPU counters, and a way to lose the GPU device on purpose (to see the page recover).
window.__explr = {
  get history() {
    return history;
  },
  get state() {
    return state;
  },
  get perf() {
    return { ...perf };
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

document.body.classList.toggle('embed', state.embed);
document.body.classList.toggle('lecture', state.mode === 'lecture');
document.documentElement.classList.toggle('lecture', state.mode === 'lecture');
if (window.matchMedia('(prefers-reduced-motion: reduce)').matches) document.body.classList.add('reduced-motion');
wire();
parsed.problems.forEach((p) => message(p, 'error'));
syncUrl();
restart();
runToy();
