//! The WD-free twin's schedule as a table, to take home (`explr schedule`): for a weight-decay
//! run's schedule, each step's LR η_t and weight decay λ_t, the twin's η̃_t (in log space and as
//! a value), the scale c_t with θ̃_t = c_t·θ_t, and κ of the twin's initial momentum ṽ₀ = κ·θ₀ —
//! enough to train the twin with no weight decay in any SGD that follows the paper's convention
//! (§2: PyTorch's, v ← γv + ∇L, θ ← θ − η v, no dampening, weight decay added to the gradient).

use crate::error::ExplrError;
use crate::experiment::{Experiment, RunKind};

/// One step of the twin's schedule.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TwinRow {
    /// The step t (its LR is used by the (t+1)-th update).
    pub step: u64,
    /// The weight-decay run's LR η_t.
    pub lr: f64,
    /// The weight-decay run's λ_t (constant, or tied to η_t).
    pub wd: f64,
    /// ln η̃_t of the twin (finite long after η̃_t leaves f64).
    pub ln_twin_lr: f64,
    /// η̃_t, or None beyond f64.
    pub twin_lr: Option<f64>,
    /// ln c_t, where θ̃_t = c_t·θ_t.
    pub ln_scale: f64,
}

/// The twin's schedule of `exp`'s decaying run (its run D) or, without one, of run A (its run
/// B): (the twin's run index, κ, `steps` rows from step 0).
pub fn twin_table(exp: &Experiment, steps: u64) -> Result<(usize, f64, Vec<TwinRow>), ExplrError> {
    let twin = (0..exp.runs.len())
        .rev()
        .find(|&i| {
            matches!(
                exp.runs[i].kind,
                RunKind::Exact { .. } | RunKind::Texp { .. } | RunKind::Exponential { .. }
            )
        })
        .ok_or_else(|| ExplrError::Unsupported("the experiment has no WD-free twin".into()))?;
    let mut plan = exp.run_plan(twin)?;
    let (_, base, wd) = exp
        .weight_decay_run(plan.reference)
        .ok_or_else(|| ExplrError::Unsupported("the twin has no weight-decay run".into()))?;
    let mut scale = plan.predicted.take();
    let rows = (0..steps)
        .map(|t| {
            let ln = plan.plan.ln_lr(t);
            TwinRow {
                step: t,
                lr: base.lr(t),
                wd: exp.wd_schedule.at(wd, &base, t),
                ln_twin_lr: ln,
                twin_lr: Some(ln.exp()).filter(|v| v.is_finite()),
                ln_scale: scale.as_mut().map_or(0.0, |s| s.ln_scale(t)),
            }
        })
        .collect();
    Ok((twin, plan.kappa, rows))
}
