//! Batch normalization in training mode against a hand-computed reference on a small batch,
//! forward and backward, through Burn's autodiff in f64.

use burn::tensor::Tensor;
use explr::model::{Precision, tensor1};
use explr::norm::Norm;
use explr::train::{device_for, read};

const X: [[f64; 3]; 4] = [
    [0.5, -1.0, 2.0],
    [1.5, 0.0, -2.0],
    [-0.5, 2.0, 0.0],
    [2.5, 1.0, 4.0],
];
const R: [[f64; 3]; 4] = [
    [1.0, 0.0, -1.0],
    [0.5, 2.0, 0.0],
    [-1.0, 1.0, 3.0],
    [0.0, -0.5, 1.0],
];

/// y = (x − μ)/sqrt(σ² + ε) per column, biased σ²; for L = Σ r·y,
/// ∂L/∂x = (r − mean(r) − y·mean(r·y))/sqrt(σ² + ε).
fn reference(eps: f64) -> ([[f64; 3]; 4], [[f64; 3]; 4]) {
    let mut y = [[0.0; 3]; 4];
    let mut g = [[0.0; 3]; 4];
    for c in 0..3 {
        let mu = X.iter().map(|r| r[c]).sum::<f64>() / 4.0;
        let var = X.iter().map(|r| (r[c] - mu).powi(2)).sum::<f64>() / 4.0;
        let sd = (var + eps).sqrt();
        for b in 0..4 {
            y[b][c] = (X[b][c] - mu) / sd;
        }
        let mr = R.iter().map(|r| r[c]).sum::<f64>() / 4.0;
        let mry = (0..4).map(|b| R[b][c] * y[b][c]).sum::<f64>() / 4.0;
        for b in 0..4 {
            g[b][c] = (R[b][c] - mr - y[b][c] * mry) / sd;
        }
    }
    (y, g)
}

#[test]
fn batch_norm_forward_and_backward_match_reference() {
    let device = device_for("flex").unwrap().autodiff();
    for eps in [0.0, 1e-5, 0.3] {
        let flat: Vec<f64> = X.iter().flatten().copied().collect();
        let x = tensor1(&flat, &device, Precision::F64).require_grad();
        let x4: Tensor<4> = x.clone().reshape([4, 3, 1, 1]);
        let e = tensor1(&[eps], &device, Precision::F64);
        let y = Norm::Batch.apply(x4, e);
        let r: Vec<f64> = R.iter().flatten().copied().collect();
        let r = tensor1(&r, &device, Precision::F64).reshape([4, 3, 1, 1]);
        let loss = (y.clone() * r).sum();
        let grads = loss.backward();
        let got_y = read(y.inner().reshape([12]));
        let got_g = read(x.grad(&grads).unwrap());
        let (want_y, want_g) = reference(eps);
        let want_y: Vec<f64> = want_y.iter().flatten().copied().collect();
        let want_g: Vec<f64> = want_g.iter().flatten().copied().collect();
        for i in 0..12 {
            assert!(
                (got_y[i] - want_y[i]).abs() < 1e-13,
                "y[{i}] eps={eps}: {} vs {}",
                got_y[i],
                want_y[i]
            );
            assert!(
                (got_g[i] - want_g[i]).abs() < 1e-13,
                "dx[{i}] eps={eps}: {} vs {}",
                got_g[i],
                want_g[i]
            );
        }
        // Scale invariance of the normalized output: ⟨∂L/∂x, x − μ⟩ = 0 per column at ε = 0.
        if eps == 0.0 {
            for c in 0..3 {
                let mu = X.iter().map(|r| r[c]).sum::<f64>() / 4.0;
                let dot: f64 = (0..4).map(|b| got_g[b * 3 + c] * (X[b][c] - mu)).sum();
                assert!(dot.abs() < 1e-12, "column {c}: {dot}");
            }
        }
    }
}

#[test]
fn norms_are_scale_invariant_with_relative_epsilon() {
    let device = device_for("flex").unwrap();
    let flat: Vec<f64> = (0..2 * 4 * 3 * 3)
        .map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.3)
        .collect();
    for norm in [
        Norm::Batch,
        Norm::Layer,
        Norm::Instance,
        Norm::Group { groups: 2 },
    ] {
        let run = |c: f64| {
            let x = tensor1(&flat, &device, Precision::F64)
                .mul_scalar(c)
                .reshape([2, 4, 3, 3]);
            let eps = tensor1(&[1e-3 * c * c], &device, Precision::F64);
            read(norm.apply(x, eps).reshape([72]))
        };
        let (a, b) = (run(1.0), run(1234.5));
        let d = explr::metrics::max_abs_diff(&a, &b);
        assert!(d < 1e-12, "{norm:?}: {d}");
    }
}
