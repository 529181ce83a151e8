// The page's engine lifecycle (www/session.js) in node, with fake workers: adopting the worker
// started at load, steps asked for before the engine is ready, a move between engines while
// playing, a lost device replayed on the CPU, divergence, a late page script, auto on a
// software adapter and a remembered measurement, a WebGPU engine whose first steps disagree
// with the CPU engine's, and messages of an old start ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../www/session.js';
import { defaults } from '../../www/state.js';
import { packSteps } from '../../www/packed.js';

/** A stand-in for a Web Worker: records what it is sent; `say(data)` answers the page. */
class FakeWorker {
  constructor(kind) {
    this.kind = kind;
    this.sent = [];
    this.terminated = false;
  }

  postMessage(m) {
    this.sent.push(m);
  }

  terminate() {
    this.terminated = true;
  }

  say(data) {
    this.onmessage({ data });
  }

  types() {
    return this.sent.map((m) => m.type);
  }
}

const EXPERIMENT = { dataset: 'circles', net: { arch: 'mlp', norm: 'batch' }, batch: 64, precision: 'f64', runs: [{}, {}, {}] };
const readyMsg = (backend = 'cpu', precision = 'f64', adapter = 'Test GPU') => ({ type: 'ready', backend, adapter: backend === 'webgpu' ? adapter : null, experiment: JSON.stringify({ ...EXPERIMENT, precision }), theory: { alpha: 0.9995 } });
const metricsMsg = (from, n, paced = false) => ({ type: 'metrics', packed: packSteps(Array.from({ length: n }, (_, i) => ({ step: from + i, runs: [] }))), paced, queueMs: 1, waitMs: 1 });
const tick = () => new Promise((r) => setTimeout(r, 0));
/** Three first steps' losses of two runs, as an engine's timing run reports them. */
const FIRST = [[0.6844, 0.6844], [0.5904, 0.5904], [0.5798, 0.5798]];
/** The same within f32 rounding, as WebGPU reports them. */
const FIRST_F32 = FIRST.map((row) => row.map((x) => x * (1 + 1e-7)));

/** A session over fake workers; `adapter` is what adapterInfo() gives, `early` what adopt() does. */
function harness({ adapter = null, early = null, known = null } = {}) {
  const workers = [];
  const events = [];
  const remembered = [];
  const session = new Session({
    workerFor: (kind) => {
      const w = new FakeWorker(kind);
      workers.push(w);
      return w;
    },
    adapterInfo: async () => adapter,
    adopt: () => early,
    initMessage: (state, backend, precision) => ({ type: 'init', backend, precision }),
    recall: () => known,
    remember: (a, shape, m) => remembered.push({ a, shape, m: { ...m } }),
    measureDelayMs: 0,
  });
  for (const type of ['phase', 'ready', 'metrics', 'notice', 'moved', 'measure', 'playing']) {
    session.addEventListener(type, (e) => events.push({ type, ...e.detail }));
  }
  const notices = () => events.filter((e) => e.type === 'notice').map((e) => e.text);
  return { session, workers, events, remembered, notices };
}

const state = (over = {}) => ({ ...defaults(), ...over });

test('adopts the worker started at load and replays what it said before the page listened', () => {
  const early = new FakeWorker('cpu');
  const inbox = [readyMsg(), metricsMsg(1, 3)];
  const { session, workers, events } = harness({ early: { worker: early, inbox } });
  session.start(state({ backend: 'cpu' }));
  assert.equal(workers.length, 0, 'no second worker');
  assert.deepEqual(early.types(), [], 'the adopted worker is not told to start again');
  assert.equal(session.worker, early);
  assert.deepEqual(events.map((e) => e.type), ['phase', 'phase', 'ready', 'metrics']);
  assert.equal(session.phase, 'ready');
  assert.equal(session.stepsDone, 3);
});

test('a step or play asked for before the engine is ready goes to the worker at once, and ready says so', () => {
  const { session, workers, events } = harness();
  session.start(state({ backend: 'cpu' }));
  const [w] = workers;
  assert.deepEqual(w.types(), ['init']);
  session.step();
  assert.deepEqual(w.types(), ['init', 'step'], 'the worker queues it behind its start');
  w.say(readyMsg());
  assert.equal(events.find((e) => e.type === 'ready').asked, true);
  session.play(true, 7);
  assert.deepEqual(w.sent.at(-1), { type: 'play', chunk: 7 });
  w.say(metricsMsg(2, 7, true));
  session.ack();
  assert.deepEqual(w.sent.at(-1), { type: 'ack', n: 1 }, 'one paced message acknowledged');
  session.ack();
  assert.equal(w.sent.filter((m) => m.type === 'ack').length, 1, 'nothing to acknowledge twice');
});

test('a move to WebGPU while playing: pause, snapshot, restore, then play on the new engine in f32', async () => {
  const { session, workers, events, notices } = harness({ adapter: { name: 'Test GPU', software: false } });
  session.start(state({ backend: 'cpu', speed: 5 }));
  const [cpu] = workers;
  cpu.say(readyMsg());
  session.play(true, 5);
  session.update({ ...session.state, backend: 'webgpu' });
  session.changeBackend();
  await tick();
  const gpu = workers[1];
  assert.equal(gpu.kind, 'webgpu');
  assert.deepEqual(gpu.sent[0], { type: 'init', backend: 'webgpu', precision: 'f32' });
  gpu.say(readyMsg('webgpu', 'f32'));
  assert.deepEqual(gpu.sent.at(-1), { type: 'bench', steps: 10 }, 'warmed and timed');
  gpu.say({ type: 'bench', msPerStep: 9, warmMs: 100, pipelines: 50, first: FIRST_F32 });
  assert.deepEqual(cpu.sent.at(-1), { type: 'bench', steps: 20 }, 'the CPU engine\'s first steps, to check WebGPU\'s against');
  assert.equal(session.phase, 'ready', 'no move before the check');
  cpu.say({ type: 'bench', msPerStep: 1, first: FIRST });
  assert.equal(session.phase, 'moving');
  assert.deepEqual(cpu.types().slice(-2), ['pause', 'snapshot']);
  session.step();
  assert.equal(cpu.types().at(-1), 'snapshot', 'nothing more goes to the old engine while the run moves');
  cpu.say({ type: 'snapshot', snapshot: '{"step":40}', step: 40 });
  assert.deepEqual(gpu.sent.at(-1), { type: 'restore', snapshot: '{"step":40}' });
  gpu.say({ type: 'restored', step: 40 });
  assert.ok(cpu.terminated);
  assert.equal(session.worker, gpu);
  assert.equal(session.phase, 'ready');
  assert.deepEqual(session.engine, { backend: 'webgpu', precision: 'f32', adapter: 'Test GPU' });
  assert.deepEqual(gpu.sent.slice(-1), [{ type: 'step', steps: 1 }], 'the step asked for during the move');
  assert.ok(events.some((e) => e.type === 'moved' && e.kind === 'webgpu' && e.step === 40));
  assert.match(notices().at(-1), /Moved the run to WebGPU \(Test GPU\) at step 40[^]*now in f32/);
});

test('a lost device restarts on the CPU in f64 and replays the steps done', async () => {
  const { session, workers, notices } = harness({ adapter: { name: 'Test GPU', software: false } });
  session.start(state({ backend: 'webgpu', speed: 4 }));
  const [cpu] = workers;
  assert.deepEqual(cpu.sent[0], { type: 'init', backend: 'cpu', precision: 'f32' }, 'a run that will move to WebGPU starts in f32');
  cpu.say(readyMsg('cpu', 'f32'));
  await tick();
  const gpu = workers[1];
  gpu.say(readyMsg('webgpu', 'f32'));
  gpu.say({ type: 'bench', msPerStep: 9, warmMs: 100, pipelines: 50, first: FIRST_F32 });
  cpu.say({ type: 'bench', msPerStep: 1, first: FIRST });
  cpu.say({ type: 'snapshot', snapshot: '{}', step: 0 });
  gpu.say({ type: 'restored', step: 0 });
  session.play(true, 4);
  gpu.say(metricsMsg(1, 8, true));
  gpu.say({ type: 'lost', message: 'the WebGPU device was lost (destroyed)' });
  const replay = workers[2];
  assert.equal(replay.kind, 'cpu');
  assert.deepEqual(replay.sent[0], { type: 'init', backend: 'cpu', precision: 'f64' });
  assert.match(notices().at(-1), /The GPU stopped[^]*in f64 \(WebGPU computed in f32\)[^]*Replaying the 8 steps/);
  replay.say(readyMsg());
  assert.deepEqual(replay.sent.slice(1), [{ type: 'step', steps: 8 }, { type: 'play', chunk: 4 }], 'the 8 steps replayed, then play goes on');
  await tick();
  assert.equal(workers.length, 3, 'no WebGPU again after a fallback');
});

test('a diverged run keeps its state, says why again and takes no more steps', () => {
  const { session, workers, notices } = harness();
  session.start(state({ backend: 'cpu' }));
  const [w] = workers;
  w.say(readyMsg());
  session.play(true);
  w.say({ type: 'error', message: 'step 12 turned NaN', fatal: false, diverged: true });
  assert.equal(session.phase, 'diverged');
  assert.equal(session.playing, false);
  const sent = w.sent.length;
  assert.equal(session.play(true), false);
  session.step();
  assert.equal(w.sent.length, sent, 'nothing sent');
  assert.deepEqual(notices().slice(-2), ['step 12 turned NaN', 'step 12 turned NaN']);
});

test('a page script that arrives late: every message the adopted worker sent is handled in order', () => {
  const early = new FakeWorker('cpu');
  const inbox = [{ type: 'notice', message: 'hello' }, readyMsg(), metricsMsg(1, 1), metricsMsg(2, 1)];
  const { session, events } = harness({ early: { worker: early, inbox } });
  session.start(state({ backend: 'cpu' }));
  assert.deepEqual(events.filter((e) => e.type !== 'phase').map((e) => e.type), ['notice', 'ready', 'metrics', 'metrics']);
  assert.equal(session.stepsDone, 2);
  // The worker goes on answering after adoption.
  early.say(metricsMsg(3, 1));
  assert.equal(session.stepsDone, 3);
});

test('auto on a software adapter brings nothing up unasked; Measure times both and remembers', async () => {
  const { session, workers, events, remembered, notices } = harness({ adapter: { name: 'SwiftShader', software: true } });
  session.start(state({ backend: 'auto' }));
  const [cpu] = workers;
  cpu.say(readyMsg());
  await tick();
  assert.equal(workers.length, 1, 'no WebGPU worker');
  assert.match(notices().at(-1), /software adapter \(SwiftShader\)/);
  assert.equal(events.filter((e) => e.type === 'measure').at(-1).offer, true);
  session.measure();
  await tick();
  await tick();
  const gpu = workers[1];
  gpu.say(readyMsg('webgpu', 'f32', 'SwiftShader'));
  gpu.say({ type: 'bench', msPerStep: 60, warmMs: 8000, pipelines: 56 });
  assert.deepEqual(cpu.sent.at(-1), { type: 'bench', steps: 20 }, 'the CPU engine is timed too');
  cpu.say({ type: 'bench', msPerStep: 2 });
  assert.ok(gpu.terminated, 'slower: dropped');
  assert.equal(session.engine.backend, 'cpu');
  assert.deepEqual(remembered.map((r) => [r.a, r.m]), [['SwiftShader', { cpu: 2, webgpu: 60 }]]);
  assert.match(notices().at(-1), /2.000 ms on the CPU and 60.00 ms on WebGPU/);
});

test('auto with a remembered measurement: slower stays without a worker, faster moves once the first steps agree', async () => {
  const slower = harness({ adapter: { name: 'GPU', software: false }, known: { cpu: 2, webgpu: 9 } });
  slower.session.start(state({ backend: 'auto' }));
  slower.workers[0].say(readyMsg());
  await tick();
  assert.equal(slower.workers.length, 1);
  assert.match(slower.notices().at(-1), /Measured before on this adapter/);
  const faster = harness({ adapter: { name: 'GPU', software: false }, known: { cpu: 9, webgpu: 2 } });
  faster.session.start(state({ backend: 'auto' }));
  const [cpu] = faster.workers;
  cpu.say(readyMsg());
  await tick();
  await tick();
  const gpu = faster.workers[1];
  gpu.say(readyMsg('webgpu', 'f32'));
  gpu.say({ type: 'bench', msPerStep: 2.5, warmMs: 100, pipelines: 50, first: FIRST_F32 });
  assert.deepEqual(cpu.types().slice(-1), ['bench'], 'the CPU engine\'s first steps, for the check only');
  cpu.say({ type: 'bench', msPerStep: 9, first: FIRST });
  assert.deepEqual(cpu.types().slice(-1), ['snapshot'], 'agreed: moves');
  cpu.say({ type: 'snapshot', snapshot: '{}', step: 0 });
  gpu.say({ type: 'restored', step: 0 });
  assert.match(faster.notices().at(-1), /measured faster before on this adapter/);
});

test('WebGPU whose first steps disagree with the CPU engine\'s (a kernel skipped) does not get the run', async () => {
  const { session, workers, notices } = harness({ adapter: { name: 'Test GPU', software: false } });
  session.start(state({ backend: 'webgpu' }));
  const [cpu] = workers;
  cpu.say(readyMsg('cpu', 'f32'));
  await tick();
  const gpu = workers[1];
  gpu.say(readyMsg('webgpu', 'f32'));
  // A skipped update kernel: the weights stay, so the loss does not move.
  gpu.say({ type: 'bench', msPerStep: 2, warmMs: 100, pipelines: 50, first: FIRST.map(() => FIRST[0]) });
  cpu.say({ type: 'bench', msPerStep: 1, first: FIRST });
  assert.ok(gpu.terminated, 'dropped');
  assert.equal(session.engine.backend, 'cpu');
  assert.ok(!cpu.types().includes('snapshot'), 'the run never left the CPU');
  assert.match(notices().at(-1), /WebGPU \(Test GPU\) computed different numbers from the CPU engine[^]*0\.6844, 0\.6844 on WebGPU, 0\.5798, 0\.5798 on the CPU[^]*stays on the CPU engine/);
  assert.equal(session.phase, 'ready', 'training goes on');
  // NaN/∞ in WebGPU's first steps where the CPU's stay finite: the same, said so.
  const nan = harness({ adapter: { name: 'Test GPU', software: false } });
  nan.session.start(state({ backend: 'auto' }));
  nan.workers[0].say(readyMsg('cpu', 'f32'));
  await tick();
  await tick();
  nan.workers[1].say(readyMsg('webgpu', 'f32'));
  nan.workers[1].say({ type: 'bench', msPerStep: null, warmMs: 100, pipelines: 50, first: [[NaN, NaN], [NaN, NaN], [NaN, NaN]], diverged: 'non-finite values' });
  assert.deepEqual(nan.workers[0].sent.at(-1), { type: 'bench', steps: 20 });
  nan.workers[0].say({ type: 'bench', msPerStep: 1, first: FIRST });
  assert.ok(nan.workers[1].terminated);
  assert.match(nan.notices().at(-1), /computed NaN\/∞ within the first steps, where the CPU engine's run losses after 3 steps are 0\.5798, 0\.5798/);
});

test('a restart ignores the old workers and cancels a bring-up under way', async () => {
  const { session, workers, events } = harness({ adapter: { name: 'GPU', software: false } });
  session.start(state({ backend: 'auto' }));
  const [first] = workers;
  first.say(readyMsg());
  session.start(state({ backend: 'auto', eta: 0.2 }));
  assert.ok(first.terminated);
  const n = events.length;
  first.say(metricsMsg(1, 5));
  assert.equal(events.length, n, 'the old worker is not heard');
  await tick();
  await tick();
  assert.equal(workers.length, 2, 'the bring-up of the first start never began');
});
