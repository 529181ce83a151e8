//! The equilibrium view of a sweep: for each run, its intrinsic LR λη (Li, Lyu & Arora 2020),
//! the angular update it settled at (measured over the last quarter of training) against the
//! predicted √(2ηλ/(1+γ)), and its final test accuracy. Runs with equal λη line up.

use crate::experiment::{Experiment, RunKind};
use crate::metrics::{self, StepMetrics};

/// The share of a run, at its end, over which its settled values are averaged: the last
/// quarter (the page's sweep view averages the same share of its kept steps).
pub const SETTLED_FRACTION: f64 = 0.25;

/// Steps at the end of a run of `steps` over which its settled values are averaged (at least
/// one step).
pub fn window(steps: u64) -> u64 {
    ((steps as f64 * SETTLED_FRACTION) as u64).max(1)
}

/// One run of a sweep, summarized.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SweepPoint {
    /// The run's label.
    pub label: String,
    /// η of the weight-decay run it is (or is the twin of).
    pub eta: f64,
    /// λ of that run.
    pub wd: f64,
    /// The intrinsic LR λη.
    pub intrinsic_lr: f64,
    /// Whether it is a WD-free twin.
    pub twin: bool,
    /// Mean angular update over the window (rad).
    pub angular_update: f64,
    /// Predicted equilibrium √(2ηλ/(1+γ)) (rad).
    pub predicted: f64,
    /// Mean minibatch loss over the window.
    pub loss: f64,
    /// The last test accuracy measured (None if the test set was never evaluated).
    pub test_accuracy: Option<f64>,
}

/// Accumulates a sweep's step metrics into [`SweepPoint`]s, in bounded memory.
pub struct SweepSummary {
    window_from: u64,
    /// Per run: sum of angular updates, of losses, and the count, over the window.
    sums: Vec<(f64, f64, u64)>,
    test: Vec<Option<f64>>,
    points: Vec<SweepPoint>,
}

impl SweepSummary {
    /// A summary of `exp` trained for `steps` steps, averaged over [`window`].
    pub fn new(exp: &Experiment, steps: u64) -> Self {
        let momentum = exp.hyper.momentum;
        let points = (0..exp.runs.len())
            .map(|i| {
                let (of, eta, wd) = match exp.weight_decay_run(i) {
                    Some((of, schedule, wd)) => (of, schedule.peak(), wd),
                    None => (i, f64::NAN, f64::NAN),
                };
                SweepPoint {
                    label: exp.runs[i].label.clone(),
                    eta,
                    wd,
                    intrinsic_lr: eta * wd,
                    twin: of != i && !matches!(exp.runs[i].kind, RunKind::Perturbed { .. }),
                    angular_update: f64::NAN,
                    predicted: metrics::equilibrium_angular_update(eta, wd, momentum),
                    loss: f64::NAN,
                    test_accuracy: None,
                }
            })
            .collect::<Vec<_>>();
        SweepSummary {
            window_from: steps.saturating_sub(window(steps)),
            sums: vec![(0.0, 0.0, 0); points.len()],
            test: vec![None; points.len()],
            points,
        }
    }

    /// Takes one step's metrics.
    pub fn add(&mut self, m: &StepMetrics) {
        for (i, r) in m.runs.iter().enumerate() {
            if m.step > self.window_from {
                let s = &mut self.sums[i];
                s.0 += r.angular_update;
                s.1 += r.loss;
                s.2 += 1;
            }
            if r.test_accuracy.is_some() {
                self.test[i] = r.test_accuracy;
            }
        }
    }

    /// The points so far.
    pub fn points(&self) -> Vec<SweepPoint> {
        self.points
            .iter()
            .zip(&self.sums)
            .zip(&self.test)
            .map(|((p, &(du, loss, n)), &test)| SweepPoint {
                angular_update: du / n as f64,
                loss: loss / n as f64,
                test_accuracy: test,
                ..p.clone()
            })
            .collect()
    }
}
