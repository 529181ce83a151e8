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
    assert_eq!(lines.len(), 1 + 5 * 2, "{out}");
    assert!(lines[0].starts_with("step,run,loss"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_arguments_get_a_message_and_nonzero_exit() {
    for (args, needle) in [
        (vec!["equiv", "--eta", "-1"], "learning rate"),
        (vec!["equiv", "--momentum", "1.5"], "momentum"),
        (vec!["equiv", "--eta", "0.5", "--wd", "0.05"], "no real α"),
        (vec!["equiv", "--norm", "instance"], "InstanceNorm"),
        (vec!["equiv", "--norm", "group:5"], "GroupNorm"),
        (vec!["equiv", "--dataset", "imagenet"], "unknown dataset"),
        (vec!["equiv", "--backend", "tpu"], "unknown backend"),
        (vec!["equiv", "--backend", "wgpu"], "f32"),
        (vec!["equiv", "--batch", "0"], "batch size"),
        (vec!["equiv", "--eta", "abc"], "invalid value"),
        (vec!["train", "--milestones", "5,3"], "milestones"),
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
