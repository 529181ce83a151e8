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
    /// ‖θ‖ of each trained weight matrix after the step (true values; may be +∞ in f64).
    pub layer_norms: Vec<f64>,
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
}

/// Metrics of every run after one step.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepMetrics {
    /// Steps completed (1 after the first step).
    pub step: u64,
    /// One entry per run, in experiment order.
    pub runs: Vec<RunMetrics>,
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
