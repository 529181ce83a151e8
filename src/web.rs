//! The browser binding (wasm-bindgen): a typed JS API over the lockstep engine. Only strings,
//! numbers and byte arrays cross the boundary; no Burn type leaks into JS. Everything that
//! reads from the GPU is async.

#[cfg(feature = "web")]
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use burn::tensor::Device;
use wasm_bindgen::prelude::*;

use crate::equivalence::Hyper;
use crate::experiment::Experiment;
use crate::toy::{Toy, gd_path};
use crate::train::{Lockstep, PendingStep};

#[cfg(feature = "web")]
thread_local! {
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

#[cfg(target_family = "wasm")]
unsafe extern "C" {
    /// The module's static constructors, synthesized by the wasm linker.
    fn __wasm_call_ctors();
}

/// Runs the module's static constructors (the GPU compiler's `inventory` registrations) once.
///
/// Without an explicit call, the wasm linker treats the module as a "command" and reruns every
/// constructor at the start of *each* exported function — including the small exports that
/// wasm-bindgen's glue calls for every JS value crossing the boundary, thousands of times per
/// WebGPU step. That rerunning was ≈ 90 % of a WebGPU step's time (scripts/build-wasm.sh checks
/// the linker output for it).
fn run_constructors_once() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if !DONE.swap(true, Ordering::SeqCst) {
        #[cfg(target_family = "wasm")]
        // SAFETY: the linker-synthesized constructor list, run exactly once, before any
        // code that reads what the constructors register (every entry point calls this first).
        unsafe {
            __wasm_call_ctors()
        };
    }
}

/// Runs the static constructors and installs a panic hook that reports Rust panics on the
/// console (called by the bindings when the module loads).
#[wasm_bindgen(start)]
pub fn start() {
    run_constructors_once();
    console_error_panic_hook::set_once();
}

/// Opens (once per thread) the WebGPU device. Call only after `navigator.gpu.requestAdapter()`
/// returned an adapter: wgpu cannot recover from a missing one.
#[cfg(feature = "web")]
async fn webgpu() -> Result<Device, JsError> {
    if let Some(d) = WEBGPU.with(|w| w.borrow().clone()) {
        return Ok(d);
    }
    let device = Device::wgpu_options()
        .graphics_api(burn::tensor::wgpu::WgpuBackend::WebGpu)
        // Up to 256 kernels per submit (default 32): fewer, larger submits per step.
        .tasks_max(256)
        .init_async()
        .await
        .map_err(|e| js_err(format!("WebGPU initialisation failed: {e}")))?;
    WEBGPU.with(|w| *w.borrow_mut() = Some(device.clone()));
    Ok(device)
}

/// Several runs training in lockstep, stepped from JS.
#[wasm_bindgen]
pub struct Trainer {
    ls: Lockstep,
    backend: String,
    queue_ms: f64,
    wait_ms: f64,
    /// Set when a step turned NaN/∞: the run stops there.
    error: Option<String>,
}

#[wasm_bindgen]
impl Trainer {
    /// Builds a trainer for the experiment that `settings` describe (JSON, the URL's keys;
    /// missing keys take their defaults, precision included) on `backend` ("webgpu" or
    /// "cpu"); `mnist` holds data/mnist.bin when the dataset is MNIST.
    #[wasm_bindgen(js_name = fromSettings)]
    pub async fn from_settings(
        settings: String,
        backend: String,
        mnist: Option<Vec<u8>>,
    ) -> Result<Trainer, JsError> {
        let s: crate::settings::Settings = serde_json::from_str(&settings).map_err(js_err)?;
        Self::build(s.to_experiment().map_err(js_err)?, backend, mnist).await
    }

    /// Builds a trainer from an experiment (JSON, as [`experiment`](Self::experiment) gives:
    /// a copy of a running one) on `backend`; `mnist` as for `fromSettings`.
    pub async fn create(
        config: String,
        backend: String,
        mnist: Option<Vec<u8>>,
    ) -> Result<Trainer, JsError> {
        let exp: Experiment = serde_json::from_str(&config).map_err(js_err)?;
        Self::build(exp, backend, mnist).await
    }

    async fn build(
        exp: Experiment,
        backend: String,
        mnist: Option<Vec<u8>>,
    ) -> Result<Trainer, JsError> {
        run_constructors_once();
        let device = match backend.as_str() {
            #[cfg(feature = "web")]
            "webgpu" => {
                if exp.precision == crate::model::Precision::F64 {
                    return Err(js_err(
                        "WebGPU computes in f32: choose f32 or the CPU backend",
                    ));
                }
                webgpu().await?
            }
            #[cfg(not(feature = "web"))]
            "webgpu" => return Err(js_err("this is the CPU engine: it has no WebGPU backend")),
            "cpu" => Device::flex(),
            other => return Err(js_err(format!("unknown backend '{other}'"))),
        };
        let ls = Lockstep::new(exp, device, mnist.as_deref()).map_err(js_err)?;
        Ok(Trainer {
            ls,
            backend,
            queue_ms: 0.0,
            wait_ms: 0.0,
            error: None,
        })
    }

    /// Trains `steps` steps, reading all their metrics back in one transfer; resolves to their
    /// metrics packed as numbers ([`crate::packed`]). If a step turns NaN/∞ the array holds the
    /// steps before it, [`error`](Self::error) says what happened, and the trainer takes no more
    /// steps.
    pub async fn run(&mut self, steps: u32) -> Result<js_sys::Float64Array, JsError> {
        if let Some(e) = &self.error {
            return Err(js_err(e));
        }
        let t0 = js_sys::Date::now();
        let pending: Vec<PendingStep> = (0..steps.max(1)).map(|_| self.ls.advance()).collect();
        let all = PendingStep::concat(&pending);
        let t1 = js_sys::Date::now();
        let data = all
            .into_data_async()
            .await
            .map_err(|e| js_err(format!("GPU read-back failed: {e:?}")))?;
        self.queue_ms = t1 - t0;
        self.wait_ms = js_sys::Date::now() - t1;
        let values: Vec<f64> = data.iter::<f64>().collect();
        let mut out = Vec::with_capacity(pending.len());
        let mut offset = 0;
        for p in &pending {
            let n = p.len();
            match self.ls.complete(p, &values[offset..offset + n]) {
                Ok(m) => out.push(m),
                Err(e) => {
                    self.error = Some(e.to_string());
                    break;
                }
            }
            offset += n;
        }
        if self.error.is_none() {
            self.ls.keep_in_range();
        }
        Ok(js_sys::Float64Array::from(&crate::packed::pack(&out)[..]))
    }

    /// Why training stopped (a step turned NaN/∞), if it did.
    #[wasm_bindgen(getter)]
    pub fn error(&self) -> Option<String> {
        self.error.clone()
    }

    /// Class probabilities of every run on a `res`×`res` grid over [−1.6, 1.6]² (2-D
    /// datasets), run-major, then row (top first), column, class.
    pub async fn boundary(&self, res: u32) -> Result<Vec<f32>, JsError> {
        let t = self.ls.boundary(res as usize).map_err(js_err)?;
        let data = t
            .into_data_async()
            .await
            .map_err(|e| js_err(format!("GPU read-back failed: {e:?}")))?;
        Ok(data.iter::<f32>().collect())
    }

    /// Run `run` evaluated with its hidden weights times each c of `cs`, on the first
    /// training minibatch (c = 1 is the reference): a JSON array of
    /// [`ScalePoint`](crate::probe::ScalePoint)s — predictions, ‖∇L‖·‖θ‖, radial part.
    #[wasm_bindgen(js_name = scaleProbe)]
    pub async fn scale_probe(&self, run: u32, cs: Vec<f64>) -> Result<String, JsError> {
        let t = self.ls.scale_probe(run as usize, &cs).map_err(js_err)?;
        let data = t
            .into_data_async()
            .await
            .map_err(|e| js_err(format!("GPU read-back failed: {e:?}")))?;
        let values: Vec<f64> = data.iter::<f64>().collect();
        let points = self.ls.scale_points(&cs, &values).map_err(js_err)?;
        serde_json::to_string(&points).map_err(js_err)
    }

    /// Applies (θ, v, η) → (cθ, v/c, c²η) to WD-free run `run` between steps: its ‖θ‖ and LR
    /// jump, its predictions and future do not (see `Lockstep::rescale_visibly`).
    #[wasm_bindgen(js_name = rescaleVisibly)]
    pub fn rescale_visibly(&mut self, run: u32, c: f64) -> Result<(), JsError> {
        self.ls.rescale_visibly(run as usize, c).map_err(js_err)
    }

    /// The whole training state (weights, momentum buffers, step, log-scales, position in the
    /// batch order), as JSON: what [`restore`](Self::restore) takes, on any backend.
    pub async fn snapshot(&self) -> Result<String, JsError> {
        let data = self
            .ls
            .state_tensor()
            .into_data_async()
            .await
            .map_err(|e| js_err(format!("GPU read-back failed: {e:?}")))?;
        let snap = self.ls.snapshot(data.iter::<f64>().collect());
        serde_json::to_string(&snap).map_err(js_err)
    }

    /// Goes on from a [`snapshot`](Self::snapshot) of the same experiment (taken on any backend).
    pub fn restore(&mut self, snapshot: &str) -> Result<(), JsError> {
        let snap: crate::snapshot::Snapshot = serde_json::from_str(snapshot).map_err(js_err)?;
        self.ls.restore(&snap).map_err(js_err)
    }

    /// Milliseconds the last `run` spent queueing its steps (building the graph, encoding and
    /// submitting kernels; all the work on the CPU backend).
    #[wasm_bindgen(getter, js_name = queueMs)]
    pub fn queue_ms(&self) -> f64 {
        self.queue_ms
    }

    /// Milliseconds the last `run` then waited for its results (the device finishing the queued
    /// work and the read-back).
    #[wasm_bindgen(getter, js_name = waitMs)]
    pub fn wait_ms(&self) -> f64 {
        self.wait_ms
    }

    /// Number of classes of the dataset.
    pub fn classes(&self) -> u32 {
        self.ls.net().classes() as u32
    }

    /// Steps completed.
    #[wasm_bindgen(js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        self.ls.steps_done() as f64
    }

    /// The backend this trainer runs on ("webgpu" or "cpu").
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.clone()
    }

    /// The experiment, as JSON.
    pub fn experiment(&self) -> String {
        serde_json::to_string(self.ls.experiment()).unwrap_or_default()
    }

    /// The names of the hidden (scale-invariant) weight tensors, in the order of each run's
    /// layer angular updates, as a JSON array.
    pub fn layers(&self) -> String {
        let names: Vec<&str> = self
            .ls
            .net()
            .params()
            .iter()
            .filter(|p| p.hidden)
            .map(|p| p.name.as_str())
            .collect();
        serde_json::to_string(&names).unwrap_or_default()
    }

    /// How the page shows each run (label, name, role, reference, η, λ, λη, predicted Δ*), as
    /// a JSON array.
    pub fn runs(&self) -> String {
        serde_json::to_string(&self.ls.experiment().run_views()).unwrap_or_default()
    }
}

/// The theorem's constants for (η, λ, γ), as JSON: α, the other root, κ, growth factors and
/// the f32 horizon.
#[wasm_bindgen(js_name = theory)]
pub fn theory(eta: f64, wd: f64, momentum: f64) -> Result<String, JsError> {
    let h = Hyper::new(eta, wd, momentum).map_err(js_err)?;
    Ok(serde_json::json!({
        "alpha": h.alpha(),
        "otherRoot": h.other_root(),
        "lrFactorPerStep": h.lr_factor_per_step(),
        "v0Coefficient": h.v0_coefficient(),
        "effectiveLrRatio": h.effective_lr_ratio(),
        "f32LrHorizon": h.lr_horizon(f32::MAX as f64),
    })
    .to_string())
}

/// Full-batch GD on a toy of paper §8 ("bn_regression", "plain_regression" or "ratio"), as a
/// JSON array of {w, loss, norm_sq}.
#[wasm_bindgen(js_name = toyPath)]
pub fn toy_path(
    toy: &str,
    x0: f64,
    y0: f64,
    eta: f64,
    wd: f64,
    steps: u32,
) -> Result<String, JsError> {
    let toy: Toy = serde_json::from_value(serde_json::Value::String(toy.into())).map_err(js_err)?;
    crate::toy::check_toy(eta, wd, steps).map_err(js_err)?;
    serde_json::to_string(&gd_path(toy, [x0, y0], eta, wd, steps as usize)).map_err(js_err)
}
