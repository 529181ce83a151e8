//! Paper §3–§6 on the flex CPU backend in f64: the WD run and its WD-free twin are the same
//! run, step for step, to 1e-12.

use crate::common::{max_loss_diff, max_loss_diff_between, max_over, train, twin_experiment};
use explr::model::Precision;
use explr::norm::Norm;
use explr::schedule::TwinInit;

const STEPS: u64 = 500;
/// Stricter than the 1e-9 asked for: measured errors are 2e-15 to 6e-15.
const TOL: f64 = 1e-12;

fn check_exact(norm: Norm, cnn: bool) -> f64 {
    let exp = twin_experiment(norm, Precision::F64, TwinInit::Exact, cnn);
    let (_, m) = train(exp, "flex", STEPS);
    let rel = max_over(&m, 1, |r| r.rel_weight_error);
    let loss = max_loss_diff(&m, 0, 1);
    let last = &m.last().unwrap().runs[1];
    println!(
        "{norm:?} cnn={cnn}: max rel weight error {rel:.3e}, max loss diff {loss:.3e}, max angle {:.3e}, scale {:.12} vs {:.12}",
        max_over(&m, 1, |r| r.angle),
        last.ln_scale_measured.exp(),
        last.ln_scale_predicted.exp()
    );
    assert!(
        rel <= TOL,
        "{norm:?}: relative weight error {rel:.3e} > {TOL:e}"
    );
    assert!(
        loss <= TOL,
        "{norm:?}: loss difference {loss:.3e} > {TOL:e}"
    );
    assert!((last.ln_scale_measured - last.ln_scale_predicted).abs() <= TOL);
    // The twin really is a different run: its weights are ≈ α^-500 ≈ 1.29 times larger.
    assert!(last.ln_scale_predicted > 0.2, "{}", last.ln_scale_predicted);
    // And the loss went down: this is training, not two idle runs.
    let (first, final_) = (
        m[0].runs[0].loss,
        m[m.len() - 10..]
            .iter()
            .map(|s| s.runs[0].loss)
            .sum::<f64>()
            / 10.0,
    );
    assert!(final_ < first, "loss {first} → {final_}");
    rel
}

#[test]
fn bn_mlp_twins_exact_to_1e_12() {
    check_exact(Norm::Batch, false);
}

#[test]
fn gn_mlp_twins_exact_to_1e_12() {
    check_exact(Norm::Group { groups: 4 }, false);
}

#[test]
fn ln_mlp_twins_exact_to_1e_12() {
    check_exact(Norm::Layer, false);
}

#[test]
fn in_cnn_twins_exact_to_1e_12() {
    check_exact(Norm::Instance, true);
}

#[test]
fn bn_cnn_twins_exact_to_1e_12() {
    check_exact(Norm::Batch, true);
}

#[test]
fn naive_initial_momentum_is_1e4_times_worse() {
    let exact = check_exact(Norm::Batch, false);
    let exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Naive, false);
    let (_, m) = train(exp, "flex", STEPS);
    let naive = max_over(&m, 1, |r| r.rel_weight_error);
    let angle = max_over(&m, 1, |r| r.angle);
    println!(
        "naive ṽ0: max rel weight error {naive:.3e}, max angle {angle:.3e} (exact: {exact:.3e})"
    );
    assert!(naive > 1e-5, "naive error {naive:.3e} should be visible");
    assert!(
        naive > 1e4 * exact.max(1e-16),
        "naive {naive:.3e} vs exact {exact:.3e}"
    );
}

#[test]
fn step_decay_and_exact_texp_agree_to_1e_12() {
    let mut exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, false);
    exp = exp.with_step_decay(vec![200, 350], 0.1, true);
    let (_, m) = train(exp, "flex", STEPS);
    let rel = max_over(&m, 3, |r| r.rel_weight_error);
    let loss = max_loss_diff(&m, 2, 3);
    println!("step decay vs exact TEXP: max rel {rel:.3e}, max loss diff {loss:.3e}");
    assert!(rel <= TOL && loss <= TOL, "rel {rel:.3e}, loss {loss:.3e}");
    // The LR of D dropped ×≈0.1 at each milestone while C's dropped ×0.1 exactly.
    let lr = |s: usize, r: usize| m[s].runs[r].ln_lr;
    assert!(((lr(200, 2) - lr(199, 2)).exp() - 0.1).abs() < 1e-12);
    assert!(((lr(200, 3) - lr(199, 3)).exp() - 0.1).abs() < 1e-3);
}

#[test]
fn approximate_texp_within_1e_4_but_not_exact() {
    let mut exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, false);
    exp = exp.with_step_decay(vec![200], 0.1, false);
    let (_, m) = train(exp, "flex", 300);
    let before = max_over(&m[..199], 3, |r| r.rel_weight_error);
    let after = max_over(&m, 3, |r| r.rel_weight_error);
    println!("approximate TEXP: rel error {before:.3e} before the milestone, {after:.3e} overall");
    assert!(
        before <= TOL,
        "identical to the exact twin before the first milestone"
    );
    // After it, the approximate boundary factor (off by 2e-7) and the missing relaxation of a_t
    // leave a small but clearly non-rounding difference (measured ≈ 2e-8).
    assert!(
        after > 100.0 * before && after > 5e-9 && after < 1e-4,
        "{after:.3e}"
    );
}

fn rescaled_vs_plain(factors: &[f64]) -> (f64, f64) {
    let exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, false);
    let (plain, pm) = train(exp.clone(), "flex", STEPS);
    let mut ls = crate::common::lockstep(exp, "flex").unwrap();
    let mut rm = Vec::new();
    for chunk in 0..10u64 {
        rm.extend(ls.train(STEPS / 10).unwrap());
        let s = factors[chunk as usize % factors.len()];
        ls.rescale_run(1, s).unwrap();
        assert!(
            ls.rescale_run(0, s).is_err(),
            "the WD run cannot be rescaled"
        );
    }
    let (a, b) = (plain.hidden_weights(1), ls.hidden_weights(1));
    let rel = explr::metrics::rel_error(&b, 1.0, &a, 1.0);
    let loss = max_loss_diff_between(&pm, &rm, 1);
    (rel, loss)
}

#[test]
fn rescaling_keeps_the_trajectory() {
    let (rel, loss) = rescaled_vs_plain(&[0.37, 3.1, 1e-3, 250.0]);
    println!("rescaled by 0.37, 3.1, 1e-3, 250: rel weight diff {rel:.3e}, loss diff {loss:.3e}");
    assert!(rel <= TOL && loss <= TOL, "rel {rel:.3e}, loss {loss:.3e}");
    // Powers of two (what automatic rescaling uses) scale θ and v exactly; only the LR's
    // exp/ln round-trip rounds.
    let (rel, loss) = rescaled_vs_plain(&[0.5, 8.0, 0.25]);
    println!("rescaled by powers of two: rel weight diff {rel:.3e}, loss diff {loss:.3e}");
    assert!(rel <= 1e-13 && loss <= 1e-13, "rel {rel:e}, loss {loss:e}");
}

#[test]
fn standard_mode_breaks_the_equivalence() {
    let mut exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, false);
    exp.net.mode = explr::model::NetMode::Standard;
    let (_, m) = train(exp, "flex", 200);
    let rel = max_over(&m, 1, |r| r.rel_weight_error);
    println!("standard mode: rel weight error {rel:.3e}");
    assert!(rel > 1e-4, "{rel:.3e}");
}

#[test]
fn no_normalization_breaks_the_equivalence() {
    let exp = twin_experiment(Norm::None, Precision::F64, TwinInit::Exact, false);
    let (_, m) = train(exp, "flex", 200);
    let rel = max_over(&m, 1, |r| r.rel_weight_error);
    println!("no normalization: rel weight error {rel:.3e}");
    assert!(rel > 1e-4, "{rel:.3e}");
}

#[test]
fn effective_lr_agrees_up_to_one_over_alpha() {
    let exp = twin_experiment(Norm::Layer, Precision::F64, TwinInit::Exact, false);
    let alpha = exp.hyper.alpha();
    let (_, m) = train(exp, "flex", 100);
    for s in &m {
        let ratio = s.runs[1].effective_lr / s.runs[0].effective_lr;
        // η̃_t/‖θ̃_t‖² = (1/α)·η/‖θ_t‖² (paper §3), θ_t being the weights step t+1 starts from.
        assert!(
            (ratio - 1.0 / alpha).abs() < 1e-9,
            "ratio {ratio} at step {}",
            s.step
        );
    }
}

#[test]
fn experiment_validation() {
    let mut exp = crate::common::ab_experiment().with_step_decay(vec![100], 0.1, true);
    exp.runs[1].kind = explr::RunKind::Exponential {
        of: 2,
        init: TwinInit::Exact,
    };
    let e = exp.validate().unwrap_err().to_string();
    assert!(e.contains("constant schedule"), "{e}");
    let mut exp = crate::common::ab_experiment();
    exp.net.norm = Norm::Instance;
    let err = crate::common::lockstep(exp, "flex")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("InstanceNorm"), "{err}");
    let mut exp = crate::common::ab_experiment();
    exp.batch = 1;
    assert!(crate::common::lockstep(exp, "flex").is_err());
    let exp = crate::common::ab_experiment().mnist();
    let err = explr::Lockstep::new(exp, explr::train::device_for("flex").unwrap(), None)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("MNIST"), "{err}");
}

#[test]
fn decision_boundaries_of_the_twins_coincide() {
    let exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, false);
    let (ls, _) = train(exp, "flex", 200);
    let res = 24;
    let p = explr::train::read(ls.boundary(res).unwrap());
    let k = ls.net().classes();
    assert_eq!(p.len(), 2 * res * res * k);
    let (a, b) = p.split_at(res * res * k);
    let d = explr::metrics::max_abs_diff(a, b);
    assert!(d < 1e-12, "grid probabilities differ by {d:e}");
    // Each point's prediction is independent of the others on the grid (fixed BN statistics),
    // and the classifier has learned something: not every cell predicts the same class.
    let classes: std::collections::BTreeSet<usize> = a
        .chunks(k)
        .map(|c| (0..k).max_by(|&i, &j| c[i].total_cmp(&c[j])).unwrap())
        .collect();
    assert!(classes.len() == k, "{classes:?}");
    let e = crate::common::lockstep(crate::common::ab_experiment().mnist(), "flex")
        .unwrap()
        .boundary(8)
        .err()
        .unwrap();
    assert!(e.to_string().contains("2-D"), "{e}");
}

/// Runs are trained stacked in one graph; no statistic, convolution group or gradient may mix
/// them: run A trained next to B must follow the same trajectory as A trained alone.
fn alone_vs_stacked(norm: Norm, cnn: bool, standard: bool) -> (f64, f64) {
    let mut exp = twin_experiment(norm, Precision::F64, TwinInit::Exact, cnn);
    if standard {
        exp.net.mode = explr::model::NetMode::Standard;
    }
    let stacked = exp.clone().with_step_decay(vec![100], 0.1, true);
    let mut alone = exp;
    alone.runs.truncate(1);
    let steps = 200;
    let (a, am) = train(alone, "flex", steps);
    let (s, sm) = train(stacked, "flex", steps);
    let rel = explr::metrics::rel_error(&s.hidden_weights(0), 1.0, &a.hidden_weights(0), 1.0);
    let loss = max_loss_diff_between(&am, &sm, 0);
    (rel, loss)
}

#[test]
fn stacked_runs_do_not_interact() {
    for (norm, cnn, standard) in [
        (Norm::Batch, false, false),
        (Norm::Group { groups: 4 }, false, true),
        (Norm::Batch, true, false),
        (Norm::Instance, true, true),
    ] {
        let (rel, loss) = alone_vs_stacked(norm, cnn, standard);
        println!(
            "{norm:?} cnn={cnn} standard={standard}: A alone vs A among 4 runs: rel weight diff {rel:.3e}, loss diff {loss:.3e}"
        );
        assert!(rel <= TOL && loss <= TOL, "rel {rel:.3e}, loss {loss:.3e}");
    }
}

/// The rounding-chaos control A′ starts one ulp from A (in the working precision), trains with
/// A's schedule and weight decay, and is compared with A.
#[test]
fn perturbed_control_starts_one_ulp_apart() {
    for precision in [Precision::F64, Precision::F32] {
        let mut exp = twin_experiment(Norm::Batch, precision, TwinInit::Exact, false);
        exp.runs.push(explr::experiment::RunSpec {
            label: "A′".into(),
            kind: explr::experiment::RunKind::Perturbed { of: 0 },
        });
        let (ls, m) = train(exp, "flex", 30);
        let (a, c) = (ls.hidden_weights(0), ls.hidden_weights(2));
        assert_ne!(a, c, "A′ must differ from A");
        let eps = match precision {
            Precision::F64 => f64::EPSILON,
            Precision::F32 => f32::EPSILON as f64,
        };
        let first = m[0].runs[2].angle;
        let last = m.last().unwrap().runs[2].angle;
        println!("{precision:?}: A′ vs A angle after 1 step {first:.3e}, after 30 {last:.3e}");
        assert!(
            first > 0.0 && first < 10.0 * eps,
            "{precision:?}: {first:.3e}"
        );
        assert!(last < 1e3 * eps, "{precision:?}: {last:.3e}");
        // A′ has A's LR and weight decay: its norm follows A's.
        let dn = (m.last().unwrap().runs[2].ln_weight_norm
            - m.last().unwrap().runs[0].ln_weight_norm)
            .abs();
        assert!(dn < 1e3 * eps, "{precision:?}: ln-norm difference {dn:.3e}");
    }
}
