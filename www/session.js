// The page's engine lifecycle as one object: the training worker (and an engine being brought
// up behind it), the generation of the current start, what was asked for before the engine was
// ready, backpressure, moving a run between engines, the replay after a fallback, auto's
// measurement, divergence. It knows no DOM: app.js listens to its events and draws. What it
// says to the workers and hears from them is the protocol of protocol.js.
//
// Phases: 'starting' (a worker is building the experiment) → 'ready' (training or paused) ⇄
// 'moving' (the run is on its way to another engine); 'diverged' (a step turned NaN/∞: the
// history stays, no more steps); 'stopped' (the engine failed and no fallback is left).
//
// Events (CustomEvent, `detail` as listed):
//   phase    {phase}
//   ready    {experiment, runs, layers, backend, adapter, precision, theory, asked}: the engine built
//            the experiment; `runs`: how to show each (protocol.js RunView); `asked`: steps or
//            play were asked for before, and go first
//   metrics  the worker's metrics message ({steps, packed, paced, gpu, queueMs, waitMs}), its
//            `steps` read from the packed numbers (packed.js)
//   boundary {res, classes, probs}
//   notice   {text, kind: 'notice' | 'error', topic}
//   engine   {}: the engine, the measurements or what is being brought up changed
//   measure  {offer}: whether to offer timing WebGPU (auto did not, or it was slower before)
//   moved    {step, kind}: the run now trains on engine `kind`
//   playing  {playing}: play state changed by the session itself (a stop, a fallback)
import { gpuIsFaster } from './engines.js';
import { resolvePrecision, startPrecision } from './state.js';
import { shapeKey } from './measurements.js';
import { fmt } from './format.js';
import { unpackSteps } from './packed.js';

/**
 * How far the WebGPU engine's first steps may be from the CPU engine's before the run is moved
 * there: the largest difference of a run's loss over the first three steps of the same start,
 * relative to max(1, loss). f32 against f64 differ by ≈ 10⁻⁷ here; a kernel left out (cubecl on
 * wasm skips one that fails validation and leaves stale data: cubecl #1641) by far more.
 */
export const FIRST_STEPS_TOLERANCE = 1e-3;

/** The largest relative difference of two engines' first-step losses ([step][run]); ∞ if they do not match in shape. */
export function firstStepsGap(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b) || !a.length || a.length !== b.length) return Infinity;
  let gap = 0;
  for (let t = 0; t < a.length; t += 1) {
    if (a[t].length !== b[t].length) return Infinity;
    for (let r = 0; r < a[t].length; r += 1) {
      const d = Math.abs(a[t][r] - b[t][r]) / Math.max(1, Math.abs(b[t][r]));
      gap = Number.isFinite(d) ? Math.max(gap, d) : Infinity;
    }
  }
  return gap;
}

/** Whether an engine's first-step losses ([step][run]) are all there and finite. */
const allFinite = (rows) => Array.isArray(rows) && rows.length > 0 && rows.every((r) => r.length > 0 && r.every(Number.isFinite));

/** How long auto waits after a start before it times WebGPU (a restart meanwhile cancels it). */
export const MEASURE_DELAY_MS = 2000;

/** The engine lifecycle of the page (see the header). */
export class Session extends EventTarget {
  /**
   * `deps`: {workerFor(kind), adapterInfo(), adopt(init) → {worker, inbox} | null,
   * initMessage(state, backend, precision), recall(adapter, shape), remember(adapter, shape,
   * measured), hidden() → whether the page is hidden, measureDelayMs}.
   */
  constructor(deps) {
    super();
    this.deps = { measureDelayMs: MEASURE_DELAY_MS, hidden: () => false, ...deps };
    this.generation = 0;
    this.worker = null;
    this.incoming = null;
    this.fellBack = false;
    this.phase = 'stopped';
    this.playing = false;
    this.chunk = 20;
    this.reset();
  }

  /** Forgets everything about the current start (the worker is dropped by the caller). */
  reset() {
    this.experiment = null;
    this.theory = null;
    this.engine = { backend: '', precision: '', adapter: null };
    this.moving = null;
    this.measured = { cpu: null, webgpu: null };
    /** The CPU engine's first-step losses of this start ([step][run]), from its timing run. */
    this.cpuFirst = null;
    this.warmup = null;
    this.perf = { steps: 0, queueMs: 0, waitMs: 0 };
    this.gpuPerStep = null;
    this.diverged = null;
    this.pendingSteps = 0;
    this.askedEarly = false;
    this.resume = null;
    this.unacked = 0;
    this.lastBoundary = 0;
    this.boundaryMs = 0;
    this.profileWaiters = [];
    /** The last step the engine reported. */
    this.stepsDone = 0;
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  notice(text, kind = 'notice', topic = '') {
    this.emit('notice', { text, kind, topic });
  }

  setPhase(phase) {
    this.phase = phase;
    this.emit('phase', { phase });
  }

  /** Whether the engine has built the experiment (training may go on). */
  get ready() {
    return this.phase === 'ready' || this.phase === 'moving' || this.phase === 'diverged';
  }

  /**
   * (Re)starts on the CPU engine with settings `state`: `backend` overrides the state's choice,
   * `replay` ({steps, play}) retrains that many steps before going on (after a fallback), and
   * `precision` overrides the state's. Adopts the worker started at load where it was told
   * the same.
   */
  start(state, { backend = null, replay = null, precision = null } = {}) {
    this.generation += 1;
    const gen = this.generation;
    if (this.worker) this.worker.terminate();
    this.dropIncoming();
    this.state = state;
    this.playing = false;
    this.chunk = state.speed;
    this.reset();
    this.resume = replay && replay.steps > 0 ? replay : null;
    this.setPhase('starting');
    // Every run starts on the small CPU engine; WebGPU, where wanted, is brought up behind it.
    const want = backend || (this.fellBack ? 'cpu' : state.backend);
    const init = this.deps.initMessage(state, 'cpu', precision || startPrecision(state, want));
    const early = this.deps.adopt(init);
    this.worker = this.attach(early ? early.worker : this.deps.workerFor('cpu'), gen, (m) => this.onWorker(m));
    if (!early) this.worker.postMessage(init);
    // What the worker started at load said before the page was here to listen.
    if (early) early.inbox.forEach((m) => this.onWorker(m));
  }

  /** Routes `w`'s messages and errors to `handler` while generation `gen` lasts. */
  attach(w, gen, handler) {
    w.onmessage = ({ data }) => {
      if (gen === this.generation) handler(data, w);
    };
    w.onerror = (e) => {
      if (gen !== this.generation) return;
      e.preventDefault();
      handler({ type: 'error', message: e.message || 'the training worker stopped', fatal: true }, w);
    };
    return w;
  }

  /** Drops the engine being brought up, if any. */
  dropIncoming() {
    if (this.incoming) this.incoming.worker.terminate();
    this.incoming = null;
  }

  /** Whether a step or play request can go to the worker now (not while the run moves). */
  get canPost() {
    return Boolean(this.worker) && !this.moving;
  }

  /** Whether the run stopped at a NaN/∞ (then says so again). */
  stoppedByDivergence() {
    if (this.diverged) this.notice(this.diverged, 'error', 'diverged');
    return Boolean(this.diverged);
  }

  /** Plays (`on`) or pauses, `chunk` steps per message; returns whether it plays now. */
  play(on, chunk = this.chunk) {
    this.chunk = chunk;
    if (on && this.stoppedByDivergence()) return false;
    this.playing = on;
    // During a move the run is paused between engines; the move's end applies `playing`.
    if (this.canPost) this.worker.postMessage(on ? { type: 'play', chunk } : { type: 'pause' });
    return this.playing;
  }

  /** Changes the steps per message of a run that plays. */
  setSpeed(chunk) {
    this.chunk = chunk;
    if (this.playing && this.ready && !this.moving) this.worker.postMessage({ type: 'play', chunk });
  }

  /** `n` steps (pauses first). */
  step(n = 1) {
    if (this.stoppedByDivergence()) return;
    this.playing = false;
    if (this.canPost) {
      this.worker.postMessage({ type: 'step', steps: n });
      this.askedEarly = this.askedEarly || !this.ready;
    } else this.pendingSteps += n;
  }

  /** Acknowledges the paced messages drawn since the last call (once per drawn frame). */
  ack() {
    if (this.unacked > 0 && this.worker) {
      this.worker.postMessage({ type: 'ack', n: this.unacked });
      this.unacked = 0;
    }
  }

  /**
   * Asks for a decision-boundary grid of `res`² points, at most every 0.5 s and never more
   * than a tenth of the time (a grid costs several training steps on a software GPU);
   * `force` skips the limit.
   */
  requestBoundary(res, force = false, now = performance.now()) {
    if (!this.ready) return;
    if (!force && now - this.lastBoundary < Math.max(500, 10 * this.boundaryMs)) return;
    this.lastBoundary = now;
    this.worker.postMessage({ type: 'boundary', res });
  }

  /**
   * Evaluates run `run` at c·θ for each c of `cs` on the engine (the tour's scale-invariance
   * scene); the answer comes as a 'probe' event {run, points}.
   */
  probe(run, cs) {
    if (this.ready) this.worker.postMessage({ type: 'probe', run, cs });
  }

  /**
   * Applies (θ, v, η) → (cθ, v/c, c²η) to WD-free run `run` between steps; answered by a
   * 'rescaled' event {run, c, step}. Not replayed if the run later falls back to the CPU.
   */
  rescale(run, c) {
    if (this.ready) this.worker.postMessage({ type: 'rescale', run, c });
  }

  /** Messages from the running engine. */
  onWorker(m) {
    switch (m.type) {
      case 'ready': {
        this.experiment = JSON.parse(m.experiment);
        this.engine = { backend: m.backend, precision: this.experiment.precision, adapter: m.adapter };
        this.theory = m.theory;
        if (this.resume) {
          this.pendingSteps += this.resume.steps;
          this.playing = this.playing || this.resume.play;
          this.resume = null;
        }
        // Steps asked for go first: the engine trains while the page builds its charts.
        const asked = this.askedEarly || this.pendingSteps > 0 || this.playing;
        if (this.pendingSteps > 0) this.worker.postMessage({ type: 'step', steps: this.pendingSteps });
        this.pendingSteps = 0;
        if (this.playing) this.worker.postMessage({ type: 'play', chunk: this.chunk });
        this.setPhase('ready');
        this.emit('ready', { experiment: this.experiment, runs: m.runs, layers: m.layers || [], backend: m.backend, adapter: m.adapter, precision: this.engine.precision, theory: m.theory, asked });
        const want = this.fellBack ? 'cpu' : this.state.backend;
        if (want !== 'cpu') this.bringUp('webgpu', want === 'webgpu');
        break;
      }
      case 'snapshot':
        if (this.moving && this.incoming) this.incoming.worker.postMessage({ type: 'restore', snapshot: m.snapshot });
        break;
      case 'bench':
        this.measured.cpu = m.msPerStep;
        this.cpuFirst = m.first || null;
        if (this.incoming && this.incoming.awaitingCheck) {
          this.incoming.awaitingCheck = false;
          this.moveRun();
        } else this.decide();
        break;
      case 'probe':
      case 'rescaled':
        this.emit(m.type, m);
        break;
      case 'boundary':
        this.boundaryMs = performance.now() - this.lastBoundary;
        this.emit('boundary', { res: m.res, classes: m.classes, probs: m.probs });
        break;
      case 'metrics':
        m.steps = unpackSteps(m.packed);
        if (m.steps.length) this.stepsDone = m.steps.at(-1).step;
        if (m.paced) this.unacked += 1;
        if (m.gpu) this.gpuPerStep = m.gpu.dispatches / m.steps.length;
        this.perf = { steps: this.perf.steps + m.steps.length, queueMs: this.perf.queueMs + (m.queueMs || 0), waitMs: this.perf.waitMs + (m.waitMs || 0) };
        this.emit('metrics', m);
        break;
      case 'notice':
        this.notice(m.message);
        break;
      case 'lost':
        if (this.engine.backend === 'webgpu') this.fallBack(`The GPU stopped: ${m.message}`);
        break;
      case 'gpu-profile':
        this.profileWaiters.splice(0).forEach((resolve) => resolve(m));
        break;
      case 'error':
        if (m.fatal) this.fatal(m.message);
        else {
          if (m.diverged) {
            this.diverged = m.message;
            this.setPhase('diverged');
          }
          this.notice(m.message, 'error', m.diverged ? 'diverged' : '');
          this.playing = false;
          this.emit('playing', { playing: false });
        }
        break;
      default:
        break;
    }
  }

  /** Restarts on the CPU after the GPU failed, replaying the steps done from the same seed. */
  fallBack(what) {
    this.fellBack = true;
    const p = { steps: this.stepsDone, play: this.playing };
    const precision = resolvePrecision(this.state, 'cpu');
    const was = this.engine.precision;
    const replay = p.steps > 0 ? ` Replaying the ${p.steps} steps done so far from the same seed in ${precision}, then going on.` : '';
    this.notice(`${what}. Restarting on the CPU backend${was && was !== precision ? ` in ${precision} (WebGPU computed in ${was})` : ''}.${replay}`, 'error', 'engine');
    this.start(this.state, { backend: 'cpu', replay: p, precision });
  }

  fatal(text) {
    if (this.engine.backend === 'webgpu' && !this.fellBack) {
      this.fallBack(`The GPU run failed (${text})`);
    } else {
      this.notice(`Training stopped: ${text}`, 'error');
      this.playing = false;
      this.setPhase('stopped');
      this.emit('playing', { playing: false });
    }
  }

  /**
   * The settings changed without a restart (the backend, the speed, the toy): `state` is the
   * page's new state object.
   */
  update(state) {
    this.state = state;
  }

  /** The backend control moved: moves the running experiment (or brings up WebGPU for auto). */
  changeBackend() {
    const want = this.state.backend;
    this.fellBack = false;
    if (!this.ready) return;
    if (want === 'cpu' && this.engine.backend !== 'cpu') this.bringUp('cpu', true);
    else if (want === 'webgpu' && this.engine.backend !== 'webgpu') this.bringUp('webgpu', true);
    else if (want === 'auto' && this.engine.backend === 'cpu') this.bringUp('webgpu', false);
    else this.dropIncoming();
    this.emit('engine');
  }

  /** Times WebGPU against the CPU engine on this experiment, whatever the adapter (asked for). */
  measure() {
    if (this.ready && !this.moving && this.engine.backend === 'cpu') this.bringUp('webgpu', false, true);
  }

  /**
   * Brings up the engine of `kind` behind the running one, for the current experiment and in
   * the precision the run would have there (f32 on WebGPU; back on the CPU, the settings' own:
   * f64 under auto); `force` moves the run to it once it is warm. Else (auto) it decides by a
   * measurement remembered for this adapter and model shape, or by timing both engines — which
   * it does unasked only on a hardware adapter: a software one (SwiftShader, lavapipe) compiles
   * WebGPU's kernels for seconds on the CPU the run trains on, and is slower anyway. `measure`
   * times both engines whatever the adapter and whatever was remembered.
   */
  async bringUp(kind, force, measure = false) {
    const gen = this.generation;
    this.dropIncoming();
    this.emit('measure', { offer: false });
    let adapter = null;
    let remembered = false;
    if (kind === 'webgpu') {
      adapter = await this.deps.adapterInfo();
      if (gen !== this.generation) return;
      if (!adapter) {
        this.notice(`WebGPU is not available in this browser: training on the CPU${force ? '' : ' instead'}.`, 'notice', 'engine');
        return;
      }
      if (!force && this.state.precision === 'f64') {
        this.notice('f64 was asked for, and WebGPU computes in f32 only (WGSL has no f64): training stays on the CPU.', 'notice', 'engine');
        return;
      }
      if (!force && !measure) {
        const known = this.deps.recall(adapter.name, shapeKey(this.experiment, this.engine.precision));
        if (known) {
          this.measured = { ...known };
          this.emit('engine');
          if (!gpuIsFaster(known.cpu, known.webgpu)) {
            this.notice(`Measured before on this adapter (${adapter.name}) for this network: a step takes ${fmt(known.cpu)} ms on the CPU and ${fmt(known.webgpu)} ms on WebGPU, so training stays on the CPU.`, 'notice', 'engine');
            this.emit('measure', { offer: true });
            return;
          }
          remembered = true;
          force = true;
        } else if (adapter.software) {
          this.notice(`WebGPU here runs on a software adapter (${adapter.name}), which is far slower than the CPU engine for networks this small: training stays on the CPU. Measure both engines to see (it compiles WebGPU's kernels, which takes several seconds).`, 'notice', 'engine');
          this.emit('measure', { offer: true });
          return;
        }
      }
      if (!force || remembered) {
        // A restart or a reload within the delay cancels this bring-up before it costs anything.
        await new Promise((r) => setTimeout(r, this.deps.measureDelayMs));
        if (gen !== this.generation || this.deps.hidden()) return;
      }
    }
    const precision = resolvePrecision(this.state, kind);
    const w = this.deps.workerFor(kind);
    this.incoming = { worker: w, kind, adapter, precision, force, remembered, ready: false, msPerStep: null };
    this.attach(w, gen, (m, from) => this.onIncoming(m, from));
    w.postMessage(this.deps.initMessage(this.state, kind, precision));
    this.emit('engine');
  }

  /** Messages from the engine being brought up. */
  onIncoming(m, w) {
    const inc = this.incoming;
    if (!inc || inc.worker !== w) return;
    switch (m.type) {
      case 'ready':
        inc.ready = true;
        inc.adapter = inc.adapter && { ...inc.adapter, name: m.adapter || inc.adapter.name };
        // Warm it: a few steps of a throwaway copy compile every kernel, then time some more.
        w.postMessage({ type: 'bench', steps: 10 });
        break;
      case 'bench':
        inc.msPerStep = m.msPerStep;
        inc.first = m.first || null;
        if (m.diverged) {
          // NaN/∞ in its first steps: the check against the CPU's says what that means.
          this.checkFirstSteps();
          this.emit('engine');
          break;
        }
        this.warmup = { ms: m.warmMs, pipelines: m.pipelines };
        this.measured[inc.kind] = m.msPerStep;
        if (inc.force) this.moveRun();
        else if (this.measured.cpu === null) this.worker.postMessage({ type: 'bench', steps: 20 });
        else this.decide();
        this.emit('engine');
        break;
      case 'restored':
        this.finishMove(m.step);
        break;
      case 'notice':
        this.notice(m.message);
        break;
      case 'error':
      case 'lost':
        this.notice(`The ${inc.kind === 'webgpu' ? 'WebGPU' : 'CPU'} engine could not be brought up (${m.message}); training goes on where it is.`, 'notice', 'engine');
        if (this.moving) this.resumeAfterMove();
        this.dropIncoming();
        this.emit('engine');
        break;
      default:
        break;
    }
  }

  /** Auto: moves the run to the warm WebGPU engine only where it measured faster (and remembers). */
  decide() {
    const inc = this.incoming;
    if (!inc || this.moving) return;
    const { cpu, webgpu } = this.measured;
    if (inc.adapter) this.deps.remember(inc.adapter.name, shapeKey(this.experiment, this.engine.precision), this.measured);
    if (gpuIsFaster(cpu, webgpu)) {
      this.moveRun();
    } else {
      this.notice(`Measured on this experiment: a step takes ${fmt(cpu)} ms on the CPU and ${fmt(webgpu)} ms on WebGPU (${inc.adapter.name}): training stays on the CPU. Choose WebGPU under Backend to move there anyway.`, 'notice', 'engine');
      this.dropIncoming();
    }
    this.emit('engine');
  }

  /**
   * Moves the running experiment to the warm incoming engine: pause, snapshot, restore. A move
   * to WebGPU waits for its first steps to be checked against the CPU engine's.
   */
  moveRun() {
    if (!this.incoming || !this.incoming.ready || this.moving) return;
    if (this.incoming.kind === 'webgpu' && !this.incoming.checked && !this.checkFirstSteps()) return;
    this.moving = { t0: performance.now(), from: this.engine.precision };
    this.setPhase('moving');
    if (this.playing) this.worker.postMessage({ type: 'pause' });
    this.worker.postMessage({ type: 'snapshot' });
  }

  /**
   * Whether WebGPU's first steps (from its warm-up) agree with the CPU engine's to
   * FIRST_STEPS_TOLERANCE. Without the CPU's yet, asks for them (its timing run) and answers
   * false: the reply calls moveRun again. On disagreement the run stays on the CPU, saying why.
   */
  checkFirstSteps() {
    const inc = this.incoming;
    if (!this.cpuFirst) {
      inc.awaitingCheck = true;
      this.worker.postMessage({ type: 'bench', steps: 20 });
      return false;
    }
    const gap = firstStepsGap(inc.first, this.cpuFirst);
    if (gap <= FIRST_STEPS_TOLERANCE) {
      inc.checked = true;
      return true;
    }
    const at = (rows) => rows.at(-1).map((x) => fmt(x)).join(', ');
    const gpu = `WebGPU (${inc.adapter ? inc.adapter.name : 'its adapter'})`;
    if (!allFinite(this.cpuFirst)) {
      this.notice('The run turns NaN/∞ within its first steps on the CPU engine too: WebGPU is not brought up for it.', 'notice', 'engine');
    } else if (!allFinite(inc.first)) {
      this.notice(`${gpu} computed NaN/∞ within the first steps, where the CPU engine's run losses after 3 steps are ${at(this.cpuFirst)}. A GPU kernel may have failed to compile and been skipped; training stays on the CPU engine.`, 'error', 'engine');
    } else {
      this.notice(`${gpu} computed different numbers from the CPU engine for the same first steps (run losses after 3 steps: ${at(inc.first)} on WebGPU, ${at(this.cpuFirst)} on the CPU; ` +
        `${gap.toExponential(1)} apart, more than the ${FIRST_STEPS_TOLERANCE} that f32 rounding explains). A GPU kernel may have failed to compile and been skipped; training stays on the CPU engine.`, 'error', 'engine');
    }
    this.dropIncoming();
    this.emit('engine');
    return false;
  }

  /** The new engine has the run: it becomes the running one. */
  finishMove(step) {
    const old = this.worker;
    const { kind, adapter, precision, remembered } = this.incoming;
    this.worker = this.incoming.worker;
    this.worker.onmessage = old.onmessage;
    this.worker.onerror = old.onerror;
    this.incoming = null;
    old.terminate();
    const ms = performance.now() - this.moving.t0;
    const from = this.moving.from;
    this.unacked = 0;
    this.engine = { backend: kind, precision, adapter: adapter && adapter.name };
    const why = remembered ? ` (measured faster before on this adapter: CPU ${fmt(this.measured.cpu)} ms/step, WebGPU ${fmt(this.measured.webgpu)} ms/step)` : '';
    this.notice(`Moved the run to ${kind === 'webgpu' ? `WebGPU (${adapter.name})` : 'the CPU'} at step ${step} in ${Math.round(ms)} ms${why}; ${this.precisionChange(from, precision)}`, 'notice', 'engine');
    this.emit('moved', { step, kind });
    this.emit('engine');
    this.resumeAfterMove();
  }

  /** What a move from precision `from` to `to` did to the run, in words. */
  precisionChange(from, to) {
    if (from === to) return `it goes on exactly where it was, in ${to}.`;
    if (to === 'f32') {
      const control = this.state.chaos ? ' The rounding-chaos control A′ (A moved by one unit in the last place of f64) became A itself in f32: it now follows A exactly and tells nothing; Reset for a new one.' : '';
      return `it goes on from the same weights, now in f32: WGSL has no f64, so every value was rounded to f32 and the runs separate at f32’s rounding from here.${control}`;
    }
    return `it goes on from the same weights, now in ${to} again (the steps on WebGPU were computed in f32).`;
  }

  /** After a move (done or given up): what was asked for meanwhile goes to the running engine. */
  resumeAfterMove() {
    this.moving = null;
    if (this.phase === 'moving') this.setPhase('ready');
    if (this.pendingSteps > 0) this.worker.postMessage({ type: 'step', steps: this.pendingSteps });
    this.pendingSteps = 0;
    if (this.playing) this.worker.postMessage({ type: 'play', chunk: this.chunk });
  }

  /** The page is left (a reload, a link): an engine being brought up is dropped at once. */
  leave() {
    if (this.moving) this.resumeAfterMove();
    this.dropIncoming();
    this.emit('engine');
  }

  /** WebGPU work so far ({totals, kernels}); with `shaders`, also each pipeline's WGSL. */
  gpuProfile(shaders = false) {
    return new Promise((resolve) => {
      this.profileWaiters.push(resolve);
      this.worker.postMessage({ type: 'gpu-profile', shaders });
    });
  }

  /** Destroys the WebGPU device on purpose (tests the recovery). */
  loseDevice() {
    this.worker.postMessage({ type: 'lose-device' });
  }
}
