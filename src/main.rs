//! `explr`: command-line front end of the lockstep engine.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use explr::data::DatasetKind;
use explr::experiment::{Experiment, RunKind, RunSpec};
use explr::metrics::StepMetrics;
use explr::model::{Arch, NetMode, Precision};
use explr::norm::Norm;
use explr::schedule::{Schedule, TwinInit};
use explr::train::device_for;
use explr::{ExplrError, Hyper, Lockstep};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "explr",
    version,
    about = "Weight decay ≡ exponential learning rate, checked numerically (Li & Arora, ICLR 2020)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a WD run and its WD-free exponential twin; print α, η̃_t and how far they drift.
    Equiv(EquivArgs),
    /// Train any set of runs in lockstep and write per-step metrics as CSV or JSON.
    Train(TrainArgs),
}

#[derive(Args, Clone)]
struct Common {
    /// Learning rate η of the weight-decay run.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    eta: f64,
    /// Weight decay λ.
    #[arg(long = "wd", default_value_t = 5e-4, allow_negative_numbers = true)]
    wd: f64,
    /// Momentum γ.
    #[arg(long, default_value_t = 0.9, allow_negative_numbers = true)]
    momentum: f64,
    /// Training steps.
    #[arg(long, default_value_t = 500)]
    steps: u64,
    /// Float precision.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// Normalization: batch, group[:G], layer, instance (CNN only) or none.
    #[arg(long, default_value = "batch")]
    norm: String,
    /// Dataset: spirals, circles, xor, blobs or mnist.
    #[arg(long, default_value = "spirals")]
    dataset: String,
    /// Network mode: the exactly scale-invariant net, or the standard one (affine + trained head).
    #[arg(long, value_enum, default_value_t = Mode::ScaleInvariant)]
    mode: Mode,
    /// Width of the MLP's two hidden layers (2-D datasets).
    #[arg(long, default_value_t = 32)]
    hidden: usize,
    /// Channels of the CNN's two convolutions (MNIST), as C1,C2.
    #[arg(long, value_delimiter = ',', default_values_t = [8, 16])]
    channels: Vec<usize>,
    /// Minibatch size.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Seed for data, initialization and minibatch order.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Backend: flex (CPU) or wgpu (GPU / software Vulkan; f32 only).
    #[arg(long, default_value = "flex")]
    backend: String,
    /// Folder holding mnist.bin (made by `npm run data`).
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
}

#[derive(Args)]
struct EquivArgs {
    #[command(flatten)]
    common: Common,
    /// Initial momentum of the twin: exact ṽ_0 = κθ_0, or naive ṽ_0 = 0.
    #[arg(long, value_enum, default_value_t = Init::Exact)]
    init: Init,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct TrainArgs {
    #[command(flatten)]
    common: Common,
    /// Add a step-decay run C (with WD) at these steps, and its twin D.
    #[arg(long, value_delimiter = ',')]
    milestones: Vec<u64>,
    /// Step-decay factor at each milestone.
    #[arg(long, default_value_t = 0.1)]
    factor: f64,
    /// Twin of the step-decay run: exact (§4 recursion) or approx (TEXP of §5).
    #[arg(long, value_enum, default_value_t = TexpKind::Exact)]
    texp: TexpKind,
    /// Initial momentum of the exponential twin B.
    #[arg(long, value_enum, default_value_t = Init::Exact)]
    init: Init,
    /// Evaluate on the test set every this many steps.
    #[arg(long, default_value_t = 50)]
    eval_every: u64,
    /// Output file (.csv or .json); standard output when absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Output format when writing to standard output.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

#[derive(ValueEnum, Clone, Copy, PartialEq)]
enum Dtype {
    F32,
    F64,
}
#[derive(ValueEnum, Clone, Copy, PartialEq)]
enum Init {
    Exact,
    Naive,
}
#[derive(ValueEnum, Clone, Copy, PartialEq)]
enum Mode {
    ScaleInvariant,
    Standard,
}
#[derive(ValueEnum, Clone, Copy, PartialEq)]
enum TexpKind {
    Exact,
    Approx,
}
#[derive(ValueEnum, Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Json,
}

fn experiment(c: &Common, init: Init) -> Result<Experiment, ExplrError> {
    let hyper = Hyper::new(c.eta, c.wd, c.momentum)?;
    let mut exp = Experiment::paper_defaults();
    let dataset = DatasetKind::parse(&c.dataset)?;
    if dataset == DatasetKind::Mnist {
        exp = exp.mnist();
    }
    exp.dataset = dataset;
    exp.net.arch = match (exp.net.arch, c.channels.as_slice()) {
        (Arch::Mlp { .. }, _) => Arch::Mlp { hidden: c.hidden },
        (Arch::Cnn { .. }, &[c1, c2]) => Arch::Cnn { c1, c2 },
        _ => {
            return Err(ExplrError::OutOfRange(
                "--channels takes two numbers, e.g. 8,16".into(),
            ));
        }
    };
    exp.hyper = hyper;
    exp.net.norm = Norm::parse(&c.norm)?;
    exp.net.mode = match c.mode {
        Mode::ScaleInvariant => NetMode::ScaleInvariant,
        Mode::Standard => NetMode::Standard,
    };
    exp.batch = c.batch;
    exp.seed = c.seed;
    exp.precision = match c.dtype {
        Dtype::F32 => Precision::F32,
        Dtype::F64 => Precision::F64,
    };
    exp.runs[0].kind = RunKind::WeightDecay {
        schedule: Schedule::Constant { eta: hyper.eta },
    };
    let init = match init {
        Init::Exact => TwinInit::Exact,
        Init::Naive => TwinInit::Naive,
    };
    exp.runs[1].kind = RunKind::Exponential { of: 0, init };
    if init == TwinInit::Naive {
        exp.runs[1].label = "B: no WD, exp LR, naive v0".into();
    }
    Ok(exp)
}

fn lockstep(c: &Common, exp: Experiment) -> Result<Lockstep, ExplrError> {
    if c.backend == "wgpu" && exp.precision == Precision::F64 {
        return Err(ExplrError::Unsupported(
            "the wgpu backend computes in f32: pass --dtype f32".into(),
        ));
    }
    let device = device_for(&c.backend)?;
    let mnist = if exp.dataset == DatasetKind::Mnist {
        let path = c.data_dir.join("mnist.bin");
        Some(std::fs::read(&path).map_err(|e| {
            ExplrError::Data(format!(
                "cannot read {}: {e}; run `npm run data` first",
                path.display()
            ))
        })?)
    } else {
        None
    };
    Lockstep::new(exp, device, mnist.as_deref())
}

fn progress(steps: u64) -> ProgressBar {
    let bar = ProgressBar::new(steps);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps, {per_sec}, eta {eta}")
            .expect("valid template"),
    );
    bar
}

fn run_steps(ls: &mut Lockstep, steps: u64) -> Result<Vec<StepMetrics>, ExplrError> {
    let bar = progress(steps);
    let mut all = Vec::with_capacity(steps as usize);
    for _ in 0..steps {
        all.push(ls.step()?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(all)
}

fn equiv(a: EquivArgs) -> Result<(), ExplrError> {
    let exp = experiment(&a.common, a.init)?;
    let h = exp.hyper;
    let mut ls = lockstep(&a.common, exp)?;
    let steps = a.common.steps;
    let started = std::time::Instant::now();
    let all = run_steps(&mut ls, steps)?;
    let secs = started.elapsed().as_secs_f64();
    let fold = |f: &dyn Fn(&StepMetrics) -> f64| all.iter().map(f).fold(0.0, f64::max);
    let max_rel = fold(&|m| m.runs[1].rel_weight_error);
    let max_loss = fold(&|m| (m.runs[1].loss - m.runs[0].loss).abs());
    let max_angle = fold(&|m| m.runs[1].angle);
    let max_prob = fold(&|m| m.runs[1].prob_diff);
    let at: Vec<u64> = [0, 1, 10, 100, steps.saturating_sub(1)]
        .into_iter()
        .filter(|&t| t < steps.max(1))
        .collect();
    let lr: Vec<(u64, f64)> = at.iter().map(|&t| (t, h.exp_lr(t as f64))).collect();
    let last = all.last().map(|m| m.runs[1].clone());
    if a.json {
        let v = serde_json::json!({
            "eta": h.eta, "wd": h.wd, "momentum": h.momentum,
            "alpha": h.alpha(), "other_root": h.other_root(),
            "lr_factor_per_step": h.lr_factor_per_step(),
            "v0_coefficient": h.v0_coefficient(),
            "exp_lr": lr.iter().map(|(t, v)| serde_json::json!({"t": t, "lr": v})).collect::<Vec<_>>(),
            "f32_lr_horizon_steps": h.lr_horizon(f32::MAX as f64),
            "steps": steps,
            "dtype": if a.common.dtype == Dtype::F64 { "f64" } else { "f32" },
            "init": if a.init == Init::Exact { "exact" } else { "naive" },
            "backend": a.common.backend,
            "max_rel_weight_error": max_rel,
            "max_loss_diff": max_loss,
            "max_angle": max_angle,
            "max_prob_diff": max_prob,
            "final_scale_measured": last.as_ref().map(|m| m.ln_scale_measured.exp()),
            "final_scale_predicted": last.as_ref().map(|m| m.ln_scale_predicted.exp()),
            "seconds": secs,
        });
        println!("{v:#}");
    } else {
        println!("η = {}, λ = {}, γ = {}", h.eta, h.wd, h.momentum);
        println!(
            "α = {:.20}   (other root {:.20})",
            h.alpha(),
            h.other_root()
        );
        println!("per-step LR factor α^-2 = {:.16}", h.lr_factor_per_step());
        println!("ṽ0 coefficient (α−1)/(αη) = {:.16}", h.v0_coefficient());
        for (t, v) in &lr {
            println!("η̃_{t} = {v:.12}");
        }
        if let Some(hz) = h.lr_horizon(f32::MAX as f64) {
            println!("η̃ leaves f32 after {hz} steps (rescaling keeps the stored values in range)");
        }
        println!(
            "{steps} steps ({}, {}, {} init) in {secs:.2} s:",
            if a.common.dtype == Dtype::F64 {
                "f64"
            } else {
                "f32"
            },
            a.common.backend,
            if a.init == Init::Exact {
                "exact"
            } else {
                "naive"
            }
        );
        println!("  max relative weight error ‖θ̃/c_t − θ‖/‖θ‖ = {max_rel:.3e}");
        println!("  max |loss_A − loss_B|                   = {max_loss:.3e}");
        println!("  max angle between runs                  = {max_angle:.3e} rad");
        println!("  max probability difference on the batch = {max_prob:.3e}");
        if let Some(m) = last {
            println!(
                "  ‖θ̃‖/‖θ‖ measured {:.12}, predicted α^-t {:.12}",
                m.ln_scale_measured.exp(),
                m.ln_scale_predicted.exp()
            );
        }
    }
    Ok(())
}

fn csv(all: &[StepMetrics], labels: &[String], w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        w,
        "step,run,loss,accuracy,lr,ln_lr,weight_norm,ln_weight_norm,effective_lr,scale_measured,scale_predicted,rel_weight_error,angle,prob_diff,test_loss,test_accuracy"
    )?;
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for m in all {
        for (r, label) in m.runs.iter().zip(labels) {
            writeln!(
                w,
                "{},\"{}\",{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                m.step,
                label,
                r.loss,
                r.accuracy,
                r.ln_lr.exp(),
                r.ln_lr,
                r.ln_weight_norm.exp(),
                r.ln_weight_norm,
                r.effective_lr,
                r.ln_scale_measured.exp(),
                r.ln_scale_predicted.exp(),
                r.rel_weight_error,
                r.angle,
                r.prob_diff,
                opt(r.test_loss),
                opt(r.test_accuracy)
            )?;
        }
    }
    Ok(())
}

fn train(a: TrainArgs) -> Result<(), ExplrError> {
    let mut exp = experiment(&a.common, a.init)?;
    exp.eval_every = a.eval_every;
    if !a.milestones.is_empty() {
        exp = exp.with_step_decay(a.milestones.clone(), a.factor, a.texp == TexpKind::Exact);
    }
    let labels: Vec<String> = exp.runs.iter().map(|r: &RunSpec| r.label.clone()).collect();
    let arch = exp.net.arch;
    let mut ls = lockstep(&a.common, exp)?;
    eprintln!(
        "training {} runs × {} steps ({}, {} per epoch)",
        labels.len(),
        a.common.steps,
        match arch {
            Arch::Mlp { .. } => "MLP",
            Arch::Cnn { .. } => "CNN",
        },
        ls.steps_per_epoch()
    );
    let all = run_steps(&mut ls, a.common.steps)?;
    let json = match &a.out {
        Some(p) => p.extension().is_some_and(|e| e == "json"),
        None => a.format == Format::Json,
    };
    let mut buf = Vec::new();
    if json {
        let v =
            serde_json::json!({ "experiment": ls.experiment(), "labels": labels, "steps": all });
        serde_json::to_writer(&mut buf, &v).map_err(|e| ExplrError::Data(e.to_string()))?;
        buf.push(b'\n');
    } else {
        csv(&all, &labels, &mut buf).map_err(|e| ExplrError::Data(e.to_string()))?;
    }
    match &a.out {
        Some(p) => std::fs::write(p, &buf)
            .map_err(|e| ExplrError::Data(format!("cannot write {}: {e}", p.display())))?,
        None => std::io::stdout()
            .write_all(&buf)
            .map_err(|e| ExplrError::Data(e.to_string()))?,
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Equiv(a) => equiv(a),
        Command::Train(a) => train(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
