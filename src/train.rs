//! The lockstep runner: every run of an [`Experiment`] starts from one initialization and
//! trains on the same minibatches, one step at a time, emitting [`StepMetrics`].

use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor};

use crate::data::{BatchOrder, Dataset, DatasetKind};
use crate::error::ExplrError;
use crate::experiment::{Experiment, RunKind, RunPlan};
#[cfg(all(feature = "cube", not(feature = "fusion")))]
use crate::fused;
use crate::metrics::{self, RunInputs, StepMetrics};
use crate::model::{Net, ParamInfo, Precision, tensor1};
use crate::optim::{self, MomentumState};
use crate::schedule::{ExactTwin, LrPlan, WdSchedule};
use crate::spikes::Spikes;

/// Reads a tensor back to the host as f64 (blocking: native backends only).
pub fn read(t: Tensor<1>) -> Vec<f64> {
    t.into_data().iter::<f64>().collect()
}

struct Run {
    plan: LrPlan,
    wd: f64,
    decay: WdSchedule,
    /// Index of the run this one is compared with (itself for weight-decay runs).
    reference: usize,
    /// Predicts ln c_t against the reference (None for weight-decay runs).
    predicted: Option<ExactTwin>,
    /// What changes as it trains (and moves with it to another backend).
    host: RunState,
}

/// A run's host-side state: what besides its tensors changes as it trains. A snapshot carries
/// it whole, so state added here moves with the run from one backend to another.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunState {
    /// ln S where stored θ = S·(true θ); stored LR = S²·(true LR).
    pub ln_scale: f64,
    /// ln ‖θ‖ of the initial weights.
    pub ln_norm0: f64,
    /// True ln ‖θ‖ the next step starts from.
    pub ln_norm_prev: f64,
    /// Rescales so far.
    pub rescales: u32,
    /// ln c of the visible rescalings θ → cθ applied so far ([`Lockstep::rescale_visibly`]):
    /// its LR is its plan's times c², its predicted scale against its reference times c.
    pub ln_moved: f64,
    /// Its spikes of ‖w‖ so far.
    #[serde(default)]
    pub spikes: Spikes,
}

/// N runs in lockstep on one device, stacked: every parameter tensor holds all runs, [R, len],
/// so that one graph (one set of kernels) trains them all.
pub struct Lockstep {
    exp: Experiment,
    net: Net,
    device: Device,
    train: Dataset,
    test: Dataset,
    order: BatchOrder,
    runs: Vec<Run>,
    params: Vec<Tensor<2>>,
    state: MomentumState,
    /// Weight decay of each run as a [R, 1] column (None when every run is WD-free), built once
    /// when every λ is constant, else each step.
    wd: Option<Tensor<2>>,
    /// Whether some run's λ follows its LR (then the λ column is rebuilt each step).
    wd_varies: bool,
    step: u64,
    /// Each run's stored hidden weights before the last step (for angular updates).
    prev_hidden: Vec<Vec<f64>>,
    test_x: Tensor<4>,
    /// A fixed training batch whose batch-norm statistics evaluate decision-boundary grids.
    reference_x: Tensor<4>,
    /// A defect injected into the fused GPU step, for tests ([`Lockstep::inject_fault`]).
    #[cfg(all(feature = "cube", not(feature = "fusion")))]
    fault: fused::Fault,
    /// Whether steps on a CubeCL device take the fused kernel ([`Lockstep::use_fused`]).
    #[cfg(all(feature = "cube", not(feature = "fusion")))]
    fused: bool,
}

/// Half-width of the square [−E, E]² over which decision boundaries of 2-D datasets are drawn.
pub const GRID_EXTENT: f64 = 1.6;

/// Per-run values (an LR, a factor) as a [R, 1] column on the device.
fn column(values: &[f64], device: &Device, p: Precision) -> Tensor<2> {
    tensor1(values, device, p).reshape([values.len(), 1])
}

fn images(data: &[f32], n: usize, shape: [usize; 3], device: &Device, p: Precision) -> Tensor<4> {
    let values: Vec<f64> = data.iter().map(|&v| v as f64).collect();
    tensor1(&values, device, p).reshape([n, shape[0], shape[1], shape[2]])
}

impl Run {
    /// λ_t: its weight decay at step t.
    fn wd_at(&self, t: u64) -> f64 {
        match &self.plan {
            LrPlan::Base(s) => self.decay.at(self.wd, s, t),
            _ => self.wd,
        }
    }
}

impl Lockstep {
    /// Builds the experiment on `device`; `mnist` holds the bundled MNIST file's bytes when the
    /// dataset is MNIST.
    pub fn new(exp: Experiment, device: Device, mnist: Option<&[u8]>) -> Result<Self, ExplrError> {
        exp.validate()?;
        let all = match exp.dataset {
            DatasetKind::Mnist => Dataset::mnist_from_bytes(mnist.ok_or_else(|| {
                ExplrError::Data("MNIST selected but its data file was not provided".into())
            })?)?,
            kind => Dataset::synthetic(kind, exp.samples, exp.seed)?,
        };
        if exp.test_samples == 0 || exp.test_samples >= all.len() {
            return Err(ExplrError::OutOfRange(format!(
                "{} test samples: expected 1..{}",
                exp.test_samples,
                all.len()
            )));
        }
        let (train, test) = all.split(exp.test_samples, exp.seed.wrapping_add(7));
        let order = BatchOrder::new(train.len(), exp.batch, exp.seed)?;
        let net = Net::new(exp.net, train.sample_shape, train.classes)?;
        let p = exp.precision;
        let values = net.init_values(exp.seed);
        let r = exp.runs.len();
        // Every parameter's values for all runs, [R, len] row-major (A′ one ulp apart).
        let stacked: Vec<Vec<f64>> = values
            .iter()
            .map(|v| {
                exp.runs
                    .iter()
                    .flat_map(|spec| match spec.kind {
                        RunKind::Perturbed { .. } => v.iter().map(|&x| next_up(x, p)).collect(),
                        _ => v.clone(),
                    })
                    .collect()
            })
            .collect();
        let prev_hidden = hidden_per_run(net.params(), stacked.iter().map(Vec::as_slice), r);
        let params: Vec<Tensor<2>> = stacked
            .iter()
            .zip(&values)
            .map(|(rows, v)| tensor1(rows, &device, p).reshape([r, v.len()]))
            .collect();
        let invariant: Vec<bool> = net.params().iter().map(|p| p.invariant).collect();
        let init_norm = metrics::norm(
            &values
                .iter()
                .zip(net.params())
                .filter(|(_, info)| info.hidden)
                .flat_map(|(v, _)| v.iter().copied())
                .collect::<Vec<_>>(),
        );
        let mut runs = Vec::with_capacity(exp.runs.len());
        let mut kappas = Vec::with_capacity(exp.runs.len());
        for i in 0..exp.runs.len() {
            let RunPlan {
                plan,
                wd,
                decay,
                reference,
                predicted,
                kappa,
            } = exp.run_plan(i)?;
            kappas.push(kappa);
            runs.push(Run {
                plan,
                wd,
                decay,
                reference,
                predicted,
                host: RunState {
                    ln_scale: 0.0,
                    ln_norm0: init_norm.ln(),
                    ln_norm_prev: init_norm.ln(),
                    rescales: 0,
                    ln_moved: 0.0,
                    spikes: Spikes::default(),
                },
            });
        }
        let state = MomentumState::scaled_params(&params, &invariant, column(&kappas, &device, p));
        let wds: Vec<f64> = runs.iter().map(|run| run.wd).collect();
        let wd = wds
            .iter()
            .any(|&w| w != 0.0)
            .then(|| column(&wds, &device, p));
        let wd_varies = runs.iter().any(|r| r.decay == WdSchedule::Tied);
        let test_x = images(&test.features, test.len(), test.sample_shape, &device, p);
        let rx = reference_batch(&train);
        let ref_n = rx.len() / train.sample_len();
        let reference_x = images(&rx, ref_n, train.sample_shape, &device, p);
        Ok(Lockstep {
            exp,
            net,
            device,
            train,
            test,
            order,
            runs,
            params,
            state,
            wd,
            wd_varies,
            step: 0,
            prev_hidden,
            test_x,
            reference_x,
            #[cfg(all(feature = "cube", not(feature = "fusion")))]
            fault: fused::Fault::None,
            #[cfg(all(feature = "cube", not(feature = "fusion")))]
            fused: cfg!(target_arch = "wasm32"),
        })
    }

    /// The experiment.
    pub fn experiment(&self) -> &Experiment {
        &self.exp
    }

    /// The network.
    pub fn net(&self) -> &Net {
        &self.net
    }

    /// Steps completed.
    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Steps per epoch of the shared minibatch order.
    pub fn steps_per_epoch(&self) -> usize {
        self.order.steps_per_epoch()
    }

    /// The device every tensor lives on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The shared minibatch order.
    pub(crate) fn order(&self) -> &BatchOrder {
        &self.order
    }

    /// The training and test sets.
    pub fn datasets(&self) -> (&Dataset, &Dataset) {
        (&self.train, &self.test)
    }

    /// The stacked parameter tensors and their momentum buffers.
    pub(crate) fn tensors(&self) -> (&[Tensor<2>], &[Tensor<2>]) {
        (&self.params, &self.state.velocity)
    }

    /// Each run's host-side state.
    pub(crate) fn run_states(&self) -> Vec<RunState> {
        self.runs.iter().map(|r| r.host.clone()).collect()
    }

    /// Replaces the whole training state: `params` and `velocity` as tensors and `values`
    /// (every parameter, [R, len] each in net order, first), the steps done, the position in
    /// the minibatch order and each run's host state (see `snapshot`).
    pub(crate) fn set_state(
        &mut self,
        (params, velocity, values): (Vec<Tensor<2>>, Vec<Tensor<2>>, &[f64]),
        step: u64,
        order: (u64, usize),
        runs: &[RunState],
    ) -> Result<(), ExplrError> {
        self.order.seek(order.0, order.1)?;
        let mut rest = values;
        let blocks = params.iter().map(|t| {
            let [r, len] = t.dims();
            let (head, tail) = rest.split_at(r * len);
            rest = tail;
            head
        });
        self.prev_hidden = hidden_per_run(self.net.params(), blocks, self.runs.len());
        self.params = params;
        self.state.velocity = velocity;
        self.step = step;
        for (run, st) in self.runs.iter_mut().zip(runs) {
            run.host = st.clone();
        }
        Ok(())
    }

    /// How many times run `i` was rescaled to stay in range.
    pub fn rescales(&self, i: usize) -> u32 {
        self.runs[i].host.rescales
    }

    /// True (unscaled) values of run `i`'s hidden weights (the scale-invariant group when the
    /// net is normalized), concatenated. Blocking read-back: native backends only.
    pub fn hidden_weights(&self, i: usize) -> Vec<f64> {
        let s = (-self.runs[i].host.ln_scale).exp();
        self.params
            .iter()
            .zip(self.net.params())
            .filter(|(_, info)| info.hidden)
            .flat_map(|(t, info)| read(t.clone().narrow(0, i, 1).reshape([info.len])))
            .map(|v| v * s)
            .collect()
    }

    fn invariant_mask(&self) -> Vec<bool> {
        self.net.params().iter().map(|p| p.invariant).collect()
    }

    /// Whether run `i` may be rescaled exactly: WD-free and the whole trained set invariant.
    pub fn can_rescale(&self, i: usize) -> bool {
        self.runs[i].wd == 0.0 && self.net.is_scale_invariant()
    }

    /// Applies (θ, v, η) → (sθ, v/s, s²η) to run `i` (paper §6); the trajectory is unchanged.
    pub fn rescale_run(&mut self, i: usize, s: f64) -> Result<(), ExplrError> {
        if i >= self.runs.len() {
            return Err(ExplrError::OutOfRange(format!("no run {i}")));
        }
        if !self.can_rescale(i) {
            return Err(ExplrError::Unsupported(format!(
                "run {i} has weight decay or trains non-invariant parameters: rescaling would change it"
            )));
        }
        if !(s.is_finite() && s > 0.0) {
            return Err(ExplrError::OutOfRange(format!("rescale factor {s}")));
        }
        let mut factors = vec![1.0; self.runs.len()];
        factors[i] = s;
        self.rescale_stacked(&factors);
        Ok(())
    }

    /// Applies the paper's rescaling (θ, v, η) → (cθ, v/c, c²η) to run `i`'s *true* weights, so
    /// that its ‖θ‖ and LR jump (by c and c²) while its effective LR η/‖θ‖², its predictions
    /// and its whole future in function space stay as they were (paper §6). The run must be
    /// WD-free with every trained weight scale-invariant.
    pub fn rescale_visibly(&mut self, i: usize, c: f64) -> Result<(), ExplrError> {
        if i >= self.runs.len() {
            return Err(ExplrError::OutOfRange(format!("no run {i}")));
        }
        let (ln_scale, rescales) = (self.runs[i].host.ln_scale, self.runs[i].host.rescales);
        self.rescale_run(i, c)?;
        let host = &mut self.runs[i].host;
        // The stored weights moved by c; the true ones move with them (S is unchanged).
        host.ln_scale = ln_scale;
        host.rescales = rescales;
        host.ln_moved += c.ln();
        host.ln_norm_prev += c.ln();
        Ok(())
    }

    /// Rescales run r by `factors[r]` (1 leaves it alone), all runs in one pass over the
    /// stacked tensors. The caller has checked that each rescaled run may be.
    fn rescale_stacked(&mut self, factors: &[f64]) {
        let mask = self.invariant_mask();
        let inverse: Vec<f64> = factors.iter().map(|s| 1.0 / s).collect();
        let (scale, inverse) = (self.column(factors), self.column(&inverse));
        optim::rescale(&mut self.params, &mut self.state, &mask, scale, inverse);
        for (run, &s) in self.runs.iter_mut().zip(factors) {
            if s != 1.0 {
                run.host.ln_scale += s.ln();
                run.host.rescales += 1;
            }
        }
    }

    /// The first minibatch of the training set, in index order (fixed, whatever the step).
    pub(crate) fn first_batch(&self) -> (Vec<f32>, Vec<u8>) {
        let idx: Vec<usize> = (0..self.exp.batch.min(self.train.len())).collect();
        self.train.gather(&idx)
    }

    /// ln S of run `i`, where its stored weights are S times its true ones.
    pub(crate) fn ln_stored_scale(&self, i: usize) -> f64 {
        self.runs[i].host.ln_scale
    }

    pub(crate) fn batch_tensors(&self, x: &[f32], y: &[u8]) -> (Tensor<4>, Tensor<2>) {
        let n = y.len();
        let k = self.net.classes();
        let xs = images(
            x,
            n,
            self.train.sample_shape,
            &self.device,
            self.exp.precision,
        );
        let onehot: Vec<f64> = one_hot(y, k).collect();
        let oh = tensor1(&onehot, &self.device, self.exp.precision).reshape([n, k]);
        (xs, oh)
    }

    fn column(&self, values: &[f64]) -> Tensor<2> {
        column(values, &self.device, self.exp.precision)
    }

    /// Whether parameter tensor `j` is read back each step: the hidden weights (norm, angle,
    /// scale) and every trained tensor (per-layer norms), computed on the host from one copy.
    fn read_back(&self) -> Vec<bool> {
        self.net
            .params()
            .iter()
            .map(|p| p.hidden || p.trainable)
            .collect()
    }

    /// Trains every run for one step on the next shared minibatch, without reading anything
    /// back: the returned [`PendingStep`] holds, in one device tensor, all that its metrics
    /// need — each run's minibatch logits and weights, and test logits on evaluation steps.
    /// Norms are taken on the host, so a step adds no GPU work beyond training and copies.
    /// Several pending steps can be read back together ([`PendingStep::concat`]).
    pub fn advance(&mut self) -> PendingStep {
        let idx = self.order.next_batch().to_vec();
        let (x, y) = self.train.gather(&idx);
        let (xs, onehot) = self.batch_tensors(&x, &y);
        let n = y.len() as f64;
        let t = self.step;
        let trainable: Vec<bool> = self.net.params().iter().map(|p| p.trainable).collect();
        let ln_lrs: Vec<f64> = self
            .runs
            .iter_mut()
            .map(|run| run.plan.ln_lr(t) + 2.0 * run.host.ln_moved)
            .collect();
        let stored_lrs: Vec<f64> = self
            .runs
            .iter()
            .zip(&ln_lrs)
            .map(|(run, &ln_lr)| stored_lr(ln_lr, run.host.ln_scale))
            .collect();
        let wds: Vec<f64> = self.runs.iter().map(|run| run.wd_at(t)).collect();
        #[cfg(all(feature = "cube", not(feature = "fusion")))]
        if let Some(problem) = self.fused_problem() {
            return self.advance_fused(problem, &x, &y, ln_lrs, &stored_lrs, wds);
        }
        let tracked: Vec<Tensor<2>> = self
            .params
            .iter()
            .zip(&trainable)
            .map(|(p, &tr)| {
                let p = p.clone().autodiff();
                if tr { p.require_grad() } else { p }
            })
            .collect();
        // The runs' losses are summed: each run's parameters get exactly their own gradient.
        let logits = self.net.forward(&tracked, xs.autodiff());
        let loss = (log_softmax(logits.clone(), 2) * onehot.autodiff().unsqueeze_dim::<3>(0))
            .sum()
            .mul_scalar(-1.0 / n);
        let grads = loss.backward();
        let g: Vec<Option<Tensor<2>>> = tracked
            .iter()
            .zip(&trainable)
            .map(|(p, &tr)| if tr { p.grad(&grads) } else { None })
            .collect();
        let mut parts = vec![flatten(logits.inner())];
        // The hidden weights' gradients, for ‖g‖/‖w‖ (read back whole: norms on the host).
        let hidden_grads: Vec<Tensor<1>> = self
            .net
            .params()
            .iter()
            .zip(&g)
            .filter(|(info, _)| info.hidden)
            .filter_map(|(_, g)| g.as_ref())
            .map(|g| {
                let [r, len] = g.dims();
                g.clone().reshape([r * len])
            })
            .collect();
        let lr = self.column(&stored_lrs);
        let wd = match &self.wd {
            Some(_) if self.wd_varies => Some(self.column(&wds)),
            wd => wd.clone(),
        };
        optim::sgd_step(
            &mut self.params,
            &mut self.state,
            g,
            lr,
            wd,
            self.exp.hyper.momentum,
        );
        self.step += 1;
        let evaluate = self.exp.eval_every > 0 && self.step.is_multiple_of(self.exp.eval_every);
        let read = self.read_back();
        parts.extend(
            self.params
                .iter()
                .zip(&read)
                .filter(|(_, r)| **r)
                .map(|(w, _)| {
                    let [r, len] = w.dims();
                    w.clone().reshape([r * len])
                }),
        );
        parts.extend(hidden_grads);
        if evaluate {
            parts.push(flatten(self.net.forward(&self.params, self.test_x.clone())));
        }
        PendingStep {
            step: self.step,
            labels: y,
            ln_lrs,
            wds,
            ln_scales: self.runs.iter().map(|r| r.host.ln_scale).collect(),
            evaluate,
            values: Tensor::cat(parts, 0),
        }
    }

    /// Makes the fused GPU step defective from now on (tests show their comparisons catch it).
    #[cfg(all(feature = "cube", not(feature = "fusion")))]
    pub fn inject_fault(&mut self, fault: fused::Fault) {
        self.fault = fault;
    }

    /// Whether steps on a CubeCL device take the fused kernel ([`crate::fused`]): on by default in
    /// the browser (WebGPU), where it is checked against the CPU engine before a run moves
    /// there; opt-in natively, where Mesa's lavapipe (through naga's SPIR-V) disagrees with flex
    /// beyond the page's default MLP while the same WGSL agrees on SwiftShader.
    #[cfg(all(feature = "cube", not(feature = "fusion")))]
    pub fn use_fused(&mut self, on: bool) {
        self.fused = on;
    }

    /// Whether the next step runs as one fused kernel ([`crate::fused`]).
    pub fn is_fused(&self) -> bool {
        #[cfg(all(feature = "cube", not(feature = "fusion")))]
        return self.fused_problem().is_some();
        #[cfg(not(all(feature = "cube", not(feature = "fusion"))))]
        false
    }

    /// The sizes of a step for [`crate::fused`], when this experiment can take it: a
    /// scale-invariant net in f32 on a CubeCL device (WebGPU, wgpu), within its budget.
    #[cfg(all(feature = "cube", not(feature = "fusion")))]
    fn fused_problem(&self) -> Option<fused::Problem> {
        if !self.fused || self.exp.precision != Precision::F32 || !fused::on_cube(&self.params[0]) {
            return None;
        }
        let n = self.exp.batch.min(self.train.len());
        fused::Problem::new(&self.net, self.runs.len(), n, self.test.len())
    }

    /// [`Lockstep::advance`] as one fused kernel ([`crate::fused`]): same values, same layout.
    #[cfg(all(feature = "cube", not(feature = "fusion")))]
    fn advance_fused(
        &mut self,
        mut problem: fused::Problem,
        x: &[f32],
        y: &[u8],
        ln_lrs: Vec<f64>,
        stored_lrs: &[f64],
        wds: Vec<f64>,
    ) -> PendingStep {
        let k = problem.classes();
        problem.n = y.len();
        self.step += 1;
        let evaluate = self.exp.eval_every > 0 && self.step.is_multiple_of(self.exp.eval_every);
        let mut inputs: Vec<f32> = Vec::with_capacity(x.len() + y.len() * k + 2 * problem.runs);
        inputs.extend_from_slice(x);
        inputs.extend(one_hot(y, k).map(|v| v as f32));
        for (&lr, &wd) in stored_lrs.iter().zip(&wds) {
            inputs.extend([lr as f32, wd as f32]);
        }
        if evaluate {
            inputs.extend_from_slice(&self.test.features);
        }
        let out = fused::step(
            &problem,
            &self.params,
            &self.state.velocity,
            &inputs,
            evaluate,
            self.exp.hyper.momentum,
            self.fault,
        );
        let [w1, w2] = out.params;
        let [v1, v2] = out.velocity;
        self.params[0] = w1;
        self.params[1] = w2;
        self.state.velocity[0] = v1;
        self.state.velocity[1] = v2;
        PendingStep {
            step: self.step,
            labels: y.to_vec(),
            ln_lrs,
            wds,
            ln_scales: self.runs.iter().map(|r| r.host.ln_scale).collect(),
            evaluate,
            values: out.values,
        }
    }

    /// Turns a pending step's values, read back from the device, into its metrics. Steps must
    /// be completed in order.
    pub fn complete(&mut self, p: &PendingStep, values: &[f64]) -> Result<StepMetrics, ExplrError> {
        let k = self.net.classes();
        let runs = self.runs.len();
        let info = self.net.params();
        let read = self.read_back();
        let mut rest = values;
        let mut take = |n: usize| -> Result<&[f64], ExplrError> {
            if rest.len() < n {
                return Err(ExplrError::Data(
                    "metrics buffer has the wrong length".into(),
                ));
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };
        // Layout (see `advance`): logits [R, B, K]; each read-back parameter [R, len]; each
        // trained hidden weight's gradient [R, len]; test logits [R, T, K] on evaluation steps.
        let bk = p.labels.len() * k;
        let batch: Vec<&[f64]> = take(runs * bk)?.chunks(bk).collect();
        let probs: Vec<Vec<f64>> = batch.iter().map(|b| metrics::softmax(b, k)).collect();
        let mut weights = vec![Vec::new(); runs];
        let mut sq_norms = vec![Vec::new(); runs];
        for (param, _) in info.iter().zip(&read).filter(|(_, r)| **r) {
            let block = take(runs * param.len)?;
            for (i, w) in block.chunks(param.len).enumerate() {
                if param.hidden {
                    weights[i].extend_from_slice(w);
                }
                if param.trainable {
                    sq_norms[i].push(w.iter().map(|v| v * v).sum::<f64>());
                }
            }
        }
        let mut grad_sq = vec![0.0; runs];
        for param in info.iter().filter(|p| p.hidden && p.trainable) {
            for (i, g) in take(runs * param.len)?.chunks(param.len).enumerate() {
                grad_sq[i] += g.iter().map(|v| v * v).sum::<f64>();
            }
        }
        let tk = self.test.len() * k;
        let tests: Vec<Option<&[f64]>> = if p.evaluate {
            take(runs * tk)?.chunks(tk).map(Some).collect()
        } else {
            vec![None; runs]
        };
        if !rest.is_empty() {
            return Err(ExplrError::Data(
                "metrics buffer has the wrong length".into(),
            ));
        }
        let t = p.step;
        let groups: Vec<usize> = info.iter().filter(|p| p.hidden).map(|p| p.len).collect();
        let momentum = self.exp.hyper.momentum;
        let mut out = Vec::with_capacity(runs);
        for i in 0..runs {
            let r = self.runs[i].reference;
            let equilibrium =
                metrics::equilibrium_angular_update(p.ln_lrs[r].exp(), p.wds[r], momentum);
            let ln_pred = match &mut self.runs[i].predicted {
                Some(pred) => pred.ln_scale(t),
                None => 0.0,
            } + self.runs[i].host.ln_moved
                - self.runs[r].host.ln_moved;
            let m = metrics::run_metrics(&RunInputs {
                logits: batch[i],
                labels: &p.labels,
                classes: k,
                weights: &weights[i],
                ref_weights: &weights[r],
                probs: &probs[i],
                ref_probs: &probs[r],
                ln_stored: p.ln_scales[i],
                ref_ln_stored: p.ln_scales[r],
                ln_predicted: ln_pred,
                ln_lr: p.ln_lrs[i],
                ln_norm_prev: self.runs[i].host.ln_norm_prev,
                sq_norms: &sq_norms[i],
                test: tests[i].map(|logits| (logits, self.test.labels.as_slice())),
                prev_weights: &self.prev_hidden[i],
                groups: &groups,
                equilibrium,
                grad_sq: grad_sq[i],
                equilibrium_grad_ratio: metrics::equilibrium_grad_weight_ratio(
                    p.ln_lrs[r].exp(),
                    p.wds[r],
                    momentum,
                ),
            });
            out.push(m.ok_or_else(|| {
                ExplrError::NonFinite(format!(
                    "run {} at step {t}: the loss or weights became NaN/∞; lower η, or keep automatic rescaling on",
                    self.exp.runs[i].label
                ))
            })?);
        }
        for (run, m) in self.runs.iter_mut().zip(&mut out) {
            run.host.ln_norm_prev = m.ln_weight_norm;
            let spikes = &mut run.host.spikes;
            spikes.observe(t, m.ln_weight_norm - m.ln_scale_predicted);
            m.spikes = spikes.count as f64;
            m.spike_period = spikes.period();
        }
        self.prev_hidden = weights;
        Ok(StepMetrics { step: t, runs: out })
    }

    /// Rescales every WD-free run whose stored weights drifted more than 2^`rescale_log2` from
    /// their initial norm, by a power of two (exact in floating point). Call between steps,
    /// after completing them.
    pub fn keep_in_range(&mut self) {
        let factors: Vec<f64> = (0..self.runs.len())
            .map(|i| {
                let r = &self.runs[i];
                let drift = (r.host.ln_norm_prev + r.host.ln_scale - r.host.ln_norm0)
                    / std::f64::consts::LN_2;
                if self.can_rescale(i) && drift.abs() > self.exp.rescale_log2 {
                    (-drift.round()).exp2()
                } else {
                    1.0
                }
            })
            .collect();
        if factors.iter().any(|&s| s != 1.0) {
            self.rescale_stacked(&factors);
        }
    }

    /// Class probabilities of every run on a `res`×`res` grid over [−E, E]² (E =
    /// [`GRID_EXTENT`], rows from y = +E down, columns from x = −E), for 2-D datasets: one
    /// tensor [runs·res²·classes] to read back. Batch norm uses the statistics of a fixed
    /// training batch, so each point's prediction is independent of the grid.
    pub fn boundary(&self, res: usize) -> Result<Tensor<1>, ExplrError> {
        if self.train.sample_shape != [2, 1, 1] {
            return Err(ExplrError::Unsupported(
                "decision boundaries are drawn for 2-D datasets only".into(),
            ));
        }
        if !(2..=256).contains(&res) {
            return Err(ExplrError::OutOfRange(format!(
                "grid resolution {res}: expected 2..=256"
            )));
        }
        let step = 2.0 * GRID_EXTENT / (res - 1) as f64;
        let mut pts = Vec::with_capacity(2 * res * res);
        for row in 0..res {
            for col in 0..res {
                pts.push(-GRID_EXTENT + col as f64 * step);
                pts.push(GRID_EXTENT - row as f64 * step);
            }
        }
        #[cfg(all(feature = "cube", not(feature = "fusion")))]
        if let Some(problem) = self.fused_problem() {
            let reference = reference_batch(&self.train);
            if problem.boundary_fits(reference.len() / 2, res * res) {
                let grid: Vec<f32> = pts.iter().map(|&v| v as f32).collect();
                return Ok(fused::boundary(&problem, &self.params, &reference, &grid));
            }
        }
        let grid = tensor1(&pts, &self.device, self.exp.precision).reshape([res * res, 2, 1, 1]);
        let logits = self
            .net
            .evaluate(&self.params, self.reference_x.clone(), grid);
        let probs = burn::tensor::activation::softmax(logits, 2);
        Ok(probs.reshape([self.runs.len() * res * res * self.net.classes()]))
    }

    /// Trains every run for one step and returns the metrics (blocking read-back: native).
    pub fn step(&mut self) -> Result<StepMetrics, ExplrError> {
        let p = self.advance();
        let values = read(p.values.clone());
        let m = self.complete(&p, &values)?;
        self.keep_in_range();
        Ok(m)
    }

    /// Runs `steps` steps, returning every step's metrics.
    pub fn train(&mut self, steps: u64) -> Result<Vec<StepMetrics>, ExplrError> {
        (0..steps).map(|_| self.step()).collect()
    }
}

/// A step whose training update is queued on the device and whose metrics await read-back.
pub struct PendingStep {
    step: u64,
    labels: Vec<u8>,
    ln_lrs: Vec<f64>,
    /// Each run's λ_t.
    wds: Vec<f64>,
    ln_scales: Vec<f64>,
    evaluate: bool,
    /// Everything the metrics need, flattened into one tensor.
    pub values: Tensor<1>,
}

impl PendingStep {
    /// One tensor holding the values of all `steps`, to read back at once.
    pub fn concat(steps: &[PendingStep]) -> Tensor<1> {
        Tensor::cat(steps.iter().map(|p| p.values.clone()).collect(), 0)
    }

    /// Each run's LR as its stored weights take it (η_t times the square of its stored scale).
    pub fn stored_lrs(&self) -> Vec<f64> {
        self.ln_lrs
            .iter()
            .zip(&self.ln_scales)
            .map(|(&ln_lr, &ln_scale)| stored_lr(ln_lr, ln_scale))
            .collect()
    }

    /// Each run's weight decay λ_t.
    pub fn wds(&self) -> &[f64] {
        &self.wds
    }

    /// Number of values this step reads back.
    pub fn len(&self) -> usize {
        self.values.dims()[0]
    }

    /// Whether it reads back nothing (never: every step has metrics).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The LR the stored weights take when the true ones are e^−ln_scale times them: η·e^(2·ln_scale).
fn stored_lr(ln_lr: f64, ln_scale: f64) -> f64 {
    (ln_lr + 2.0 * ln_scale).exp()
}

/// Each run's hidden weights, concatenated in net order, from every parameter's stacked values
/// (`blocks`: one [R, len] row-major slice per parameter, in net order).
fn hidden_per_run<'a>(
    infos: &[ParamInfo],
    blocks: impl Iterator<Item = &'a [f64]>,
    runs: usize,
) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new(); runs];
    for (block, info) in blocks.zip(infos).filter(|(_, info)| info.hidden) {
        for (run, row) in out.iter_mut().zip(block.chunks(info.len)) {
            run.extend_from_slice(row);
        }
    }
    out
}

/// The labels `y` as one-hot rows of `k` classes, row-major.
fn one_hot(y: &[u8], k: usize) -> impl Iterator<Item = f64> + '_ {
    y.iter()
        .flat_map(move |&c| (0..k).map(move |j| if j == c as usize { 1.0 } else { 0.0 }))
}

/// The features of the fixed batch whose batch-norm statistics evaluate decision-boundary
/// grids: the first 256 training samples (or all of them).
fn reference_batch(train: &Dataset) -> Vec<f32> {
    let n = train.len().min(256);
    train.gather(&(0..n).collect::<Vec<_>>()).0
}

/// The next representable value above `x` in precision `p` (one unit in the last place).
pub fn next_up(x: f64, p: Precision) -> f64 {
    match p {
        Precision::F64 => x.next_up(),
        Precision::F32 => (x as f32).next_up() as f64,
    }
}

/// A [R, N, K] tensor as a flat [R·N·K] one.
fn flatten(t: Tensor<3>) -> Tensor<1> {
    let [r, n, k] = t.dims();
    t.reshape([r * n * k])
}

/// Device for a backend name: `flex` (CPU) or `wgpu` (GPU, or a software Vulkan driver).
pub fn device_for(backend: &str) -> Result<Device, ExplrError> {
    match backend {
        "flex" | "cpu" => Ok(Device::flex()),
        #[cfg(feature = "wgpu")]
        "wgpu" => Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
        _ => Err(ExplrError::Unsupported(format!(
            "unknown backend '{backend}': expected flex{}",
            if cfg!(feature = "wgpu") {
                " or wgpu"
            } else {
                ""
            }
        ))),
    }
}
