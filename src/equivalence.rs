//! Closed-form quantities of the main theorem (paper §3, §6, §7): the root α, the exact initial
//! momentum of the WD-free twin, per-step and per-epoch growth factors and the float32 horizon.

use crate::error::ExplrError;

/// Hyper-parameters of the weight-decay run A: fixed LR η, weight decay λ and momentum γ.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hyper {
    /// Learning rate η (> 0).
    pub eta: f64,
    /// Weight decay λ (≥ 0), coupled L2 as in paper §2.
    pub wd: f64,
    /// Momentum γ (0 ≤ γ < 1), no dampening.
    pub momentum: f64,
}

impl Hyper {
    /// The paper's defaults: η = 0.1, λ = 5e-4, γ = 0.9.
    pub const PAPER: Hyper = Hyper {
        eta: 0.1,
        wd: 5e-4,
        momentum: 0.9,
    };

    /// Builds and validates a set of hyper-parameters.
    pub fn new(eta: f64, wd: f64, momentum: f64) -> Result<Self, ExplrError> {
        let h = Hyper { eta, wd, momentum };
        h.validate()?;
        Ok(h)
    }

    /// Checks ranges, and that x² − (1+γ−λη)x + γ has real roots (paper §3).
    pub fn validate(&self) -> Result<(), ExplrError> {
        let bad = |what: &str, v: f64, range: &str| {
            Err(ExplrError::OutOfRange(format!(
                "{what} = {v} is out of range: expected {range}"
            )))
        };
        if !(self.eta.is_finite() && self.eta > 0.0 && self.eta <= 10.0) {
            return bad("learning rate η", self.eta, "0 < η ≤ 10");
        }
        if !(self.wd.is_finite() && (0.0..=1.0).contains(&self.wd)) {
            return bad("weight decay λ", self.wd, "0 ≤ λ ≤ 1");
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return bad("momentum γ", self.momentum, "0 ≤ γ < 1");
        }
        if self.eta * self.wd >= 1.0 {
            return bad("λη", self.eta * self.wd, "λη < 1");
        }
        if self.discriminant() < 0.0 {
            return Err(ExplrError::OutOfRange(format!(
                "no real α for η={}, λ={}, γ={}: (1+γ−λη)² < 4γ; lower λη or γ",
                self.eta, self.wd, self.momentum
            )));
        }
        Ok(())
    }

    /// (1+γ−λη)² − 4γ, written as (1−γ)² − 2λη(1+γ) + (λη)² to avoid cancellation.
    fn discriminant(&self) -> f64 {
        let g = self.momentum;
        let le = self.wd * self.eta;
        (1.0 - g) * (1.0 - g) - 2.0 * le * (1.0 + g) + le * le
    }

    /// α − 1 for the larger root, computed without cancellation where possible.
    pub fn alpha_minus_one(&self) -> f64 {
        let g = self.momentum;
        let le = self.wd * self.eta;
        // α − 1 = [(γ − 1 − λη) + sqrt(D)]/2 = −2λη / [(1 − γ + λη) + sqrt(D)] (rationalised).
        -2.0 * le / ((1.0 - g + le) + self.discriminant().max(0.0).sqrt())
    }

    /// α: the larger root of x² − (1+γ−λη)x + γ = 0.
    pub fn alpha(&self) -> f64 {
        1.0 + self.alpha_minus_one()
    }

    /// The other (smaller) root, γ/α by Vieta.
    pub fn other_root(&self) -> f64 {
        self.momentum / self.alpha()
    }

    /// ln α, accurate for α close to 1.
    pub fn ln_alpha(&self) -> f64 {
        self.alpha_minus_one().ln_1p()
    }

    /// Per-step LR growth factor of the exponential schedule, α^(−2).
    pub fn lr_factor_per_step(&self) -> f64 {
        (-2.0 * self.ln_alpha()).exp()
    }

    /// LR growth over `steps` steps, α^(−2·steps).
    pub fn lr_factor(&self, steps: f64) -> f64 {
        (-2.0 * steps * self.ln_alpha()).exp()
    }

    /// Weight-norm growth of the twin over `steps` steps, α^(−steps).
    pub fn weight_factor(&self, steps: f64) -> f64 {
        (-steps * self.ln_alpha()).exp()
    }

    /// η̃_t = η·α^(−2t−1), the LR of step t+1 of the exponential twin.
    pub fn exp_lr(&self, t: f64) -> f64 {
        self.ln_exp_lr(t).exp()
    }

    /// ln η̃_t, finite far beyond the range of any float.
    pub fn ln_exp_lr(&self, t: f64) -> f64 {
        self.eta.ln() - (2.0 * t + 1.0) * self.ln_alpha()
    }

    /// Coefficient κ of the exact initial momentum ṽ_0 = κ·θ_0, κ = (α−1)/(α·η).
    pub fn v0_coefficient(&self) -> f64 {
        self.alpha_minus_one() / (self.alpha() * self.eta)
    }

    /// Ratio of the twin's effective LR η̃_t/‖θ̃_t‖² to run A's η/‖θ_t‖²: 1/α.
    pub fn effective_lr_ratio(&self) -> f64 {
        1.0 / self.alpha()
    }

    /// First step t at which η̃_t exceeds `limit` (e.g. `f32::MAX`), if ever: a whole number,
    /// as f64 since it can lie far beyond u64 (≈ 5.6·10²⁰ steps at η = 10⁻¹⁰, λ = 10⁻⁹).
    pub fn lr_horizon(&self, limit: f64) -> Option<f64> {
        let la = self.ln_alpha();
        if la >= 0.0 {
            return None;
        }
        // ln η − (2t+1) ln α > ln limit  ⇔  t > (ln limit − ln η)/(−2 ln α) − 1/2
        let t = ((limit.ln() - self.eta.ln()) / (-2.0 * la) - 0.5).max(0.0);
        Some(t.floor() + 1.0)
    }
}
