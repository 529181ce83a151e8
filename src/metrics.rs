//! Per-step metrics of a lockstep experiment and the host-side arithmetic that produces them
//! (all in f64, from values read back once per step).

/// Metrics of one run after one step.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunMetrics {
    /// Minibatch cross-entropy at the weights the step's gradient was taken at.
    pub loss: f64,
    /// Minibatch accuracy at those weights.
    pub accuracy: f64,
    /// ln of the LR this step used (true value, whatever rescaling was applied).
    pub ln_lr: f64,
    /// ln ‖θ‖ of the scale-invariant group after the step (true value).
    pub ln_weight_norm: f64,
    /// Effective LR η_t/‖θ_t‖² of this step: its LR over the squared norm of the weights it
    /// started from (paper §3: the twin's is exactly 1/α times the WD run's).
    pub effective_lr: f64,
    /// ln of the effective LR (finite whenever the LR and ‖θ‖ are, at any magnitude).
    pub ln_effective_lr: f64,
    /// Measured ln(‖θ̃_t‖/‖θ_t‖) against the reference run (0 for a reference run).
    pub ln_scale_measured: f64,
    /// Predicted ln c_t (e.g. −t·ln α) against the reference run.
    pub ln_scale_predicted: f64,
    /// ‖θ̃_t/c_t − θ_t‖/‖θ_t‖ against the reference run.
    pub rel_weight_error: f64,
    /// Angle (rad) between this run's weights and the reference run's.
    pub angle: f64,
    /// Largest |p − p_ref| of predicted class probabilities on the step's minibatch (both
    /// runs see the same inputs and, in training mode, the same batch statistics).
    pub prob_diff: f64,
    /// ln of the factor by which the stored weights are scaled to stay in range (paper §6).
    pub ln_stored_scale: f64,
    /// Test accuracy, on evaluation steps.
    pub test_accuracy: Option<f64>,
    /// Test loss, on evaluation steps.
    pub test_loss: Option<f64>,
    /// Angular update Δ_t = angle(θ_t, θ_{t+1}) (rad) of the whole hidden (scale-invariant)
    /// set over this step.
    pub angular_update: f64,
    /// Angular update of each hidden weight tensor (each its own scale-invariant group under a
    /// per-layer norm), in the net's parameter order.
    pub layer_angular_updates: Vec<f64>,
    /// Predicted equilibrium angular update √(2ηλ/(1+γ)) of the weight-decay run this run is
    /// (or is compared with), at this step's η (0 without weight decay).
    pub equilibrium_angular_update: f64,
    /// ln(‖g‖/‖θ‖) of the hidden (scale-invariant) weights, at the weights the step's gradient
    /// was taken at (true values; a twin's is its WD run's / c_t²).
    pub ln_grad_weight_ratio: f64,
    /// The equilibrium ‖g‖/‖θ‖ = √(2λ(1−γ)/η) of the weight-decay run this run is (or is
    /// compared with), at this step's η (0 without weight decay).
    pub equilibrium_grad_weight_ratio: f64,
    /// Spikes of ‖w‖ so far ([`crate::spikes`]; a twin's are its scale-free weights').
    pub spikes: f64,
    /// Mean steps between those spikes (None before the second).
    pub spike_period: Option<f64>,
}

/// Metrics of every run after one step.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepMetrics {
    /// Steps completed (1 after the first step).
    pub step: u64,
    /// One entry per run, in experiment order.
    pub runs: Vec<RunMetrics>,
}

/// What one run's metrics after a step are computed from: its values and its reference run's,
/// as read back from the device (stored weights are the true ones times e^ln_stored).
pub struct RunInputs<'a> {
    /// The run's logits on the step's minibatch, [n, classes].
    pub logits: &'a [f64],
    /// The minibatch's labels.
    pub labels: &'a [u8],
    /// Number of classes.
    pub classes: usize,
    /// Stored hidden weights of the run.
    pub weights: &'a [f64],
    /// Stored hidden weights of the reference run.
    pub ref_weights: &'a [f64],
    /// Predicted probabilities of the run on the minibatch.
    pub probs: &'a [f64],
    /// Predicted probabilities of the reference run.
    pub ref_probs: &'a [f64],
    /// ln S of the run's stored weights.
    pub ln_stored: f64,
    /// ln S of the reference run's stored weights.
    pub ref_ln_stored: f64,
    /// Predicted ln c_t against the reference (0 for a reference run).
    pub ln_predicted: f64,
    /// ln of the LR this step used.
    pub ln_lr: f64,
    /// True ln ‖θ‖ the step started from.
    pub ln_norm_prev: f64,
    /// Squared stored norms of each trained weight matrix.
    pub sq_norms: &'a [f64],
    /// Test logits and labels, on evaluation steps.
    pub test: Option<(&'a [f64], &'a [u8])>,
    /// Stored hidden weights of the run before the step (any stored scale: angles ignore it).
    pub prev_weights: &'a [f64],
    /// Length of each hidden weight tensor within `weights`, in order.
    pub groups: &'a [usize],
    /// Predicted equilibrium angular update (see [`RunMetrics::equilibrium_angular_update`]).
    pub equilibrium: f64,
    /// ‖g‖² of the stored hidden weights' gradient at the step's start.
    pub grad_sq: f64,
    /// The equilibrium ‖g‖/‖θ‖ (see [`RunMetrics::equilibrium_grad_weight_ratio`]).
    pub equilibrium_grad_ratio: f64,
}

/// One run's metrics after a step, or None if its loss or weights are not finite.
pub fn run_metrics(x: &RunInputs) -> Option<RunMetrics> {
    let (loss, accuracy) = loss_accuracy(x.logits, x.labels, x.classes);
    if !loss.is_finite() || x.weights.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let ln_norm = norm(x.weights).ln() - x.ln_stored;
    let ln_norm_ref = norm(x.ref_weights).ln() - x.ref_ln_stored;
    let (test_loss, test_accuracy) = match x.test {
        Some((logits, labels)) => {
            let (l, a) = loss_accuracy(logits, labels, x.classes);
            (Some(l), Some(a))
        }
        None => (None, None),
    };
    let ln_effective_lr = x.ln_lr - 2.0 * x.ln_norm_prev;
    Some(RunMetrics {
        loss,
        accuracy,
        ln_lr: x.ln_lr,
        ln_weight_norm: ln_norm,
        effective_lr: ln_effective_lr.exp(),
        ln_effective_lr,
        ln_scale_measured: ln_norm - ln_norm_ref,
        ln_scale_predicted: x.ln_predicted,
        rel_weight_error: rel_error(
            x.weights,
            (-x.ln_stored - x.ln_predicted).exp(),
            x.ref_weights,
            (-x.ref_ln_stored).exp(),
        ),
        angle: angle(x.weights, x.ref_weights),
        prob_diff: max_abs_diff(x.probs, x.ref_probs),
        ln_stored_scale: x.ln_stored,
        test_accuracy,
        test_loss,
        angular_update: angle(x.prev_weights, x.weights),
        layer_angular_updates: groups(x.groups, x.prev_weights)
            .zip(groups(x.groups, x.weights))
            .map(|(a, b)| angle(a, b))
            .collect(),
        equilibrium_angular_update: x.equilibrium,
        // Stored weights are S·θ, so the stored gradient is g/S: ‖g‖ = S·‖g_stored‖.
        ln_grad_weight_ratio: 0.5 * x.grad_sq.ln() + x.ln_stored - x.ln_norm_prev,
        equilibrium_grad_weight_ratio: x.equilibrium_grad_ratio,
        spikes: 0.0,
        spike_period: None,
    })
}

/// `v` cut into consecutive slices of the given lengths.
fn groups<'a>(lens: &'a [usize], v: &'a [f64]) -> impl Iterator<Item = &'a [f64]> + 'a {
    lens.iter().scan(0, move |at, &n| {
        let g = v.get(*at..*at + n)?;
        *at += n;
        Some(g)
    })
}

/// The equilibrium angular update √(2ηλ/(1+γ)) of SGD with momentum γ and weight decay λ at
/// LR η on a scale-invariant weight group (Wan et al. 2020; Kosson et al. 2023): where weight
/// decay's shrinking and the gradient's growth of ‖θ‖ balance.
pub fn equilibrium_angular_update(eta: f64, wd: f64, momentum: f64) -> f64 {
    (2.0 * eta * wd / (1.0 + momentum)).sqrt()
}

/// The equilibrium gradient-to-weight ratio ‖g‖/‖θ‖ = √(2λ(1−γ)/η) of SGD with momentum γ
/// and weight decay λ at LR η on a scale-invariant weight group (docs/exactness.md derives
/// it: weight decay's shrinking of ‖θ‖ balances the growth from updates orthogonal to θ,
/// counting the momentum's correlation between steps; γ = 0 gives √(2λ/η)). It rises as η
/// falls: the late-training gradient rise.
pub fn equilibrium_grad_weight_ratio(eta: f64, wd: f64, momentum: f64) -> f64 {
    (2.0 * wd * (1.0 - momentum) / eta).sqrt()
}

/// How an exported cell is made from a run's metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// The value itself.
    Value,
    /// log10 of a value kept as ln (always finite).
    Log10,
    /// The value of one kept as ln (empty beyond f64).
    Exp,
}

/// One per-run column of the export: its name, the [`RunMetrics`] field it reads, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Column {
    /// The column's name in the CSV header.
    pub name: &'static str,
    /// The metric it reads (a field of [`RunMetrics`], as serialized).
    pub metric: &'static str,
    /// How the cell is made from it.
    pub cell: Cell,
}

const fn col(name: &'static str, metric: &'static str, cell: Cell) -> Column {
    Column { name, metric, cell }
}

/// The export's columns after `step` and `run` (one row per step and run), for the page's CSV
/// and `explr train`, both of which write them by this table (documented in docs/cli.md): LR,
/// ‖w‖ and effective LR both as log10 (always finite) and as values (empty beyond f64). A cell
/// that is not a finite number is empty.
pub const CSV_COLUMNS: &[Column] = &[
    col("loss", "loss", Cell::Value),
    col("accuracy", "accuracy", Cell::Value),
    col("log10_lr", "ln_lr", Cell::Log10),
    col("log10_weight_norm", "ln_weight_norm", Cell::Log10),
    col("log10_effective_lr", "ln_effective_lr", Cell::Log10),
    col("lr", "ln_lr", Cell::Exp),
    col("weight_norm", "ln_weight_norm", Cell::Exp),
    col("effective_lr", "ln_effective_lr", Cell::Exp),
    col("scale_measured", "ln_scale_measured", Cell::Exp),
    col("scale_predicted", "ln_scale_predicted", Cell::Exp),
    col("rel_weight_error", "rel_weight_error", Cell::Value),
    col("angle", "angle", Cell::Value),
    col("prob_diff", "prob_diff", Cell::Value),
    col("test_loss", "test_loss", Cell::Value),
    col("test_accuracy", "test_accuracy", Cell::Value),
    col("angular_update", "angular_update", Cell::Value),
    col(
        "equilibrium_angular_update",
        "equilibrium_angular_update",
        Cell::Value,
    ),
    col("grad_weight_ratio", "ln_grad_weight_ratio", Cell::Exp),
    col(
        "equilibrium_grad_weight_ratio",
        "equilibrium_grad_weight_ratio",
        Cell::Value,
    ),
    col("spikes", "spikes", Cell::Value),
    col("spike_period", "spike_period", Cell::Value),
];

/// Lists [`RunMetrics`]'s scalar fields once: the order of [`SCALARS`] (the packed layout of
/// [`crate::packed`]), the reader by name and the constructor from values in that order.
macro_rules! scalar_metrics {
    ($($f:ident),*; $($opt:ident),*) => {
        /// [`RunMetrics`]'s scalar fields by serialized name, in the packed layout's order (the
        /// optional ones last; NaN where not measured), then each run's layer angular updates.
        pub const SCALARS: &[&str] = &[$(stringify!($f),)* $(stringify!($opt),)*];

        impl RunMetrics {
            /// The scalar metric `name` (a serialized field name; None for an unknown name or an
            /// optional metric not measured this step).
            pub fn metric(&self, name: &str) -> Option<f64> {
                match name {
                    $(stringify!($f) => Some(self.$f),)*
                    $(stringify!($opt) => self.$opt,)*
                    _ => None,
                }
            }

            /// A run's metrics from its [`SCALARS`] values in order (NaN for an optional metric
            /// not measured) and its layers' angular updates; None if `v` is too short.
            pub fn from_scalars(v: &[f64], layer_angular_updates: Vec<f64>) -> Option<Self> {
                let mut it = v.iter().copied();
                Some(Self {
                    $($f: it.next()?,)*
                    $($opt: Some(it.next()?).filter(|x| !x.is_nan()),)*
                    layer_angular_updates,
                })
            }
        }
    };
}

scalar_metrics!(
    loss, accuracy, ln_lr, ln_weight_norm, effective_lr, ln_effective_lr, ln_scale_measured,
    ln_scale_predicted, rel_weight_error, angle, prob_diff, ln_stored_scale, angular_update,
    equilibrium_angular_update, ln_grad_weight_ratio, equilibrium_grad_weight_ratio, spikes;
    test_accuracy, test_loss, spike_period
);

impl RunMetrics {
    /// The cell of export column `c` (empty where it is not a finite number).
    pub fn cell(&self, c: &Column) -> String {
        let v = self.metric(c.metric).map(|v| match c.cell {
            Cell::Value => v,
            Cell::Log10 => v * std::f64::consts::LOG10_E,
            Cell::Exp => v.exp(),
        });
        v.filter(|v| v.is_finite())
            .map(|v| v.to_string())
            .unwrap_or_default()
    }
}

/// Mean cross-entropy and accuracy of `logits` ([n, k] row-major) against `labels`.
pub fn loss_accuracy(logits: &[f64], labels: &[u8], k: usize) -> (f64, f64) {
    let mut loss = 0.0;
    let mut correct = 0usize;
    for (row, &y) in logits.chunks_exact(k).zip(labels) {
        let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = max + row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
        loss += lse - row[y as usize];
        let arg = row
            .iter()
            .enumerate()
            .fold(0, |best, (i, v)| if *v > row[best] { i } else { best });
        correct += usize::from(arg == y as usize);
    }
    let n = labels.len().max(1) as f64;
    (loss / n, correct as f64 / n)
}

/// Row-wise softmax of `logits` ([n, k]).
pub fn softmax(logits: &[f64], k: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(logits.len());
    for row in logits.chunks_exact(k) {
        let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = row.iter().map(|v| (v - max).exp()).collect();
        let s: f64 = e.iter().sum();
        out.extend(e.iter().map(|v| v / s));
    }
    out
}

/// Euclidean norm.
pub fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Angle between `a` and `b`, accurate for tiny angles: 2·atan2(‖â − b̂‖, ‖â + b̂‖).
pub fn angle(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (norm(a), norm(b));
    let (mut d, mut s) = (0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (u, w) = (x / na, y / nb);
        d += (u - w) * (u - w);
        s += (u + w) * (u + w);
    }
    2.0 * d.sqrt().atan2(s.sqrt())
}

/// ‖a·sa − b·sb‖/‖b·sb‖.
pub fn rel_error(a: &[f64], sa: f64, b: &[f64], sb: f64) -> f64 {
    let num: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x * sa - y * sb).powi(2))
        .sum::<f64>()
        .sqrt();
    num / (norm(b) * sb.abs())
}

/// max |a − b|.
pub fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
