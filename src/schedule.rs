//! Learning-rate schedules: the base schedules of a weight-decay run (constant, step decay,
//! cosine and linear decay with an optional warm-up, a piecewise list) and
//! their WD-free twins: the closed-form exponential (paper §3), the approximate tapered
//! exponential TEXP (§5) and the exact recursion for any schedule (§4).
//!
//! Every twin schedule is evaluated in log space (`ln_lr`), so that it stays finite long after
//! η̃ itself has left the range of `f32` or even `f64`.

use crate::equivalence::Hyper;
use crate::error::ExplrError;

/// LR schedule of a run with weight decay (run A or C).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Schedule {
    /// η_t = η for every step.
    Constant {
        /// The learning rate η.
        eta: f64,
    },
    /// η_t = η·factor^k where k is the number of milestones ≤ t.
    StepDecay {
        /// Initial learning rate.
        eta: f64,
        /// Steps at which the LR is multiplied by `factor` (strictly increasing).
        milestones: Vec<u64>,
        /// Multiplier at each milestone, 0 < factor ≤ 1 (1/C_I in the paper).
        factor: f64,
    },
    /// A linear warm-up over `warmup` steps (η_t = η·(t+1)/warmup), then a cosine from η down
    /// to `floor` at step `total`, and `floor` after it (PyTorch's `CosineAnnealingLR` with
    /// `eta_min = floor`; `floor = eta` is warm-up then constant).
    Cosine {
        /// The peak LR η.
        eta: f64,
        /// The LR at and after step `total` (0 < floor ≤ η).
        floor: f64,
        /// Steps of linear warm-up (0: none).
        warmup: u64,
        /// The step at which the LR reaches `floor` (> warmup).
        total: u64,
    },
    /// A linear warm-up as in [`Schedule::Cosine`], then a straight line from η down to
    /// `floor` at step `total`, and `floor` after it.
    Linear {
        /// The peak LR η.
        eta: f64,
        /// The LR at and after step `total` (0 < floor ≤ η).
        floor: f64,
        /// Steps of linear warm-up (0: none).
        warmup: u64,
        /// The step at which the LR reaches `floor` (> warmup).
        total: u64,
    },
    /// A piecewise-constant list: η_t is the LR of the last point (step, LR) at or before t
    /// (the first point at step 0; steps strictly increasing).
    Piecewise {
        /// (first step, LR) of each piece.
        points: Vec<(u64, f64)>,
    },
}

impl Schedule {
    /// Checks the schedule's parameters.
    pub fn validate(&self) -> Result<(), ExplrError> {
        if let Schedule::StepDecay {
            milestones, factor, ..
        } = self
        {
            if !(factor.is_finite() && *factor > 0.0 && *factor <= 1.0) {
                return Err(ExplrError::OutOfRange(format!(
                    "step-decay factor = {factor}: expected 0 < factor ≤ 1"
                )));
            }
            if milestones.windows(2).any(|w| w[0] >= w[1]) || milestones.first() == Some(&0) {
                return Err(ExplrError::OutOfRange(
                    "milestones must be positive and strictly increasing".into(),
                ));
            }
        }
        let positive = |what: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(ExplrError::OutOfRange(format!(
                    "{what} = {v}: expected a positive LR"
                )))
            }
        };
        match self {
            Schedule::Constant { eta } | Schedule::StepDecay { eta, .. } => positive("eta", *eta),
            Schedule::Cosine {
                eta,
                floor,
                warmup,
                total,
            }
            | Schedule::Linear {
                eta,
                floor,
                warmup,
                total,
            } => {
                positive("eta", *eta)?;
                positive("floor", *floor)?;
                if floor > eta {
                    return Err(ExplrError::OutOfRange(format!(
                        "floor = {floor}: expected at most eta = {eta}"
                    )));
                }
                if total <= warmup {
                    return Err(ExplrError::OutOfRange(format!(
                        "total = {total}: expected more steps than the warm-up's {warmup}"
                    )));
                }
                Ok(())
            }
            Schedule::Piecewise { points } => {
                if points.first().map(|p| p.0) != Some(0)
                    || points.windows(2).any(|w| w[0].0 >= w[1].0)
                {
                    return Err(ExplrError::OutOfRange(
                        "LR list: the first piece starts at step 0, the steps strictly increase"
                            .into(),
                    ));
                }
                points.iter().try_for_each(|p| positive("LR", p.1))
            }
        }
    }

    /// What the page and the runs' labels call it.
    pub fn name(&self) -> &'static str {
        match self {
            Schedule::Constant { .. } => "constant LR",
            Schedule::StepDecay { .. } => "step decay",
            Schedule::Cosine { .. } => "cosine",
            Schedule::Linear { .. } => "linear decay",
            Schedule::Piecewise { .. } => "LR list",
        }
    }

    /// The initial LR η_0.
    pub fn eta0(&self) -> f64 {
        self.lr(0)
    }

    /// The schedule's η: its largest LR (the peak after a warm-up; a piecewise list's largest).
    pub fn peak(&self) -> f64 {
        match self {
            Schedule::Constant { eta }
            | Schedule::StepDecay { eta, .. }
            | Schedule::Cosine { eta, .. }
            | Schedule::Linear { eta, .. } => *eta,
            Schedule::Piecewise { points } => points.iter().map(|p| p.1).fold(0.0, f64::max),
        }
    }

    /// Index of the phase that step t belongs to: the milestones or pieces at or before t (every
    /// step its own phase while a cosine or linear schedule changes the LR).
    pub fn phase(&self, t: u64) -> usize {
        match self {
            Schedule::Constant { .. } => 0,
            Schedule::StepDecay { milestones, .. } => {
                milestones.iter().take_while(|&&m| m <= t).count()
            }
            Schedule::Cosine { total, .. } | Schedule::Linear { total, .. } => {
                t.min(*total) as usize
            }
            Schedule::Piecewise { points } => points
                .iter()
                .take_while(|p| p.0 <= t)
                .count()
                .saturating_sub(1),
        }
    }

    /// η_t: the LR used by step t+1.
    pub fn lr(&self, t: u64) -> f64 {
        match self {
            Schedule::Constant { eta } => *eta,
            Schedule::StepDecay { eta, factor, .. } => eta * factor.powi(self.phase(t) as i32),
            Schedule::Cosine {
                eta,
                floor,
                warmup,
                total,
            } => warmed(*eta, *warmup, t).unwrap_or_else(|| {
                let x = progress(*warmup, *total, t);
                floor + (eta - floor) * 0.5 * (1.0 + (std::f64::consts::PI * x).cos())
            }),
            Schedule::Linear {
                eta,
                floor,
                warmup,
                total,
            } => warmed(*eta, *warmup, t)
                .unwrap_or_else(|| eta - (eta - floor) * progress(*warmup, *total, t)),
            Schedule::Piecewise { points } => points[self.phase(t)].1,
        }
    }
}

/// The warm-up LR η·(t+1)/warmup at step t, or None after the warm-up.
fn warmed(eta: f64, warmup: u64, t: u64) -> Option<f64> {
    (t < warmup).then(|| eta * (t + 1) as f64 / warmup as f64)
}

/// How far step t is from the end of the warm-up to `total`, in [0, 1].
fn progress(warmup: u64, total: u64, t: u64) -> f64 {
    ((t - warmup) as f64 / (total - warmup) as f64).min(1.0)
}

/// How a weight-decay run's λ moves over training: the same λ at every step, or tied to its
/// LR schedule, λ_t = λ·η_t/η (η the schedule's peak). Tied, the equilibrium gradient-to-weight
/// ratio √(2λ_t(1−γ)/η_t) stays where it started as the LR decays (the correction of
/// Defazio 2025); the exact twin follows either (paper §4 takes any (η_t, λ_t)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WdSchedule {
    /// λ_t = λ.
    #[default]
    Constant,
    /// λ_t = λ·η_t/η.
    Tied,
}

impl WdSchedule {
    /// λ_t at step t of a run with weight decay `wd` on `schedule`.
    pub fn at(self, wd: f64, schedule: &Schedule, t: u64) -> f64 {
        match self {
            WdSchedule::Constant => wd,
            WdSchedule::Tied => wd * (schedule.lr(t) / schedule.peak()),
        }
    }

    /// Whether it is the default, a constant λ (left out of saved experiments).
    pub fn is_constant(&self) -> bool {
        *self == WdSchedule::Constant
    }
}

/// How the WD-free twin's initial momentum buffer is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TwinInit {
    /// ṽ_0 = κ·θ_0 with the κ that makes the twin exact from step 0 (paper §3).
    Exact,
    /// ṽ_0 = 0, as a naive implementation would do.
    Naive,
}

/// The exact WD-free twin of any (η_t, λ_t, γ) schedule: paper §4's recursion for
/// c_t = θ̃_t/θ_t, evaluated lazily and cached.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactTwin {
    base: Schedule,
    wd: f64,
    decay: WdSchedule,
    momentum: f64,
    /// a_t − 1 for t = 1, 2, … (index 0 holds a_1 − 1).
    a_minus_one: Vec<f64>,
    /// ln c_t for t = 0, 1, … (ln c_0 = 0).
    ln_c: Vec<f64>,
    /// The plain running sum behind `ln_c` and its rounding error (Neumaier's compensated
    /// summation keeps ln c_t accurate to a few ulps over millions of steps).
    sum: f64,
    err: f64,
}

impl ExactTwin {
    /// The twin of `base` with weight decay `wd` and momentum `momentum`.
    ///
    /// With [`TwinInit::Exact`] the recursion starts in its stationary state a_1 = α*_0 (the
    /// twin then needs ṽ_0 = [`v0_coefficient`](Self::v0_coefficient)·θ_0); with
    /// [`TwinInit::Naive`] it starts from v_0 = 0 in both runs, a_1 = 1 − η_0λ. Both are exact.
    pub fn new(base: Schedule, wd: f64, momentum: f64, init: TwinInit) -> Result<Self, ExplrError> {
        Self::with_decay(base, wd, WdSchedule::Constant, momentum, init)
    }

    /// The twin of `base` whose weight decay follows `decay` from λ = `wd` (see [`new`](Self::new)).
    pub fn with_decay(
        base: Schedule,
        wd: f64,
        decay: WdSchedule,
        momentum: f64,
        init: TwinInit,
    ) -> Result<Self, ExplrError> {
        base.validate()?;
        let (eta0, wd0) = (base.eta0(), decay.at(wd, &base, 0));
        let a1m1 = match init {
            TwinInit::Exact => Hyper::new(eta0, wd0, momentum)?.alpha_minus_one(),
            TwinInit::Naive => -eta0 * wd0,
        };
        Ok(ExactTwin {
            base,
            wd,
            decay,
            momentum,
            a_minus_one: vec![a1m1],
            ln_c: vec![0.0, -a1m1.ln_1p()],
            sum: -a1m1.ln_1p(),
            err: 0.0,
        })
    }

    fn extend_to(&mut self, t: usize) {
        while self.ln_c.len() <= t {
            let n = self.ln_c.len() as u64; // computing a_n, n ≥ 2
            let prev = *self.a_minus_one.last().expect("a_1 is always present");
            let r = self.base.lr(n - 1) / self.base.lr(n - 2);
            let am1 =
                self.momentum * r * (prev / (1.0 + prev)) - self.base.lr(n - 1) * self.wd_at(n - 1);
            self.a_minus_one.push(am1);
            // Compensated: a plain running sum's rounding grows like t·ε·|ln c_t|.
            let term = -am1.ln_1p();
            let sum = self.sum + term;
            self.err += if self.sum.abs() >= term.abs() {
                (self.sum - sum) + term
            } else {
                (term - sum) + self.sum
            };
            self.sum = sum;
            self.ln_c.push(sum + self.err);
        }
    }

    fn wd_at(&self, t: u64) -> f64 {
        self.decay.at(self.wd, &self.base, t)
    }

    /// a_t = c_{t−1}/c_t for t ≥ 1.
    pub fn a(&mut self, t: u64) -> f64 {
        assert!(t >= 1, "a_t is defined for t ≥ 1");
        self.extend_to(t as usize);
        1.0 + self.a_minus_one[t as usize - 1]
    }

    /// ln c_t, where θ̃_t = c_t·θ_t.
    pub fn ln_scale(&mut self, t: u64) -> f64 {
        self.extend_to(t as usize);
        self.ln_c[t as usize]
    }

    /// ln η̃_t = ln η_t + ln c_t + ln c_{t+1}.
    pub fn ln_lr(&mut self, t: u64) -> f64 {
        self.base.lr(t).ln() + self.ln_scale(t) + self.ln_scale(t + 1)
    }

    /// κ in ṽ_0 = κ·θ_0: (a_1 − 1 + η_0λ)/(η_0γ); 0 for a momentum-free run.
    pub fn v0_coefficient(&self) -> f64 {
        if self.momentum == 0.0 {
            return 0.0;
        }
        let eta0 = self.base.eta0();
        (self.a_minus_one[0] + eta0 * self.wd_at(0)) / (eta0 * self.momentum)
    }
}

/// The approximate tapered-exponential schedule of paper §5: within phase I the LR grows by
/// (α*_I)^(−2) per step; entering phase I it is multiplied by (η_I/η_{I−1})/(α*_{I−1}·α*_I).
#[derive(Debug, Clone, PartialEq)]
pub struct Texp {
    base: Schedule,
    wd: f64,
    decay: WdSchedule,
    momentum: f64,
    ln_lr: Vec<f64>,
}

impl Texp {
    /// TEXP for a step-decay (or constant) `base` with weight decay `wd` and momentum `momentum`.
    pub fn new(base: Schedule, wd: f64, momentum: f64) -> Result<Self, ExplrError> {
        Self::with_decay(base, wd, WdSchedule::Constant, momentum)
    }

    /// TEXP of `base` whose weight decay follows `decay` from λ = `wd` (α*_t at each λ_t).
    pub fn with_decay(
        base: Schedule,
        wd: f64,
        decay: WdSchedule,
        momentum: f64,
    ) -> Result<Self, ExplrError> {
        base.validate()?;
        let first = Hyper::new(base.eta0(), decay.at(wd, &base, 0), momentum)?;
        Ok(Texp {
            ln_lr: vec![first.eta.ln() - first.ln_alpha()],
            base,
            wd,
            decay,
            momentum,
        })
    }

    fn ln_alpha_at(&self, t: u64) -> f64 {
        Hyper {
            eta: self.base.lr(t),
            wd: self.decay.at(self.wd, &self.base, t),
            momentum: self.momentum,
        }
        .ln_alpha()
    }

    /// ln η̃_t of the approximate TEXP schedule.
    pub fn ln_lr(&mut self, t: u64) -> f64 {
        while self.ln_lr.len() <= t as usize {
            let n = self.ln_lr.len() as u64;
            let last = *self.ln_lr.last().expect("η̃_0 is always present");
            let step = if self.base.phase(n) != self.base.phase(n - 1) {
                (self.base.lr(n) / self.base.lr(n - 1)).ln()
                    - self.ln_alpha_at(n - 1)
                    - self.ln_alpha_at(n)
            } else {
                -2.0 * self.ln_alpha_at(n)
            };
            self.ln_lr.push(last + step);
        }
        self.ln_lr[t as usize]
    }
}

/// How one run of a lockstep experiment gets its learning rate.
#[derive(Debug, Clone, PartialEq)]
pub enum LrPlan {
    /// A base schedule used as it is (the weight-decay runs).
    Base(Schedule),
    /// The closed-form exponential η̃_t = η·α^(−2t−1) of paper §3.
    Exponential(Hyper),
    /// The approximate tapered exponential of paper §5.
    Texp(Texp),
    /// The exact twin of any schedule (paper §4).
    Exact(ExactTwin),
}

impl LrPlan {
    /// ln of the LR used by step t+1.
    pub fn ln_lr(&mut self, t: u64) -> f64 {
        match self {
            LrPlan::Base(s) => s.lr(t).ln(),
            LrPlan::Exponential(h) => h.ln_exp_lr(t as f64),
            LrPlan::Texp(x) => x.ln_lr(t),
            LrPlan::Exact(x) => x.ln_lr(t),
        }
    }
}
