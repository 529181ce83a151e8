//! Browser tests of the wasm build (wasm32 only), run by wasm-bindgen-test-runner inside
//! headless Chromium: the twin-run equivalence on WebGPU (software adapter) at f32 tolerance,
//! and on the flex CPU fallback.
#![cfg(all(target_arch = "wasm32", feature = "web"))]

use explr::experiment::RunKind;
use explr::metrics::StepMetrics;
use explr::schedule::TwinInit;
use explr::settings::Settings;
use explr::web::Trainer;
use wasm_bindgen_test::*;

// In a dedicated worker, as in the app: long GPU work never blocks the page that the test
// runner polls.
wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn experiment() -> String {
    let settings = Settings {
        dataset: explr::data::DatasetKind::Blobs,
        chaos: false,
        precision: explr::model::Precision::F32,
        ..Settings::default()
    };
    let mut exp = settings.to_experiment().unwrap();
    exp.eval_every = 5;
    exp.runs[1].kind = RunKind::Exponential {
        of: 0,
        init: TwinInit::Exact,
    };
    serde_json::to_string(&exp).unwrap()
}

async fn check(backend: &str, steps: u32) {
    let mut t = Trainer::create(experiment(), backend.into(), None)
        .await
        .expect("trainer");
    let packed = t.run(steps).await.expect("run").to_vec();
    let m: Vec<StepMetrics> = explr::packed::unpack(&packed).expect("packed metrics");
    assert_eq!(m.len(), steps as usize);
    let rel = m
        .iter()
        .map(|s| s.runs[1].rel_weight_error)
        .fold(0.0, f64::max);
    let loss = m
        .iter()
        .map(|s| (s.runs[0].loss - s.runs[1].loss).abs())
        .fold(0.0, f64::max);
    web_sys::console::log_1(
        &format!(
            "{backend}: {steps} steps, max rel weight error {rel:.3e}, max loss diff {loss:.3e}"
        )
        .into(),
    );
    assert!(
        rel < 1e-5 && loss < 1e-5,
        "{backend}: rel {rel:e}, loss {loss:e}"
    );
    assert!(m[4].runs[0].test_accuracy.is_some());
    assert!(m.last().unwrap().runs[0].loss < m[0].runs[0].loss);
}

#[wasm_bindgen_test]
async fn webgpu_twin_runs_agree() {
    check("webgpu", 12).await;
}

#[wasm_bindgen_test]
async fn cpu_fallback_twin_runs_agree() {
    check("cpu", 60).await;
}

#[wasm_bindgen_test]
async fn bad_config_is_an_error_not_a_panic() {
    assert!(
        Trainer::create("{".into(), "cpu".into(), None)
            .await
            .is_err()
    );
    assert!(
        Trainer::create(experiment(), "tpu".into(), None)
            .await
            .is_err()
    );
    let mut exp: serde_json::Value = serde_json::from_str(&experiment()).unwrap();
    exp["hyper"]["eta"] = serde_json::json!(-1.0);
    assert!(
        Trainer::create(exp.to_string(), "cpu".into(), None)
            .await
            .is_err()
    );
}
