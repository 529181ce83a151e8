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
