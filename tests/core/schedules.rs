//! Any schedule has an exact WD-free twin (paper §4): cosine with and without a warm-up, linear
//! decay, warm-up then constant and a piecewise list, with λ constant or tied to the LR, each
//! trained beside its weight-decay run on flex in f64 (the MLP and the CNN) and followed step
//! for step to 1e-12; the twin's LR stays finite in log space far past f64.

use crate::common::{max_loss_diff, max_over, train, twin_experiment};
use explr::metrics::StepMetrics;
use explr::model::Precision;
use explr::norm::Norm;
use explr::schedule::{ExactTwin, Schedule, TwinInit, WdSchedule};

/// Stricter than the 1e-9 of the theorem's f64 checks elsewhere: measured errors are ≈ 1e-15.
const TOL: f64 = 1e-12;

/// The schedules people train with, peaking at `eta` and decaying over `total` steps.
fn schedules(eta: f64, total: u64) -> Vec<(&'static str, Schedule)> {
    let warmup = total / 10;
    vec![
        (
            "cosine",
            Schedule::Cosine {
                eta,
                floor: eta / 100.0,
                warmup: 0,
                total,
            },
        ),
        (
            "cosine with warm-up",
            Schedule::Cosine {
                eta,
                floor: eta / 100.0,
                warmup,
                total,
            },
        ),
        (
            "linear decay",
            Schedule::Linear {
                eta,
                floor: eta / 100.0,
                warmup: 0,
                total,
            },
        ),
        (
            "warm-up, then constant",
            Schedule::Cosine {
                eta,
                floor: eta,
                warmup,
                total: warmup + 1,
            },
        ),
        (
            "piecewise list",
            Schedule::Piecewise {
                points: vec![
                    (0, eta),
                    (total * 3 / 10, eta / 2.0),
                    (total * 6 / 10, eta / 10.0),
                    (total * 8 / 10, eta / 3.0),
                ],
            },
        ),
    ]
}

/// (max relative weight error, max loss difference) of run D against run C over `m`.
fn d_vs_c(m: &[StepMetrics]) -> (f64, f64) {
    (
        max_over(m, 3, |r| r.rel_weight_error),
        max_loss_diff(m, 2, 3),
    )
}

/// Trains each of `schedules` as run C (its λ following `decay`) beside its twin D (`exact`,
/// or the per-phase TEXP) on the MLP or (`cnn`) the CNN for `steps` steps; each D-vs-C
/// error, printed.
fn twin_errors(
    schedules: Vec<(&'static str, Schedule)>,
    decay: WdSchedule,
    exact: bool,
    cnn: bool,
    steps: u64,
) -> Vec<(&'static str, f64, f64)> {
    schedules
        .into_iter()
        .map(|(name, schedule)| {
            let mut exp = twin_experiment(Norm::Batch, Precision::F64, TwinInit::Exact, cnn);
            exp.wd_schedule = decay;
            let exp = exp.with_schedule(schedule, exact);
            let (rel, loss) = d_vs_c(&train(exp, "flex", steps).1);
            let net = if cnn { "CNN" } else { "MLP" };
            println!(
                "{net}, {name}, {decay:?} λ: max rel weight error {rel:.3e}, max loss diff {loss:.3e}"
            );
            (name, rel, loss)
        })
        .collect()
}

#[test]
fn every_schedule_has_an_exact_twin_on_the_mlp_to_1e_12_over_1000_steps() {
    for (name, rel, loss) in twin_errors(
        schedules(0.1, 1000),
        WdSchedule::Constant,
        true,
        false,
        1000,
    ) {
        assert!(
            rel <= TOL && loss <= TOL,
            "{name}: rel {rel:.3e}, loss {loss:.3e}"
        );
    }
}

/// λ_t = λ·η_t/η: paper §4's recursion takes a λ per step as it takes an η per step.
#[test]
fn weight_decay_tied_to_the_lr_has_an_exact_twin_to_1e_12_on_the_mlp_and_the_cnn() {
    let mlp = twin_errors(schedules(0.1, 1000), WdSchedule::Tied, true, false, 1000);
    let cosine = schedules(0.1, 200).into_iter().skip(1).take(1).collect();
    let cnn = twin_errors(cosine, WdSchedule::Tied, true, true, 200);
    for (name, rel, loss) in mlp.into_iter().chain(cnn) {
        assert!(
            rel <= TOL && loss <= TOL,
            "{name}: rel {rel:.3e}, loss {loss:.3e}"
        );
    }
}

#[test]
fn every_schedule_has_an_exact_twin_on_the_cnn_to_1e_12_over_200_steps() {
    for (name, rel, loss) in twin_errors(schedules(0.1, 200), WdSchedule::Constant, true, true, 200)
    {
        assert!(
            rel <= TOL && loss <= TOL,
            "{name}: rel {rel:.3e}, loss {loss:.3e}"
        );
    }
}

#[test]
fn the_twins_lr_stays_finite_in_log_space_past_f64() {
    for (name, s) in schedules(1.0, 200_000) {
        let mut twin = ExactTwin::new(s, 0.002, 0.9, TwinInit::Exact).unwrap();
        let ln = twin.ln_lr(100_000);
        println!("{name}: ln η̃ at step 100 000 = {ln:.1}");
        assert!(ln.is_finite() && ln > f64::MAX.ln(), "{name}: ln η̃ = {ln}");
        assert!(ln.exp().is_infinite());
    }
}

#[test]
fn the_schedules_lrs_and_their_checks() {
    let cos = Schedule::Cosine {
        eta: 0.1,
        floor: 0.001,
        warmup: 10,
        total: 110,
    };
    assert!(
        (cos.lr(0) - 0.01).abs() < 1e-15,
        "warm-up starts at η/warmup"
    );
    assert!((cos.lr(9) - 0.1).abs() < 1e-15 && (cos.lr(10) - 0.1).abs() < 1e-15);
    assert!(
        (cos.lr(60) - 0.0505).abs() < 1e-12,
        "half-way down the cosine"
    );
    assert_eq!(cos.lr(110), 0.001);
    assert_eq!(cos.lr(1_000_000), 0.001);
    let lin = Schedule::Linear {
        eta: 0.1,
        floor: 0.001,
        warmup: 0,
        total: 100,
    };
    assert!((lin.lr(50) - 0.0505).abs() < 1e-12);
    let list = Schedule::Piecewise {
        points: vec![(0, 0.1), (5, 0.02)],
    };
    assert_eq!((list.lr(4), list.lr(5), list.lr(99)), (0.1, 0.02, 0.02));
    assert_eq!((list.phase(4), list.phase(5)), (0, 1));
    for bad in [
        Schedule::Cosine {
            eta: 0.1,
            floor: 0.2,
            warmup: 0,
            total: 100,
        },
        Schedule::Cosine {
            eta: 0.1,
            floor: 0.0,
            warmup: 0,
            total: 100,
        },
        Schedule::Linear {
            eta: 0.1,
            floor: 0.01,
            warmup: 100,
            total: 100,
        },
        Schedule::Piecewise {
            points: vec![(1, 0.1)],
        },
        Schedule::Piecewise {
            points: vec![(0, 0.1), (0, 0.2)],
        },
        Schedule::Piecewise {
            points: vec![(0, 0.1), (3, -1.0)],
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?} is refused");
    }
}

#[test]
fn the_per_step_texp_of_a_cosine_is_close_but_not_exact() {
    let cosine = vec![schedules(0.1, 1000).remove(1)];
    let (_, rel, _) = twin_errors(cosine, WdSchedule::Constant, false, false, 1000)[0];
    assert!(
        rel > 1e3 * TOL,
        "the approximation is not the exact twin: {rel:.3e}"
    );
    assert!(rel < 0.1, "but it follows the run: {rel:.3e}");
}

/// The settings (URL keys = CLI flags) build each schedule's runs C and D, exact; a bad
/// combination is refused with a message naming the key.
#[test]
fn the_settings_build_every_schedule_with_its_exact_twin() {
    use explr::settings::{ScheduleChoice, Settings};
    let base = Settings {
        chaos: false,
        dataset: explr::data::DatasetKind::Blobs,
        warmup: 30,
        total: 300,
        milestones: vec![100, 200],
        ..Settings::default()
    };
    for (schedule, lrs) in [
        (ScheduleChoice::Cosine, vec![]),
        (ScheduleChoice::Linear, vec![]),
        (ScheduleChoice::List, vec![0.1, 0.02, 0.05]),
        (ScheduleChoice::List, vec![]),
    ] {
        let s = Settings {
            schedule,
            lrs,
            ..base.clone()
        };
        let exp = s.to_experiment().unwrap();
        assert_eq!(exp.runs.len(), 4);
        let (rel, loss) = d_vs_c(&train(exp, "flex", 300).1);
        println!("settings, {schedule:?}: rel {rel:.3e}, loss {loss:.3e}");
        assert!(
            rel <= TOL && loss <= TOL,
            "{schedule:?}: rel {rel:.3e}, loss {loss:.3e}"
        );
    }
    let bad = |s: Settings| s.to_experiment().unwrap_err().to_string();
    assert!(
        bad(Settings {
            schedule: ScheduleChoice::Cosine,
            floor: 0.5,
            ..base.clone()
        })
        .contains("floor")
    );
    assert!(
        bad(Settings {
            schedule: ScheduleChoice::Linear,
            warmup: 300,
            ..base.clone()
        })
        .contains("total")
    );
    assert!(
        bad(Settings {
            schedule: ScheduleChoice::List,
            lrs: vec![0.1],
            ..base.clone()
        })
        .contains("lrs")
    );
}
