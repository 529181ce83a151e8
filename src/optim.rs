//! SGD exactly as in paper §2 (PyTorch convention: no dampening, coupled L2 weight decay, the
//! LR multiplying the buffer outside), with the momentum buffers held in the open so that the
//! exact initial momentum ṽ_0 can be set and the rescaling (θ, v, η) → (sθ, v/s, s²η) applied.

use burn::tensor::Tensor;

/// Momentum buffers, one per parameter tensor (frozen ones keep a zero buffer).
#[derive(Debug, Clone)]
pub struct MomentumState {
    /// v for each parameter.
    pub velocity: Vec<Tensor<1>>,
}

impl MomentumState {
    /// v_0 = κ·θ_0 on the parameters selected by `mask`, 0 elsewhere (κ = 0 gives v_0 = 0).
    pub fn scaled_params(params: &[Tensor<1>], mask: &[bool], kappa: f64) -> Self {
        MomentumState {
            velocity: params
                .iter()
                .zip(mask)
                .map(|(p, &m)| p.clone().mul_scalar(if m { kappa } else { 0.0 }))
                .collect(),
        }
    }
}

/// One SGD step on every parameter with a gradient:
/// v ← γ·v + g + λ·θ;  θ ← θ − η·v.
pub fn sgd_step(
    params: &mut [Tensor<1>],
    state: &mut MomentumState,
    grads: Vec<Option<Tensor<1>>>,
    lr: f64,
    wd: f64,
    momentum: f64,
) {
    for ((p, v), g) in params.iter_mut().zip(&mut state.velocity).zip(grads) {
        let Some(g) = g else { continue };
        let mut nv = v.clone().mul_scalar(momentum) + g;
        if wd != 0.0 {
            nv = nv + p.clone().mul_scalar(wd);
        }
        *p = p.clone() - nv.clone().mul_scalar(lr);
        *v = nv;
    }
}

/// The exact symmetry of paper §6 for a WD-free scale-invariant group: θ → s·θ and v → v/s on
/// the parameters selected by `mask`; the caller multiplies its stored LR by s².
pub fn rescale(params: &mut [Tensor<1>], state: &mut MomentumState, mask: &[bool], s: f64) {
    for ((p, v), &m) in params.iter_mut().zip(&mut state.velocity).zip(mask) {
        if m {
            *p = p.clone().mul_scalar(s);
            *v = v.clone().mul_scalar(1.0 / s);
        }
    }
}
