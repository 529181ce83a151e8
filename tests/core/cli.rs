//! The `explr` binary: results on success, a clear message and a non-zero exit on bad input.

use std::process::Command;

fn explr(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_explr"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn equiv_json_reports_the_theorem() {
    let (ok, out, err) = explr(&["equiv", "--steps", "120", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["alpha"].as_f64().unwrap() - 0.99949772836789184821).abs() < 1e-15);
    assert!(v["max_rel_weight_error"].as_f64().unwrap() < 1e-9);
    assert!(v["max_loss_diff"].as_f64().unwrap() < 1e-9);
    assert_eq!(v["exp_lr"][0]["t"], 0);
    assert!((v["exp_lr"][0]["lr"].as_f64().unwrap() - 0.100050252403568).abs() < 1e-14);
}

#[test]
fn equiv_naive_init_is_worse() {
    let (ok, out, err) = explr(&["equiv", "--steps", "120", "--init", "naive", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["max_rel_weight_error"].as_f64().unwrap() > 1e-6);
}

#[test]
fn train_writes_csv_and_json() {
    let dir = std::env::temp_dir().join(format!("explr-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("m.json");
    let (ok, _, err) = explr(&[
        "train",
        "--steps",
        "30",
        "--milestones",
        "15",
        "--chaos=false",
        "--dtype",
        "f32",
        "--eval-every",
        "10",
        "--out",
        json.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["steps"].as_array().unwrap().len(), 30);
    assert_eq!(v["labels"].as_array().unwrap().len(), 4);
    assert!(v["steps"][9]["runs"][0]["test_accuracy"].as_f64().is_some());
    let (ok, out, err) = explr(&[
        "train",
        "--steps",
        "5",
        "--dataset",
        "circles",
        "--norm",
        "layer",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1 + 5 * 3, "{out}");
    assert!(lines[0].starts_with("step,run,loss"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sweep_writes_one_row_per_run_with_its_intrinsic_lr() {
    let (ok, out, err) = explr(&[
        "sweep",
        "--steps",
        "200",
        "--sweep-eta",
        "0.05,0.2",
        "--sweep-wd",
        "5e-4,2e-3",
        "--sweep-twins",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("sweeping 8 runs × 200 steps"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 8);
    for pair in runs.chunks(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert_eq!(b["twin"], true);
        assert_eq!(a["intrinsic_lr"], b["intrinsic_lr"]);
        let (da, db) = (
            a["angular_update"].as_f64().unwrap(),
            b["angular_update"].as_f64().unwrap(),
        );
        assert!(da > 0.0 && ((da - db) / da).abs() < 1e-10, "{a} vs {b}");
        let expected = (2.0 * a["intrinsic_lr"].as_f64().unwrap() / 1.9).sqrt();
        assert!((a["predicted"].as_f64().unwrap() - expected).abs() < 1e-15);
        assert!(a["test_accuracy"].as_f64().is_some());
    }
    let (ok, csv, err) = explr(&["sweep", "--steps", "3", "--sweep-wd", "1e-3"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "run,eta,wd,intrinsic_lr,twin,angular_update,predicted_angular_update,loss,test_accuracy"
    );
    assert!(
        lines[1].starts_with("\"η=0.1 λ=0.001\",0.1,0.001,"),
        "{}",
        lines[1]
    );
    assert!(
        !lines[1].contains("NaN"),
        "three steps still have a window: {}",
        lines[1]
    );
    let (ok, _, err) = explr(&["sweep", "--steps", "10"]);
    assert!(!ok && err.contains("--sweep-eta or --sweep-wd"), "{err}");
}

#[test]
fn bad_arguments_get_a_message_and_nonzero_exit() {
    for (args, needle) in [
        (vec!["equiv", "--eta", "-1"], "eta"),
        (vec!["equiv", "--momentum", "1.5"], "momentum"),
        (vec!["equiv", "--eta", "0.5", "--wd", "0.05"], "no real α"),
        (vec!["equiv", "--norm", "instance"], "instance"),
        (vec!["equiv", "--norm", "group:5"], "GroupNorm"),
        (
            vec!["equiv", "--dataset", "imagenet"],
            "expected one of circles",
        ),
        (vec!["equiv", "--backend", "tpu"], "unknown backend"),
        (vec!["equiv", "--backend", "wgpu"], "f32"),
        (vec!["equiv", "--batch", "0"], "batch"),
        (vec!["equiv", "--steps", "0"], "--steps"),
        (vec!["equiv", "--eta", "abc"], "does not parse"),
        (vec!["equiv", "--norm", "group:x"], "whole number"),
        (
            vec!["equiv", "--mode", "standard", "--net", "invariant"],
            "cannot be used",
        ),
        (vec!["train", "--milestones", "0"], "milestones"),
        (
            vec!["train", "--out", "/nonexistent-dir/x.csv", "--steps", "1"],
            "cannot write",
        ),
        (vec!["frobnicate"], "unrecognized subcommand"),
    ] {
        let (ok, _, err) = explr(&args);
        assert!(!ok, "{args:?} should fail");
        assert!(
            err.contains(needle),
            "{args:?}: expected '{needle}' in: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

/// The defects a hidden check of the CLI found, each pinned down.
#[test]
fn edge_cases_of_the_cli() {
    // Steps out of range: a message, never a panic or an abort.
    for steps in ["0", "18446744073709551615", "10000000000"] {
        let (ok, _, err) = explr(&["equiv", "--steps", steps]);
        assert!(!ok, "--steps {steps} should fail");
        assert!(err.contains("--steps"), "--steps {steps}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // The f32 horizon lies beyond u64 here (≈ 4.9e19 steps): reported, not wrapped to 0.
    let (ok, out, err) = explr(&[
        "equiv",
        "--eta",
        "1e-4",
        "--wd",
        "1e-14",
        "--momentum",
        "0",
        "--steps",
        "2",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hz = v["f32_lr_horizon_steps"].as_f64().unwrap();
    assert!((4.8e19..5.0e19).contains(&hz), "{hz}");
    // Beyond the range of f64: log-space fields carry the values.
    let (ok, out, err) = explr(&[
        "equiv",
        "--eta",
        "1",
        "--wd",
        "0.05",
        "--momentum",
        "0.5",
        "--steps",
        "4400",
        "--dataset",
        "circles",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let last = v["exp_lr"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["lr"].is_null() && last["ln_lr"].as_f64().unwrap() > 709.0,
        "{last}"
    );
    // ‖θ̃‖/‖θ‖ = α^−t grows half as fast in log space as the LR: ≈ e^430 here.
    assert!(v["final_ln_scale_predicted"].as_f64().unwrap() > 350.0);
    // --out: the extension decides the format, case-insensitively; others are refused at once.
    let dir = std::env::temp_dir().join(format!("explr-cli-edge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let upper = dir.join("m.JSON");
    let (ok, _, err) = explr(&["train", "--steps", "3", "--out", upper.to_str().unwrap()]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&upper).unwrap()).unwrap();
    assert_eq!(v["steps"].as_array().unwrap().len(), 3);
    let (ok, _, err) = explr(&[
        "train",
        "--steps",
        "3",
        "--out",
        dir.join("m.txt").to_str().unwrap(),
    ]);
    assert!(!ok && err.contains(".csv or .json"), "{err}");
    let started = std::time::Instant::now();
    let (ok, _, err) = explr(&[
        "train",
        "--steps",
        "100000",
        "--out",
        "/nonexistent-dir/x.csv",
    ]);
    assert!(!ok && err.contains("cannot write"), "{err}");
    assert!(
        started.elapsed().as_secs_f64() < 30.0,
        "the bad path must fail before training"
    );
    // --init exact on a net with no scale-invariant weights says what it did.
    let (ok, out, err) = explr(&["equiv", "--norm", "none", "--steps", "3", "--json"]);
    assert!(ok, "{err}");
    assert!(out.contains("ṽ₀ = 0"), "{out}");
    // α to the digits f64 holds, not 20 decimals of noise.
    let (ok, out, _) = explr(&["equiv", "--steps", "2"]);
    assert!(ok);
    assert!(out.contains("α = 0.9994977283678919 "), "{out}");
    std::fs::remove_dir_all(dir).ok();
}

/// The predicted scale is accurate over long runs: the reported weight error is the twins'
/// own, not the reference's rounding (was 1.1e-9 at 50 000 steps with a running sum).
#[test]
fn predicted_scale_stays_accurate_over_long_runs() {
    let (ok, out, err) = explr(&[
        "equiv",
        "--eta",
        "1.0",
        "--wd",
        "0.00263",
        "--momentum",
        "0.9",
        "--steps",
        "20000",
        "--dataset",
        "circles",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rel = v["max_rel_weight_error"].as_f64().unwrap();
    let angle = v["max_angle"].as_f64().unwrap();
    println!("20 000 steps: max rel weight error {rel:.2e}, max angle {angle:.2e}");
    assert!(rel < 1e-11, "{rel:.3e}");
}

/// `explr schedule` prints the engine's own twin: its η̃_t are the LRs run D trained with, its
/// ln c_t the scale D was measured against, its κ the one D started from, and the CSV says the
/// same as the JSON.
#[test]
fn schedule_prints_the_twin_the_engine_trains() {
    let flags = [
        "--schedule",
        "cosine",
        "--warmup",
        "20",
        "--total",
        "300",
        "--chaos=false",
    ];
    let (ok, out, err) = explr(
        &[
            &["schedule", "--steps", "300", "--format", "json"][..],
            &flags,
        ]
        .concat(),
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 300);
    let settings = explr::settings::Settings {
        schedule: explr::settings::ScheduleChoice::Cosine,
        warmup: 20,
        total: 300,
        chaos: false,
        ..Default::default()
    };
    let exp = settings.to_experiment().unwrap();
    assert_eq!(v["twin"], exp.runs[3].label.as_str());
    assert_eq!(v["kappa"].as_f64(), Some(exp.run_plan(3).unwrap().kappa));
    let (_, m) = crate::common::train(exp, "flex", 299);
    let at = |t: usize, k: &str| rows[t][k].as_f64().unwrap();
    for (t, s) in m.iter().enumerate() {
        assert!(
            (at(t, "ln_twin_lr") - s.runs[3].ln_lr).abs() < 1e-12,
            "step {t}"
        );
        assert!(
            (at(t, "lr").ln() - s.runs[2].ln_lr).abs() < 1e-12,
            "step {t}"
        );
        assert!(
            (at(t + 1, "ln_scale") - s.runs[3].ln_scale_predicted).abs() < 1e-12,
            "step {t}"
        );
    }
    assert!(
        (at(0, "lr") - 0.1 / 20.0).abs() < 1e-15,
        "the warm-up's first LR"
    );
    let (ok, csv, err) = explr(&[&["schedule", "--steps", "300"][..], &flags].concat());
    assert!(ok, "{err}");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("# D: no WD, exact twin: momentum 0.9, no weight decay"));
    assert_eq!(lines[1], "step,lr,wd,twin_lr,ln_twin_lr,ln_scale");
    let last: Vec<f64> = lines[301].split(',').map(|c| c.parse().unwrap()).collect();
    assert_eq!((last[0], last[2]), (299.0, 5e-4));
    assert!((last[3] - at(299, "twin_lr")).abs() <= 1e-15 * last[3]);
    // With λ tied to the LR the table prints λ_t = λ·η_t/η, and the twin D trains on it.
    let tied = [&flags[..], &["--wd-schedule", "tied"]].concat();
    let (ok, out, err) = explr(
        &[
            &["schedule", "--steps", "300", "--format", "json"][..],
            &tied,
        ]
        .concat(),
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = &v["rows"][200];
    let (lr, wd) = (row["lr"].as_f64().unwrap(), row["wd"].as_f64().unwrap());
    assert!((wd - 5e-4 * lr / 0.1).abs() < 1e-18, "λ_200 = {wd}");
    assert!(row["ln_twin_lr"].as_f64().unwrap() != rows[200]["ln_twin_lr"].as_f64().unwrap());
}

/// `explr fixture` writes the problem another framework needs to train the same runs: the
/// minibatch order, A's constant λ and η, B's η·α^(−2t−1) with ṽ₀ = κθ₀ on the hidden weights
/// only, and the engine's losses, which coincide for the twins; the CNN is refused by name.
#[test]
fn fixture_writes_the_problem_the_engine_trains() {
    let (ok, out, err) = explr(&["fixture", "--chaos=false", "--steps", "40"]);
    assert!(ok, "{err}");
    let f: serde_json::Value = serde_json::from_str(&out).unwrap();
    let batches = f["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 40);
    assert!(batches.iter().all(|b| b.as_array().unwrap().len() == 64));
    let n = f["train_y"].as_array().unwrap().len();
    assert_eq!(n, 1000);
    assert_eq!(f["train_x"].as_array().unwrap().len(), 2 * n);
    let shapes: Vec<(String, u64, u64, bool)> = f["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_u64().unwrap();
            (
                p["name"].as_str().unwrap().into(),
                s("rows"),
                s("cols"),
                p["trainable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            ("W1".into(), 32, 2, true),
            ("W2".into(), 32, 32, true),
            ("W_out".into(), 2, 32, false)
        ]
    );
    let nums = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let (a, b) = (&f["runs"][0], &f["runs"][1]);
    assert_eq!(f["runs"].as_array().unwrap().len(), 2);
    assert!(nums(&a["wd"]).iter().all(|&w| w == 5e-4) && nums(&b["wd"]).iter().all(|&w| w == 0.0));
    assert!(nums(&a["lr"]).iter().all(|&l| (l - 0.1).abs() < 1e-15));
    let alpha = 0.999_497_728_367_891_8_f64;
    for (t, l) in nums(&b["lr"]).iter().enumerate() {
        let want = 0.1 * alpha.powf(-2.0 * t as f64 - 1.0);
        assert!(
            (l / want - 1.0).abs() < 1e-12,
            "B's LR at step {t}: {l} vs {want}"
        );
    }
    let kappa = (alpha - 1.0) / (alpha * 0.1);
    for j in 0..3 {
        let (init, v) = (nums(&b["init"][j]), nums(&b["velocity"][j]));
        for (x, vx) in init.iter().zip(&v) {
            let want = if j < 2 { kappa * x } else { 0.0 };
            // κ from a 17-digit α: α − 1 keeps 13 digits.
            assert!(
                (vx - want).abs() <= 1e-11 * want.abs(),
                "ṽ₀ of param {j}: {vx} vs {want}"
            );
        }
        assert_eq!(
            init,
            nums(&a["init"][j]),
            "A and B start from one initialization"
        );
        assert!(nums(&a["velocity"][j]).iter().all(|&x| x == 0.0));
    }
    let (la, lb) = (nums(&a["loss"]), nums(&b["loss"]));
    assert_eq!(la.len(), 40);
    assert!(
        la.iter().zip(&lb).all(|(x, y)| (x - y).abs() < 1e-12),
        "twins' losses"
    );
    assert!(la[39] < la[0], "the loss falls: {} → {}", la[0], la[39]);
    let (ok, _, err) = explr(&["fixture", "--dataset", "mnist"]);
    assert!(!ok && err.contains("MLP"), "{err}");
}
