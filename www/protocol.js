// The messages between the page (session.js) and a training worker (worker-core.js), in one
// place. Every message is a plain object with a `type`; the shapes below are what each side
// sends. Backpressure: while playing, the worker runs at most MAX_AHEAD metrics messages ahead
// of the page's acknowledgements (one `ack` per drawn frame).

/** Most steps read back in one metrics message; longer requests (a replay) come in several. */
export const MAX_CHUNK = 200;

/** Metrics messages a playing worker may have on their way to the page, unacknowledged. */
export const MAX_AHEAD = 2;

/**
 * Page → worker.
 * @typedef {{type: 'init', settings: string, backend: 'cpu' | 'webgpu', mnistUrl: string, faults?: {skipEvery: number}}} InitMessage
 *   build the trainer: `settings` is the engine's settings as JSON (settings.rs), precision
 *   included (f32 on WebGPU)
 * @typedef {{type: 'play', chunk: number}} PlayMessage  train `chunk` steps per message until paused
 * @typedef {{type: 'pause'}} PauseMessage
 * @typedef {{type: 'step', steps: number}} StepMessage  train `steps` steps (pauses first)
 * @typedef {{type: 'ack', n: number}} AckMessage  the page drew `n` paced metrics messages
 * @typedef {{type: 'boundary', res: number}} BoundaryMessage  a res × res decision grid
 * @typedef {{type: 'snapshot'}} SnapshotMessage  the whole training state, to move the run
 * @typedef {{type: 'restore', snapshot: string}} RestoreMessage  go on from a snapshot
 * @typedef {{type: 'bench', steps: number}} BenchMessage  time `steps` steps of a throwaway copy
 * @typedef {{type: 'toy', toy: string, x0: number, y0: number, eta: number, wd: number, steps: number}} ToyMessage
 * @typedef {{type: 'gpu-profile', shaders?: boolean}} GpuProfileMessage
 * @typedef {{type: 'lose-device'}} LoseDeviceMessage  destroy the WebGPU device (tests the recovery)
 * @typedef {{type: 'probe', run: number, cs: number[]}} ProbeMessage  run `run` at c·θ for each c
 * @typedef {{type: 'rescale', run: number, c: number}} RescaleMessage  (θ, v, η) → (cθ, v/c, c²η) of a WD-free run
 * @typedef {InitMessage | PlayMessage | PauseMessage | StepMessage | AckMessage | BoundaryMessage | SnapshotMessage | RestoreMessage | BenchMessage | ToyMessage | GpuProfileMessage | LoseDeviceMessage | ProbeMessage | RescaleMessage} ToWorker
 */

/**
 * Worker → page.
 * @typedef {{type: 'ready', backend: string, adapter: string | null, experiment: string, runs: RunView[], layers: string[], theory: object}} ReadyMessage
 *   the trainer is built: `experiment` as JSON, `runs` how to show each run (the engine's
 *   RunView), `layers` the hidden weights' names (the order of each run's layer angular
 *   updates), `theory` the theorem's constants (α, κ, …)
 * @typedef {{index: number, label: string, short: string, role: 'wd' | 'twin' | 'control', reference: number, eta: number, wd: number, lambdaEta: number, predicted: number}} RunView
 *   a run to the page: its names, what it is, the run it is compared with, η and λ of its
 *   weight-decay run, λη and the predicted equilibrium angular update Δ*
 * @typedef {{type: 'metrics', packed: Float64Array, queueMs: number, waitMs: number, paced?: boolean, gpu?: object}} MetricsMessage
 *   one chunk of steps, their metrics as numbers (packed.js; transferred, not copied);
 *   `paced`: counts against MAX_AHEAD; `gpu`: WebGPU work in the chunk
 * @typedef {{type: 'boundary', res: number, classes: number, probs: Float32Array}} BoundaryReply
 * @typedef {{type: 'snapshot', snapshot: string, step: number}} SnapshotReply
 * @typedef {{type: 'restored', step: number}} RestoredReply
 * @typedef {{type: 'bench', backend: string, steps: number, msPerStep: number, warmMs: number, pipelines: number, first: number[][]}} BenchReply
 * @typedef {{type: 'toy', path: Array<{w: number[], loss: number, norm_sq: number}>}} ToyReply
 * @typedef {{type: 'gpu-profile', backend: string, totals: object, kernels: Array<[string, number]>, shaders?: string[]}} GpuProfileReply
 * @typedef {{type: 'probe', run: number, points: Array<{c: number, loss: number, prob_diff: number, weight_norm: number, grad_norm: number, grad_times_weight: number, radial: number}>}} ProbeReply
 * @typedef {{type: 'rescaled', run: number, c: number, step: number}} RescaledReply
 * @typedef {{type: 'notice', message: string}} NoticeMessage
 * @typedef {{type: 'lost', message: string}} LostMessage  the WebGPU device was lost
 * @typedef {{type: 'error', message: string, fatal: boolean, diverged?: boolean}} ErrorMessage
 *   `diverged`: a step turned NaN/∞ (the steps before it were sent); `fatal`: the worker is done
 * @typedef {ReadyMessage | MetricsMessage | BoundaryReply | SnapshotReply | RestoredReply | BenchReply | ToyReply | GpuProfileReply | ProbeReply | RescaledReply | NoticeMessage | LostMessage | ErrorMessage} FromWorker
 */
