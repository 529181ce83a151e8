//! Paper §7's table, to at least 10 significant digits, and the schedule recursions.

use explr::equivalence::Hyper;
use explr::schedule::{ExactTwin, LrPlan, Schedule, Texp, TwinInit};

fn close(got: f64, want: f64, what: &str) {
    let rel = ((got - want) / want).abs();
    assert!(
        rel < 1e-10,
        "{what}: got {got:.20}, want {want:.20} (rel {rel:.2e})"
    );
}

fn h(eta: f64, wd: f64, m: f64) -> Hyper {
    Hyper::new(eta, wd, m).unwrap()
}

#[test]
fn paper_table_alpha_and_factors() {
    let p = Hyper::PAPER;
    close(p.alpha(), 0.99949772836789184821, "α");
    close(p.other_root(), 0.90045227163210815179, "other root");
    close(p.lr_factor_per_step(), 1.0010053006017578802, "α^-2");
    close(p.exp_lr(0.0), 0.100050252403568, "η̃_0");
    close(p.lr_factor(391.0), 1.4812333562871193, "α^-782");
    close(p.weight_factor(391.0), 1.21705930681, "α^-391");
    close(p.v0_coefficient(), -0.0050252403567572421, "κ");
    close(p.effective_lr_ratio(), 1.000502524036, "1/α");
}

#[test]
fn paper_table_other_hyper_parameters() {
    close(h(0.1, 5e-4, 0.0).alpha(), 0.99995, "γ=0 α");
    close(
        h(0.1, 5e-4, 0.0).lr_factor_per_step(),
        1.0001000075005000313,
        "γ=0 factor",
    );
    close(h(0.05, 5e-4, 0.9).alpha(), 0.999749434812163, "α(0.05)");
    close(h(0.1, 1e-4, 0.9).alpha(), 0.999899909828593, "α(λ=1e-4)");
    close(
        h(0.01, 5e-4, 0.9).alpha(),
        0.99994997747859959748,
        "α(0.01)",
    );
    close(
        h(0.001, 5e-4, 0.9).alpha(),
        0.99999499977497862246,
        "α(0.001)",
    );
}

#[test]
fn roots_solve_the_quadratic() {
    for (eta, wd, m) in [(0.1, 5e-4, 0.9), (0.3, 1e-3, 0.5), (1.0, 0.1, 0.0)] {
        let p = h(eta, wd, m);
        for x in [p.alpha(), p.other_root()] {
            let r = x * x - (1.0 + m - wd * eta) * x + m;
            assert!(r.abs() < 1e-14, "residual {r} for {x}");
        }
        assert!(p.alpha() >= p.other_root());
    }
}

#[test]
fn recursion_with_zero_momentum_matches_table() {
    let mut t =
        ExactTwin::new(Schedule::Constant { eta: 0.1 }, 5e-4, 0.9, TwinInit::Naive).unwrap();
    let want = [
        0.100005000250,
        0.100019502828,
        0.100042562591,
        0.100073331388,
    ];
    for (i, w) in want.iter().enumerate() {
        close(t.ln_lr(i as u64).exp(), *w, &format!("η̃_{i}"));
    }
    assert_eq!(t.v0_coefficient(), 0.0);
}

#[test]
fn recursion_converges_to_alpha() {
    let mut t =
        ExactTwin::new(Schedule::Constant { eta: 0.1 }, 5e-4, 0.9, TwinInit::Naive).unwrap();
    assert!((t.a(400) - Hyper::PAPER.alpha()).abs() < 1e-15);
}

#[test]
fn exact_init_recursion_is_the_closed_form() {
    let p = Hyper::PAPER;
    let mut t =
        ExactTwin::new(Schedule::Constant { eta: 0.1 }, 5e-4, 0.9, TwinInit::Exact).unwrap();
    close(
        t.v0_coefficient(),
        p.v0_coefficient(),
        "κ from the recursion",
    );
    for s in [0u64, 1, 7, 100, 1000, 5000] {
        let (a, b) = (t.ln_lr(s), p.ln_exp_lr(s as f64));
        assert!(
            (a - b).abs() < 1e-11,
            "ln η̃_{s}: recursion {a}, closed form {b}"
        );
        assert!((t.ln_scale(s) + s as f64 * p.ln_alpha()).abs() < 1e-11);
    }
}

fn step_decay() -> Schedule {
    Schedule::StepDecay {
        eta: 0.1,
        milestones: vec![500],
        factor: 0.1,
    }
}

#[test]
fn step_decay_boundary_ratios_match_table() {
    let mut exact = ExactTwin::new(step_decay(), 5e-4, 0.9, TwinInit::Exact).unwrap();
    let ratio = (exact.ln_lr(500) - exact.ln_lr(499)).exp();
    close(ratio, 0.100055277896, "exact boundary ratio");
    let mut approx = Texp::new(step_decay(), 5e-4, 0.9).unwrap();
    let ratio = (approx.ln_lr(500) - approx.ln_lr(499)).exp();
    close(ratio, 0.100055257420, "approximate boundary ratio");
    // Inside each phase TEXP grows by that phase's α^-2.
    let in_phase = (approx.ln_lr(700) - approx.ln_lr(699)).exp();
    close(
        in_phase,
        h(0.01, 5e-4, 0.9).lr_factor_per_step(),
        "phase-1 growth",
    );
    // The exact recursion relaxes geometrically (rate ≈ γ/α²) to the new phase's α.
    assert!((exact.a(1500) - h(0.01, 5e-4, 0.9).alpha()).abs() < 1e-14);
}

#[test]
fn plans_agree_in_log_space_far_past_f64() {
    let p = Hyper::PAPER;
    let t = 2_000_000u64;
    let mut plan = LrPlan::Exponential(p);
    let ln = plan.ln_lr(t);
    assert!(ln > 709.0, "η̃ at {t} steps is beyond f64 (ln = {ln})");
    assert!(ln.is_finite());
    let hz = p.lr_horizon(f32::MAX as f64).unwrap();
    assert!(p.exp_lr(hz) > f32::MAX as f64 && p.exp_lr(hz - 1.0) <= f32::MAX as f64);
    // The paper's "≈ 231 epochs of 391 steps" until η̃ overflows f32.
    let epochs = hz / 391.0;
    assert!((230.0..232.0).contains(&epochs), "{epochs} epochs");
}

#[test]
fn out_of_range_hyper_parameters_are_rejected() {
    for (eta, wd, m) in [
        (0.0, 5e-4, 0.9),
        (-0.1, 5e-4, 0.9),
        (f64::NAN, 5e-4, 0.9),
        (0.1, -1.0, 0.9),
        (0.1, 5e-4, 1.0),
        (0.5, 0.05, 0.9), // complex roots
    ] {
        let e = Hyper::new(eta, wd, m).unwrap_err();
        assert!(!e.to_string().is_empty());
    }
    assert!(
        Schedule::StepDecay {
            eta: 0.1,
            milestones: vec![5, 5],
            factor: 0.1
        }
        .validate()
        .is_err()
    );
    assert!(
        Schedule::StepDecay {
            eta: 0.1,
            milestones: vec![5],
            factor: 2.0
        }
        .validate()
        .is_err()
    );
}
