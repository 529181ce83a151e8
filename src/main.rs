//! `explr`: command-line front end of the lockstep engine.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use explr::data::DatasetKind;
use explr::experiment::{Experiment, RunSpec};
use explr::metrics::StepMetrics;
use explr::model::{Arch, Precision};
use explr::norm::Norm;
use explr::settings::{InitChoice, NetChoice, NormChoice, ScheduleChoice, Settings, TexpChoice};
use explr::train::device_for;
use explr::{ExplrError, Lockstep};
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
    /// Train a grid of runs (η × λ, optionally with their twins) in lockstep and write, per
    /// run, the intrinsic LR λη, the angular update it settled at against √(2ηλ/(1+γ)), and
    /// its final test accuracy.
    Sweep(SweepArgs),
    /// Print the settings' keys, ranges and defaults as the page's module (www/settings.gen.js).
    Schema,
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
    /// Training steps (1 to 10 000 000; metrics are streamed, not kept).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    steps: u64,
    /// Float precision.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// Normalization: batch, group[:G], layer, instance (CNN only) or none.
    #[arg(long, default_value = "batch")]
    norm: String,
    /// Dataset: circles, spirals, xor, blobs or mnist.
    #[arg(long, default_value = "circles")]
    dataset: String,
    /// Also train the rounding-chaos control A′ (run A from weights one ulp apart).
    #[arg(long)]
    chaos: bool,
    /// Evaluate on the test set every this many steps (0: never).
    #[arg(long, default_value_t = 20)]
    eval_every: u64,
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

/// A sweep's grid (the page's `sweep_eta`, `sweep_wd`, `sweep_twins`).
#[derive(Args, Clone, Default)]
struct Grid {
    /// Train one run per η of this list (up to 8), for each λ of --sweep-wd.
    #[arg(long, value_delimiter = ',')]
    sweep_eta: Vec<f64>,
    /// Train one run per λ of this list (up to 8), for each η of --sweep-eta.
    #[arg(long, value_delimiter = ',')]
    sweep_wd: Vec<f64>,
    /// Give each grid point its exponential-LR twin (no WD).
    #[arg(long)]
    sweep_twins: bool,
}

#[derive(Args)]
struct SweepArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    grid: Grid,
    /// Output file (.csv or .json); standard output when absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Output format when writing to standard output.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

#[derive(Args)]
struct TrainArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    grid: Grid,
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

/// The page's settings for these flags: one mapping to an experiment for page and CLI
/// ([`Settings::to_experiment`]); the CLI's own extras (widths, GroupNorm's groups) after it.
fn experiment(
    c: &Common,
    init: Init,
    schedule: Option<(&[u64], f64, TexpKind)>,
    grid: &Grid,
) -> Result<Experiment, ExplrError> {
    let norm = Norm::parse(&c.norm)?;
    let settings = Settings {
        eta: c.eta,
        wd: c.wd,
        momentum: c.momentum,
        schedule: if schedule.is_some() {
            ScheduleChoice::Step
        } else {
            ScheduleChoice::Constant
        },
        milestones: schedule.map(|(m, _, _)| m.to_vec()).unwrap_or_default(),
        factor: schedule.map_or(0.1, |(_, f, _)| f),
        texp: match schedule.map(|(_, _, t)| t) {
            Some(TexpKind::Approx) => TexpChoice::Approx,
            _ => TexpChoice::Exact,
        },
        init: match init {
            Init::Exact => InitChoice::Exact,
            Init::Naive => InitChoice::Naive,
        },
        norm: match norm {
            Norm::Batch => NormChoice::Batch,
            Norm::Group { .. } => NormChoice::Group,
            Norm::Layer => NormChoice::Layer,
            Norm::Instance => NormChoice::Instance,
            Norm::None => NormChoice::None,
        },
        net: match c.mode {
            Mode::ScaleInvariant => NetChoice::Invariant,
            Mode::Standard => NetChoice::Standard,
        },
        dataset: DatasetKind::parse(&c.dataset)?,
        batch: c.batch,
        seed: c.seed,
        chaos: c.chaos,
        precision: match c.dtype {
            Dtype::F32 => Precision::F32,
            Dtype::F64 => Precision::F64,
        },
        sweep_eta: grid.sweep_eta.clone(),
        sweep_wd: grid.sweep_wd.clone(),
        sweep_twins: grid.sweep_twins,
    };
    let mut exp = settings.to_experiment()?;
    exp.net.norm = norm;
    exp.eval_every = c.eval_every;
    exp.net.arch = match (exp.net.arch, c.channels.as_slice()) {
        (Arch::Mlp { .. }, _) => Arch::Mlp { hidden: c.hidden },
        (Arch::Cnn { .. }, &[c1, c2]) => Arch::Cnn { c1, c2 },
        _ => {
            return Err(ExplrError::OutOfRange(
                "--channels takes two numbers, e.g. 8,16".into(),
            ));
        }
    };
    exp.validate()?;
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

/// Trains `steps` steps, handing each step's metrics to `sink` as it comes (memory stays flat
/// however long the run).
fn run_steps(
    ls: &mut Lockstep,
    steps: u64,
    mut sink: impl FnMut(&StepMetrics) -> Result<(), ExplrError>,
) -> Result<(), ExplrError> {
    let bar = progress(steps);
    for _ in 0..steps {
        sink(&ls.step()?)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Whether run B's initial momentum is what `--init` says: exact ṽ₀ = κθ₀ applies to the
/// scale-invariant weights, and a net without normalization has none (then ṽ₀ = 0).
fn init_text(init: Init, exp: &Experiment) -> &'static str {
    match init {
        Init::Naive => "naive",
        Init::Exact if exp.net.norm == Norm::None => {
            "exact (no scale-invariant weights without a norm: ṽ₀ = 0)"
        }
        Init::Exact => "exact",
    }
}

fn equiv(a: EquivArgs) -> Result<(), ExplrError> {
    let exp = experiment(&a.common, a.init, None, &Grid::default())?;
    let init = init_text(a.init, &exp);
    let h = exp.hyper;
    let mut ls = lockstep(&a.common, exp)?;
    let steps = a.common.steps;
    let started = std::time::Instant::now();
    let (mut max_rel, mut max_loss, mut max_angle, mut max_prob) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut last = None;
    run_steps(&mut ls, steps, |m| {
        let (r, b) = (&m.runs[0], &m.runs[1]);
        max_rel = max_rel.max(b.rel_weight_error);
        max_loss = max_loss.max((b.loss - r.loss).abs());
        max_angle = max_angle.max(b.angle);
        max_prob = max_prob.max(b.prob_diff);
        last = Some(b.clone());
        Ok(())
    })?;
    let secs = started.elapsed().as_secs_f64();
    let at: Vec<u64> = [0, 1, 10, 100, steps - 1]
        .into_iter()
        .filter(|&t| t < steps)
        .collect();
    // ln η̃_t is exact at any t; η̃_t itself may lie beyond f64 (then null in JSON).
    let lr: Vec<(u64, f64)> = at.iter().map(|&t| (t, h.ln_exp_lr(t as f64))).collect();
    let dtype = if a.common.dtype == Dtype::F64 {
        "f64"
    } else {
        "f32"
    };
    let finite = |x: f64| x.is_finite().then_some(x);
    if a.json {
        let v = serde_json::json!({
            "eta": h.eta, "wd": h.wd, "momentum": h.momentum,
            "alpha": h.alpha(), "other_root": h.other_root(),
            "lr_factor_per_step": h.lr_factor_per_step(),
            "v0_coefficient": h.v0_coefficient(),
            "exp_lr": lr.iter().map(|&(t, ln)| serde_json::json!({"t": t, "lr": finite(ln.exp()), "ln_lr": ln})).collect::<Vec<_>>(),
            "f32_lr_horizon_steps": h.lr_horizon(f32::MAX as f64),
            "steps": steps,
            "dtype": dtype,
            "init": init,
            "backend": a.common.backend,
            "max_rel_weight_error": max_rel,
            "max_loss_diff": max_loss,
            "max_angle": max_angle,
            "max_prob_diff": max_prob,
            "final_scale_measured": last.as_ref().and_then(|m| finite(m.ln_scale_measured.exp())),
            "final_scale_predicted": last.as_ref().and_then(|m| finite(m.ln_scale_predicted.exp())),
            "final_ln_scale_measured": last.as_ref().map(|m| m.ln_scale_measured),
            "final_ln_scale_predicted": last.as_ref().map(|m| m.ln_scale_predicted),
            "seconds": secs,
        });
        println!("{v:#}");
    } else {
        println!("η = {}, λ = {}, γ = {}", h.eta, h.wd, h.momentum);
        // Shortest representations that read back to the same f64 (17 significant digits at most).
        println!("α = {}   (other root {})", h.alpha(), h.other_root());
        println!("per-step LR factor α^-2 = {}", h.lr_factor_per_step());
        println!("ṽ0 coefficient (α−1)/(αη) = {}", h.v0_coefficient());
        for &(t, ln) in &lr {
            println!("η̃_{t} = {}", big_exp(ln));
        }
        if let Some(hz) = h.lr_horizon(f32::MAX as f64) {
            println!(
                "η̃ leaves f32 after {hz:.0} steps (rescaling keeps the stored values in range)"
            );
        }
        println!(
            "{steps} steps ({dtype}, {}, {init} init) in {secs:.2} s:",
            a.common.backend
        );
        println!("  max relative weight error ‖θ̃/c_t − θ‖/‖θ‖ = {max_rel:.3e}");
        println!("  max |loss_A − loss_B|                   = {max_loss:.3e}");
        println!("  max angle between runs                  = {max_angle:.3e} rad");
        println!("  max probability difference on the batch = {max_prob:.3e}");
        if let Some(m) = last {
            println!(
                "  ‖θ̃‖/‖θ‖ measured {}, predicted α^-t {}",
                big_exp(m.ln_scale_measured),
                big_exp(m.ln_scale_predicted)
            );
        }
    }
    Ok(())
}

/// e^x with 12 significant digits, or "10^k" (k to 6 decimals) where e^x is beyond f64.
fn big_exp(x: f64) -> String {
    let v = x.exp();
    if v.is_finite() && v > 0.0 {
        format!("{v:.12}")
    } else {
        format!("10^{:.6}", x * std::f64::consts::LOG10_E)
    }
}

fn csv_rows(m: &StepMetrics, labels: &[String], w: &mut dyn Write) -> std::io::Result<()> {
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let val = |ln: f64| opt(Some(ln.exp()).filter(|v| v.is_finite()));
    let log10 = std::f64::consts::LOG10_E;
    for (r, label) in m.runs.iter().zip(labels) {
        writeln!(
            w,
            "{},\"{}\",{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            m.step,
            label,
            r.loss,
            r.accuracy,
            r.ln_lr * log10,
            r.ln_weight_norm * log10,
            r.ln_effective_lr * log10,
            val(r.ln_lr),
            val(r.ln_weight_norm),
            val(r.ln_effective_lr),
            val(r.ln_scale_measured),
            val(r.ln_scale_predicted),
            r.rel_weight_error,
            r.angle,
            r.prob_diff,
            opt(r.test_loss),
            opt(r.test_accuracy),
            r.angular_update,
            r.equilibrium_angular_update
        )?;
    }
    Ok(())
}

/// Whether to write JSON, and the writer: `--out` named .csv or .json, or standard output in
/// `format`.
fn output(path: Option<&PathBuf>, format: Format) -> Result<(bool, Box<dyn Write>), ExplrError> {
    let json = match path {
        Some(p) => match p
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "json" => true,
            Some(e) if e == "csv" => false,
            _ => {
                return Err(ExplrError::Unsupported(format!(
                    "--out {}: name the file .csv or .json",
                    p.display()
                )));
            }
        },
        None => format == Format::Json,
    };
    let out: Box<dyn Write> = match path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p).map_err(
            |e| ExplrError::Data(format!("cannot write {}: {e}", p.display())),
        )?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    Ok((json, out))
}

/// Columns of `explr sweep`'s CSV, one row per run.
const SWEEP_COLUMNS: &str =
    "run,eta,wd,intrinsic_lr,twin,angular_update,predicted_angular_update,loss,test_accuracy";

fn sweep(a: SweepArgs) -> Result<(), ExplrError> {
    if a.grid.sweep_eta.is_empty() && a.grid.sweep_wd.is_empty() {
        return Err(ExplrError::OutOfRange(
            "a sweep needs a grid: give --sweep-eta or --sweep-wd (or both), e.g. --sweep-eta 0.05,0.1,0.2".into(),
        ));
    }
    let exp = experiment(&a.common, Init::Exact, None, &a.grid)?;
    let (json, mut out) = output(a.out.as_ref(), a.format)?;
    let io = |e: std::io::Error| ExplrError::Data(format!("cannot write the output: {e}"));
    let steps = a.common.steps;
    let mut summary = explr::sweep::SweepSummary::new(&exp, steps);
    let mut ls = lockstep(&a.common, exp)?;
    eprintln!(
        "sweeping {} runs × {} steps; angular updates averaged over the last {} steps",
        ls.experiment().runs.len(),
        steps,
        explr::sweep::window(steps)
    );
    let started = std::time::Instant::now();
    run_steps(&mut ls, steps, |m| {
        summary.add(m);
        Ok(())
    })?;
    eprintln!(
        "{:.1} steps/s ({} runs stacked)",
        steps as f64 / started.elapsed().as_secs_f64(),
        ls.experiment().runs.len()
    );
    let points = summary.points();
    if json {
        let doc =
            serde_json::json!({ "experiment": ls.experiment(), "steps": steps, "runs": points });
        writeln!(out, "{doc}").map_err(io)?;
    } else {
        writeln!(out, "{SWEEP_COLUMNS}").map_err(io)?;
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for p in &points {
            writeln!(
                out,
                "\"{}\",{},{},{},{},{},{},{},{}",
                p.label,
                p.eta,
                p.wd,
                p.intrinsic_lr,
                p.twin,
                p.angular_update,
                p.predicted,
                p.loss,
                opt(p.test_accuracy)
            )
            .map_err(io)?;
        }
    }
    out.flush().map_err(io)
}

fn train(a: TrainArgs) -> Result<(), ExplrError> {
    let schedule =
        (!a.milestones.is_empty()).then_some((a.milestones.as_slice(), a.factor, a.texp));
    let exp = experiment(&a.common, a.init, schedule, &a.grid)?;
    let labels: Vec<String> = exp.runs.iter().map(|r: &RunSpec| r.label.clone()).collect();
    let arch = exp.net.arch;
    // The output is checked and opened before any training: a bad path fails at once.
    let (json, mut out) = output(a.out.as_ref(), a.format)?;
    let io = |e: std::io::Error| ExplrError::Data(format!("cannot write the output: {e}"));
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
    if json {
        let head = serde_json::json!({ "experiment": ls.experiment(), "labels": labels });
        let head = head.to_string();
        // {"experiment":…,"labels":…,"steps":[ … ]}, the steps streamed one by one.
        write!(out, "{},\"steps\":[", &head[..head.len() - 1]).map_err(io)?;
    } else {
        writeln!(out, "{}", explr::metrics::CSV_COLUMNS.join(",")).map_err(io)?;
    }
    let mut first = true;
    run_steps(&mut ls, a.common.steps, |m| {
        if json {
            let sep = if first { "" } else { "," };
            first = false;
            let row = serde_json::to_string(m).map_err(|e| ExplrError::Data(e.to_string()))?;
            write!(out, "{sep}{row}").map_err(io)
        } else {
            csv_rows(m, &labels, &mut out).map_err(io)
        }
    })?;
    if json {
        writeln!(out, "]}}").map_err(io)?;
    }
    out.flush().map_err(io)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Equiv(a) => equiv(a),
        Command::Train(a) => train(a),
        Command::Sweep(a) => sweep(a),
        Command::Schema => {
            print!("{}", explr::settings::Settings::js_module());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
