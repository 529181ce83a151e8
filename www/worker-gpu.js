// The WebGPU engine's worker: the full wasm module (WebGPU through wgpu, and flex), brought up
// in the background while the CPU engine trains; it counts the WebGPU work it asks for.
import init, { Trainer, theory, toyPath } from '../pkg/explr.js';
import * as gpu from './gpu-stats.js';
import { serve } from './worker-core.js';

serve({ init, Trainer, theory, toyPath }, gpu);
