//! `explr`: command-line front end of the lockstep engine.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use explr::data::DatasetKind;
use explr::experiment::{Experiment, RunKind, RunSpec};
use explr::flags::SettingsArgs;
use explr::metrics::{CSV_COLUMNS, StepMetrics};
use explr::model::{Arch, Precision};
use explr::norm::Norm;
use explr::settings::{EVAL_EVERY, InitChoice, Settings};
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
    /// Train a WD run and its WD-free exponential twin; print α, η̃_t and how far they drift
    /// (and, with --chaos, how far run A drifts from itself one ulp apart: the rounding floor).
    Equiv(EquivArgs),
    /// Train any set of runs in lockstep and write per-step metrics as CSV or JSON.
    Train(TrainArgs),
    /// Train a grid of runs (η × λ, optionally with their twins) in lockstep and write, per
    /// run, the intrinsic LR λη, the angular update it settled at against √(2ηλ/(1+γ)), and
    /// its final test accuracy.
    Sweep(SweepArgs),
    /// Print the WD-free twin's schedule of the settings' decaying run C (or of run A): per step
    /// η_t, the twin's η̃_t (also as ln) and ln c_t (θ̃_t = c_t·θ_t), and κ of ṽ₀ = κ·θ₀, as CSV
    /// or JSON, to train the twin in another framework (docs/cli.md).
    Schedule(ScheduleArgs),
    /// Print the settings' training problem as JSON, for another framework to train the same
    /// runs step for step (the TF.js peer of `npm run bench`): the data, the MLP's layout, each
    /// run's initial parameters and momentum, its LR and weight decay per step, the minibatch
    /// order, and the engine's loss of every run at every step.
    Fixture(FixtureArgs),
    /// Print the settings' keys, ranges and defaults as the page's module (www/settings.gen.js).
    Schema,
}

#[derive(Args)]
struct ScheduleArgs {
    #[command(flatten)]
    settings: SettingsArgs,
    /// Steps of the schedule to print (1 to 10 000 000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    steps: u64,
    #[command(flatten)]
    output: Output,
}

#[derive(Args)]
struct FixtureArgs {
    #[command(flatten)]
    settings: SettingsArgs,
    /// Steps to write (1 to 100 000).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    steps: u64,
    /// Output file; standard output when absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// The settings (one flag per URL key, see [`SettingsArgs`]) and the command line's extras.
#[derive(Args, Clone)]
struct Common {
    #[command(flatten)]
    settings: SettingsArgs,
    /// Training steps (1 to 10 000 000; metrics are streamed, not kept).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    steps: u64,
    /// Evaluate on the test set every this many steps (0: never).
    #[arg(long, default_value_t = EVAL_EVERY)]
    eval_every: u64,
    /// Width of the MLP's two hidden layers (2-D datasets) [default: the page's].
    #[arg(long)]
    hidden: Option<usize>,
    /// Channels of the CNN's two convolutions (MNIST), as C1,C2 [default: the page's].
    #[arg(long, value_delimiter = ',')]
    channels: Option<Vec<usize>>,
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
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Where a command writes its rows.
#[derive(Args)]
struct Output {
    /// Output file (.csv or .json); standard output when absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Output format when writing to standard output.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

#[derive(Args)]
struct SweepArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
}

#[derive(Args)]
struct TrainArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: Output,
}

#[derive(ValueEnum, Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Json,
}

/// The experiment of `settings` (`Settings::to_experiment`, one mapping for page and CLI),
/// with the command line's extras (widths, GroupNorm's `groups`, evaluation) after it.
fn experiment(
    c: &Common,
    (settings, groups): &(Settings, Option<usize>),
) -> Result<Experiment, ExplrError> {
    let mut exp = settings.to_experiment()?;
    if let Some(groups) = *groups {
        exp.net.norm = Norm::Group { groups };
    }
    exp.eval_every = c.eval_every;
    exp.net.arch = match (exp.net.arch, c.hidden, c.channels.as_deref()) {
        (Arch::Mlp { .. }, Some(hidden), _) => Arch::Mlp { hidden },
        (Arch::Cnn { .. }, _, Some(&[c1, c2])) => Arch::Cnn { c1, c2 },
        (Arch::Cnn { .. }, _, Some(_)) => {
            return Err(ExplrError::OutOfRange(
                "--channels takes two numbers, e.g. 8,16".into(),
            ));
        }
        (arch, _, _) => arch,
    };
    exp.validate()?;
    Ok(exp)
}

fn lockstep(c: &Common, exp: Experiment) -> Result<Lockstep, ExplrError> {
    if c.backend == "wgpu" && exp.precision == Precision::F64 {
        return Err(ExplrError::Unsupported(
            "the wgpu backend computes in f32: pass --precision f32".into(),
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
fn init_text(init: InitChoice, exp: &Experiment) -> &'static str {
    match init {
        InitChoice::Naive => "naive",
        InitChoice::Exact if exp.net.norm == Norm::None => {
            "exact (no scale-invariant weights without a norm: ṽ₀ = 0)"
        }
        InitChoice::Exact => "exact",
    }
}

fn equiv(a: EquivArgs) -> Result<(), ExplrError> {
    let parsed = a.common.settings.settings()?;
    let exp = experiment(&a.common, &parsed)?;
    let init = init_text(parsed.0.init, &exp);
    let h = exp.hyper;
    let exp_precision = exp.precision;
    let mut ls = lockstep(&a.common, exp)?;
    let steps = a.common.steps;
    let started = std::time::Instant::now();
    let (mut max_rel, mut max_loss, mut max_angle, mut max_prob) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    // The rounding floor: how far A′ (A from weights one ulp apart) drifts from A.
    let chaos = ls
        .experiment()
        .runs
        .iter()
        .position(|r| matches!(r.kind, RunKind::Perturbed { of: 0 }));
    let mut floor = 0.0f64;
    let mut last = None;
    run_steps(&mut ls, steps, |m| {
        if let Some(c) = chaos {
            floor = floor.max(m.runs[c].rel_weight_error);
        }
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
    let dtype = match exp_precision {
        Precision::F64 => "f64",
        Precision::F32 => "f32",
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
            "max_rel_weight_error_chaos": chaos.map(|_| floor),
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
        if chaos.is_some() {
            println!("  rounding floor: A′ (1 ulp apart) vs A    = {floor:.3e}");
        }
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
    for (r, label) in m.runs.iter().zip(labels) {
        let cells: Vec<String> = CSV_COLUMNS.iter().map(|c| r.cell(c)).collect();
        writeln!(w, "{},\"{}\",{}", m.step, label, cells.join(","))?;
    }
    Ok(())
}

/// Whether to write JSON, and the writer: `--out` named .csv or .json, or standard output in
/// `format`.
fn output(o: &Output) -> Result<(bool, Box<dyn Write>), ExplrError> {
    let path = o.out.as_ref();
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
        None => o.format == Format::Json,
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
    let parsed = a.common.settings.settings()?;
    if !parsed.0.is_sweep() {
        return Err(ExplrError::OutOfRange(
            "a sweep needs a grid: give --sweep-eta or --sweep-wd (or both), e.g. --sweep-eta 0.05,0.1,0.2".into(),
        ));
    }
    let exp = experiment(&a.common, &parsed)?;
    let (json, mut out) = output(&a.output)?;
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
    let exp = experiment(&a.common, &a.common.settings.settings()?)?;
    let labels: Vec<String> = exp.runs.iter().map(|r: &RunSpec| r.label.clone()).collect();
    let arch = exp.net.arch;
    // The output is checked and opened before any training: a bad path fails at once.
    let (json, mut out) = output(&a.output)?;
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
        let names: Vec<&str> = CSV_COLUMNS.iter().map(|c| c.name).collect();
        writeln!(out, "step,run,{}", names.join(",")).map_err(io)?;
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

/// Columns of `explr schedule`'s CSV, one row per step.
const SCHEDULE_COLUMNS: &str = "step,lr,wd,twin_lr,ln_twin_lr,ln_scale";

fn schedule(a: ScheduleArgs) -> Result<(), ExplrError> {
    let (settings, _) = a.settings.settings()?;
    let exp = settings.to_experiment()?;
    let (twin, kappa, rows) = explr::twin_table::twin_table(&exp, a.steps)?;
    let (json, mut out) = output(&a.output)?;
    let io = |e: std::io::Error| ExplrError::Data(format!("cannot write the output: {e}"));
    let (label, gamma) = (&exp.runs[twin].label, exp.hyper.momentum);
    if json {
        let doc = serde_json::json!({
            "twin": label, "momentum": gamma, "weight_decay": 0.0, "kappa": kappa,
            "convention": "v ← γv + ∇L, θ ← θ − η̃_t·v (no dampening); ṽ₀ = κ·θ₀ for the scale-invariant weights",
            "rows": rows,
        });
        writeln!(out, "{doc}").map_err(io)?;
    } else {
        writeln!(out, "# {label}: momentum {gamma}, no weight decay, initial momentum v0 = {kappa:e} * theta0 (scale-invariant weights)").map_err(io)?;
        writeln!(out, "{SCHEDULE_COLUMNS}").map_err(io)?;
        for r in &rows {
            let twin_lr = r.twin_lr.map(|v| v.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{},{},{},{twin_lr},{},{}",
                r.step, r.lr, r.wd, r.ln_twin_lr, r.ln_scale
            )
            .map_err(io)?;
        }
    }
    out.flush().map_err(io)
}

fn fixture(a: FixtureArgs) -> Result<(), ExplrError> {
    let (settings, _) = a.settings.settings()?;
    let fixture = explr::fixture::fixture(&settings.to_experiment()?, a.steps)?;
    let (json, mut out) = output(&Output {
        out: a.out,
        format: Format::Json,
    })?;
    if !json {
        return Err(ExplrError::Unsupported(
            "a fixture is JSON: name the file .json".into(),
        ));
    }
    let io = |e: std::io::Error| ExplrError::Data(format!("cannot write the output: {e}"));
    serde_json::to_writer(&mut out, &fixture)
        .map_err(|e| ExplrError::Data(format!("cannot write the fixture: {e}")))?;
    writeln!(out).map_err(io)?;
    out.flush().map_err(io)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Equiv(a) => equiv(a),
        Command::Train(a) => train(a),
        Command::Sweep(a) => sweep(a),
        Command::Schedule(a) => schedule(a),
        Command::Fixture(a) => fixture(a),
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
