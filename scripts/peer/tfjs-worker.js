// The peer of the CPU engine in `npm run bench`: the same runs trained in TF.js 4.22 on its
// wasm backend (SIMD), in a worker as the engine is. It trains what `explr fixture` wrote —
// the same data, initial weights and momentum, LR and weight decay per step, minibatch order —
// with the engine's model and optimizer: x → W1 → BatchNorm → ReLU → W2 → BatchNorm → ReLU →
// W_out (no biases, no affine, frozen head; each norm divides by sqrt(var + ε‖W‖²/fan_out)),
// SGD v ← γv + g + λθ, θ ← θ − ηv. The runs are stacked ([R, …] tensors, batched matmuls), as
// the engine stacks them. Per step it keeps on the device what the engine reads back for its
// charts — each run's loss and ‖w‖², and every `eval_every` steps the test loss — and reads it
// back once per message, as the engine does. Messages: {type: 'init', fixture, base} →
// {type: 'ready', backend}; {type: 'step', steps} → {type: 'metrics', losses: Float32Array
// [steps × R]}. scripts/peer.mjs bundles it with TF.js (a module worker).
/* global self */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let m = null;

function setup(fx, base) {
  setWasmPaths(base);
  return tf.setBackend('wasm').then(() => {
    const R = fx.runs.length;
    const stack = (j) => tf.tensor3d(fx.runs.flatMap((r) => r.init[j]), [R, fx.params[j].rows, fx.params[j].cols]);
    const buffer = (j) => tf.tensor3d(fx.runs.flatMap((r) => r.velocity[j]), [R, fx.params[j].rows, fx.params[j].cols]);
    const hot = (ys) => tf.cast(tf.oneHot(tf.tensor1d(ys, 'int32'), fx.classes), 'float32');
    m = {
      fx,
      R,
      step: 0,
      W1: tf.variable(stack(0)),
      W2: tf.variable(stack(1)),
      Wout: stack(2),
      v1: buffer(0),
      v2: buffer(1),
      X: tf.tensor2d(fx.train_x, [fx.train_y.length, fx.features]),
      Y: hot(fx.train_y),
      testX: tf.tensor2d(fx.test_x, [fx.test_y.length, fx.features]),
      testY: hot(fx.test_y),
      batches: fx.batches.map((b) => new Int32Array(b)),
    };
    return tf.getBackend();
  });
}

/** Batch norm over the batch axis of [R, B, C], per run, with the engine's weight-scaled ε. */
function norm(h, W) {
  const eps = tf.mul(tf.sum(tf.square(W), [1, 2], true), m.fx.eps / W.shape[1]);
  const mean = tf.mean(h, 1, true);
  const centered = tf.sub(h, mean);
  const variance = tf.mean(tf.square(centered), 1, true);
  return tf.div(centered, tf.sqrt(tf.add(variance, eps)));
}

/** Each run's mean cross-entropy [R] on inputs `x` [B, F] with one-hot labels `y` [B, K]. */
function losses(x, y) {
  const B = x.shape[0];
  const xs = tf.tile(tf.expandDims(x, 0), [m.R, 1, 1]);
  let h = tf.relu(norm(tf.matMul(xs, m.W1, false, true), m.W1));
  h = tf.relu(norm(tf.matMul(h, m.W2, false, true), m.W2));
  const logits = tf.matMul(h, m.Wout, false, true);
  return tf.mul(tf.sum(tf.mul(tf.logSoftmax(logits), tf.expandDims(y, 0)), [1, 2]), -1 / B);
}

/** One step of every run; returns [R] losses and [R] ‖w‖² (kept), and the test losses on evaluation steps. */
function step() {
  const { fx, R } = m;
  const t = m.step;
  const at = (list) => list[t % list.length];
  const idx = tf.tensor1d(m.batches[t % m.batches.length], 'int32');
  const x = tf.gather(m.X, idx);
  const y = tf.gather(m.Y, idx);
  let perRun = null;
  const { grads } = tf.variableGrads(() => {
    perRun = tf.keep(losses(x, y));
    return tf.sum(perRun);
  }, [m.W1, m.W2]);
  const lr = tf.tensor3d(fx.runs.map((r) => at(r.lr)), [R, 1, 1]);
  const wd = tf.tensor3d(fx.runs.map((r) => at(r.wd)), [R, 1, 1]);
  const update = (W, v, g) => {
    const nv = tf.add(tf.add(tf.mul(v, fx.momentum), g), tf.mul(W, wd));
    W.assign(tf.sub(W, tf.mul(nv, lr)));
    return tf.keep(nv);
  };
  const v1 = update(m.W1, m.v1, grads[m.W1.name]);
  const v2 = update(m.W2, m.v2, grads[m.W2.name]);
  m.v1.dispose();
  m.v2.dispose();
  m.v1 = v1;
  m.v2 = v2;
  m.step += 1;
  const norms = tf.add(tf.sum(tf.square(m.W1), [1, 2]), tf.sum(tf.square(m.W2), [1, 2]));
  const out = [perRun, norms];
  if (fx.eval_every > 0 && m.step % fx.eval_every === 0) out.push(losses(m.testX, m.testY));
  const row = tf.concat(out);
  perRun.dispose();
  return row;
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'init') {
      const backend = await setup(data.fixture, data.base);
      self.postMessage({ type: 'ready', backend, simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') });
    } else if (data.type === 'step') {
      // Each step's row: its R losses, R norms and, on evaluation steps, R test losses.
      const parts = [];
      for (let k = 0; k < data.steps; k += 1) parts.push(tf.tidy(step));
      // One read-back per message, as the engine reads a message's steps back at once.
      const all = tf.concat(parts);
      const values = await all.data();
      const losses = new Float32Array(data.steps * m.R);
      for (let k = 0, at = 0; k < data.steps; at += parts[k].shape[0], k += 1) losses.set(values.subarray(at, at + m.R), k * m.R);
      tf.dispose([all, ...parts]);
      self.postMessage({ type: 'metrics', losses }, [losses.buffer]);
    }
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e && e.message ? e.message : e) });
  }
};
