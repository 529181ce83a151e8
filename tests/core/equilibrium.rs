//! The equilibrium view: angular updates Δ_t = angle(θ_t, θ_{t+1}) of the scale-invariant
//! weights. The exponential twin moves by the same angles as its weight-decay run (it is that
//! run, scaled); a long run settles near √(2ηλ/(1+γ)); runs with the same intrinsic LR λη
//! settle at the same Δ whatever η and λ are on their own.

use crate::common::{train, twin_experiment};
use explr::metrics::{StepMetrics, equilibrium_angular_update};
use explr::model::Precision;
use explr::norm::Norm;
use explr::schedule::TwinInit;
use explr::settings::Settings;

/// Mean angular update of run `i` over steps `from..to` (0-based indices into `m`).
fn mean_update(m: &[StepMetrics], i: usize, from: usize, to: usize) -> f64 {
    m[from..to]
        .iter()
        .map(|s| s.runs[i].angular_update)
        .sum::<f64>()
        / (to - from) as f64
}

#[test]
fn the_twin_turns_by_exactly_the_angles_of_the_weight_decay_run() {
    let exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, false);
    let (_, m) = train(exp, "flex", 400);
    let mut worst = 0.0f64;
    for s in &m {
        let (a, b) = (&s.runs[0], &s.runs[1]);
        assert!(a.angular_update > 0.0 && a.angular_update < 0.5);
        worst = worst.max((a.angular_update - b.angular_update).abs() / a.angular_update);
        assert_eq!(a.layer_angular_updates.len(), 2, "W1 and W2");
        for (x, y) in a.layer_angular_updates.iter().zip(&b.layer_angular_updates) {
            worst = worst.max((x - y).abs() / x);
        }
    }
    println!("f64: largest relative difference of A's and B's angular updates {worst:.3e}");
    assert!(worst < 1e-10, "{worst:e}");
    let predicted = equilibrium_angular_update(0.1, 5e-4, 0.9);
    for run in &m[9].runs {
        let rel = (run.equilibrium_angular_update - predicted).abs() / predicted;
        assert!(rel < 1e-14, "A and B share A's prediction: {rel:e}");
    }
}

#[test]
fn a_long_run_settles_near_the_predicted_angular_update() {
    // Run A alone (a one-point sweep), circles, the paper's η, λ, γ, f64.
    let settings = Settings {
        sweep_eta: vec![0.1],
        ..Settings::default()
    };
    let exp = settings.to_experiment().unwrap();
    let steps = 16_000;
    let (_, m) = train(exp, "flex", steps);
    let n = steps as usize;
    let (third, last) = (
        mean_update(&m, 0, n / 2, 3 * n / 4),
        mean_update(&m, 0, 3 * n / 4, n),
    );
    let predicted = equilibrium_angular_update(0.1, 5e-4, 0.9);
    let rel = (last - predicted) / predicted;
    println!(
        "mean Δ over steps {}..{}: {third:.5e}, over {}..{n}: {last:.5e}; predicted {predicted:.5e} ({:+.1}%)",
        n / 2,
        3 * n / 4,
        3 * n / 4,
        100.0 * rel
    );
    assert!(
        ((last - third) / last).abs() < 0.03,
        "settled: the last two quarters agree"
    );
    assert!(rel.abs() < 0.12, "within 12% of √(2ηλ/(1+γ)): {rel:+.3}");
}

#[test]
fn equal_intrinsic_lr_gives_equal_equilibria() {
    // λη = 1e-4 at η = 0.05 and at η = 0.2 (4× apart); λη = 2.5e-5 and 4e-4 around them.
    let settings = Settings {
        sweep_eta: vec![0.05, 0.2],
        sweep_wd: vec![5e-4, 2e-3],
        ..Settings::default()
    };
    let exp = settings.to_experiment().unwrap();
    let steps = 4000usize;
    let (_, m) = train(exp, "flex", steps as u64);
    let d: Vec<f64> = (0..4)
        .map(|i| mean_update(&m, i, 3 * steps / 4, steps))
        .collect();
    // Runs: (0.05, 5e-4), (0.05, 2e-3), (0.2, 5e-4), (0.2, 2e-3).
    let (same_a, same_b) = (d[1], d[2]);
    let rel = (same_a - same_b).abs() / same_b;
    println!(
        "λη = 1e-4: Δ = {same_a:.5e} (η = 0.05) vs {same_b:.5e} (η = 0.2), {:.2}% apart; λη = 2.5e-5: {:.5e}; 4e-4: {:.5e}",
        100.0 * rel,
        d[0],
        d[3]
    );
    assert!(rel < 0.04, "equal λη: {rel:.3}");
    assert!(
        d[0] < 0.8 * same_b && d[3] > 1.25 * same_b,
        "other λη differ: {d:?}"
    );
}

/// Mean of `f` over steps `from..to` of run `i`.
fn mean_of(
    m: &[StepMetrics],
    i: usize,
    from: usize,
    to: usize,
    f: impl Fn(&explr::metrics::RunMetrics) -> f64,
) -> f64 {
    m[from..to].iter().map(|s| f(&s.runs[i])).sum::<f64>() / (to - from) as f64
}

/// ‖g‖/‖w‖ of a long constant-LR run settles at the derived √(2λ(1−γ)/η): measured 1.07–1.09×
/// it over steps 10 000–20 000 at the paper's defaults (0.0316), and the twin's ratio is its WD
/// run's divided by c_t² exactly (its scale-free version coincides).
#[test]
fn a_long_run_settles_near_the_derived_gradient_to_weight_ratio() {
    let settings = Settings {
        chaos: false,
        ..Settings::default()
    };
    let (_, m) = train(settings.to_experiment().unwrap(), "flex", 12_000);
    let ratio = mean_of(&m, 0, 8_000, 12_000, |r| r.ln_grad_weight_ratio.exp());
    let predicted = m[0].runs[0].equilibrium_grad_weight_ratio;
    assert!(
        (predicted - explr::metrics::equilibrium_grad_weight_ratio(0.1, 5e-4, 0.9)).abs() < 1e-15
    );
    println!(
        "‖g‖/‖w‖ over steps 8 000–12 000: {ratio:.5}, derived {predicted:.5} (×{:.3})",
        ratio / predicted
    );
    assert!(
        (0.85..1.2).contains(&(ratio / predicted)),
        "{ratio} vs {predicted}"
    );
    // Early on (‖w‖ still large) it is far below: the settling is real, not the formula's echo.
    let early = mean_of(&m, 0, 0, 500, |r| r.ln_grad_weight_ratio.exp());
    assert!(early < 0.5 * predicted, "early {early}");
    // The gradient is taken where the step starts: at θ_{t−1}, scaled by c_{t−1}.
    let worst = m
        .windows(2)
        .map(|w| {
            let (a, b) = (&w[1].runs[0], &w[1].runs[1]);
            let c = w[0].runs[1].ln_scale_predicted;
            (b.ln_grad_weight_ratio + 2.0 * c - a.ln_grad_weight_ratio).abs()
        })
        .fold(0.0, f64::max);
    assert!(worst < 1e-9, "the twin's ratio × c² is A's: {worst:.3e}");
}

/// Under cosine decay the ratio rises as the LR falls, as the equilibrium says, but lags it;
/// with λ tied to the LR (λ_t = λ·η_t/η) its equilibrium stays put and so does the ratio. The
/// page's preset "Cosine decay: the late gradient rise" (λ = 0.005, so 1/(λη) = 2 000 steps;
/// cosine to 0.001 at step 10 000). Measured over steps 2 000–4 000 → 10 000–12 000 (geometric
/// means): constant λ ×3.38 while √(2λ(1−γ)/η_t) rises ×8.88; tied ×0.92, its equilibrium ×1.
#[test]
fn under_cosine_decay_the_ratio_rises_unless_weight_decay_follows_the_lr() {
    use explr::schedule::WdSchedule;
    let rise = |wd_schedule| {
        let settings = Settings {
            chaos: false,
            schedule: explr::settings::ScheduleChoice::Cosine,
            wd: 0.005,
            total: 10_000,
            floor: 0.001,
            wd_schedule,
            ..Settings::default()
        };
        let (_, m) = train(settings.to_experiment().unwrap(), "flex", 12_000);
        let mean =
            |from, to, f: fn(&explr::metrics::RunMetrics) -> f64| mean_of(&m, 2, from, to, f).exp();
        let ratio = |from, to| mean(from, to, |r| r.ln_grad_weight_ratio);
        let eq = |from, to| mean(from, to, |r| r.equilibrium_grad_weight_ratio.ln());
        let rises = (
            ratio(10_000, 12_000) / ratio(2_000, 4_000),
            eq(10_000, 12_000) / eq(2_000, 4_000),
        );
        println!(
            "cosine, {wd_schedule:?} λ: ‖g‖/‖w‖ of C ×{:.2} from steps 2 000–4 000 to 10 000–12 000; its equilibrium ×{:.2}",
            rises.0, rises.1
        );
        rises
    };
    let (constant, eq_constant) = rise(WdSchedule::Constant);
    assert!(constant > 2.0, "the ratio rises: ×{constant:.2}");
    assert!(
        eq_constant > 2.0 * constant,
        "and lags its equilibrium: ×{eq_constant:.2} vs ×{constant:.2}"
    );
    let (tied, eq_tied) = rise(WdSchedule::Tied);
    assert!((eq_tied - 1.0).abs() < 1e-12, "tied, the equilibrium stays");
    assert!(
        (0.6..1.5).contains(&tied),
        "and so does the ratio: ×{tied:.2}"
    );
}
