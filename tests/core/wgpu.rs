//! The equivalence on burn-wgpu, f32, on the machine's Vulkan driver (lavapipe in CI). Kept to
//! a few steps: a software driver is slow.

use crate::common::{max_loss_diff, max_loss_diff_between, max_over, train, twin_experiment};
use crate::twin_f32::{F32_LOSS, F32_REL};
use explr::experiment::{Experiment, RunKind, RunSpec};
use explr::metrics::StepMetrics;
use explr::model::Precision;
use explr::norm::Norm;
use explr::schedule::TwinInit;

/// Trains `exp` on wgpu and on flex: the wgpu metrics, the twin's largest relative weight error
/// on wgpu, and the largest difference of run A's loss between the two backends.
fn on_gpu_and_cpu(exp: Experiment, steps: u64) -> (Vec<StepMetrics>, f64, f64) {
    let (_, gpu) = train(exp.clone(), "wgpu", steps);
    let (_, cpu) = train(exp, "flex", steps);
    let rel = max_over(&gpu, 1, |r| r.rel_weight_error);
    let backends = max_loss_diff_between(&gpu, &cpu, 0);
    (gpu, rel, backends)
}

#[test]
fn wgpu_f32_twin_matches_and_agrees_with_cpu() {
    let exp = twin_experiment(Norm::Batch, Precision::F32, TwinInit::Exact, false);
    let (gpu, rel, backends) = on_gpu_and_cpu(exp, 60);
    let loss = max_loss_diff(&gpu, 0, 1);
    println!(
        "wgpu f32 ({}): max rel {rel:.3e}, max loss diff {loss:.3e}, wgpu vs flex loss {backends:.3e}",
        adapter_name()
    );
    assert!(
        rel < F32_REL && loss < F32_LOSS,
        "rel {rel:.3e}, loss {loss:.3e}"
    );
    assert!(backends < 1e-5, "wgpu and flex disagree by {backends:.3e}");
    assert!(gpu.last().unwrap().runs[0].loss < gpu[0].runs[0].loss);
}

#[test]
fn wgpu_f32_group_norm() {
    let exp = twin_experiment(
        Norm::Group { groups: 4 },
        Precision::F32,
        TwinInit::Exact,
        false,
    );
    let (_, m) = train(exp, "wgpu", 40);
    let rel = max_over(&m, 1, |r| r.rel_weight_error);
    println!("wgpu f32 group norm: max rel {rel:.3e}");
    assert!(rel < F32_REL, "rel {rel:.3e}");
}

/// The CNN trains all runs as the groups of one grouped convolution: on the GPU too, the twins
/// must agree and the GPU must agree with the CPU.
#[test]
fn wgpu_f32_cnn_grouped_convolution() {
    let exp = twin_experiment(Norm::Instance, Precision::F32, TwinInit::Exact, true);
    let (gpu, rel, backends) = on_gpu_and_cpu(exp, 20);
    println!("wgpu f32 IN-CNN: max rel {rel:.3e}, wgpu vs flex loss {backends:.3e}");
    assert!(rel < F32_REL, "rel {rel:.3e}");
    assert!(
        backends < F32_LOSS,
        "wgpu and flex disagree by {backends:.3e}"
    );
    assert!(gpu.last().unwrap().runs[0].loss < gpu[0].runs[0].loss);
}

fn adapter_name() -> String {
    std::env::var("VK_ICD_FILENAMES")
        .or_else(|_| std::env::var("VK_DRIVER_FILES"))
        .unwrap_or_else(|_| "default Vulkan driver".into())
}

/// The BatchNorm-CNN twins drift apart on the GPU in f32 far more than on the CPU. Kernel
/// defect or rounding chaos? The control A′ — run A again from weights one ulp apart — answers
/// it: rounding alone separates A′ from A as far as B gets from A, on the GPU as on the CPU, and
/// run A itself agrees between the two backends.
#[test]
fn wgpu_f32_bn_cnn_drift_is_rounding_chaos() {
    let mut exp = twin_experiment(Norm::Batch, Precision::F32, TwinInit::Exact, true);
    exp.runs.push(RunSpec {
        label: "A′".into(),
        kind: RunKind::Perturbed { of: 0 },
    });
    let steps = 20;
    let (_, gpu) = train(exp.clone(), "wgpu", steps);
    let (_, cpu) = train(exp, "flex", steps);
    let angle = |m: &[StepMetrics], run: usize| max_over(m, run, |r| r.angle);
    let (twin_gpu, control_gpu) = (angle(&gpu, 1), angle(&gpu, 2));
    let (twin_cpu, control_cpu) = (angle(&cpu, 1), angle(&cpu, 2));
    let backends = max_loss_diff_between(&gpu, &cpu, 0);
    println!(
        "BN-CNN f32, {steps} steps, largest angle to A: wgpu B {twin_gpu:.3e}, A′ {control_gpu:.3e}; \
         flex B {twin_cpu:.3e}, A′ {control_cpu:.3e}; run A wgpu vs flex loss {backends:.3e}"
    );
    // B stays within the rounding control's reach (within 30×) on both backends.
    assert!(
        twin_gpu < 30.0 * control_gpu,
        "wgpu: B {twin_gpu:.3e} vs A′ {control_gpu:.3e}"
    );
    assert!(
        twin_cpu < 30.0 * control_cpu,
        "flex: B {twin_cpu:.3e} vs A′ {control_cpu:.3e}"
    );
    assert!(
        backends < 1e-3,
        "run A differs between wgpu and flex by {backends:.3e}"
    );
}
