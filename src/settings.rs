//! The settings a person chooses — the page's URL keys and the CLI's flags — as one flat, typed
//! set with its defaults and ranges ([`FIELDS`]), and the one mapping from them to an
//! [`Experiment`]. The page's field table is generated from [`FIELDS`] (`www/settings.gen.js`,
//! by `explr schema`; a test fails while it is stale), so ranges and defaults live here only.

use crate::data::DatasetKind;
use crate::equivalence::Hyper;
use crate::error::ExplrError;
use crate::experiment::{Experiment, RunKind, RunSpec};
pub use crate::fields::{Field, FieldKind};
use crate::fields::{check_range, flag, num, one_of, parse_decimal, parse_list};
use crate::model::{Arch, NetConfig, NetMode, Precision};
use crate::norm::Norm;
use crate::schedule::{Schedule, TwinInit, WdSchedule};

/// The base schedule of runs A (and C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleChoice {
    /// A fixed LR: runs A and B.
    Constant,
    /// Also step decay: runs C (with WD) and D (its WD-free twin).
    Step,
    /// Also a cosine decay to `floor` at step `total` after `warmup` steps: runs C and D.
    Cosine,
    /// Also a linear decay to `floor` at step `total` after `warmup` steps: runs C and D.
    Linear,
    /// Also a piecewise-constant list of LRs (`lrs`, changing at `milestones`): runs C and D.
    List,
}

/// The twin of the step-decay run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TexpChoice {
    /// The exact twin (§4 recursion).
    Exact,
    /// The approximate tapered exponential (§5).
    Approx,
}

/// Initial momentum of the twin B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitChoice {
    /// ṽ₀ = κθ₀: exact from step 0.
    Exact,
    /// ṽ₀ = 0.
    Naive,
}

/// The normalization after each hidden layer (GroupNorm with 4 groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NormChoice {
    /// BatchNorm.
    Batch,
    /// GroupNorm, 4 groups.
    Group,
    /// LayerNorm.
    Layer,
    /// InstanceNorm (the CNN only).
    Instance,
    /// None: not scale-invariant.
    None,
}

/// The network: exactly scale-invariant, or standard (what breaks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetChoice {
    /// No affine, frozen head.
    Invariant,
    /// Affine norm and a trained head.
    Standard,
}

/// Everything a person sets about an experiment, with the URL's keys.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// η: the LR of run A.
    pub eta: f64,
    /// λ: weight decay.
    pub wd: f64,
    /// γ: momentum.
    pub momentum: f64,
    /// Constant LR, or also step decay (runs C, D).
    pub schedule: ScheduleChoice,
    /// Steps at which the step-decay run's LR is multiplied by `factor`.
    pub milestones: Vec<u64>,
    /// The step-decay factor.
    pub factor: f64,
    /// Steps of linear warm-up of a cosine or linear schedule.
    pub warmup: u64,
    /// The LR a cosine or linear schedule decays to.
    pub floor: f64,
    /// The step at which a cosine or linear schedule reaches `floor`.
    pub total: u64,
    /// A list schedule's LRs: from step 0, then from each milestone (empty: η·factor^k).
    pub lrs: Vec<f64>,
    /// How the decaying run C's λ moves with its LR (constant, or tied: λ_t = λ·η_t/η).
    pub wd_schedule: WdSchedule,
    /// Which twin D the decaying run gets.
    pub texp: TexpChoice,
    /// Initial momentum of B.
    pub init: InitChoice,
    /// The normalization.
    pub norm: NormChoice,
    /// Scale-invariant or standard net.
    pub net: NetChoice,
    /// The dataset (MNIST trains the CNN).
    pub dataset: DatasetKind,
    /// Points of a 2-D dataset, training and test together (the test set is 200 of them).
    pub samples: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Seed for data, initialization and batch order.
    pub seed: u64,
    /// Whether to add the rounding-chaos control A′.
    pub chaos: bool,
    /// Float precision (WebGPU computes in f32 only).
    pub precision: Precision,
    /// A sweep's LRs η (empty: η alone); with `sweep_wd` the grid η × λ.
    pub sweep_eta: Vec<f64>,
    /// A sweep's weight decays λ (empty: λ alone).
    pub sweep_wd: Vec<f64>,
    /// Whether each grid point of a sweep gets its exponential-LR twin.
    pub sweep_twins: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            eta: Hyper::PAPER.eta,
            wd: Hyper::PAPER.wd,
            momentum: Hyper::PAPER.momentum,
            schedule: ScheduleChoice::Constant,
            milestones: vec![300, 600],
            factor: 0.1,
            warmup: 0,
            floor: 0.001,
            total: 1000,
            lrs: Vec::new(),
            wd_schedule: WdSchedule::Constant,
            texp: TexpChoice::Exact,
            init: InitChoice::Exact,
            norm: NormChoice::Batch,
            net: NetChoice::Invariant,
            dataset: DatasetKind::Circles,
            samples: 1200,
            batch: 64,
            seed: 1,
            chaos: true,
            precision: Precision::F64,
            sweep_eta: Vec::new(),
            sweep_wd: Vec::new(),
            sweep_twins: false,
        }
    }
}

/// Points of a 2-D dataset held out for testing.
pub const TEST_SAMPLES: usize = 200;

/// Test-set evaluation every this many steps (the CLI's `--eval-every` may change it).
pub const EVAL_EVERY: u64 = 20;

/// Most values a list setting holds (milestones, a sweep's η or λ).
pub const MAX_LIST: usize = 8;

/// Most steps a milestone may name, and most runs' training steps anywhere.
pub const MAX_STEPS: u64 = 10_000_000;

/// Every setting, in the order the page shows them. A new normalization, schedule or dataset
/// is one value here and one arm in [`Settings::to_experiment`], besides its own module and
/// the page's parts listed in docs/architecture.md.
pub const FIELDS: &[Field] = &[
    num(
        "eta",
        FieldKind::Number,
        1e-4,
        1.0,
        "η: the learning rate of run A",
    ),
    num("wd", FieldKind::Number, 0.0, 0.05, "λ: weight decay"),
    num("momentum", FieldKind::Number, 0.0, 0.99, "γ: momentum"),
    one_of(
        "schedule",
        &["constant", "step", "cosine", "linear", "list"],
        "Run A's schedule; the others add run C (with WD) on that schedule and its WD-free twin D [--milestones alone implies step]",
    ),
    num(
        "milestones",
        FieldKind::List,
        1.0,
        MAX_STEPS as f64,
        "Steps at which C's LR is multiplied by --factor (up to 8, e.g. 300,600)",
    ),
    num(
        "factor",
        FieldKind::Number,
        0.01,
        1.0,
        "Step-decay factor at each milestone",
    ),
    num(
        "warmup",
        FieldKind::Int,
        0.0,
        MAX_STEPS as f64,
        "Steps of linear warm-up (η·(t+1)/warmup) before C's cosine or linear decay",
    ),
    num(
        "floor",
        FieldKind::Number,
        1e-6,
        1.0,
        "The LR C's cosine or linear decay ends at (at most η)",
    ),
    num(
        "total",
        FieldKind::Int,
        1.0,
        MAX_STEPS as f64,
        "The step at which C's cosine or linear decay reaches --floor (after the warm-up)",
    ),
    num(
        "lrs",
        FieldKind::Numbers,
        1e-6,
        1.0,
        "C's LRs for schedule = list: from step 0, then from each milestone (one more than the milestones)",
    ),
    one_of(
        "wd_schedule",
        &["constant", "tied"],
        "C's weight decay: constant λ, or tied to its LR (λ_t = λ·η_t/η), which holds ‖g‖/‖w‖ at its starting equilibrium as the LR decays",
    ),
    one_of(
        "texp",
        &["exact", "approx"],
        "Twin D of the decaying run C: exact (§4 recursion) or approx (TEXP of §5, per step for cosine and linear)",
    ),
    one_of(
        "init",
        &["exact", "naive"],
        "Initial momentum of the twin B: exact ṽ₀ = κθ₀, or naive ṽ₀ = 0",
    ),
    one_of(
        "norm",
        &["batch", "group", "layer", "instance", "none"],
        "Normalization after each hidden layer (group: 4 groups; instance: MNIST only; none: not scale-invariant)",
    ),
    one_of(
        "net",
        &["invariant", "standard"],
        "The exactly scale-invariant net, or the standard one (affine norm + trained head)",
    ),
    one_of(
        "dataset",
        &["circles", "spirals", "xor", "blobs", "mnist"],
        "Dataset (mnist trains the CNN)",
    ),
    num(
        "samples",
        FieldKind::Int,
        240.0,
        20_000.0,
        "Points of a 2-D dataset, 200 of them held out for testing (--batch = samples − 200: full-batch GD)",
    ),
    num("batch", FieldKind::Int, 8.0, 512.0, "Minibatch size"),
    num(
        "seed",
        FieldKind::Int,
        0.0,
        1e9,
        "Seed for data, initialization and minibatch order",
    ),
    flag(
        "chaos",
        "Also train the rounding-chaos control A′ (run A from weights one ulp apart)",
    ),
    one_of(
        "precision",
        &["f64", "f32"],
        "Float precision (WebGPU and the wgpu backend compute in f32)",
    ),
    num(
        "sweep_eta",
        FieldKind::Numbers,
        1e-4,
        1.0,
        "A sweep's LRs: one run per η of this list (up to 8) for each λ of --sweep-wd",
    ),
    num(
        "sweep_wd",
        FieldKind::Numbers,
        1e-6,
        0.05,
        "A sweep's weight decays: one run per λ of this list (up to 8) for each η of --sweep-eta",
    ),
    flag(
        "sweep_twins",
        "Give each grid point of a sweep its exponential-LR twin (no WD)",
    ),
];

impl Settings {
    /// The fields and defaults as JSON (with the toy's, and the exported CSV columns): the
    /// page's field table.
    pub fn schema() -> serde_json::Value {
        serde_json::json!({
            "fields": FIELDS,
            "defaults": Settings::default(),
            "toy": { "fields": crate::toy::TOY_FIELDS, "defaults": crate::toy::TOY_DEFAULTS },
            "csv": crate::metrics::CSV_COLUMNS,
            "packed": { "header": crate::packed::HEADER, "scalars": crate::metrics::SCALARS },
            "sweep": { "settled_fraction": crate::sweep::SETTLED_FRACTION },
            "max_list": MAX_LIST,
            "test_samples": TEST_SAMPLES,
        })
    }

    /// `www/settings.gen.js`, the page's copy of [`schema`](Self::schema) (`explr schema`
    /// prints it; a test checks the committed file).
    pub fn js_module() -> String {
        format!(
            "// Generated from src/settings.rs by `cargo run --release -- schema > www/settings.gen.js`: do not edit.\n\
             // The engine's settings: keys, kinds, ranges and defaults.\n\
             export const SCHEMA = {:#};\n",
            Settings::schema()
        )
    }

    /// Checks every value against its field's range, and that (η, λ, γ) has a real α; the
    /// message names the field at fault.
    pub fn validate(&self) -> Result<(), ExplrError> {
        let range = |key: &str, v: f64| check_range(FIELDS, key, v);
        range("eta", self.eta)?;
        range("wd", self.wd)?;
        range("momentum", self.momentum)?;
        range("factor", self.factor)?;
        range("batch", self.batch as f64)?;
        range("samples", self.samples as f64)?;
        if self.dataset != DatasetKind::Mnist && self.batch > self.samples - TEST_SAMPLES {
            return Err(ExplrError::OutOfRange(format!(
                "batch = {}: expected at most the {} training points of samples = {}",
                self.batch,
                self.samples - TEST_SAMPLES,
                self.samples
            )));
        }
        range("seed", self.seed as f64)?;
        range("floor", self.floor)?;
        range("total", self.total as f64)?;
        range("warmup", self.warmup as f64)?;
        if matches!(
            self.schedule,
            ScheduleChoice::Cosine | ScheduleChoice::Linear
        ) {
            if self.floor > self.eta {
                return Err(ExplrError::OutOfRange(format!(
                    "floor = {}: expected at most η = {}",
                    self.floor, self.eta
                )));
            }
            if self.total <= self.warmup {
                return Err(ExplrError::OutOfRange(format!(
                    "total = {}: expected more steps than warmup = {}",
                    self.total, self.warmup
                )));
            }
        }
        if self.schedule == ScheduleChoice::List && !self.lrs.is_empty() {
            if self.lrs.len() != self.milestones.len() + 1 {
                return Err(ExplrError::OutOfRange(format!(
                    "lrs: {} given for {} milestones, expected {}",
                    self.lrs.len(),
                    self.milestones.len(),
                    self.milestones.len() + 1
                )));
            }
            for &v in &self.lrs {
                range("lrs", v)?;
            }
        }
        if matches!(self.schedule, ScheduleChoice::Step | ScheduleChoice::List) {
            if self.milestones.is_empty() || self.milestones.len() > MAX_LIST {
                return Err(ExplrError::OutOfRange(format!(
                    "milestones: {} given, expected 1 to {MAX_LIST}",
                    self.milestones.len()
                )));
            }
            for &m in &self.milestones {
                range("milestones", m as f64)?;
            }
        }
        Hyper::new(self.eta, self.wd, self.momentum)?;
        if self.is_sweep() {
            for (key, list) in [("sweep_eta", &self.sweep_eta), ("sweep_wd", &self.sweep_wd)] {
                if list.len() > MAX_LIST {
                    return Err(ExplrError::OutOfRange(format!(
                        "{key}: {} values, expected up to {MAX_LIST}",
                        list.len()
                    )));
                }
                for &v in list.iter() {
                    range(key, v)?;
                }
            }
            if self.schedule != ScheduleChoice::Constant {
                return Err(ExplrError::Unsupported(
                    "a sweep trains constant-LR runs: set schedule = constant".into(),
                ));
            }
            let (etas, wds) = self.grid();
            for &eta in &etas {
                for &wd in &wds {
                    Hyper::new(eta, wd, self.momentum).map_err(|e| {
                        ExplrError::OutOfRange(format!("sweep point η = {eta}, λ = {wd}: {e}"))
                    })?;
                }
            }
        }
        if self.norm == NormChoice::Instance && self.dataset != DatasetKind::Mnist {
            return Err(ExplrError::Unsupported(
                "norm = instance needs image feature maps: use it with dataset = mnist".into(),
            ));
        }
        Ok(())
    }

    /// Run C's schedule, for a schedule other than constant.
    pub fn decay(&self) -> Option<Schedule> {
        let mut milestones = self.milestones.clone();
        milestones.sort_unstable();
        milestones.dedup();
        let (eta, floor, warmup, total) = (self.eta, self.floor, self.warmup, self.total);
        Some(match self.schedule {
            ScheduleChoice::Constant => return None,
            ScheduleChoice::Step => Schedule::StepDecay {
                eta,
                milestones,
                factor: self.factor,
            },
            ScheduleChoice::Cosine => Schedule::Cosine {
                eta,
                floor,
                warmup,
                total,
            },
            ScheduleChoice::Linear => Schedule::Linear {
                eta,
                floor,
                warmup,
                total,
            },
            ScheduleChoice::List => {
                let starts = std::iter::once(0).chain(milestones);
                let points = if self.lrs.is_empty() {
                    starts
                        .enumerate()
                        .map(|(k, t)| (t, eta * self.factor.powi(k as i32)))
                        .collect()
                } else {
                    starts.zip(self.lrs.iter().copied()).collect()
                };
                Schedule::Piecewise { points }
            }
        })
    }

    /// Whether these settings describe a sweep (a grid of η or λ).
    pub fn is_sweep(&self) -> bool {
        !(self.sweep_eta.is_empty() && self.sweep_wd.is_empty())
    }

    /// A sweep's grid: its η values (η alone if none) and λ values (λ alone if none).
    pub fn grid(&self) -> (Vec<f64>, Vec<f64>) {
        let or = |list: &[f64], one: f64| {
            if list.is_empty() {
                vec![one]
            } else {
                list.to_vec()
            }
        };
        (or(&self.sweep_eta, self.eta), or(&self.sweep_wd, self.wd))
    }

    /// The experiment these settings describe: runs A (WD, fixed LR) and B (its exponential
    /// twin); with step decay C and D; with `chaos` the control A′; for a sweep, one run per
    /// grid point (and its twin with `sweep_twins`), without A′. Checks first.
    pub fn to_experiment(&self) -> Result<Experiment, ExplrError> {
        self.validate()?;
        let hyper = Hyper::new(self.eta, self.wd, self.momentum)?;
        let init = match self.init {
            InitChoice::Exact => TwinInit::Exact,
            InitChoice::Naive => TwinInit::Naive,
        };
        let mut exp = Experiment {
            dataset: self.dataset,
            samples: self.samples,
            test_samples: TEST_SAMPLES,
            net: NetConfig {
                arch: Arch::Mlp { hidden: 32 },
                norm: match self.norm {
                    NormChoice::Batch => Norm::Batch,
                    NormChoice::Group => Norm::Group { groups: 4 },
                    NormChoice::Layer => Norm::Layer,
                    NormChoice::Instance => Norm::Instance,
                    NormChoice::None => Norm::None,
                },
                mode: match self.net {
                    NetChoice::Invariant => NetMode::ScaleInvariant,
                    NetChoice::Standard => NetMode::Standard,
                },
                eps: 1e-5,
            },
            hyper,
            runs: vec![
                RunSpec {
                    label: "A: WD, fixed LR".into(),
                    kind: RunKind::WeightDecay {
                        schedule: Schedule::Constant { eta: self.eta },
                        wd: None,
                    },
                },
                RunSpec {
                    label: match init {
                        TwinInit::Exact => "B: no WD, exp LR".into(),
                        TwinInit::Naive => "B: no WD, exp LR, naive v0".into(),
                    },
                    kind: RunKind::Exponential { of: 0, init },
                },
            ],
            batch: self.batch,
            seed: self.seed,
            precision: self.precision,
            eval_every: EVAL_EVERY,
            rescale_log2: 16.0,
            wd_schedule: self.wd_schedule,
        };
        if self.dataset == DatasetKind::Mnist {
            exp = exp.mnist();
        }
        if let Some(schedule) = self.decay() {
            exp = exp.with_schedule(schedule, self.texp == TexpChoice::Exact);
        }
        if self.is_sweep() {
            let (etas, wds) = self.grid();
            exp = exp.sweep(&etas, &wds, self.sweep_twins)?;
        } else if self.chaos {
            exp.runs.push(RunSpec {
                label: "A′: A from weights 1 ulp apart".into(),
                kind: RunKind::Perturbed { of: 0 },
            });
        }
        exp.validate()?;
        Ok(exp)
    }

    /// Settings from URL-style key/value pairs, strictly: an unknown key or a value that does not
    /// parse is an error naming it (the page repairs and reports; this is for the engine).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Settings, ExplrError> {
        let mut obj = serde_json::to_value(Settings::default()).expect("settings serialize");
        for (key, raw) in pairs {
            let f = FIELDS.iter().find(|f| f.key == key).ok_or_else(|| {
                ExplrError::Unsupported(format!(
                    "unknown setting '{}'",
                    key.chars().take(40).collect::<String>()
                ))
            })?;
            let bad = || {
                ExplrError::OutOfRange(format!(
                    "{key} = '{}' does not parse",
                    raw.chars().take(40).collect::<String>()
                ))
            };
            let v = match f.kind {
                FieldKind::Number => serde_json::json!(parse_decimal(raw).ok_or_else(bad)?),
                FieldKind::Int => {
                    let v = parse_decimal(raw).ok_or_else(bad)?;
                    if v.fract() != 0.0 || !(0.0..=1e15).contains(&v) {
                        return Err(bad());
                    }
                    serde_json::json!(v as u64)
                }
                FieldKind::Enum if f.values.contains(&raw) => serde_json::json!(raw),
                FieldKind::Enum => {
                    return Err(ExplrError::OutOfRange(format!(
                        "{key} = '{}': expected one of {}",
                        raw.chars().take(40).collect::<String>(),
                        f.values.join(", ")
                    )));
                }
                FieldKind::Bool => match raw {
                    "1" | "true" => serde_json::json!(true),
                    "0" | "false" => serde_json::json!(false),
                    _ => return Err(bad()),
                },
                FieldKind::List => {
                    serde_json::json!(parse_list(raw, |s| s.parse::<u64>().ok()).ok_or_else(bad)?)
                }
                FieldKind::Numbers => {
                    serde_json::json!(parse_list(raw, parse_decimal).ok_or_else(bad)?)
                }
            };
            obj[key] = v;
        }
        serde_json::from_value(obj).map_err(|e| ExplrError::Data(format!("settings: {e}")))
    }
}
