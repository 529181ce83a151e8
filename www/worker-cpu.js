// The CPU engine's worker: the small wasm module with Burn's flex backend only (no WebGPU, no
// GPU compiler), loaded first so that training starts at once.
import init, { Trainer, theory, toyPath } from '../pkg-cpu/explr_cpu.js';
import { serve } from './worker-core.js';

serve({ init, Trainer, theory, toyPath });
