// The page: one state object (URL-serialized), the controls bound to it, the training worker
// and the live plots. Errors are shown in #messages; the page keeps working.
//
// Responsiveness: worker messages only append to the bounded history and the charts'
// envelopes (cheap, O(steps in the message)); everything visible is drawn at most once per
// animation frame, and each frame acknowledges what it drew, which is what lets the worker go
// on (it runs at most two messages ahead). So the page answers within a frame at any speed and
// any history length.
import { adoptEarlyWorker, initMessage, parsed, startPrecision } from './boot.js';
import { FIELDS, crossCheck, defaults, fromQuery, isSweep, resolvePrecision, runInfo, toQuery } from './state.js';
import { Plots, drawSwatch, fmt } from './plots.js';
import { History } from './history.js';
import { csvText } from './export.js';
import { theoryPanel } from './theory.js';
import { PRESETS } from './presets.js';
import { drawBoundaries } from './boundary.js';
import { SweepView } from './sweep.js';
import { chaosNote, explanation, readout } from './explain.js';
import { drawToy, drawToyCurves, toyLegend, toySummary } from './toy.js';
import { adapterInfo, cpuWorker, gpuIsFaster, workerFor } from './engines.js';
import { recall, remember, shapeKey } from './measurements.js';
import { RunWatch } from './watch.js';
import { scheduleFields } from './first-paint.js';

const $ = (id) => document.getElementById(id);
let state = parsed.state;
const view = state.embed ? 'embed' : state.mode === 'lecture' ? 'lecture' : 'normal';
let worker = null;
let plots = null;
let store = null;
/** The experiment the engine built from the settings (JSON object), once it is ready. */
let experiment = null;
let runs = [];
let playing = false;
let lastRate = { t: performance.now(), steps: 0 };
let generation = 0;
let fellBack = false;
let constants = null;
let engineReady = false;
let pendingSteps = 0;
/** Whether a step was asked for before the engine was ready (the worker queues it behind its start). */
let askedEarly = false;
let lastBoundary = 0;
/** How long the last decision-boundary grid took, request to answer (ms). */
let boundaryMs = 0;
let lastTheory = 0;
/** A redraw of the formula panel held back by its rate limit (so the last step is drawn too). */
let theoryTimer = 0;
/** The sweep view (small multiples, λη plot) when the settings are a sweep. */
let sweepView = null;
let lastSweep = 0;
/** Watches the runs for one that stopped moving (then says so under the charts). */
let watch = null;
/** The latest decision-boundary grid ({res, classes, probs}), or null. */
let lastGrid = null;
/** Smoothed angular update of each run (exponential average over ≈ 100 steps). */
let smoothed = [];
let toyWorker = null;
/** After a fallback: {steps, play} to replay on the new backend, so no progress is lost. */
let resume = null;
let gpuPerStep = null;
/** What the engine runs on: {backend, precision, adapter}. */
let engine = { backend: '', precision: '', adapter: null };
/**
 * An engine being brought up behind the running one: {worker, kind, adapter, precision, force,
 * remembered, ready, msPerStep}; `force` moves the run there once it is warm (`remembered`:
 * because a measurement remembered for this adapter said so), else auto decides by measuring.
 * `moving` holds {t0, wasPlaying, from} while the run is on its way to it.
 */
let incoming = null;
let moving = null;
/** Set when a step turned NaN/∞: the run keeps its history and takes no more steps. */
let diverged = null;
/** Measured ms per step of the current experiment on each engine. */
let measured = { cpu: null, webgpu: null };
/** The last engine brought up: how long its warm-up steps took (ms) and the GPU kernels they compiled. */
let warmup = null;
/** Running totals of where training time went: queueing steps vs waiting for results. */
let perf = { steps: 0, queueMs: 0, waitMs: 0 };
/** Frame bookkeeping: paced messages to acknowledge, whether a frame is requested, counters. */
let unacked = 0;
let frameRequested = false;
const frames = { drawn: 0, maxMs: 0 };
const profileWaiters = [];
const TOY_KEYS = ['toy', 'toyeta', 'toywd', 'toysteps'];

/**
 * Shows a message; kind is 'error' or 'notice'. A message already shown is not repeated, and
 * a new one on the same `topic` (e.g. 'engine') replaces the old one.
 */
export function message(text, kind = 'notice', topic = '') {
  const box = $('messages');
  for (const old of [...box.children]) {
    if (old.dataset.text === text || (topic && old.dataset.topic === topic)) old.remove();
  }
  const p = document.createElement('p');
  p.className = kind;
  p.dataset.text = text;
  p.dataset.topic = topic;
  p.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'dismiss');
  close.onclick = () => p.remove();
  p.append(close);
  box.append(p);
  while (box.children.length > 8) box.firstChild.remove();
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
  scheduleFields(state);
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
  distNote.hidden = isSweep(state) && !state.sweep_twins;
  distNote.textContent = state.chaos ? chaosNote(engine.precision || resolvePrecision(state, 'cpu'), engine.backend) : 'Distance to A: the angle between the weights of each twin and its weight-decay run.';
  $('boundary-hint').textContent = state.norm === 'none'
    ? 'Predicted class over [−1.6, 1.6]². Without normalization B’s larger weights change its predictions: the pictures part.'
    : `Predicted class over [−1.6, 1.6]², ${state.norm === 'batch' ? 'batch-norm statistics from a fixed training batch' : 'each point normalized on its own'}. Run B’s weights are α⁻ᵗ times larger; its picture is the same.`;
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
  dropIncoming();
  clearTimeout(theoryTimer);
  theoryTimer = 0;
  $('measure').hidden = true;
  moving = null;
  measured = { cpu: null, webgpu: null };
  warmup = null;
  boundaryMs = 0;
  diverged = null;
  playing = false;
  unacked = 0;
  renderControls();
  // The engine builds the experiment from the settings; the charts follow its runs (on 'ready').
  runs = [];
  experiment = null;
  store = null;
  plots = null;
  sweepView = null;
  smoothed = [];
  $('sweep-section').hidden = true;
  watch = null;
  lastGrid = null;
  $('run-notes').replaceChildren();
  // The charts are rebuilt at 'ready': until then their place keeps its height.
  if ($('plots').offsetHeight) $('plots').style.minHeight = `${$('plots').offsetHeight}px`;
  $('plots').replaceChildren();
  $('legend').replaceChildren();
  $('stepcount').textContent = 'step 0';
  $('readout').textContent = '';
  setBadge('starting…', '');
  engineReady = false;
  pendingSteps = 0;
  askedEarly = false;
  resume = replay && replay.steps > 0 ? replay : null;
  gpuPerStep = null;
  engine = { backend: '', precision: '', adapter: null };
  $('rate').textContent = '';
  $('boundaries').replaceChildren();
  document.body.dataset.ready = '0';
  document.body.dataset.steps = '0';
  renderNotes();
  // Every run starts on the small CPU engine; WebGPU, where wanted, is brought up behind it.
  // A run that will move to WebGPU (forced) computes in f32 from the start.
  const want = backend || (fellBack ? 'cpu' : state.backend);
  const init = initMessage(state, 'cpu', precision || startPrecision(state, want));
  const early = adoptEarlyWorker(init);
  worker = attach(early ? early.worker : cpuWorker(), gen, onWorker);
  if (!early) worker.postMessage(init);
  constants = null;
  $('theory').replaceChildren(theoryPanel(state, null, null, runs));
  // What the worker started at load said before the page was here to listen.
  if (early) early.inbox.forEach((m) => onWorker(m));
}

/** Routes `w`'s messages and errors to `handler` while generation `gen` lasts. */
function attach(w, gen, handler) {
  w.onmessage = ({ data }) => {
    if (gen === generation) handler(data, w);
  };
  w.onerror = (e) => {
    if (gen !== generation) return;
    e.preventDefault();
    handler({ type: 'error', message: e.message || 'the training worker stopped', fatal: true }, w);
  };
  return w;
}

function dropIncoming() {
  if (incoming) incoming.worker.terminate();
  incoming = null;
}

/** How long auto waits after a start before it times WebGPU (a setting changed again meanwhile cancels it). */
const MEASURE_DELAY_MS = 2000;

/**
 * Brings up the engine of `kind` behind the running one, for the current experiment and in
 * the precision the run would have there (f32 on WebGPU; back on the CPU, the settings' own:
 * f64 under auto); `force` moves the run to it once it is warm. Else (auto) it decides by a
 * measurement remembered for this adapter and model shape, or by timing both engines — which
 * it does unasked only on a hardware adapter: a software one (SwiftShader, lavapipe) compiles
 * WebGPU's kernels for seconds on the CPU the run trains on, and is slower anyway. `measure`
 * (the Measure button) times both engines whatever the adapter and whatever was remembered.
 */
async function bringUp(kind, force, measure = false) {
  const gen = generation;
  dropIncoming();
  $('measure').hidden = true;
  let adapter = null;
  let remembered = false;
  if (kind === 'webgpu') {
    adapter = await adapterInfo();
    if (gen !== generation) return;
    if (!adapter) {
      message(`WebGPU is not available in this browser: training on the CPU${force ? '' : ' instead'}.`, 'notice', 'engine');
      return;
    }
    if (!force && state.precision === 'f64') {
      message('f64 was asked for, and WebGPU computes in f32 only (WGSL has no f64): training stays on the CPU.', 'notice', 'engine');
      return;
    }
    if (!force && !measure) {
      const known = recall(adapter.name, shapeKey(experiment, engine.precision));
      if (known) {
        measured = { ...known };
        renderEngines();
        if (!gpuIsFaster(known.cpu, known.webgpu)) {
          message(`Measured before on this adapter (${adapter.name}) for this network: a step takes ${fmt(known.cpu)} ms on the CPU and ${fmt(known.webgpu)} ms on WebGPU, so training stays on the CPU.`, 'notice', 'engine');
          $('measure').hidden = false;
          return;
        }
        remembered = true;
        force = true;
      } else if (adapter.software) {
        message(`WebGPU here runs on a software adapter (${adapter.name}), which is far slower than the CPU engine for networks this small: training stays on the CPU. Measure both engines to see (it compiles WebGPU's kernels, which takes several seconds).`, 'notice', 'engine');
        $('measure').hidden = false;
        return;
      }
    }
    if (!force || remembered) {
      // A setting changed or a reload within the delay cancels this bring-up before it costs anything.
      await new Promise((r) => setTimeout(r, MEASURE_DELAY_MS));
      if (gen !== generation || document.hidden) return;
    }
  }
  const precision = kind === 'webgpu' ? 'f32' : resolvePrecision(state, 'cpu');
  const w = workerFor(kind);
  incoming = { worker: w, kind, adapter, precision, force, remembered, ready: false, msPerStep: null };
  attach(w, gen, onIncoming);
  w.postMessage(initMessage(state, kind, precision));
  renderEngines();
}

/** Messages from the engine being brought up. */
function onIncoming(m, w) {
  if (!incoming || incoming.worker !== w) return;
  switch (m.type) {
    case 'ready':
      incoming.ready = true;
      incoming.adapter = incoming.adapter && { ...incoming.adapter, name: m.adapter || incoming.adapter.name };
      // Warm it: a few steps of a throwaway copy compile every kernel, then time some more.
      w.postMessage({ type: 'bench', steps: 10 });
      break;
    case 'bench':
      incoming.msPerStep = m.msPerStep;
      warmup = { ms: m.warmMs, pipelines: m.pipelines };
      measured[incoming.kind] = m.msPerStep;
      if (incoming.force) moveRun();
      else if (measured.cpu === null) worker.postMessage({ type: 'bench', steps: 20 });
      else decide();
      renderEngines();
      break;
    case 'restored':
      finishMove(m.step);
      break;
    case 'notice':
      message(m.message, 'notice');
      break;
    case 'error':
    case 'lost':
      message(`The ${incoming.kind === 'webgpu' ? 'WebGPU' : 'CPU'} engine could not be brought up (${m.message}); training goes on where it is.`, 'notice', 'engine');
      if (moving) resumeAfterMove();
      dropIncoming();
      renderEngines();
      break;
    default:
      break;
  }
}

/** Auto: moves the run to the warm WebGPU engine only where it measured faster (and remembers). */
function decide() {
  if (!incoming || moving) return;
  const { cpu, webgpu } = measured;
  if (incoming.adapter) remember(incoming.adapter.name, shapeKey(experiment, engine.precision), measured);
  if (gpuIsFaster(cpu, webgpu)) {
    moveRun();
  } else {
    message(`Measured on this experiment: a step takes ${fmt(cpu)} ms on the CPU and ${fmt(webgpu)} ms on WebGPU (${incoming.adapter.name}): training stays on the CPU. Choose WebGPU under Backend to move there anyway.`, 'notice', 'engine');
    dropIncoming();
  }
  renderEngines();
}

/** Moves the running experiment to the warm incoming engine: pause, snapshot, restore. */
function moveRun() {
  if (!incoming || !incoming.ready || moving) return;
  moving = { t0: performance.now(), wasPlaying: playing, from: engine.precision };
  if (playing) worker.postMessage({ type: 'pause' });
  worker.postMessage({ type: 'snapshot' });
}

/** The new engine has the run: it becomes the running one. */
function finishMove(step) {
  const old = worker;
  const { kind, adapter, precision, remembered } = incoming;
  worker = incoming.worker;
  worker.onmessage = old.onmessage;
  worker.onerror = old.onerror;
  incoming = null;
  old.terminate();
  const ms = performance.now() - moving.t0;
  const from = moving.from;
  moving = null;
  unacked = 0;
  engine = { backend: kind, precision, adapter: adapter && adapter.name };
  setBadge(badgeText(), kind);
  document.body.dataset.precision = engine.precision;
  document.body.dataset.engineMoves = String(Number(document.body.dataset.engineMoves || 0) + 1);
  const why = remembered ? ` (measured faster before on this adapter: CPU ${fmt(measured.cpu)} ms/step, WebGPU ${fmt(measured.webgpu)} ms/step)` : '';
  message(`Moved the run to ${kind === 'webgpu' ? `WebGPU (${adapter.name})` : 'the CPU'} at step ${step} in ${Math.round(ms)} ms${why}; ${precisionChange(from, precision)}`, 'notice', 'engine');
  renderNotes();
  renderEngines();
  resumeAfterMove();
}

/** What a move from precision `from` to `to` did to the run, in words. */
function precisionChange(from, to) {
  if (from === to) return `it goes on exactly where it was, in ${to}.`;
  if (to === 'f32') {
    const control = state.chaos ? ' The rounding-chaos control A′ (A moved by one unit in the last place of f64) became A itself in f32: it now follows A exactly and tells nothing; Reset for a new one.' : '';
    return `it goes on from the same weights, now in f32: WGSL has no f64, so every value was rounded to f32 and the runs separate at f32’s rounding from here.${control}`;
  }
  return `it goes on from the same weights, now in ${to} again (the steps on WebGPU were computed in f32).`;
}

function resumeAfterMove() {
  moving = null;
  if (pendingSteps > 0) worker.postMessage({ type: 'step', steps: pendingSteps });
  pendingSteps = 0;
  if (playing) worker.postMessage({ type: 'play', chunk: state.speed });
}

function badgeText() {
  return `${engine.backend === 'webgpu' ? `WebGPU · ${engine.adapter}` : 'CPU · wasm (flex)'} · ${engine.precision}`;
}

/** The engines' measured speeds and what is being brought up, beside the badge. */
function renderEngines() {
  const parts = [];
  if (measured.cpu !== null) parts.push(`CPU ${fmt(measured.cpu)} ms/step`);
  if (measured.webgpu !== null) parts.push(`WebGPU ${fmt(measured.webgpu)} ms/step`);
  if (incoming && !incoming.msPerStep) parts.push(`bringing up ${incoming.kind === 'webgpu' ? 'WebGPU' : 'the CPU engine'}…`);
  if (warmup && warmup.pipelines) parts.push(`WebGPU warm-up: ${warmup.pipelines} kernels compiled in ${(warmup.ms / 1000).toFixed(1)} s`);
  $('engines').textContent = parts.join(' · ');
}

/** A line sample of `run` ({style} or a run) on a small canvas. */
function swatch(run) {
  const sw = document.createElement('canvas');
  sw.width = 36;
  sw.height = 10;
  sw.setAttribute('aria-hidden', 'true');
  drawSwatch(sw.getContext('2d'), run, 0, 5);
  return sw;
}

/** A legend shared by all charts: colour, dash and label of each run (a sweep's grouped by η and λ). */
function renderLegend() {
  const box = $('legend');
  box.replaceChildren();
  if (sweepView) {
    box.append(...sweepView.legend((style) => swatch({ style })));
    return;
  }
  for (const run of runs) {
    const item = document.createElement('span');
    item.className = `legend-item role-${run.role}`;
    item.append(swatch(run), document.createTextNode(run.label));
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
  const precision = resolvePrecision(state, 'cpu');
  const replay = p.steps > 0 ? ` Replaying the ${p.steps} steps done so far from the same seed in ${precision}, then going on.` : '';
  message(`${what}. Restarting on the CPU backend${engine.precision && engine.precision !== precision ? ` in ${precision} (WebGPU computed in ${engine.precision})` : ''}.${replay}`, 'error', 'engine');
  restart('cpu', p, precision);
}

function fatal(text) {
  if (engine.backend === 'webgpu' && !fellBack) {
    fallBackToCpu(`The GPU run failed (${text})`);
  } else {
    message(`Training stopped: ${text}`, 'error');
    playing = false;
    setBadge('stopped', '');
    renderControls();
  }
}

/** How often the formula panel is rebuilt at most (ms). */
const THEORY_MS = 250;

/**
 * Redraws the formula panel for the latest step, at most every THEORY_MS; a redraw held back
 * by that limit happens when it ends, so the panel always ends on the step the page shows.
 */
function drawTheory(now) {
  if (now - lastTheory < THEORY_MS) {
    if (!theoryTimer) theoryTimer = setTimeout(() => {
      theoryTimer = 0;
      drawTheory(performance.now());
    }, THEORY_MS - (now - lastTheory));
    return;
  }
  lastTheory = now;
  if (!store) return;
  $('theory').replaceChildren(theoryPanel(state, constants, store.lastStep, runs, smoothed));
}

/** Says under the charts what happened to a run (e.g. that it stopped moving, and why). */
function runNote(text) {
  const p = document.createElement('p');
  p.textContent = text;
  $('run-notes').append(p);
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
  if (!plots) return;
  const t0 = performance.now();
  const drew = plots.draw();
  const last = store.lastStep;
  if (drew && last) {
    $('stepcount').textContent = `step ${last.step}`;
    $('readout').textContent = sweepView ? sweepView.status(store) : readout(runs, last, state.eta);
    document.body.dataset.steps = String(last.step);
    drawTheory(t0);
    // The sweep view reads the whole kept history: redrawn at most twice a second, and less
    // often if it ever took longer than a frame's share.
    if (sweepView && t0 - lastSweep > Math.max(500, 20 * sweepView.drawMs)) {
      lastSweep = t0;
      sweepView.draw(store);
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
      experiment = exp;
      runs = runInfo(exp);
      store = new History(runs.length);
      engine = { backend: m.backend, precision: exp.precision, adapter: m.adapter };
      engineReady = true;
      constants = m.theory;
      if (resume) {
        pendingSteps += resume.steps;
        playing = playing || resume.play;
        resume = null;
      }
      // Steps asked for go first: the engine trains while the charts are built.
      const asked = askedEarly || pendingSteps > 0 || playing;
      if (pendingSteps > 0) worker.postMessage({ type: 'step', steps: pendingSteps });
      pendingSteps = 0;
      if (playing) worker.postMessage({ type: 'play', chunk: state.speed });
      sweepView = isSweep(state) && view !== 'embed' ? new SweepView($('sweep-section'), exp) : null;
      $('sweep-section').hidden = !sweepView;
      // A sweep's runs are told apart as its grid is: colour by η, dash by λ.
      if (sweepView) sweepView.styles().forEach((style, k) => (runs[k].style = style));
      plots = new Plots($('plots'), runs, { view, invariant: state.norm !== 'none' });
      $('plots').style.minHeight = '';
      watch = new RunWatch(runs, state.norm);
      renderLegend();
      setBadge(badgeText(), m.backend);
      document.body.dataset.ready = '1';
      document.body.dataset.precision = exp.precision;
      renderNotes();
      renderControls();
      $('boundaries-section').hidden = state.dataset === 'mnist' || isSweep(state);
      // The boundary grid follows the first frame the steps draw.
      if (!asked) requestBoundary(true);
      // The toy's engine starts a moment later (a second when steps are waiting): on two cores,
      // compiling it beside the first training step would delay that step.
      if (!toyWorker) setTimeout(() => toyWorker || runToy(), asked ? 1000 : 300);
      $('theory').replaceChildren(theoryPanel(state, constants, null, runs));
      const want = fellBack ? 'cpu' : state.backend;
      if (want !== 'cpu') bringUp('webgpu', want === 'webgpu');
      break;
    }
    case 'snapshot':
      if (moving && incoming) incoming.worker.postMessage({ type: 'restore', snapshot: m.snapshot });
      break;
    case 'bench':
      measured.cpu = m.msPerStep;
      decide();
      break;
    case 'boundary':
      lastGrid = { res: m.res, classes: m.classes, probs: m.probs };
      boundaryMs = performance.now() - lastBoundary;
      drawBoundaries($('boundaries'), runs, m.res, m.classes, m.probs);
      break;
    case 'metrics': {
      store.append(m.steps);
      for (const st of m.steps) {
        st.runs.forEach((r, k) => {
          smoothed[k] = smoothed[k] === undefined ? r.angular_update : smoothed[k] + 0.01 * (r.angular_update - smoothed[k]);
        });
      }
      plots.push(m.steps);
      for (const text of watch.feed(m.steps, lastGrid)) runNote(text);
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
      if (engine.backend === 'webgpu') fallBackToCpu(`The GPU stopped: ${m.message}`);
      break;
    case 'gpu-profile':
      profileWaiters.splice(0).forEach((resolve) => resolve(m));
      break;
    case 'error':
      if (m.fatal) fatal(m.message);
      else {
        if (m.diverged) diverged = m.message;
        message(m.message, 'error', m.diverged ? 'diverged' : '');
        playing = false;
        renderControls();
      }
      break;
    default:
      break;
  }
}

/**
 * Whether a step or play request can go to the worker now: it can before the engine is ready
 * (the worker takes it once its trainer is built), not while the run moves between engines.
 */
const canPost = () => Boolean(worker) && !moving;

/** Whether the run stopped at a NaN/∞ (then says so again, and what to do). */
function stopped() {
  if (diverged) message(diverged, 'error', 'diverged');
  return Boolean(diverged);
}

function requestBoundary(force = false) {
  if (state.dataset === 'mnist' || !engineReady || view === 'embed' || isSweep(state)) return;
  const now = performance.now();
  // A grid costs what it costs on this engine (several training steps on a software GPU):
  // refresh at most every 0.5 s and never spend more than a tenth of the time on it.
  if (!force && now - lastBoundary < Math.max(500, 10 * boundaryMs)) return;
  lastBoundary = now;
  worker.postMessage({ type: 'boundary', res: 48 });
}

/** Recomputes the toy path in its own small worker (independent of the training run). */
function runToy() {
  if (view === 'embed') return;
  if (!toyWorker) {
    toyWorker = cpuWorker();
    toyWorker.onmessage = ({ data }) => {
      if (data.type === 'toy') {
        drawToy($('toy-canvas'), data.path, state.toyeta, state.toy);
        drawToyCurves($('toy-curves'), data.path, state.toyeta);
        $('toy-summary').textContent = toySummary(data.path, state.toyeta, state.toysteps);
      } else if (data.type === 'error') {
        message(`toy: ${data.message}`, 'error');
      }
    };
  }
  toyWorker.postMessage({ type: 'toy', toy: state.toy, x0: 1.0, y0: 0.2, eta: state.toyeta, wd: state.toywd, steps: state.toysteps });
}

function togglePlay() {
  if (!playing && stopped()) return;
  playing = !playing;
  // During a move the run is paused between engines; resumeAfterMove applies `playing`.
  if (canPost()) worker.postMessage(playing ? { type: 'play', chunk: state.speed } : { type: 'pause' });
  renderControls();
}

/** The backend control moves the running experiment (or brings up WebGPU for auto). */
function changeBackend() {
  if (!engineReady) return;
  const want = state.backend;
  if (want === 'cpu' && engine.backend !== 'cpu') bringUp('cpu', true);
  else if (want === 'webgpu' && engine.backend !== 'webgpu') bringUp('webgpu', true);
  else if (want === 'auto' && engine.backend === 'cpu') bringUp('webgpu', false);
  else dropIncoming();
  renderEngines();
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
    if (playing && engineReady && !moving) worker.postMessage({ type: 'play', chunk: state.speed });
    return;
  }
  if (key === 'backend') {
    fellBack = false;
    renderControls();
    changeBackend();
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
  state = { ...defaults(), ...p.state, embed: state.embed, mode: state.mode, backend: state.backend, speed: state.speed, precision: state.precision };
  crossCheck(state);
  syncUrl();
  restart();
  runToy();
  if (name === 'toy') $('toy-section').scrollIntoView({ behavior: 'auto', block: 'start' });
}

/** Fills the preset menu from PRESETS. */
function presetMenu() {
  const sel = $('preset');
  for (const [key, p] of Object.entries(PRESETS)) sel.append(new Option(p.label, key));
}

/** Sets the number inputs' min and max from the field table (the engine's ranges). */
function inputRanges() {
  for (const [key, f] of Object.entries(FIELDS)) {
    const el = $(key);
    if (!el || el.type !== 'number' || f.min === undefined) continue;
    el.min = String(f.min);
    el.max = String(f.max);
  }
}

function wire() {
  presetMenu();
  inputRanges();
  for (const id of ['controls', 'quick', 'toy-controls']) {
    $(id).addEventListener('change', onControl);
    $(id).addEventListener('submit', (e) => e.preventDefault());
  }
  $('play').onclick = togglePlay;
  $('step').onclick = () => {
    if (stopped()) return;
    playing = false;
    if (canPost()) {
      worker.postMessage({ type: 'step', steps: 1 });
      askedEarly = askedEarly || !engineReady;
    } else pendingSteps += 1;
    renderControls();
  };
  $('reset').onclick = () => restart();
  $('measure').onclick = () => engineReady && engine.backend === 'cpu' && bringUp('webgpu', false, true);
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
  $('export-csv').onclick = () => store && download('explr-metrics.csv', 'text/csv', csvText(store, runs, settingsText(), engine));
  $('export-json').onclick = () => download('explr-metrics.json', 'application/json',
    JSON.stringify({ state, experiment, engine, stride: store ? store.stride : 1, steps: store ? store.toObjects() : [] }));
  $('export-png').onclick = async () => {
    if (!plots) return;
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
  // Leaving the page (a reload, a link) drops an engine being brought up at once: its kernel
  // compiles would otherwise go on behind the next page.
  window.addEventListener('pagehide', () => {
    if (moving) resumeAfterMove();
    dropIncoming();
    renderEngines();
  });
  let resizeFrame = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resizeFrame);
    if (!plots) return;
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
    return { ...engine, measured: { ...measured }, warmup };
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
  /** Where that figure puts its panels (CSS px; the PNG is 2× this). */
  figureLayout() {
    return plots.layout(settingsText());
  },
  /** How long the sweep view's last redraw took (ms), or null. */
  get sweepDrawMs() {
    return sweepView ? sweepView.drawMs : null;
  },
  /** The sweep view's points (η, λ, λη, predicted and settled Δ, accuracy), drawn now. */
  sweep() {
    if (!sweepView) return null;
    sweepView.draw(store);
    return sweepView.summary();
  },
  /** What each chart draws now: key, last step, each run's last value. */
  charts() {
    return plots ? plots.drawn() : [];
  },
  /** WebGPU work so far ({totals, kernels}); with `shaders`, also each pipeline's WGSL. */
  gpuProfile(shaders = false) {
    return new Promise((resolve) => {
      profileWaiters.push(resolve);
      worker.postMessage({ type: 'gpu-profile', shaders });
    });
  },
  loseDevice() {
    worker.postMessage({ type: 'lose-device' });
  },
};

// view.js marked the view before the first paint; the parsed settings decide.
document.documentElement.classList.toggle('embed', view === 'embed');
document.documentElement.classList.toggle('lecture', view === 'lecture');
if (window.matchMedia('(prefers-reduced-motion: reduce)').matches) document.body.classList.add('reduced-motion');
wire();
toyLegend($('toy-legend'));
parsed.problems.forEach((p) => message(p, 'error'));
parsed.notices.forEach((p) => message(p, 'notice'));
syncUrl();
// The toy's engine starts once the training engine is up (see 'ready').
restart();
