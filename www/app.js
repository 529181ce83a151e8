// The page: one state object (URL-serialized), the controls bound to it, and the live plots.
// The engines' lifecycle lives in session.js (no DOM); this file draws what it reports. Errors
// are shown in #messages; the page keeps working.
//
// Responsiveness: worker messages only append to the bounded history and the charts'
// envelopes (cheap, O(steps in the message)); everything visible is drawn at most once per
// animation frame, and each frame acknowledges what it drew, which is what lets the worker go
// on (it runs at most two messages ahead). So the page answers within a frame at any speed and
// any history length.
import { adoptEarlyWorker, initMessage, parsed } from './boot.js';
import { FIELDS, crossCheck, defaults, fromQuery, isSweep, resolvePrecision, toQuery } from './state.js';
import { Plots, fmt, swatch } from './plots.js';
import { History } from './history.js';
import { csvText, download, settingsText } from './export.js';
import { theoryPanel } from './theory.js';
import { PRESETS } from './presets.js';
import { drawBoundaries } from './boundary.js';
import { SweepView } from './sweep.js';
import { chaosNote, explanation, readout } from './explain.js';
import { ToyPanel, toyLegend } from './toy.js';
import { frameScheduler } from './frames.js';
import { adapterInfo, cpuWorker, workerFor } from './engines.js';
import { recall, remember } from './measurements.js';
import { RunWatch } from './watch.js';
import { scheduleFields } from './first-paint.js';
import { Session } from './session.js';
import { message } from './messages.js';
import { installHooks } from './hooks.js';
import { Tour, sceneState } from './tour.js';
import { connectHost } from './host.js';

const $ = (id) => document.getElementById(id);
let state = parsed.state;
const view = state.embed ? 'embed' : state.mode === 'lecture' ? 'lecture' : 'normal';
const session = new Session({ workerFor, adapterInfo, adopt: adoptEarlyWorker, initMessage, recall, remember, hidden: () => document.hidden });
/** What the page draws of the current start: its runs, history, charts and views. */
const page = { runs: [], store: null, plots: null, sweepView: null, watch: null, grid: null, smoothed: [] };
let lastRate = { t: performance.now(), steps: 0 };
let lastTheory = 0;
/** A redraw of the formula panel held back by its rate limit (so the last step is drawn too). */
let theoryTimer = 0;
let lastSweep = 0;
const frames = { drawn: 0, maxMs: 0 };
const toy = new ToyPanel({ canvas: $('toy-canvas'), curves: $('toy-curves'), summary: $('toy-summary'), makeWorker: cpuWorker, onError: (text) => message(text, 'error') });
const TOY_KEYS = ['toy', 'toyeta', 'toywd', 'toysteps'];
/** What the page keeps of the viewer's own choices when it builds a preset or a scene. */
const kept = () => ({ embed: state.embed, mode: state.mode, backend: state.backend, speed: state.speed, precision: state.precision, time: state.time });
const tour = new Tour({
  root: $('tour'),
  session,
  store: () => page.store,
  runs: () => page.runs,
  theory: () => session.theory,
  go: (k) => goScene(k),
});

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
  $('play').textContent = session.playing ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(session.playing));
}

function setBadge(text, backend) {
  const b = $('badge');
  b.textContent = text;
  b.dataset.backend = backend;
}

function badgeText() {
  const { engine } = session;
  return `${engine.backend === 'webgpu' ? `WebGPU · ${engine.adapter}` : 'CPU · wasm (flex)'} · ${engine.precision}`;
}

/** The words beside the charts that follow the configuration. */
function renderNotes() {
  const text = explanation(state);
  $('explain').textContent = text;
  $('explain').hidden = !text;
  const distNote = $('dist-note');
  const { engine } = session;
  distNote.hidden = isSweep(state) && !state.sweep_twins;
  distNote.textContent = state.chaos ? chaosNote(engine.precision || resolvePrecision(state, 'cpu'), engine.backend) : 'Distance to A: the angle between the weights of each twin and its weight-decay run.';
  $('boundary-hint').textContent = state.norm === 'none'
    ? 'Predicted class over [−1.6, 1.6]². Without normalization B’s larger weights change its predictions: the pictures part.'
    : `Predicted class over [−1.6, 1.6]², ${state.norm === 'batch' ? 'batch-norm statistics from a fixed training batch' : 'each point normalized on its own'}. Run B’s weights are α⁻ᵗ times larger; its picture is the same.`;
}

/** The engines' measured speeds and what is being brought up, beside the badge. */
function renderEngines() {
  const { measured, incoming, warmup } = session;
  const parts = [];
  if (measured.cpu !== null) parts.push(`CPU ${fmt(measured.cpu)} ms/step`);
  if (measured.webgpu !== null) parts.push(`WebGPU ${fmt(measured.webgpu)} ms/step`);
  if (incoming && !incoming.msPerStep) parts.push(`bringing up ${incoming.kind === 'webgpu' ? 'WebGPU' : 'the CPU engine'}…`);
  if (warmup && warmup.pipelines) parts.push(`WebGPU warm-up: ${warmup.pipelines} kernels compiled in ${(warmup.ms / 1000).toFixed(1)} s`);
  $('engines').textContent = parts.join(' · ');
}

/** A legend shared by all charts: colour, dash and label of each run (a sweep's grouped by η and λ). */
function renderLegend() {
  const box = $('legend');
  box.replaceChildren();
  if (page.sweepView) {
    box.append(...page.sweepView.legend());
    return;
  }
  for (const run of page.runs) {
    const item = document.createElement('span');
    item.className = `legend-item role-${run.role}`;
    item.append(swatch(run), document.createTextNode(run.label));
    box.append(item);
  }
}

/**
 * Restarts the run with the current state (the session clears the view as it starts); in the
 * tour, the scene starts again from its question.
 */
function restart() {
  if (state.tour) tour.show(state.tour);
  session.start(state);
}

/** A new start: everything drawn of the last one goes; the charts follow the engine's runs. */
function clearView() {
  clearTimeout(theoryTimer);
  theoryTimer = 0;
  $('measure').hidden = true;
  renderControls();
  Object.assign(page, { runs: [], store: null, plots: null, sweepView: null, watch: null, grid: null, smoothed: [] });
  $('sweep-section').hidden = true;
  $('run-notes').replaceChildren();
  // The charts are rebuilt at 'ready': until then their place keeps its height.
  if ($('plots').offsetHeight) $('plots').style.minHeight = `${$('plots').offsetHeight}px`;
  $('plots').replaceChildren();
  $('legend').replaceChildren();
  $('stepcount').textContent = 'step 0';
  $('readout').textContent = '';
  setBadge('starting…', '');
  $('rate').textContent = '';
  $('boundaries').replaceChildren();
  document.body.dataset.ready = '0';
  document.body.dataset.steps = '0';
  renderNotes();
  $('theory').replaceChildren(theoryPanel(state, null, null, []));
}

/**
 * The time charts for the engine's runs: against steps, or (time = intrinsic) steps × λη — one
 * λη for all runs but a sweep's, whose cells take each their own (sweep.js).
 */
function makePlots() {
  const lambdaEta = state.time === 'intrinsic' && !isSweep(state) ? page.runs[0]?.lambdaEta || null : null;
  return new Plots($('plots'), page.runs, { view, layers: page.layers, lambdaEta, invariant: state.norm !== 'none', ...(state.tour && { keys: tour.scene.charts, height: view === 'lecture' ? 185 : 180 }) });
}

/** The time axis changed: the charts again, from the kept history (training goes on). */
function retime() {
  if (!page.plots) return;
  page.plots = makePlots();
  page.plots.push(page.store.toObjects());
  if (page.sweepView) page.sweepView.intrinsic = state.time === 'intrinsic';
  lastSweep = 0;
  requestFrame();
}

/** The engine built the experiment: the charts, legend, notes and views for its runs. */
function onReady({ runs, layers, backend, precision, theory, asked }) {
  page.runs = runs;
  page.store = new History(page.runs.length);
  page.sweepView = isSweep(state) && view !== 'embed' ? new SweepView($('sweep-section'), runs, { intrinsic: state.time === 'intrinsic' }) : null;
  $('sweep-section').hidden = !page.sweepView;
  // A sweep's runs are told apart as its grid is: colour by η, dash by λ.
  if (page.sweepView) page.sweepView.styles().forEach((style, k) => (page.runs[k].style = style));
  page.layers = layers;
  page.plots = makePlots();
  $('plots').style.minHeight = '';
  page.watch = new RunWatch(page.runs, state.norm);
  renderLegend();
  $('legend').hidden = Boolean(state.tour) && !tour.scene.charts.length;
  setBadge(badgeText(), backend);
  document.body.dataset.ready = '1';
  document.body.dataset.precision = precision;
  renderNotes();
  renderControls();
  $('boundaries-section').hidden = state.dataset === 'mnist' || isSweep(state);
  // The boundary grid follows the first frame the steps draw.
  if (!asked) requestBoundary(true);
  // The toy's engine starts a moment later (a second when steps are waiting): on two cores,
  // compiling it beside the first training step would delay that step.
  if (!toy.started) setTimeout(() => toy.started || runToy(), asked ? 1000 : 300);
  $('theory').replaceChildren(theoryPanel(state, theory, null, page.runs));
  if (state.tour) tour.onReady();
}

/** A chunk of steps from the engine: into the history, the charts and the run watch. */
function onMetrics(m) {
  if (!page.store) return;
  page.store.append(m.steps);
  const { smoothed } = page;
  for (const st of m.steps) {
    st.runs.forEach((r, k) => {
      smoothed[k] = smoothed[k] === undefined ? r.angular_update : smoothed[k] + 0.01 * (r.angular_update - smoothed[k]);
    });
  }
  page.plots.push(m.steps);
  for (const text of page.watch.feed(m.steps, page.grid)) runNote(text);
  requestFrame();
  if (state.tour) tour.onMetrics();
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
  if (!page.store) return;
  $('theory').replaceChildren(theoryPanel(state, session.theory, page.store.lastStep, page.runs, page.smoothed));
}

/** Says under the charts what happened to a run (e.g. that it stopped moving, and why). */
function runNote(text) {
  const p = document.createElement('p');
  p.textContent = text;
  $('run-notes').append(p);
}

/** Asks for one drawing of what arrived (frames.js: one per frame, or from a timer). */
const requestFrame = frameScheduler(frame);

/** Draws what arrived since the last frame, then lets the worker go on. */
function frame() {
  const { plots, store, sweepView } = page;
  if (!plots) return;
  const t0 = performance.now();
  const drew = plots.draw();
  const last = store.lastStep;
  // A tour scene without charts (the probe) still shows its step.
  if (last && (drew || !plots.charts.length)) {
    $('stepcount').textContent = `step ${last.step}`;
    $('readout').textContent = sweepView ? sweepView.status(store) : readout(page.runs, last, state.eta);
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
      const gpu = session.gpuPerStep === null ? '' : ` · ${Math.round(session.gpuPerStep)} GPU dispatches/step`;
      $('rate').textContent = `${fmt(Math.max(0, rate))} steps/s${gpu}`;
      lastRate = { t: t0, steps: last.step };
    }
    requestBoundary();
  }
  session.ack();
  if (plots.pending) requestFrame();
  frames.drawn += drew ? 1 : 0;
  frames.maxMs = Math.max(frames.maxMs, performance.now() - t0);
}

/** Asks the engine for a decision-boundary grid where the page shows one. */
function requestBoundary(force = false) {
  if (state.dataset === 'mnist' || view === 'embed' || isSweep(state) || state.tour) return;
  session.requestBoundary(48, force);
}

/** Recomputes the toy's path (not in the embed or the tour, which show no toy). */
function runToy() {
  if (view !== 'embed' && !state.tour) toy.run(state);
}

function togglePlay() {
  session.play(!session.playing, state.speed);
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
  const wasPlaying = session.playing;
  state = next;
  session.update(state);
  syncUrl();
  if (TOY_KEYS.includes(key)) {
    renderControls();
    runToy();
    return;
  }
  if (key === 'speed') {
    renderControls();
    session.setSpeed(state.speed);
    return;
  }
  if (key === 'backend') {
    renderControls();
    session.changeBackend();
    return;
  }
  if (key === 'time') {
    renderControls();
    retime();
    return;
  }
  restart();
  if (wasPlaying) togglePlay();
}

/** The settings in words, for the figure's caption and the exports. */
const caption = () => settingsText(state, session.engine, page.store && page.store.lastStep ? page.store.lastStep.step : 0, window.location.href);

/** Goes to scene k of the tour: its run, its charts, its card. */
function goScene(k) {
  state = sceneState(k, kept());
  crossCheck(state);
  syncUrl();
  restart();
}

function applyPreset(name) {
  const p = PRESETS[name];
  if (!p) return;
  state = { ...defaults(), ...p.state, ...kept() };
  crossCheck(state);
  syncUrl();
  restart();
  runToy();
  if (name === 'toy') $('toy-section').scrollIntoView({ behavior: 'auto', block: 'start' });
}

/** Fills the preset menu (the settings' own options and ranges come with the page: controls.js). */
function prepareControls() {
  const sel = $('preset');
  for (const [key, p] of Object.entries(PRESETS)) sel.append(new Option(p.label, key));
}

/** The session's events, drawn. */
function listen() {
  const on = (type, fn) => session.addEventListener(type, (e) => fn(e.detail));
  on('phase', ({ phase }) => {
    if (phase === 'starting') clearView();
    if (phase === 'stopped') setBadge('stopped', '');
  });
  on('ready', onReady);
  on('metrics', onMetrics);
  on('probe', (m) => tour.onProbe(m));
  on('boundary', (g) => {
    page.grid = g;
    drawBoundaries($('boundaries'), page.runs, g.res, g.classes, g.probs);
  });
  on('notice', ({ text, kind, topic }) => message(text, kind, topic));
  on('engine', renderEngines);
  on('measure', ({ offer }) => ($('measure').hidden = !offer));
  on('playing', renderControls);
  on('moved', () => {
    setBadge(badgeText(), session.engine.backend);
    document.body.dataset.precision = session.engine.precision;
    document.body.dataset.engineMoves = String(Number(document.body.dataset.engineMoves || 0) + 1);
    renderNotes();
  });
}

function wire() {
  prepareControls();
  for (const id of ['controls', 'quick', 'toy-controls']) {
    $(id).addEventListener('change', onControl);
    $(id).addEventListener('submit', (e) => e.preventDefault());
  }
  $('play').onclick = togglePlay;
  $('step').onclick = () => {
    session.step();
    renderControls();
  };
  $('reset').onclick = () => restart();
  $('measure').onclick = () => session.measure();
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
  $('export-csv').onclick = () => page.store && download('explr-metrics.csv', 'text/csv', csvText(page.store, page.runs, caption(), session.engine));
  $('export-json').onclick = () => download('explr-metrics.json', 'application/json',
    JSON.stringify({ state, experiment: session.experiment, engine: session.engine, stride: page.store ? page.store.stride : 1, steps: page.store ? page.store.toObjects() : [] }));
  $('export-png').onclick = async () => {
    if (!page.plots) return;
    download('explr-figure.png', 'image/png', await page.plots.figure(caption()));
  };
  connectHost({
    app: $('app'),
    embed: Boolean(state.embed),
    tour: () => (state.tour ? tour : null),
    playing: () => session.playing,
    togglePlay,
    step: () => $('step').click(),
    restart,
  });
  // Leaving the page (a reload, a link) drops an engine being brought up at once: its kernel
  // compiles would otherwise go on behind the next page.
  window.addEventListener('pagehide', () => session.leave());
  let resizeFrame = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resizeFrame);
    if (!page.plots) return;
    resizeFrame = requestAnimationFrame(() => page.plots && page.plots.resize());
  });
}

// view.js marked the view before the first paint; the parsed settings decide.
document.documentElement.classList.toggle('embed', view === 'embed');
document.documentElement.classList.toggle('lecture', view === 'lecture');
document.documentElement.classList.toggle('tour', state.tour > 0);
if (window.matchMedia('(prefers-reduced-motion: reduce)').matches) document.body.classList.add('reduced-motion');
listen();
wire();
installHooks({ page, session, frames, tour, state: () => state, caption });
toyLegend($('toy-legend'));
parsed.problems.forEach((p) => message(p, 'error'));
parsed.notices.forEach((p) => message(p, 'notice'));
syncUrl();
// The toy's engine starts once the training engine is up (see onReady).
if (state.tour) goScene(state.tour);
else restart();
