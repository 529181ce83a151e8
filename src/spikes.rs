//! The periodic instabilities of GD with weight decay on a scale-invariant net (Lobacheva et
//! al., NeurIPS 2021; paper §8's "no convergence"): weight decay shrinks ‖w‖, the effective LR
//! η/‖w‖² grows until the minimum turns unstable, the loss spikes and the gradient throws ‖w‖
//! back out — again and again. A spike is told by that jump of ‖w‖, counted per run as it
//! trains: at an ordinary step ‖w‖ moves by ≈ Δ²/2 (Δ the angular update; ≈ 5·10⁻⁴ at the
//! paper's defaults), in a spike by several percent. SGD with momentum can overshoot once as
//! ‖w‖ first collapses (λ = 0.005: one spike at step 1 166, ‖w‖ +6 % over 6 steps); the period
//! needs a second.

/// Growth of ‖w‖ in one step (in ln) that starts a spike: 1 %.
pub const SPIKE_RISE: f64 = 0.01;

/// A run's spikes so far: how many, the first's and the last's step, and whether one is in
/// progress (it ends at the first step ‖w‖ shrinks again).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Spikes {
    /// Spikes so far.
    pub count: u32,
    /// The step the first one began at.
    pub first: u64,
    /// The step the latest one began at.
    pub last: u64,
    /// Whether ‖w‖ is still rising in the latest one.
    pub rising: bool,
    /// ln ‖w‖ (scale-free: a twin's divided by its predicted scale) after the previous step.
    pub prev: Option<f64>,
}

impl Spikes {
    /// Takes step t's scale-free ln ‖w‖; returns whether a spike began at this step.
    pub fn observe(&mut self, t: u64, ln_norm: f64) -> bool {
        let rise = self.prev.map_or(0.0, |p| ln_norm - p);
        self.prev = Some(ln_norm);
        if self.rising {
            self.rising = rise >= 0.0;
            return false;
        }
        if rise <= SPIKE_RISE {
            return false;
        }
        self.rising = true;
        if self.count == 0 {
            self.first = t;
        }
        self.count += 1;
        self.last = t;
        true
    }

    /// Mean steps from one spike to the next (None before the second).
    pub fn period(&self) -> Option<f64> {
        (self.count >= 2).then(|| (self.last - self.first) as f64 / (self.count - 1) as f64)
    }
}
