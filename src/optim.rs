//! SGD exactly as in paper §2 (PyTorch convention: no dampening, coupled L2 weight decay, the
//! LR multiplying the buffer outside), with the momentum buffers held in the open so that the
//! exact initial momentum ṽ_0 can be set and the rescaling (θ, v, η) → (sθ, v/s, s²η) applied.
//!
//! Every tensor stacks the runs trained in lockstep, [R, len]; per-run scalars (LR, weight
//! decay, κ, rescale factors) are [R, 1] columns, so one kernel updates all runs.

use burn::tensor::Tensor;

/// Momentum buffers, one per parameter tensor (frozen ones keep a zero buffer).
#[derive(Debug, Clone)]
pub struct MomentumState {
    /// v for each parameter, [R, len].
    pub velocity: Vec<Tensor<2>>,
}

impl MomentumState {
    /// v_0 = κ_r·θ_0 for run r on the parameters selected by `mask`, 0 elsewhere (κ = 0 gives
    /// v_0 = 0); `kappa` is a [R, 1] column.
    pub fn scaled_params(params: &[Tensor<2>], mask: &[bool], kappa: Tensor<2>) -> Self {
        MomentumState {
            velocity: params
                .iter()
                .zip(mask)
                .map(|(p, &m)| {
                    if m {
                        p.clone() * kappa.clone()
                    } else {
                        p.zeros_like()
                    }
                })
                .collect(),
        }
    }
}

/// One SGD step on every parameter with a gradient, for all runs at once:
/// v ← γ·v + g + λ_r·θ;  θ ← θ − η_r·v, with `lr` = η_r and `wd` = λ_r as [R, 1] columns
/// (`wd` None when every run is WD-free).
pub fn sgd_step(
    params: &mut [Tensor<2>],
    state: &mut MomentumState,
    grads: Vec<Option<Tensor<2>>>,
    lr: Tensor<2>,
    wd: Option<Tensor<2>>,
    momentum: f64,
) {
    for ((p, v), g) in params.iter_mut().zip(&mut state.velocity).zip(grads) {
        let Some(g) = g else { continue };
        let mut nv = v.clone().mul_scalar(momentum) + g;
        if let Some(wd) = &wd {
            nv = nv + p.clone() * wd.clone();
        }
        *p = p.clone() - nv.clone() * lr.clone();
        *v = nv;
    }
}

/// The exact symmetry of paper §6 for WD-free scale-invariant groups: θ → s_r·θ and
/// v → v/s_r on the parameters selected by `mask` (`scale` = s_r, `inverse` = 1/s_r as [R, 1]
/// columns; 1 for runs left alone); the caller multiplies each run's stored LR by s_r².
pub fn rescale(
    params: &mut [Tensor<2>],
    state: &mut MomentumState,
    mask: &[bool],
    scale: Tensor<2>,
    inverse: Tensor<2>,
) {
    for ((p, v), &m) in params.iter_mut().zip(&mut state.velocity).zip(mask) {
        if m {
            *p = p.clone() * scale.clone();
            *v = v.clone() * inverse.clone();
        }
    }
}
