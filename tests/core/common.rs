//! Helpers shared by the test modules.

use explr::data::DatasetKind;
use explr::experiment::{Experiment, RunKind};
use explr::metrics::StepMetrics;
use explr::model::Precision;
use explr::norm::Norm;
use explr::schedule::TwinInit;
use explr::settings::Settings;
use explr::train::device_for;
use explr::{ExplrError, Lockstep};

/// The bundled MNIST file, built by `npm run data`.
pub fn mnist_bytes() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist.bin");
    std::fs::read(path).unwrap_or_else(|e| {
        panic!("{path}: {e}. Build it with `npm run data` (the README's test command does).")
    })
}

/// The paper-default A/B experiment with `norm`, on the blobs MLP or (`cnn`) the MNIST CNN.
///
/// Blobs rather than spirals: on spirals at these settings training is chaotic and f64 rounding
/// differences grow ×≈40 per 100 steps (1e-16 → 2e-8 in 500 steps), which says nothing about
/// the theorem; on blobs, circles and XOR the f64 twins stay within 1e-14.
pub fn twin_experiment(norm: Norm, precision: Precision, init: TwinInit, cnn: bool) -> Experiment {
    let mut exp = ab_experiment();
    exp.dataset = DatasetKind::Blobs;
    if cnn {
        exp = exp.mnist();
        exp.batch = 32;
        exp.test_samples = 200;
    }
    exp.net.norm = norm;
    exp.precision = precision;
    exp.eval_every = 0;
    exp.runs[1].kind = RunKind::Exponential { of: 0, init };
    exp
}

/// The settings' default A/B experiment, without the chaos control A′: η = 0.1, λ = 5e-4,
/// γ = 0.9, BatchNorm MLP on circles, f64.
pub fn ab_experiment() -> Experiment {
    let settings = Settings {
        chaos: false,
        ..Settings::default()
    };
    settings.to_experiment().unwrap()
}

/// The engine for `exp` on `backend`, with the bundled MNIST where `exp` needs it.
pub fn lockstep(exp: Experiment, backend: &str) -> Result<Lockstep, ExplrError> {
    let mnist = (exp.dataset == DatasetKind::Mnist).then(mnist_bytes);
    Lockstep::new(exp, device_for(backend)?, mnist.as_deref())
}

/// Builds and trains `exp` for `steps` steps on `backend`.
pub fn train(exp: Experiment, backend: &str, steps: u64) -> (Lockstep, Vec<StepMetrics>) {
    let mut ls = lockstep(exp, backend).unwrap();
    let m = ls.train(steps).unwrap();
    (ls, m)
}

/// Largest value of `f` over all steps for run `run`.
pub fn max_over(
    m: &[StepMetrics],
    run: usize,
    f: impl Fn(&explr::metrics::RunMetrics) -> f64,
) -> f64 {
    m.iter().map(|s| f(&s.runs[run])).fold(0.0, f64::max)
}

/// Largest |loss of run a − loss of run b| over all steps.
pub fn max_loss_diff(m: &[StepMetrics], a: usize, b: usize) -> f64 {
    m.iter()
        .map(|s| (s.runs[a].loss - s.runs[b].loss).abs())
        .fold(0.0, f64::max)
}

/// Largest |loss of run `i` in `x` − loss of run `i` in `y`| over the steps of two trainings.
pub fn max_loss_diff_between(x: &[StepMetrics], y: &[StepMetrics], i: usize) -> f64 {
    x.iter()
        .zip(y)
        .map(|(a, b)| (a.runs[i].loss - b.runs[i].loss).abs())
        .fold(0.0, f64::max)
}
