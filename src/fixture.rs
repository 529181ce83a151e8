//! An experiment's training problem written out whole (`explr fixture`), so that another
//! framework can train the same runs step for step and be compared with the engine: the
//! training and test sets, the network's layout, every run's initial parameters and momentum,
//! its LR and weight decay at every step, the shared minibatch order, and the engine's own
//! loss of every run at every step to agree with. `npm run bench` trains it in TF.js.

use burn::tensor::Tensor;

use crate::data::Dataset;
use crate::error::ExplrError;
use crate::experiment::Experiment;
use crate::model::{Arch, NetMode};
use crate::norm::Norm;
use crate::train::{Lockstep, device_for, read};

/// One parameter tensor of the network, as every run holds it: `rows × cols`, row-major
/// (a dense layer's weight is [fan_out, fan_in]: y = x·Wᵀ).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FixtureParam {
    /// Its name in the net ("W1", "W2", "W_out").
    pub name: String,
    /// Output features.
    pub rows: usize,
    /// Input features.
    pub cols: usize,
    /// Updated by the optimizer (the head is frozen).
    pub trainable: bool,
}

/// One run: where it starts and the optimizer's numbers at every step.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FixtureRun {
    /// Its label ("A: WD, fixed LR").
    pub label: String,
    /// Initial values of each parameter, in [`Fixture::params`] order.
    pub init: Vec<Vec<f64>>,
    /// Initial momentum buffer of each parameter (ṽ₀ = κθ₀ for a twin, else 0).
    pub velocity: Vec<Vec<f64>>,
    /// η_t at steps 0, 1, …: v ← γv + g + λ_t·θ; θ ← θ − η_t·v.
    pub lr: Vec<f64>,
    /// λ_t at steps 0, 1, ….
    pub wd: Vec<f64>,
    /// The engine's minibatch loss at each step (before that step's update).
    pub loss: Vec<f64>,
}

/// The whole problem, as `explr fixture` prints it (JSON).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fixture {
    /// Features of one sample (2 for the 2-D datasets).
    pub features: usize,
    /// Number of classes.
    pub classes: usize,
    /// Training samples, sample-major.
    pub train_x: Vec<f32>,
    /// Their labels.
    pub train_y: Vec<u8>,
    /// Held-out samples, evaluated every `eval_every` steps (training-mode batch norm).
    pub test_x: Vec<f32>,
    /// Their labels.
    pub test_y: Vec<u8>,
    /// Steps between test evaluations.
    pub eval_every: u64,
    /// Momentum γ, shared by all runs.
    pub momentum: f64,
    /// The norms' relative epsilon: each divides by sqrt(var + eps·‖W‖²/fan_out).
    pub eps: f64,
    /// The network: x → W1 → BatchNorm → ReLU → W2 → BatchNorm → ReLU → W_out (no biases, no
    /// affine), as parameter shapes in order.
    pub params: Vec<FixtureParam>,
    /// Its runs, trained in lockstep on the same minibatches.
    pub runs: Vec<FixtureRun>,
    /// The minibatch of each step: indices into the training set.
    pub batches: Vec<Vec<usize>>,
}

/// The problem of `exp` over `steps` steps, with the engine's losses from training it on the
/// CPU backend in the experiment's precision. Only the scale-invariant MLP with batch norm is
/// written (the model a peer framework implements); anything else is refused with a message.
pub fn fixture(exp: &Experiment, steps: u64) -> Result<Fixture, ExplrError> {
    let hidden = match exp.net.arch {
        Arch::Mlp { hidden } => hidden,
        Arch::Cnn { .. } => {
            return Err(ExplrError::Unsupported(
                "a fixture is written for the MLP of a 2-D dataset only".into(),
            ));
        }
    };
    if exp.net.norm != Norm::Batch || exp.net.mode != NetMode::ScaleInvariant {
        return Err(ExplrError::Unsupported(
            "a fixture is written for the scale-invariant MLP with batch norm only".into(),
        ));
    }
    let mut lockstep = Lockstep::new(exp.clone(), device_for("flex")?, None)?;
    let (train, test): (Dataset, Dataset) = {
        let (a, b) = lockstep.datasets();
        (a.clone(), b.clone())
    };
    let features = train.sample_len();
    let infos = lockstep.net().params().to_vec();
    let shapes = [
        (hidden, features),
        (hidden, hidden),
        (train.classes, hidden),
    ];
    let params: Vec<FixtureParam> = infos
        .iter()
        .zip(shapes)
        .map(|(info, (rows, cols))| FixtureParam {
            name: info.name.clone(),
            rows,
            cols,
            trainable: info.trainable,
        })
        .collect();
    // Each parameter and momentum buffer of every run, [R, len]: one row per run.
    let rows = |t: &Tensor<2>| -> Vec<Vec<f64>> {
        let [r, len] = t.dims();
        read(t.clone().reshape([r * len]))
            .chunks(len)
            .map(<[f64]>::to_vec)
            .collect()
    };
    let (params_now, velocity_now) = lockstep.tensors();
    let init: Vec<Vec<Vec<f64>>> = params_now.iter().map(rows).collect();
    let velocity: Vec<Vec<Vec<f64>>> = velocity_now.iter().map(rows).collect();
    let r = exp.runs.len();
    let mut runs: Vec<FixtureRun> = (0..r)
        .map(|i| FixtureRun {
            label: exp.runs[i].label.clone(),
            init: init.iter().map(|p| p[i].clone()).collect(),
            velocity: velocity.iter().map(|p| p[i].clone()).collect(),
            lr: Vec::new(),
            wd: Vec::new(),
            loss: Vec::new(),
        })
        .collect();
    let mut order = lockstep.order().clone();
    let mut batches = Vec::with_capacity(steps as usize);
    for _ in 0..steps {
        batches.push(order.next_batch().to_vec());
        let pending = lockstep.advance();
        // No rescaling (Lockstep::keep_in_range): the twin's LR stays in f64 for 10⁵ steps.
        let m = lockstep.complete(&pending, &read(pending.values.clone()))?;
        let lrs = pending.stored_lrs();
        for (i, run) in runs.iter_mut().enumerate() {
            run.lr.push(lrs[i]);
            run.wd.push(pending.wds()[i]);
            run.loss.push(m.runs[i].loss);
        }
    }
    Ok(Fixture {
        features,
        classes: train.classes,
        train_x: train.features,
        train_y: train.labels,
        test_x: test.features,
        test_y: test.labels,
        eval_every: exp.eval_every,
        momentum: exp.hyper.momentum,
        eps: exp.net.eps,
        params,
        runs,
        batches,
    })
}
