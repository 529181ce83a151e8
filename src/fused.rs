//! One CubeCL kernel for a whole training step of the default network on the GPU backends: the
//! scale-invariant MLP `x → W1 → BN → ReLU → W2 → BN → ReLU → W_out` (frozen head), f32.
//!
//! Burn's autodiff runs this step as ≈ 170 small kernels; each costs a WebGPU dispatch, which
//! on real hardware alone costs more than the arithmetic. Here one workgroup per run does the
//! forward pass, the softmax cross-entropy, the backward pass through both batch norms
//! (including the gradient through ε·‖W‖², which keeps the layer exactly scale-invariant), the
//! momentum-SGD update of paper §2 and, on evaluation steps, the test set's forward pass — one
//! dispatch. It writes the step's read-back values in the layout [`crate::train`] reads (so the
//! host-side metrics are the same code for every backend), and the new weights and momentum
//! buffers next to them.
//!
//! The kernel binds 7 storage buffers plus CubeCL's scalar block: within WebGPU's guaranteed 8.

use burn::tensor::{DType, Shape, Tensor};
use burn_cubecl::cubecl;
use burn_cubecl::tensor::CubeTensor;
use burn_cubecl::{Cube, CubeDevice};
use cubecl::client::Client;
use cubecl::prelude::*;
use cubecl::server::Handle;

/// Threads of a workgroup (one workgroup per run): WebGPU's guaranteed maximum.
const THREADS: usize = 256;

/// Floats per 256 bytes: each region the next step binds starts on WebGPU's storage-offset
/// alignment.
const ALIGN: usize = 64;

/// Largest scratch the fused step allocates; larger problems take Burn's general path.
const MAX_SCRATCH_BYTES: usize = 64 << 20;

/// Sum of `value` over the workgroup (every unit must call it).
#[cube]
fn block_sum(red: &mut Shared<[f32]>, value: f32) -> f32 {
    let t = UNIT_POS_X as usize;
    red[t] = value;
    sync_cube();
    let mut s = CUBE_DIM_X as usize / 2;
    while s > 0 {
        if t < s {
            let other = red[t + s];
            red[t] += other;
        }
        sync_cube();
        s /= 2;
    }
    let total = red[0];
    sync_cube();
    total
}

/// Batch norm of one run's pre-activations `buf[base + b·h + j]` (rows `n`, channels `h`) in
/// place, per channel: (z − mean)/sqrt(var + eps), with mean and variance over the first
/// `stat_rows` rows (all of them in training; a fixed reference batch when evaluating a grid).
/// Each unit owns whole channels; their standard deviations go to `sd[sd_base + j]`.
#[cube]
fn batch_norm(
    buf: &mut [f32],
    base: usize,
    sd_base: usize,
    stat_rows: usize,
    n: usize,
    h: usize,
    eps: f32,
) {
    let nf = f32::cast_from(stat_rows);
    let mut j = UNIT_POS_X as usize;
    while j < h {
        let mut sum = 0.0f32;
        for b in 0..stat_rows {
            sum += buf[base + b * h + j];
        }
        let mean = sum / nf;
        let mut sq = 0.0f32;
        for b in 0..stat_rows {
            let c = buf[base + b * h + j] - mean;
            sq += c * c;
        }
        let sd = f32::sqrt(sq / nf + eps);
        for b in 0..n {
            let i = base + b * h + j;
            buf[i] = (buf[i] - mean) / sd;
        }
        buf[sd_base + j] = sd;
        j += comptime!(THREADS);
    }
}

/// Backward pass of [`batch_norm`] in place: `buf` holds dL/dn̂ on entry and dL/dz on return,
/// `nhat` the normalized values; returns this unit's share of dL/deps = −½ Σ dn̂·n̂ / sd².
/// `drop_mean` leaves out the mean term (a deliberate defect, [`Fault::NoMeanTerm`]).
#[cube]
fn batch_norm_backward(
    buf: &mut [f32],
    base: usize,
    nhat_base: usize,
    sd_base: usize,
    n: usize,
    h: usize,
    drop_mean: bool,
) -> f32 {
    let nf = f32::cast_from(n);
    let mut deps = 0.0f32;
    let mut j = UNIT_POS_X as usize;
    while j < h {
        let mut s1 = 0.0f32;
        let mut s2 = 0.0f32;
        for b in 0..n {
            let g = buf[base + b * h + j];
            s1 += g;
            s2 += g * buf[nhat_base + b * h + j];
        }
        let sd = buf[sd_base + j];
        let mut m1 = s1 / nf;
        if drop_mean {
            m1 = 0.0;
        }
        let m2 = s2 / nf;
        for b in 0..n {
            let i = base + b * h + j;
            buf[i] = (buf[i] - m1 - buf[nhat_base + b * h + j] * m2) / sd;
        }
        deps -= 0.5 * s2 / (sd * sd);
        j += comptime!(THREADS);
    }
    deps
}

/// Back through a dense layer and a ReLU: `out[dst + b·h + j]` = Σ_c up[b, c]·W[c, j] where
/// the pre-activation `out[mask + b·h + j]` is positive, else 0; `up` has `width` columns at
/// `up` in `out`, W is [width, h] at `w_base` in `w`.
#[cube]
#[allow(clippy::too_many_arguments)]
fn relu_backward(
    out: &mut [f32],
    up: usize,
    width: usize,
    w: &[f32],
    w_base: usize,
    mask: usize,
    dst: usize,
    n: usize,
    h: usize,
) {
    let mut e = UNIT_POS_X as usize;
    while e < n * h {
        let b = e / h;
        let j = e % h;
        let mut acc = 0.0f32;
        for c in 0..width {
            acc += out[up + b * width + c] * w[w_base + c * h + j];
        }
        let mut g = 0.0f32;
        if out[mask + e] > 0.0 {
            g = acc;
        }
        out[dst + e] = g;
        e += comptime!(THREADS);
    }
}

/// Copies `len` values of `src` from `base` to `out` from `dst`, and returns the sum of their
/// squares over the workgroup.
#[cube]
fn copy_squares(
    red: &mut Shared<[f32]>,
    src: &[f32],
    base: usize,
    out: &mut [f32],
    dst: usize,
    len: usize,
) -> f32 {
    let mut acc = 0.0f32;
    let mut i = UNIT_POS_X as usize;
    while i < len {
        let v = src[base + i];
        out[dst + i] = v;
        acc += v * v;
        i += comptime!(THREADS);
    }
    block_sum(red, acc)
}

/// Where [`sgd`] writes one weight's gradient, momentum, stored and read-back value in `out`.
#[derive(CubeType, Clone, Copy)]
struct Slots {
    g: usize,
    v: usize,
    w: usize,
    read: usize,
}

/// Paper §2's SGD for one weight `w` with momentum `v` and gradient `g`:
/// v′ = γv + g + λw, w′ = w − ηv′. Writes g, v′ and w′ (`stale` stores w instead: [`Fault::StaleW2`]); returns w′.
#[cube]
#[allow(clippy::too_many_arguments)]
fn sgd(
    out: &mut [f32],
    at: Slots,
    w: f32,
    v: f32,
    g: f32,
    lr: f32,
    wd: f32,
    momentum: f32,
    stale: bool,
) -> f32 {
    let nv = v * momentum + g + w * wd;
    let nw = w - nv * lr;
    out[at.g] = g;
    out[at.v] = nv;
    out[at.read] = nw;
    if stale {
        out[at.w] = w;
    } else {
        out[at.w] = nw;
    }
    nw
}

/// One training step of every run (workgroup `r` = run `r`). `inputs` = [x: n·d | one-hot
/// labels: n·k | (η_r, λ_r) per run | test x: tn·d]; `out` = [values | W1′ | W2′ | V1′ | V2′ |
/// scratch], the offsets in `o` (see [`Layout`]).
#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments)]
pub fn mlp_bn_step(
    inputs: &[f32],
    w1: &[f32],
    w2: &[f32],
    wo: &[f32],
    v1: &[f32],
    v2: &[f32],
    out: &mut [f32],
    n: u32,
    d: u32,
    h: u32,
    k: u32,
    tn: u32,
    runs: u32,
    momentum: f32,
    eps_per_unit: f32,
    o_w1v: u32,
    o_w2v: u32,
    o_g1: u32,
    o_g2: u32,
    o_test: u32,
    o_w1: u32,
    o_w2: u32,
    o_v1: u32,
    o_v2: u32,
    o_scratch: u32,
    scratch_stride: u32,
    fault: u32,
) {
    let r = CUBE_POS_X as usize;
    let t = UNIT_POS_X as usize;
    let n = n as usize;
    let d = d as usize;
    let h = h as usize;
    let k = k as usize;
    let tn = tn as usize;
    let runs = runs as usize;
    let mut red = Shared::new_slice(comptime!(THREADS));
    let l1 = h * d;
    let l2 = h * h;
    let w1b = r * l1;
    let w2b = r * l2;
    let wob = r * k * h;
    let mut rows = n;
    if tn > rows {
        rows = tn;
    }
    let za = o_scratch as usize + r * scratch_stride as usize;
    let zb = za + rows * h;
    let gz = zb + rows * h;
    let dl = gz + rows * h;
    let sd1 = dl + rows * k;
    let sd2 = sd1 + h;
    let oh = n * d;
    let hyper = oh + n * k;
    let lr = inputs[hyper + 2 * r];
    let wd = inputs[hyper + 2 * r + 1];
    let nf = f32::cast_from(n);

    // This step's W1, W2 and W_out into scratch (the forward pass reads them there, like the
    // evaluation reads the new ones), with ‖W1‖², ‖W2‖² for the norms' ε.
    let c1 = sd2 + h;
    let c2 = c1 + l1;
    let c3 = c2 + l2;
    let eps1 = copy_squares(&mut red, w1, w1b, out, c1, l1) * eps_per_unit;
    let eps2 = copy_squares(&mut red, w2, w2b, out, c2, l2) * eps_per_unit;
    let _ = copy_squares(&mut red, wo, wob, out, c3, k * h);
    sync_storage();
    forward(
        inputs,
        0,
        out,
        c1,
        c2,
        c3,
        za,
        zb,
        sd1,
        sd2,
        r * n * k,
        n,
        n,
        d,
        h,
        k,
        eps1,
        eps2,
    );
    sync_storage();

    // dL/dlogits = (softmax − onehot)/n, per row.
    let mut b = t;
    while b < n {
        let lb = (r * n + b) * k;
        let mut mx = out[lb];
        for c in 1..k {
            mx = f32::max(mx, out[lb + c]);
        }
        let mut se = 0.0f32;
        for c in 0..k {
            se += f32::exp(out[lb + c] - mx);
        }
        for c in 0..k {
            let p = f32::exp(out[lb + c] - mx) / se;
            out[dl + b * k + c] = (p - inputs[oh + b * k + c]) / nf;
        }
        b += comptime!(THREADS);
    }
    sync_storage();
    // dL/dn̂2 = dlogits·W_out, masked by the ReLU.
    relu_backward(out, dl, k, wo, wob, zb, gz, n, h);
    sync_storage();
    let part = batch_norm_backward(out, gz, zb, sd2, n, h, fault == 1);
    let deps2 = block_sum(&mut red, part);
    sync_storage();
    // gW2 = dz2ᵀ·relu(n̂1) + dL/deps2·2ε/h·W2, the update, and dL/dn̂1 (into zb, now free).
    let coef2 = deps2 * eps_per_unit * 2.0;

    let mut new_sq2 = 0.0f32;
    let mut e = t;
    while e < l2 {
        let j = e / h;
        let q = e % h;
        let mut acc = 0.0f32;
        for b in 0..n {
            acc += out[gz + b * h + j] * f32::max(out[za + b * h + q], 0.0);
        }
        let w = w2[w2b + e];
        let i = w2b + e;
        let at = Slots {
            g: o_g2 as usize + i,
            v: o_v2 as usize + i,
            w: o_w2 as usize + i,
            read: o_w2v as usize + i,
        };
        let nw = sgd(
            out,
            at,
            w,
            v2[i],
            acc + coef2 * w,
            lr,
            wd,
            momentum,
            fault == 2,
        );
        new_sq2 += nw * nw;
        e += comptime!(THREADS);
    }
    relu_backward(out, gz, h, w2, w2b, za, zb, n, h);
    sync_storage();
    let part = batch_norm_backward(out, zb, za, sd1, n, h, fault == 1);
    let deps1 = block_sum(&mut red, part);
    sync_storage();
    let coef1 = deps1 * eps_per_unit * 2.0;
    let mut new_sq1 = 0.0f32;
    let mut e = t;
    while e < l1 {
        let j = e / d;
        let i = e % d;
        let mut acc = 0.0f32;
        for b in 0..n {
            acc += out[zb + b * h + j] * inputs[b * d + i];
        }
        let w = w1[w1b + e];
        let i = w1b + e;
        let at = Slots {
            g: o_g1 as usize + i,
            v: o_v1 as usize + i,
            w: o_w1 as usize + i,
            read: o_w1v as usize + i,
        };
        let nw = sgd(out, at, w, v1[i], acc + coef1 * w, lr, wd, momentum, false);
        new_sq1 += nw * nw;
        e += comptime!(THREADS);
    }
    // ‖W1′‖², ‖W2′‖² for the evaluation's ε (block_sum's barriers also publish the new weights).
    let eps1_new = block_sum(&mut red, new_sq1) * eps_per_unit;
    let eps2_new = block_sum(&mut red, new_sq2) * eps_per_unit;
    sync_storage();

    // Evaluation: the test set's logits with the new weights (its own batch statistics).
    if tn > 0 {
        let ow1 = o_w1 as usize;
        let ow2 = o_w2 as usize;
        let x_test = hyper + 2 * runs;
        forward(
            inputs,
            x_test,
            out,
            ow1 + w1b,
            ow2 + w2b,
            c3,
            za,
            zb,
            sd1,
            sd2,
            o_test as usize + r * tn * k,
            tn,
            tn,
            d,
            h,
            k,
            eps1_new,
            eps2_new,
        );
    }
}

/// Class probabilities of every run (workgroup `r` = run `r`) on `g` grid points, the norms
/// taking their statistics from a fixed reference batch of `m` rows (what
/// [`crate::model::Net::evaluate`] computes): `inputs` = [reference x: m·d | grid x: g·d],
/// `out` = [probabilities: R·g·k | scratch].
#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments)]
pub fn mlp_bn_boundary(
    inputs: &[f32],
    w1: &[f32],
    w2: &[f32],
    wo: &[f32],
    out: &mut [f32],
    m: u32,
    g: u32,
    d: u32,
    h: u32,
    k: u32,
    eps_per_unit: f32,
    o_scratch: u32,
    scratch_stride: u32,
) {
    let r = CUBE_POS_X as usize;
    let m = m as usize;
    let g = g as usize;
    let d = d as usize;
    let h = h as usize;
    let k = k as usize;
    let mut red = Shared::new_slice(comptime!(THREADS));
    let rows = m + g;
    let l1 = h * d;
    let l2 = h * h;
    let za = o_scratch as usize + r * scratch_stride as usize;
    let zb = za + rows * h;
    let sd1 = zb + rows * h;
    let sd2 = sd1 + h;
    let c1 = sd2 + h;
    let c2 = c1 + l1;
    let c3 = c2 + l2;
    let lg = c3 + k * h;
    let eps1 = copy_squares(&mut red, w1, r * l1, out, c1, l1) * eps_per_unit;
    let eps2 = copy_squares(&mut red, w2, r * l2, out, c2, l2) * eps_per_unit;
    let _ = copy_squares(&mut red, wo, r * k * h, out, c3, k * h);
    sync_storage();
    forward(
        inputs, 0, out, c1, c2, c3, za, zb, sd1, sd2, lg, m, rows, d, h, k, eps1, eps2,
    );
    sync_storage();
    let mut b = UNIT_POS_X as usize;
    while b < g {
        let lb = lg + (m + b) * k;
        let mut mx = out[lb];
        for c in 1..k {
            mx = f32::max(mx, out[lb + c]);
        }
        let mut se = 0.0f32;
        for c in 0..k {
            se += f32::exp(out[lb + c] - mx);
        }
        for c in 0..k {
            out[(r * g + b) * k + c] = f32::exp(out[lb + c] - mx) / se;
        }
        b += comptime!(THREADS);
    }
}

/// The forward pass of one run on `n` rows of `x` (at `x_base` in `inputs`), with W1 and W2
/// (and W_out) read from `out` at `w1_base`/`w2_base` (`wo_base`): the two normalized layers in the scratch regions
/// `za` and `zb` (pre-ReLU), their standard deviations at `sd1`/`sd2`, and the logits written
/// to `out[logits_base + b·k + c]`. `eps1`/`eps2` are ε·‖W‖²/h of each layer; the norms take
/// their statistics from the first `stat_rows` rows.
#[cube]
#[allow(clippy::too_many_arguments)]
fn forward(
    inputs: &[f32],
    x_base: usize,
    out: &mut [f32],
    w1_base: usize,
    w2_base: usize,
    wo_base: usize,
    za: usize,
    zb: usize,
    sd1: usize,
    sd2: usize,
    logits_base: usize,
    stat_rows: usize,
    n: usize,
    d: usize,
    h: usize,
    k: usize,
    eps1: f32,
    eps2: f32,
) {
    let t = UNIT_POS_X as usize;
    let mut e = t;
    while e < n * h {
        let b = e / h;
        let j = e % h;
        let mut acc = 0.0f32;
        for i in 0..d {
            acc += inputs[x_base + b * d + i] * out[w1_base + j * d + i];
        }
        out[za + e] = acc;
        e += comptime!(THREADS);
    }
    sync_storage();
    batch_norm(out, za, sd1, stat_rows, n, h, eps1);
    sync_storage();
    dense_relu(out, za, h, w2_base, zb, n, h);
    sync_storage();
    batch_norm(out, zb, sd2, stat_rows, n, h, eps2);
    sync_storage();
    dense_relu(out, zb, h, wo_base, logits_base, n, k);
}

/// A dense layer on ReLU'd inputs, within `out`: `out[dst + b·m + j]` = Σ_q relu(out[src + b·width
/// + q])·W[j, q], W [m, width] at `w`.
#[cube]
#[allow(clippy::too_many_arguments)]
fn dense_relu(out: &mut [f32], src: usize, width: usize, w: usize, dst: usize, n: usize, m: usize) {
    let mut e = UNIT_POS_X as usize;
    while e < n * m {
        let b = e / m;
        let j = e % m;
        let mut acc = 0.0f32;
        for q in 0..width {
            acc += f32::max(out[src + b * width + q], 0.0) * out[w + j * width + q];
        }
        out[dst + e] = acc;
        e += comptime!(THREADS);
    }
}

/// Offsets (in floats) of the regions of the fused step's output buffer.
#[derive(Debug, Clone, Copy)]
struct Layout {
    w1v: usize,
    w2v: usize,
    g1: usize,
    g2: usize,
    test: usize,
    values: usize,
    w1: usize,
    w2: usize,
    v1: usize,
    v2: usize,
    scratch: usize,
    stride: usize,
    total: usize,
}

fn aligned(x: usize) -> usize {
    x.div_ceil(ALIGN) * ALIGN
}

impl Layout {
    fn new(p: &Problem, tn: usize) -> Self {
        let (r, l1, l2) = (p.runs, p.h * p.d, p.h * p.h);
        let w1v = r * p.n * p.k;
        let w2v = w1v + r * l1;
        let g1 = w2v + r * l2;
        let g2 = g1 + r * l1;
        let test = g2 + r * l2;
        let values = test + r * tn * p.k;
        let w1 = aligned(values);
        let w2 = aligned(w1 + r * l1);
        let v1 = aligned(w2 + r * l2);
        let v2 = aligned(v1 + r * l1);
        let scratch = aligned(v2 + r * l2);
        let rows = p.n.max(p.test_rows);
        let stride = 3 * rows * p.h + rows * p.k + 2 * p.h + l1 + l2 + p.k * p.h;
        Layout {
            w1v,
            w2v,
            g1,
            g2,
            test,
            values,
            w1,
            w2,
            v1,
            v2,
            scratch,
            stride,
            total: scratch + r * stride,
        }
    }
}

/// The sizes of one fused step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Problem {
    /// Runs trained in lockstep.
    pub runs: usize,
    /// Minibatch rows.
    pub n: usize,
    /// Input features.
    pub d: usize,
    /// Hidden width.
    pub h: usize,
    /// Classes.
    pub k: usize,
    /// Rows of the test set.
    pub test_rows: usize,
}

impl Problem {
    /// Whether the fused step's buffers stay within its budget.
    pub fn fits(&self) -> bool {
        Layout::new(self, self.test_rows).total * 4 <= MAX_SCRATCH_BYTES
    }
}

/// A defect the fused kernel can be told to have, so that tests can show their comparisons
/// would catch one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u32)]
pub enum Fault {
    /// The kernel as written.
    #[default]
    None = 0,
    /// Leaves out the mean term of the batch norms' backward pass (a classic derivation slip).
    NoMeanTerm = 1,
    /// Keeps W2 stale: the update is read back but not stored, as when a kernel is skipped.
    StaleW2 = 2,
}

/// The result of a fused step: the new weights and momentum buffers, and the read-back values.
pub struct FusedStep {
    /// W1 and W2 after the update, [R, len].
    pub params: [Tensor<2>; 2],
    /// Their momentum buffers after the update, [R, len].
    pub velocity: [Tensor<2>; 2],
    /// The step's read-back values in [`crate::train`]'s layout.
    pub values: Tensor<1>,
}

fn cube(t: &Tensor<2>) -> Option<CubeTensor> {
    t.clone().try_into_primitive::<Cube>().ok()
}

/// Whether `t` lives on a CubeCL device (the fused step can run on it).
pub fn on_cube(t: &Tensor<2>) -> bool {
    cube(t).is_some()
}

/// `t` as a kernel's storage buffer (contiguous).
fn buffer(t: &Tensor<2>) -> BufferArg {
    let c = cube(t).expect("fused step on a CubeCL device");
    burn_cubecl::kernel::into_contiguous(c).into_buffer_arg()
}

fn view(
    client: &Client,
    device: &CubeDevice,
    handle: &Handle,
    start: usize,
    shape: Vec<usize>,
    total: usize,
) -> CubeTensor {
    let len: usize = shape.iter().product();
    let h = handle
        .clone()
        .offset_start((start * 4) as u64)
        .offset_end(((total - start - len) * 4) as u64);
    CubeTensor::new_contiguous(
        client.clone(),
        device.clone(),
        Shape::from(shape),
        h,
        DType::F32,
    )
}

/// Runs one fused step. `params` = [W1, W2, W_out], `velocity` = [V1, V2], `inputs` as
/// [`mlp_bn_step`] takes them (test x included when `test_rows` > 0 in `eval`).
#[allow(clippy::too_many_arguments)]
pub fn step(
    p: &Problem,
    params: &[Tensor<2>],
    velocity: &[Tensor<2>],
    inputs: &[f32],
    eval: bool,
    momentum: f64,
    eps_per_unit: f64,
    fault: Fault,
) -> FusedStep {
    let w1 = cube(&params[0]).expect("fused step on a CubeCL device");
    let client = w1.client.clone();
    let device = w1.device.clone();
    let tn = if eval { p.test_rows } else { 0 };
    let l = Layout::new(p, tn);
    let input = client.create_from_slice(f32::as_bytes(inputs));
    let out = client.empty(l.total * 4);
    let u = |x: usize| x as u32;
    unsafe {
        mlp_bn_step::launch_unchecked(
            &client,
            CubeCount::Static(u(p.runs), 1, 1),
            CubeDim::new_1d(u(THREADS)),
            BufferArg::from_raw_parts(input, inputs.len()),
            buffer(&params[0]),
            buffer(&params[1]),
            buffer(&params[2]),
            buffer(&velocity[0]),
            buffer(&velocity[1]),
            BufferArg::from_raw_parts(out.clone(), l.total),
            u(p.n),
            u(p.d),
            u(p.h),
            u(p.k),
            u(tn),
            u(p.runs),
            momentum as f32,
            eps_per_unit as f32,
            u(l.w1v),
            u(l.w2v),
            u(l.g1),
            u(l.g2),
            u(l.test),
            u(l.w1),
            u(l.w2),
            u(l.v1),
            u(l.v2),
            u(l.scratch),
            u(l.stride),
            fault as u32,
        );
    }
    let r = p.runs;
    let (l1, l2) = (p.h * p.d, p.h * p.h);
    let t2 = |start, len| {
        Tensor::<2>::from_primitive::<Cube>(view(
            &client,
            &device,
            &out,
            start,
            vec![r, len],
            l.total,
        ))
    };
    FusedStep {
        params: [t2(l.w1, l1), t2(l.w2, l2)],
        velocity: [t2(l.v1, l1), t2(l.v2, l2)],
        values: Tensor::<1>::from_primitive::<Cube>(view(
            &client,
            &device,
            &out,
            0,
            vec![l.values],
            l.total,
        )),
    }
}

/// The boundary grid's scratch: per run, both layers' activations over reference and grid rows,
/// their standard deviations, copies of the weights and the logits.
fn boundary_stride(p: &Problem, rows: usize) -> usize {
    2 * rows * p.h + 2 * p.h + p.h * p.d + p.h * p.h + p.k * p.h + rows * p.k
}

/// Whether [`boundary`] fits its budget for `m` reference rows and `g` grid points.
pub fn boundary_fits(p: &Problem, m: usize, g: usize) -> bool {
    (aligned(p.runs * g * p.k) + p.runs * boundary_stride(p, m + g)) * 4 <= MAX_SCRATCH_BYTES
}

/// Every run's class probabilities on `grid` (g points of `p.d` features), the norms taking
/// their statistics from `reference` (m rows): [R·g·k], run-major — one dispatch
/// ([`mlp_bn_boundary`]).
pub fn boundary(
    p: &Problem,
    params: &[Tensor<2>],
    reference: &[f32],
    grid: &[f32],
    eps_per_unit: f64,
) -> Tensor<1> {
    let w1 = cube(&params[0]).expect("fused step on a CubeCL device");
    let client = w1.client.clone();
    let device = w1.device.clone();
    let (m, g) = (reference.len() / p.d, grid.len() / p.d);
    let probs = p.runs * g * p.k;
    let scratch = aligned(probs);
    let stride = boundary_stride(p, m + g);
    let total = scratch + p.runs * stride;
    let inputs: Vec<f32> = reference.iter().chain(grid).copied().collect();
    let input = client.create_from_slice(f32::as_bytes(&inputs));
    let out = client.empty(total * 4);
    let u = |x: usize| x as u32;
    unsafe {
        mlp_bn_boundary::launch_unchecked(
            &client,
            CubeCount::Static(u(p.runs), 1, 1),
            CubeDim::new_1d(u(THREADS)),
            BufferArg::from_raw_parts(input, inputs.len()),
            buffer(&params[0]),
            buffer(&params[1]),
            buffer(&params[2]),
            BufferArg::from_raw_parts(out.clone(), total),
            u(m),
            u(g),
            u(p.d),
            u(p.h),
            u(p.k),
            eps_per_unit as f32,
            u(scratch),
            u(stride),
        );
    }
    Tensor::<1>::from_primitive::<Cube>(view(&client, &device, &out, 0, vec![probs], total))
}
