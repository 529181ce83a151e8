//! Moving a running experiment between engines: a run that was snapshotted at step N and
//! restored into a fresh experiment (on the same or another backend) goes on exactly as the
//! run that never moved.

use crate::common::twin_experiment;
use explr::Lockstep;
use explr::experiment::Experiment;
use explr::metrics::StepMetrics;
use explr::model::Precision;
use explr::norm::Norm;
use explr::schedule::TwinInit;

fn build(exp: &Experiment, backend: &str) -> Lockstep {
    crate::common::lockstep(exp.clone(), backend).unwrap()
}

/// Trains `steps` steps, moving the state to a fresh experiment on the next backend at each
/// of `at` (steps done), cycling through `backends`; the metrics of every step.
pub fn train_switching(
    exp: &Experiment,
    backends: &[&str],
    at: &[u64],
    steps: u64,
) -> Vec<StepMetrics> {
    let mut ls = build(exp, backends[0]);
    let mut out = Vec::new();
    let mut k = 0;
    for t in 0..steps {
        if at.contains(&t) {
            k += 1;
            let snap = ls.snapshot_now();
            ls = build(exp, backends[k % backends.len()]);
            ls.restore(&snap).unwrap();
        }
        out.push(ls.step().unwrap());
    }
    out
}

/// Largest difference of any run's loss, ln ‖w‖ and ln LR between two trainings.
pub fn max_metric_diff(x: &[StepMetrics], y: &[StepMetrics]) -> f64 {
    x.iter()
        .zip(y)
        .flat_map(|(a, b)| a.runs.iter().zip(&b.runs))
        .map(|(a, b)| {
            (a.loss - b.loss)
                .abs()
                .max((a.ln_weight_norm - b.ln_weight_norm).abs())
                .max((a.ln_lr - b.ln_lr).abs())
        })
        .fold(0.0, f64::max)
}

#[test]
fn a_restored_run_goes_on_bit_for_bit() {
    for (norm, cnn) in [(Norm::Batch, false), (Norm::Instance, true)] {
        let mut exp = twin_experiment(norm, Precision::F64, TwinInit::Exact, cnn);
        exp.eval_every = 7;
        // A small batch over a small set crosses several epochs; a low threshold rescales B.
        exp.batch = if cnn { 32 } else { 16 };
        exp.rescale_log2 = 0.05;
        let steps = if cnn { 30 } else { 120 };
        let plain = build(&exp, "flex").train(steps).unwrap();
        let moved = train_switching(&exp, &["flex"], &[5, 17, 64], steps);
        let d = max_metric_diff(&plain, &moved);
        println!("{norm:?}: restored vs never moved, largest difference {d:.3e}");
        assert_eq!(
            plain, moved,
            "{norm:?}: a restored run must equal the one that never moved"
        );
    }
}

#[test]
fn a_snapshot_that_does_not_fit_is_refused() {
    let exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, false);
    let snap = build(&exp, "flex").snapshot_now();
    let mut other = exp.clone();
    other.net.arch = explr::model::Arch::Mlp { hidden: 16 };
    let err = build(&other, "flex").restore(&snap).unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
}
