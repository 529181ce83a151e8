//! The description of a lockstep experiment: data, network, hyper-parameters and which runs
//! train side by side. Serializable, so the CLI, the browser and saved results share one format.

use crate::data::DatasetKind;
use crate::equivalence::Hyper;
use crate::error::ExplrError;
use crate::model::{Arch, NetConfig, Precision};
use crate::schedule::{ExactTwin, LrPlan, Schedule, Texp, TwinInit, WdSchedule};

/// Most runs one experiment trains in lockstep: a sweep of 64 grid points, each with its twin.
pub const MAX_RUNS: usize = 128;

/// Most grid points of a sweep.
pub const MAX_SWEEP: usize = 64;

/// How one run gets its learning rate and weight decay.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunKind {
    /// SGD + momentum + weight decay λ with a base schedule (runs A and C).
    WeightDecay {
        /// The base LR schedule.
        schedule: Schedule,
        /// Its own weight decay λ, for a sweep's grid point (None: the experiment's λ, and
        /// then its η must be the experiment's too).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wd: Option<f64>,
    },
    /// No weight decay, closed-form η̃_t = η·α^(−2t−1) twin of run `of` (constant schedule).
    Exponential {
        /// Index of the weight-decay run this is the twin of.
        of: usize,
        /// Exact ṽ_0 = κθ_0, or naive ṽ_0 = 0.
        init: TwinInit,
    },
    /// No weight decay, the exact §4 twin of run `of` (any schedule; exact ṽ_0).
    Exact {
        /// Index of the weight-decay run this is the twin of.
        of: usize,
    },
    /// No weight decay, the approximate tapered exponential (§5) of run `of`.
    Texp {
        /// Index of the weight-decay run this is the twin of.
        of: usize,
        /// Exact ṽ_0 = κθ_0 for the first phase, or naive ṽ_0 = 0.
        init: TwinInit,
    },
    /// The rounding-chaos control A′: weight-decay run `of` again, from its initial weights
    /// moved by one unit in the last place of the working precision. How far it drifts from
    /// run `of` is how far rounding alone, amplified by training, separates two runs.
    Perturbed {
        /// Index of the weight-decay run this is a perturbed copy of.
        of: usize,
    },
}

impl RunKind {
    /// The weight-decay run this run is a twin or control of (None for a weight-decay run).
    pub fn of(&self) -> Option<usize> {
        match *self {
            RunKind::WeightDecay { .. } => None,
            RunKind::Exponential { of, .. }
            | RunKind::Exact { of }
            | RunKind::Texp { of, .. }
            | RunKind::Perturbed { of } => Some(of),
        }
    }
}

/// How one run trains and what it is compared with, derived from its [`RunKind`].
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// Its learning rate at every step.
    pub plan: LrPlan,
    /// Its weight decay λ (at the schedule's peak when `decay` ties it to the LR).
    pub wd: f64,
    /// How its weight decay moves with its schedule.
    pub decay: WdSchedule,
    /// The run it is compared with (itself for a weight-decay run).
    pub reference: usize,
    /// The predicted scale c_t against the reference (twins only).
    pub predicted: Option<ExactTwin>,
    /// κ of its initial momentum ṽ₀ = κθ₀ on the scale-invariant weights (0: ṽ₀ = 0).
    pub kappa: f64,
}

/// What a run is, to the page: the weight-decay run, a WD-free twin, or the rounding control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// SGD + momentum + weight decay (runs A, C and a sweep's grid points).
    Wd,
    /// A WD-free twin of a weight-decay run (B, D, a sweep's "exp LR" runs).
    Twin,
    /// The rounding-chaos control A′.
    Control,
}

/// How the page shows one run (one definition, the engine's): its names, what it is, the run
/// it is compared with and the optimizer of the weight-decay run it is or refers to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunView {
    /// Its place in the experiment.
    pub index: usize,
    /// Its label ("A: WD, fixed LR").
    pub label: String,
    /// The label's name part ("A").
    pub short: String,
    /// What it is.
    pub role: Role,
    /// The run it is compared with (itself for a weight-decay run).
    pub reference: usize,
    /// η of its weight-decay run (the schedule's first LR).
    pub eta: f64,
    /// λ of its weight-decay run.
    pub wd: f64,
    /// The intrinsic LR λη.
    pub lambda_eta: f64,
    /// The predicted equilibrium angular update √(2ηλ/(1+γ)) at that η and λ.
    pub predicted: f64,
}

/// One run of the experiment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunSpec {
    /// Short label shown in plots and tables.
    pub label: String,
    /// How it is optimized.
    pub kind: RunKind,
}

/// A whole lockstep experiment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Experiment {
    /// Dataset.
    pub dataset: DatasetKind,
    /// Number of generated points for 2-D datasets (train + test).
    pub samples: usize,
    /// Samples held out for testing.
    pub test_samples: usize,
    /// Network.
    pub net: NetConfig,
    /// η, λ, γ of the weight-decay runs.
    pub hyper: Hyper,
    /// The runs, all from one initialization and over one minibatch order.
    pub runs: Vec<RunSpec>,
    /// Minibatch size.
    pub batch: usize,
    /// Seed for data, initialization and minibatch order.
    pub seed: u64,
    /// Float precision.
    pub precision: Precision,
    /// Evaluate on the test set every this many steps (0 = never).
    pub eval_every: u64,
    /// Rescale a WD-free run once ‖θ̃‖ has drifted 2^this from its initial norm (paper §6).
    pub rescale_log2: f64,
    /// How the weight-decay runs' λ moves with their schedules (constant: the paper's runs).
    #[serde(default, skip_serializing_if = "WdSchedule::is_constant")]
    pub wd_schedule: WdSchedule,
}

impl Experiment {
    /// Adds run C (step decay by `factor` at `milestones`, with WD) and its twin D (`exact` §4
    /// recursion, or the approximate TEXP).
    pub fn with_step_decay(self, milestones: Vec<u64>, factor: f64, exact: bool) -> Self {
        let schedule = Schedule::StepDecay {
            eta: self.hyper.eta,
            milestones,
            factor,
        };
        self.with_schedule(schedule, exact)
    }

    /// Adds run C (`schedule`, with WD following [`wd_schedule`](Self::wd_schedule)) and its
    /// twin D: the exact §4 recursion, or (`exact` false) the approximate per-phase TEXP; each
    /// named after the schedule.
    pub fn with_schedule(mut self, schedule: Schedule, exact: bool) -> Self {
        let c = self.runs.len();
        let twin = match (&schedule, exact) {
            (Schedule::StepDecay { .. }, true) => "exact TEXP",
            (Schedule::StepDecay { .. }, false) => "TEXP",
            (_, true) => "exact twin",
            (_, false) => "per-step TEXP",
        };
        let wd = match self.wd_schedule {
            WdSchedule::Constant => "WD",
            WdSchedule::Tied => "WD ∝ LR",
        };
        self.runs.push(RunSpec {
            label: format!("C: {wd}, {}", schedule.name()),
            kind: RunKind::WeightDecay { schedule, wd: None },
        });
        self.runs.push(RunSpec {
            label: format!("D: no WD, {twin}"),
            kind: if exact {
                RunKind::Exact { of: c }
            } else {
                RunKind::Texp {
                    of: c,
                    init: TwinInit::Exact,
                }
            },
        });
        self
    }

    /// The MNIST CNN with the same hyper-parameters.
    pub fn mnist(mut self) -> Self {
        self.dataset = DatasetKind::Mnist;
        self.net.arch = Arch::Cnn { c1: 8, c2: 16 };
        self.test_samples = 1000;
        self
    }

    /// A sweep: one constant-LR weight-decay run per (η, λ) of `etas` × `wds` (at most
    /// [`MAX_SWEEP`]), each followed by its exponential-LR twin when `twins`; replaces the runs.
    pub fn sweep(mut self, etas: &[f64], wds: &[f64], twins: bool) -> Result<Self, ExplrError> {
        let points = etas.len() * wds.len();
        if points == 0 || points > MAX_SWEEP {
            return Err(ExplrError::OutOfRange(format!(
                "a sweep of {} η × {} λ = {points} runs: expected 1 to {MAX_SWEEP}",
                etas.len(),
                wds.len()
            )));
        }
        self.runs.clear();
        for &eta in etas {
            for &wd in wds {
                let of = self.runs.len();
                self.runs.push(RunSpec {
                    label: format!("η={eta} λ={wd}"),
                    kind: RunKind::WeightDecay {
                        schedule: Schedule::Constant { eta },
                        wd: Some(wd),
                    },
                });
                if twins {
                    self.runs.push(RunSpec {
                        label: format!("η={eta} λ={wd}, exp LR"),
                        kind: RunKind::Exponential {
                            of,
                            init: TwinInit::Exact,
                        },
                    });
                }
            }
        }
        Ok(self)
    }

    /// The plan of run `i` (the experiment validated): LR plan, weight decay, reference run,
    /// predicted scale and initial momentum, as its kind prescribes.
    pub fn run_plan(&self, i: usize) -> Result<RunPlan, ExplrError> {
        let h = self.hyper;
        let base = |of: usize| self.base(i, of);
        let twin = |of: usize| {
            let (schedule, wd) = base(of)?;
            ExactTwin::with_decay(schedule, wd, self.wd_schedule, h.momentum, TwinInit::Exact)
        };
        let kappa_of =
            |init: TwinInit, exact: f64| if init == TwinInit::Exact { exact } else { 0.0 };
        Ok(match &self.runs[i].kind {
            RunKind::WeightDecay { schedule, wd } => RunPlan {
                plan: LrPlan::Base(schedule.clone()),
                wd: wd.unwrap_or(h.wd),
                decay: self.wd_schedule,
                reference: i,
                predicted: None,
                kappa: 0.0,
            },
            RunKind::Exponential { of, init } => {
                let (schedule, wd) = base(*of)?;
                let hy = Hyper::new(schedule.eta0(), wd, h.momentum)?;
                RunPlan {
                    plan: LrPlan::Exponential(hy),
                    wd: 0.0,
                    decay: WdSchedule::Constant,
                    reference: *of,
                    predicted: Some(twin(*of)?),
                    kappa: kappa_of(*init, hy.v0_coefficient()),
                }
            }
            RunKind::Exact { of } => {
                let t = twin(*of)?;
                RunPlan {
                    kappa: t.v0_coefficient(),
                    plan: LrPlan::Exact(t.clone()),
                    wd: 0.0,
                    decay: WdSchedule::Constant,
                    reference: *of,
                    predicted: Some(t),
                }
            }
            RunKind::Texp { of, init } => {
                let t = twin(*of)?;
                let (schedule, wd) = base(*of)?;
                RunPlan {
                    kappa: kappa_of(*init, t.v0_coefficient()),
                    plan: LrPlan::Texp(Texp::with_decay(
                        schedule,
                        wd,
                        self.wd_schedule,
                        h.momentum,
                    )?),
                    wd: 0.0,
                    decay: WdSchedule::Constant,
                    reference: *of,
                    predicted: Some(t),
                }
            }
            RunKind::Perturbed { of } => {
                let (schedule, wd) = base(*of)?;
                RunPlan {
                    plan: LrPlan::Base(schedule),
                    wd,
                    decay: self.wd_schedule,
                    reference: *of,
                    predicted: None,
                    kappa: 0.0,
                }
            }
        })
    }

    /// How the page shows each run ([`RunView`]), in run order.
    pub fn run_views(&self) -> Vec<RunView> {
        (0..self.runs.len())
            .map(|i| {
                let spec = &self.runs[i];
                let role = match spec.kind {
                    RunKind::WeightDecay { .. } => Role::Wd,
                    RunKind::Perturbed { .. } => Role::Control,
                    _ => Role::Twin,
                };
                let (reference, eta, wd) = self
                    .weight_decay_run(i)
                    .map(|(of, schedule, wd)| (of, schedule.peak(), wd))
                    .unwrap_or((i, self.hyper.eta, self.hyper.wd));
                RunView {
                    index: i,
                    label: spec.label.clone(),
                    short: spec.label.split(':').next().unwrap_or_default().to_string(),
                    role,
                    reference,
                    eta,
                    wd,
                    lambda_eta: eta * wd,
                    predicted: crate::metrics::equilibrium_angular_update(
                        eta,
                        wd,
                        self.hyper.momentum,
                    ),
                }
            })
            .collect()
    }

    /// The weight-decay run that run `i` is or refers to: its index, schedule and λ.
    pub fn weight_decay_run(&self, i: usize) -> Option<(usize, Schedule, f64)> {
        let of = self.runs.get(i)?.kind.of().unwrap_or(i);
        match &self.runs.get(of)?.kind {
            RunKind::WeightDecay { schedule, wd } => {
                Some((of, schedule.clone(), wd.unwrap_or(self.hyper.wd)))
            }
            _ => None,
        }
    }

    /// The schedule and weight decay of weight-decay run `of`, which run `i` refers to.
    fn base(&self, i: usize, of: usize) -> Result<(Schedule, f64), ExplrError> {
        match self.weight_decay_run(of) {
            Some((base, schedule, wd)) if base == of && of != i => Ok((schedule, wd)),
            _ => Err(ExplrError::Unsupported(format!(
                "run {i} ({}) refers to run {of}, which is not a weight-decay run",
                self.runs[i].label
            ))),
        }
    }

    /// Checks every field, with a message naming the field at fault.
    pub fn validate(&self) -> Result<(), ExplrError> {
        self.hyper.validate()?;
        if self.runs.is_empty() || self.runs.len() > MAX_RUNS {
            return Err(ExplrError::OutOfRange(format!(
                "{} runs: expected 1 to {MAX_RUNS}",
                self.runs.len()
            )));
        }
        if self.dataset.is_2d() && !(16..=100_000).contains(&self.samples) {
            return Err(ExplrError::OutOfRange(format!(
                "{} samples: expected 16..=100000",
                self.samples
            )));
        }
        if !(self.rescale_log2.is_finite() && self.rescale_log2 > 0.0) {
            return Err(ExplrError::OutOfRange(format!(
                "rescale threshold 2^{}: expected a positive exponent",
                self.rescale_log2
            )));
        }
        for (i, run) in self.runs.iter().enumerate() {
            let of = match &run.kind {
                RunKind::WeightDecay { schedule, wd } => {
                    schedule.validate()?;
                    // α is real at every LR the schedule takes if it is at its largest λη.
                    Hyper::new(
                        schedule.peak(),
                        wd.unwrap_or(self.hyper.wd),
                        self.hyper.momentum,
                    )
                    .map_err(|e| ExplrError::OutOfRange(format!("run {i} ({}): {e}", run.label)))?;
                    // hyper.eta is what the theory (α, κ, η̃) is stated for: one η, not two
                    // (a sweep's grid point states its own η and λ).
                    // (A list of LRs states its own.)
                    let eta0 = schedule.peak();
                    let own = matches!(schedule, Schedule::Piecewise { .. });
                    if wd.is_none()
                        && !own
                        && (eta0 - self.hyper.eta).abs() > 1e-12 * self.hyper.eta
                    {
                        return Err(ExplrError::OutOfRange(format!(
                            "run {i} ({}) peaks at η = {eta0} but the experiment's η is {}: they must agree",
                            run.label, self.hyper.eta
                        )));
                    }
                    continue;
                }
                kind => kind.of().expect("every other run refers to one"),
            };
            let (base, _) = self.base(i, of)?;
            if matches!(run.kind, RunKind::Exponential { .. })
                && !matches!(base, Schedule::Constant { .. })
            {
                return Err(ExplrError::Unsupported(format!(
                    "run {i}: the closed-form exponential twin needs a constant schedule; use the exact or TEXP twin for step decay"
                )));
            }
        }
        Ok(())
    }
}
