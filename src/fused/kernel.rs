//! The CubeCL kernels of [`super`]: one workgroup per run, its units striding over each phase's
//! elements, phases separated by storage barriers. Scratch lives in the output buffer (WebGPU
//! guarantees 16 KB of workgroup memory, far less than a layer's activations).

// Kernel code: `checked_div`, `is_multiple_of` and friends do not exist on the device.
#![allow(clippy::manual_checked_ops, clippy::manual_is_multiple_of)]

use burn_cubecl::cubecl;
use cubecl::prelude::*;

/// Units of a workgroup (one workgroup per run): WebGPU's guaranteed maximum.
pub const THREADS: usize = 256;

/// One layer's geometry: a convolution of `ks`×`ks` kernels (stride, zero padding) from `cin`
/// maps of `hin`×`win` to `cout` maps of `hout`×`wout`. A dense layer is the 1×1 case on 1×1
/// maps (`cin` = fan-in); the head is the dense layer on the flattened last feature maps.
#[derive(CubeLaunch, CubeType, Clone, Copy, Debug, PartialEq)]
pub struct Geo {
    /// Input channels.
    pub cin: u32,
    /// Input height.
    pub hin: u32,
    /// Input width.
    pub win: u32,
    /// Output channels.
    pub cout: u32,
    /// Output height.
    pub hout: u32,
    /// Output width.
    pub wout: u32,
    /// Kernel side.
    pub ks: u32,
    /// Stride.
    pub stride: u32,
    /// Zero padding on each side.
    pub pad: u32,
}

/// One layer's normalization: `cg` channels per statistics group (0 = batch norm: per channel
/// over the batch), with ε = `eps_unit`·‖W‖² (the relative ε over the fan-out).
#[derive(CubeLaunch, CubeType, Clone, Copy, Debug, PartialEq)]
pub struct NormSpec {
    /// Channels per group of a per-sample norm; 0 for batch norm.
    pub cg: u32,
    /// ε per unit of ‖W‖².
    pub eps_unit: f32,
}

/// Offsets (floats) of the regions of a step's output buffer: the read-back values (logits,
/// then W1′, W2′, gW1, gW2 and the test logits), the stored W1′, W2′, V1′, V2′, and the
/// scratch (`stride` floats per run).
#[derive(CubeLaunch, CubeType, Clone, Copy, Debug, PartialEq)]
pub struct Regions {
    /// W1′ in the values.
    pub w1v: u32,
    /// W2′ in the values.
    pub w2v: u32,
    /// gW1 in the values.
    pub g1: u32,
    /// gW2 in the values.
    pub g2: u32,
    /// The test logits in the values.
    pub test: u32,
    /// The stored W1′.
    pub w1: u32,
    /// The stored W2′.
    pub w2: u32,
    /// V1′.
    pub v1: u32,
    /// V2′.
    pub v2: u32,
    /// The scratch.
    pub scratch: u32,
    /// Scratch floats per run.
    pub stride: u32,
}

/// The per-run scratch of a step, as offsets into the output buffer: the input (a copy), both
/// layers' normalized pre-activations, their gradients, dL/dlogits, the norms' standard
/// deviations and copies of the three weight matrices.
#[derive(CubeType, Clone, Copy)]
pub struct Scratch {
    /// The input x.
    pub x: usize,
    /// n̂1.
    pub a: usize,
    /// n̂2.
    pub b: usize,
    /// Gradient at layer 1.
    pub ga: usize,
    /// Gradient at layer 2.
    pub gb: usize,
    /// dL/dlogits.
    pub dl: usize,
    /// Standard deviations of layer 1's groups, then two more per-group scratch rows.
    pub sd1: usize,
    /// Standard deviations of layer 2's groups, then two more per-group scratch rows.
    pub sd2: usize,
    /// Floats of each per-group row of layer 1.
    pub q1: usize,
    /// Floats of each per-group row of layer 2.
    pub q2: usize,
    /// W1 copy.
    pub w1: usize,
    /// W2 copy.
    pub w2: usize,
    /// W_out copy.
    pub wo: usize,
}

/// Elements of one sample at a layer's input, at its output.
#[cube]
fn in_len(g: &Geo) -> usize {
    (g.cin * g.hin * g.win) as usize
}

#[cube]
fn out_len(g: &Geo) -> usize {
    (g.cout * g.hout * g.wout) as usize
}

#[cube]
fn weights(g: &Geo) -> usize {
    (g.cout * g.cin * g.ks * g.ks) as usize
}

/// The scratch of one run from `base`: `rows` rows for the forward buffers (training batch or
/// test set), `n` for the gradients.
#[cube]
pub fn scratch_at(base: usize, rows: usize, n: usize, g1: &Geo, g2: &Geo, gh: &Geo) -> Scratch {
    let x = base;
    let a = x + rows * in_len(g1);
    let b = a + rows * out_len(g1);
    let ga = b + rows * out_len(g2);
    let gb = ga + n * out_len(g1);
    let dl = gb + n * out_len(g2);
    let sd1 = dl + n * out_len(gh);
    let q1 = rows * g1.cout as usize;
    let sd2 = sd1 + 3 * q1;
    let q2 = rows * g2.cout as usize;
    let w1 = sd2 + 3 * q2;
    let w2 = w1 + weights(g1);
    let wo = w2 + weights(g2);
    Scratch {
        x,
        a,
        b,
        ga,
        gb,
        dl,
        sd1,
        sd2,
        q1,
        q2,
        w1,
        w2,
        wo,
    }
}

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

/// Copies `len` values of `src` from `base` to `out` from `dst`; returns the sum of their squares
/// over the workgroup.
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
    let i_first = UNIT_POS_X as usize;
    let i_end = len;
    for i_it in 0..i_end.div_ceil(comptime!(THREADS)) {
        let i = i_it * comptime!(THREADS) + i_first;
        if i < i_end {
            let v = src[base + i];
            out[dst + i] = v;
            acc += v * v;
        }
    }
    block_sum(red, acc)
}

/// Index of element `i` of statistics group `gid` in [rows, c, s] maps: batch norm (`cg` = 0)
/// groups channel `gid` over the rows; the per-sample norms group `cg` consecutive channels of
/// one sample.
#[cube]
fn group_index(gid: usize, i: usize, c: usize, s: usize, cg: usize) -> usize {
    let mut idx = ((i / s) * c + gid) * s + i % s;
    if cg > 0 {
        let per = c / cg;
        idx = ((gid / per) * c + (gid % per) * cg) * s + i;
    }
    idx
}

/// The statistics group of element `e` of [rows, c, s] maps (see [`group_index`]).
#[cube]
fn group_of(e: usize, c: usize, s: usize, cg: usize) -> usize {
    let mut gid = (e / s) % c;
    if cg > 0 {
        gid = e / (cg * s);
    }
    gid
}

/// Per-group sums of `a` (and of `a`·`b` when `with_b`) over `count` elements of each of
/// `groups` groups, into `s1`/`s2` (each indexed by group): units cooperate on a group when
/// there are fewer groups than units, so no unit loops over a whole channel of a large batch.
#[cube]
#[allow(clippy::too_many_arguments)]
fn group_sums(
    red: &mut Shared<[f32]>,
    buf: &mut [f32],
    a: usize,
    b: usize,
    with_b: bool,
    s1: usize,
    s2: usize,
    groups: usize,
    count: usize,
    c: usize,
    s: usize,
    cg: usize,
) {
    let t = UNIT_POS_X as usize;
    let mut parts = 1usize;
    if groups < comptime!(THREADS) {
        parts = comptime!(THREADS) / groups;
    }
    let span = comptime!(THREADS) / parts;
    let chunks = groups.div_ceil(span);
    for chunk in 0..chunks {
        let gid = chunk * span + t / parts;
        let part = t % parts;
        let mut x = 0.0f32;
        let mut y = 0.0f32;
        if t / parts < span && gid < groups {
            let i_first = part;
            let i_end = count;
            for i_it in 0..i_end.div_ceil(parts) {
                let i = i_it * parts + i_first;
                if i < i_end {
                    let j = group_index(gid, i, c, s, cg);
                    let v = buf[a + j];
                    x += v;
                    if with_b {
                        y += v * buf[b + j];
                    }
                }
            }
        }
        red[t] = x;
        sync_cube();
        if part == 0 && t / parts < span && gid < groups {
            let mut tot = 0.0f32;
            for q in 0..parts {
                tot += red[t + q];
            }
            buf[s1 + gid] = tot;
        }
        sync_storage();
        if with_b {
            red[t] = y;
            sync_cube();
            if part == 0 && t / parts < span && gid < groups {
                let mut tot = 0.0f32;
                for q in 0..parts {
                    tot += red[t + q];
                }
                buf[s2 + gid] = tot;
            }
            sync_storage();
        }
    }
}

/// The statistics groups of a norm on `n` rows of [c, s] maps: batch norm (`cg` = 0) has one
/// per channel, the per-sample norms `c/cg` per row.
#[cube]
fn group_total(n: usize, c: usize, cg: usize) -> usize {
    let mut groups = c;
    if cg > 0 {
        groups = n * (c / cg);
    }
    groups
}

/// The elements of each group: batch norm's over `stat_rows` rows.
#[cube]
fn group_size(stat_rows: usize, s: usize, cg: usize) -> usize {
    let mut count = stat_rows * s;
    if cg > 0 {
        count = cg * s;
    }
    count
}

/// Normalizes `n` rows of [c, s] maps at `base` in place: (z − mean)/sqrt(var + eps) per group,
/// batch norm's statistics over the first `stat_rows` rows; each group's standard deviation
/// stays at `sd`, its mean at `m1` (`m2` is scratch).
#[cube]
#[allow(clippy::too_many_arguments)]
fn norm_forward(
    red: &mut Shared<[f32]>,
    buf: &mut [f32],
    base: usize,
    sd: usize,
    m1: usize,
    m2: usize,
    stat_rows: usize,
    n: usize,
    c: usize,
    s: usize,
    cg: usize,
    eps: f32,
) {
    let groups = group_total(n, c, cg);
    let count = group_size(stat_rows, s, cg);
    let nf = f32::cast_from(count);
    group_sums(red, buf, base, base, false, m1, m2, groups, count, c, s, cg);
    let gid_first = UNIT_POS_X as usize;
    let gid_end = groups;
    for gid_it in 0..gid_end.div_ceil(comptime!(THREADS)) {
        let gid = gid_it * comptime!(THREADS) + gid_first;
        if gid < gid_end {
            buf[m1 + gid] /= nf;
        }
    }
    sync_storage();
    // Centre, then the variance of the centred values.
    let e_first = UNIT_POS_X as usize;
    let e_end = n * c * s;
    for e_it in 0..e_end.div_ceil(comptime!(THREADS)) {
        let e = e_it * comptime!(THREADS) + e_first;
        if e < e_end {
            let g = group_of(e, c, s, cg);
            buf[base + e] -= buf[m1 + g];
        }
    }
    sync_storage();
    group_sums(red, buf, base, base, true, sd, m2, groups, count, c, s, cg);
    let gid_first = UNIT_POS_X as usize;
    let gid_end = groups;
    for gid_it in 0..gid_end.div_ceil(comptime!(THREADS)) {
        let gid = gid_it * comptime!(THREADS) + gid_first;
        if gid < gid_end {
            buf[sd + gid] = f32::sqrt(buf[m2 + gid] / nf + eps);
        }
    }
    sync_storage();
    let e_first = UNIT_POS_X as usize;
    let e_end = n * c * s;
    for e_it in 0..e_end.div_ceil(comptime!(THREADS)) {
        let e = e_it * comptime!(THREADS) + e_first;
        if e < e_end {
            buf[base + e] /= buf[sd + group_of(e, c, s, cg)];
        }
    }
}

/// Backward pass of [`norm_forward`] (training: statistics over all `n` rows) in place: `buf`
/// holds dL/dn̂ on entry and dL/dz on return, `nhat` the normalized values, `sd` the standard
/// deviations (`m1`, `m2` scratch); returns this unit's share of dL/dε = −½ Σ dn̂·n̂/sd².
/// `drop_mean` leaves the mean term out (a deliberate defect).
#[cube]
#[allow(clippy::too_many_arguments)]
fn norm_backward(
    red: &mut Shared<[f32]>,
    buf: &mut [f32],
    base: usize,
    nhat: usize,
    sd: usize,
    m1: usize,
    m2: usize,
    n: usize,
    c: usize,
    s: usize,
    cg: usize,
    drop_mean: bool,
) -> f32 {
    let groups = group_total(n, c, cg);
    let count = group_size(n, s, cg);
    let nf = f32::cast_from(count);
    group_sums(red, buf, base, nhat, true, m1, m2, groups, count, c, s, cg);
    let mut deps = 0.0f32;
    let gid_first = UNIT_POS_X as usize;
    let gid_end = groups;
    for gid_it in 0..gid_end.div_ceil(comptime!(THREADS)) {
        let gid = gid_it * comptime!(THREADS) + gid_first;
        if gid < gid_end {
            let sdv = buf[sd + gid];
            deps -= 0.5 * buf[m2 + gid] / (sdv * sdv);
        }
    }
    let e_first = UNIT_POS_X as usize;
    let e_end = n * c * s;
    for e_it in 0..e_end.div_ceil(comptime!(THREADS)) {
        let e = e_it * comptime!(THREADS) + e_first;
        if e < e_end {
            let g = group_of(e, c, s, cg);
            let mut mean = buf[m1 + g] / nf;
            if drop_mean {
                mean = 0.0;
            }
            let corr = buf[m2 + g] / nf;
            buf[base + e] = (buf[base + e] - mean - buf[nhat + e] * corr) / buf[sd + g];
        }
    }
    deps
}

/// A layer's input value at padded coordinates (`yp`, `xp`) of channel `ci` of row `b`: 0 in
/// the padding, ReLU'd when `relu` (the hidden layers' inputs). `l` = [cin, hin, win, pad].
#[cube]
#[allow(clippy::too_many_arguments)]
fn input_at(
    out: &mut [f32],
    src: usize,
    b: usize,
    ci: usize,
    yp: usize,
    xp: usize,
    cin: usize,
    hin: usize,
    win: usize,
    pad: usize,
    relu: bool,
) -> f32 {
    let mut v = 0.0f32;
    if yp >= pad && xp >= pad && yp - pad < hin && xp - pad < win {
        v = out[src + ((b * cin + ci) * hin + yp - pad) * win + xp - pad];
        if relu {
            v = f32::max(v, 0.0);
        }
    }
    v
}

/// The layer's forward pass for `n` rows: `out[dst + …]` = conv(act(out[src + …]), W at `w`),
/// act the ReLU when `relu`.
#[cube]
#[allow(clippy::too_many_arguments)]
fn layer_forward(out: &mut [f32], src: usize, relu: bool, w: usize, dst: usize, n: usize, g: &Geo) {
    let ks = g.ks as usize;
    let cin = g.cin as usize;
    let stride = g.stride as usize;
    let pad = g.pad as usize;
    let hin = g.hin as usize;
    let win = g.win as usize;
    let hout = g.hout as usize;
    let wout = g.wout as usize;
    let cout = g.cout as usize;
    let e_first = UNIT_POS_X as usize;
    let e_end = n * cout * hout * wout;
    for e_it in 0..e_end.div_ceil(comptime!(THREADS)) {
        let e = e_it * comptime!(THREADS) + e_first;
        if e < e_end {
            let ox = e % wout;
            let oy = (e / wout) % hout;
            let co = (e / (wout * hout)) % cout;
            let b = e / (wout * hout * cout);
            let mut acc = 0.0f32;
            for ci in 0..cin {
                for ky in 0..ks {
                    for kx in 0..ks {
                        let yp = oy * stride + ky;
                        let xp = ox * stride + kx;
                        let v = input_at(out, src, b, ci, yp, xp, cin, hin, win, pad, relu);
                        acc += v * out[w + ((co * cin + ci) * ks + ky) * ks + kx];
                    }
                }
            }
            out[dst + e] = acc;
        }
    }
}

/// dL/d(weight `e` of the layer) = Σ over rows and output positions of dL/dz·act(input), the
/// layer's geometry as scalars (see [`Geo`]).
#[cube]
#[allow(clippy::too_many_arguments)]
fn weight_grad(
    out: &mut [f32],
    up: usize,
    src: usize,
    relu: bool,
    n: usize,
    e: usize,
    ks: usize,
    stride: usize,
    cin: usize,
    hin: usize,
    win: usize,
    pad: usize,
    cout: usize,
    hout: usize,
    wout: usize,
) -> f32 {
    let kx = e % ks;
    let ky = (e / ks) % ks;
    let ci = (e / (ks * ks)) % cin;
    let co = e / (ks * ks * cin);
    let mut acc = 0.0f32;
    for b in 0..n {
        for oy in 0..hout {
            for ox in 0..wout {
                let yp = oy * stride + ky;
                let xp = ox * stride + kx;
                let v = input_at(out, src, b, ci, yp, xp, cin, hin, win, pad, relu);
                acc += out[up + ((b * cout + co) * hout + oy) * wout + ox] * v;
            }
        }
    }
    acc
}

/// Back through the layer and the ReLU before it: `out[dst + …]` = Σ dL/dz·W over the outputs
/// each input feeds, where the input's pre-activation `out[mask + …]` is positive, else 0.
#[cube]
#[allow(clippy::too_many_arguments)]
fn input_grad(out: &mut [f32], up: usize, w: usize, mask: usize, dst: usize, n: usize, g: &Geo) {
    let ks = g.ks as usize;
    let cin = g.cin as usize;
    let stride = g.stride as usize;
    let pad = g.pad as usize;
    let hin = g.hin as usize;
    let win = g.win as usize;
    let hout = g.hout as usize;
    let wout = g.wout as usize;
    let cout = g.cout as usize;
    let e_first = UNIT_POS_X as usize;
    let e_end = n * cin * hin * win;
    for e_it in 0..e_end.div_ceil(comptime!(THREADS)) {
        let e = e_it * comptime!(THREADS) + e_first;
        if e < e_end {
            let mut acc = 0.0f32;
            if out[mask + e] > 0.0 {
                let ix = e % win;
                let iy = (e / win) % hin;
                let ci = (e / (win * hin)) % cin;
                let b = e / (win * hin * cin);
                for co in 0..cout {
                    for ky in 0..ks {
                        for kx in 0..ks {
                            let yp = iy + pad;
                            let xp = ix + pad;
                            if yp >= ky && xp >= kx {
                                let dy = yp - ky;
                                let dx = xp - kx;
                                let oy = dy / stride;
                                let ox = dx / stride;
                                if dy % stride == 0 && dx % stride == 0 && oy < hout && ox < wout {
                                    acc += out[up + ((b * cout + co) * hout + oy) * wout + ox]
                                        * out[w + ((co * cin + ci) * ks + ky) * ks + kx];
                                }
                            }
                        }
                    }
                }
            }
            out[dst + e] = acc;
        }
    }
}

/// Where one layer's update writes in `out`: the gradient and W′ in the values, the stored W′
/// and V′ (each from its region's start plus the run's offset).
#[derive(CubeType, Clone, Copy)]
struct Slots {
    g: usize,
    read: usize,
    w: usize,
    v: usize,
}

/// Paper §2's SGD on every weight of one layer of run `r`: g = dL/dW (+ `coef`·W, the gradient
/// through ε·‖W‖²), v′ = γv + g + λW, W′ = W − ηv′. `stale` stores W instead of W′ (a deliberate
/// defect). Returns this unit's share of ‖W′‖².
#[cube]
#[allow(clippy::too_many_arguments)]
fn update_layer(
    out: &mut [f32],
    w: &[f32],
    v: &[f32],
    base: usize,
    at: &Slots,
    up: usize,
    src: usize,
    relu: bool,
    n: usize,
    g: &Geo,
    coef: f32,
    lr: f32,
    wd: f32,
    momentum: f32,
    stale: bool,
) -> f32 {
    let count = weights(g);
    let ks = g.ks as usize;
    let stride = g.stride as usize;
    let cin = g.cin as usize;
    let hin = g.hin as usize;
    let win = g.win as usize;
    let pad = g.pad as usize;
    let cout = g.cout as usize;
    let hout = g.hout as usize;
    let wout = g.wout as usize;
    let og = at.g + base;
    let oread = at.read + base;
    let ow = at.w + base;
    let ov = at.v + base;
    let mut sq = 0.0f32;
    let e_first = UNIT_POS_X as usize;
    let e_end = count;
    for e_it in 0..e_end.div_ceil(comptime!(THREADS)) {
        let e = e_it * comptime!(THREADS) + e_first;
        if e < e_end {
            let wv = w[base + e];
            let grad = weight_grad(
                out, up, src, relu, n, e, ks, stride, cin, hin, win, pad, cout, hout, wout,
            ) + coef * wv;
            let nv = v[base + e] * momentum + grad + wv * wd;
            let nw = wv - nv * lr;
            out[og + e] = grad;
            out[oread + e] = nw;
            out[ov + e] = nv;
            if stale {
                out[ow + e] = wv;
            } else {
                out[ow + e] = nw;
            }
            sq += nw * nw;
        }
    }
    sq
}

/// Back through one layer's norm to its weights, and their update (see [`update_layer`]):
/// `gz` holds dL/dn̂ on entry and dL/dz after, `nhat` the layer's normalized values, `src` its
/// input (ReLU'd when `relu`), `sd`/`q` its statistics rows. `fault` 1 drops the norm's mean
/// term, 2 (on the second layer, `stale` there) stores W stale. Returns this unit's share of
/// ‖W′‖².
#[cube]
#[allow(clippy::too_many_arguments)]
fn backward_layer(
    red: &mut Shared<[f32]>,
    out: &mut [f32],
    w: &[f32],
    v: &[f32],
    base: usize,
    at: &Slots,
    gz: usize,
    nhat: usize,
    src: usize,
    relu: bool,
    sd: usize,
    q: usize,
    n: usize,
    g: &Geo,
    norm: &NormSpec,
    lr: f32,
    wd: f32,
    momentum: f32,
    fault: u32,
) -> f32 {
    let c = g.cout as usize;
    let s = (g.hout * g.wout) as usize;
    let cg = norm.cg as usize;
    let part = norm_backward(
        red,
        out,
        gz,
        nhat,
        sd,
        sd + q,
        sd + 2 * q,
        n,
        c,
        s,
        cg,
        fault == 1,
    );
    let deps = block_sum(red, part);
    sync_storage();
    let coef = deps * norm.eps_unit * 2.0;
    let stale = fault == 2 && relu;
    update_layer(
        out, w, v, base, at, gz, src, relu, n, g, coef, lr, wd, momentum, stale,
    )
}

/// The forward pass of one run on `n` rows of x (copied to `sc.x`), W1/W2/W_out read from `out`
/// at `w1`/`w2`/`wo`: n̂1 at `sc.a`, n̂2 at `sc.b` (pre-ReLU), the logits at `logits`. Batch
/// norm takes its statistics from the first `stat_rows` rows.
#[cube]
#[allow(clippy::too_many_arguments)]
fn forward(
    red: &mut Shared<[f32]>,
    out: &mut [f32],
    sc: &Scratch,
    w1: usize,
    w2: usize,
    wo: usize,
    logits: usize,
    stat_rows: usize,
    n: usize,
    g1: &Geo,
    g2: &Geo,
    gh: &Geo,
    n1: &NormSpec,
    n2: &NormSpec,
    eps1: f32,
    eps2: f32,
) {
    layer_forward(out, sc.x, false, w1, sc.a, n, g1);
    sync_storage();
    let s1 = (g1.hout * g1.wout) as usize;
    let sd1 = sc.sd1;
    let q1 = sc.q1;
    let c1 = g1.cout as usize;
    let cg1 = n1.cg as usize;
    norm_forward(
        red,
        out,
        sc.a,
        sd1,
        sd1 + q1,
        sd1 + 2 * q1,
        stat_rows,
        n,
        c1,
        s1,
        cg1,
        eps1,
    );
    sync_storage();
    layer_forward(out, sc.a, true, w2, sc.b, n, g2);
    sync_storage();
    let s2 = (g2.hout * g2.wout) as usize;
    let sd2 = sc.sd2;
    let q2 = sc.q2;
    let c2 = g2.cout as usize;
    let cg2 = n2.cg as usize;
    norm_forward(
        red,
        out,
        sc.b,
        sd2,
        sd2 + q2,
        sd2 + 2 * q2,
        stat_rows,
        n,
        c2,
        s2,
        cg2,
        eps2,
    );
    sync_storage();
    layer_forward(out, sc.b, true, wo, logits, n, gh);
    sync_storage();
}

/// Softmax over `k` classes of `rows` logits rows at `src`, into `dst` (both [rows, k]); with
/// `with_labels`, (p − y)/`nf` instead, y the one-hot rows at `labels` in `inputs`: dL/dlogits
/// of the mean cross-entropy. One unit per value.
#[cube]
#[allow(clippy::too_many_arguments)]
fn softmax(
    out: &mut [f32],
    src: usize,
    dst: usize,
    rows: usize,
    k: usize,
    inputs: &[f32],
    labels: usize,
    with_labels: bool,
    nf: f32,
) {
    let e_first = UNIT_POS_X as usize;
    let e_end = rows * k;
    for e_it in 0..e_end.div_ceil(comptime!(THREADS)) {
        let e = e_it * comptime!(THREADS) + e_first;
        if e < e_end {
            let at = src + (e / k) * k;
            let mut mx = out[at];
            for c in 0..k {
                mx = f32::max(mx, out[at + c]);
            }
            let mut se = 0.0f32;
            for c in 0..k {
                se += f32::exp(out[at + c] - mx);
            }
            let p = f32::exp(out[src + e] - mx) / se;
            if with_labels {
                out[dst + e] = (p - inputs[labels + e]) / nf;
            } else {
                out[dst + e] = p;
            }
        }
    }
}

/// One training step of every run (workgroup `r` = run `r`) of the scale-invariant net
/// `x → layer 1 → norm → ReLU → layer 2 → norm → ReLU → head` (head frozen). `inputs` = [x: n
/// rows | one-hot labels: n·k | (η_r, λ_r) per run | test x: tn rows]; `out` = [values | W1′ |
/// W2′ | V1′ | V2′ | scratch] at the offsets `o`. `fault` injects a defect (1: the norms'
/// backward without its mean term; 2: W2 stored stale).
#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments)]
pub fn net_step(
    inputs: &[f32],
    w1: &[f32],
    w2: &[f32],
    wo: &[f32],
    v1: &[f32],
    v2: &[f32],
    out: &mut [f32],
    g1: Geo,
    g2: Geo,
    gh: Geo,
    n1: NormSpec,
    n2: NormSpec,
    o: Regions,
    n: u32,
    tn: u32,
    runs: u32,
    momentum: f32,
    fault: u32,
) {
    let r = CUBE_POS_X as usize;
    let n = n as usize;
    let tn = tn as usize;
    let k = gh.cout as usize;
    let mut red = Shared::new_slice(comptime!(THREADS));
    let mut rows = n;
    if tn > rows {
        rows = tn;
    }
    let sc = scratch_at(
        o.scratch as usize + r * o.stride as usize,
        rows,
        n,
        &g1,
        &g2,
        &gh,
    );
    let d0 = in_len(&g1);
    let l1 = weights(&g1);
    let l2 = weights(&g2);
    let lo = weights(&gh);
    let labels = n * d0;
    let hyper = labels + n * k;
    let lr = inputs[hyper + 2 * r];
    let wd = inputs[hyper + 2 * r + 1];

    let _ = copy_squares(&mut red, inputs, 0, out, sc.x, n * d0);
    let eps1 = copy_squares(&mut red, w1, r * l1, out, sc.w1, l1) * n1.eps_unit;
    let eps2 = copy_squares(&mut red, w2, r * l2, out, sc.w2, l2) * n2.eps_unit;
    let _ = copy_squares(&mut red, wo, r * lo, out, sc.wo, lo);
    sync_storage();
    forward(
        &mut red,
        out,
        &sc,
        sc.w1,
        sc.w2,
        sc.wo,
        r * n * k,
        n,
        n,
        &g1,
        &g2,
        &gh,
        &n1,
        &n2,
        eps1,
        eps2,
    );

    // dL/dlogits = (softmax − onehot)/n, per row.
    let nf = f32::cast_from(n);
    softmax(out, r * n * k, sc.dl, n, k, inputs, labels, true, nf);
    sync_storage();
    // Back through the head and the second ReLU, then the second norm.
    input_grad(out, sc.dl, sc.wo, sc.b, sc.gb, n, &gh);
    sync_storage();
    let sd1 = sc.sd1;
    let q1 = sc.q1;
    let sd2 = sc.sd2;
    let q2 = sc.q2;
    // W2's update, and back through layer 2 and the first ReLU (into `ga`).
    let at2 = Slots {
        g: o.g2 as usize,
        read: o.w2v as usize,
        w: o.w2 as usize,
        v: o.v2 as usize,
    };
    let sq2 = backward_layer(
        &mut red,
        out,
        w2,
        v2,
        r * l2,
        &at2,
        sc.gb,
        sc.b,
        sc.a,
        true,
        sd2,
        q2,
        n,
        &g2,
        &n2,
        lr,
        wd,
        momentum,
        fault,
    );
    input_grad(out, sc.gb, sc.w2, sc.a, sc.ga, n, &g2);
    sync_storage();
    let at1 = Slots {
        g: o.g1 as usize,
        read: o.w1v as usize,
        w: o.w1 as usize,
        v: o.v1 as usize,
    };
    let sq1 = backward_layer(
        &mut red,
        out,
        w1,
        v1,
        r * l1,
        &at1,
        sc.ga,
        sc.a,
        sc.x,
        false,
        sd1,
        q1,
        n,
        &g1,
        &n1,
        lr,
        wd,
        momentum,
        fault,
    );
    // ‖W1′‖², ‖W2′‖² for the evaluation's ε (block_sum's barriers also publish the new weights).
    let eps1_new = block_sum(&mut red, sq1) * n1.eps_unit;
    let eps2_new = block_sum(&mut red, sq2) * n2.eps_unit;
    sync_storage();

    // Evaluation: the test set's logits with the new weights (its own statistics).
    if tn > 0 {
        let _ = copy_squares(
            &mut red,
            inputs,
            hyper + 2 * runs as usize,
            out,
            sc.x,
            tn * d0,
        );
        sync_storage();
        let ow1 = o.w1 as usize + r * l1;
        let ow2 = o.w2 as usize + r * l2;
        let logits = o.test as usize + r * tn * k;
        forward(
            &mut red, out, &sc, ow1, ow2, sc.wo, logits, tn, tn, &g1, &g2, &gh, &n1, &n2, eps1_new,
            eps2_new,
        );
    }
}

/// Class probabilities of every run (workgroup `r` = run `r`) on `g` grid points, batch norm
/// taking its statistics from a fixed reference batch of `m` rows (what
/// [`crate::model::Net::evaluate`] computes): `inputs` = [reference x: m rows | grid x: g rows],
/// `out` = [probabilities: R·g·k | scratch from `scratch`, `stride` per run].
#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments)]
pub fn net_boundary(
    inputs: &[f32],
    w1: &[f32],
    w2: &[f32],
    wo: &[f32],
    out: &mut [f32],
    g1: Geo,
    g2: Geo,
    gh: Geo,
    n1: NormSpec,
    n2: NormSpec,
    m: u32,
    g: u32,
    scratch: u32,
    stride: u32,
) {
    let r = CUBE_POS_X as usize;
    let m = m as usize;
    let g = g as usize;
    let k = gh.cout as usize;
    let rows = m + g;
    let mut red = Shared::new_slice(comptime!(THREADS));
    let sc = scratch_at(
        scratch as usize + r * stride as usize,
        rows,
        rows,
        &g1,
        &g2,
        &gh,
    );
    let l1 = weights(&g1);
    let l2 = weights(&g2);
    let lo = weights(&gh);
    let _ = copy_squares(&mut red, inputs, 0, out, sc.x, rows * in_len(&g1));
    let eps1 = copy_squares(&mut red, w1, r * l1, out, sc.w1, l1) * n1.eps_unit;
    let eps2 = copy_squares(&mut red, w2, r * l2, out, sc.w2, l2) * n2.eps_unit;
    let _ = copy_squares(&mut red, wo, r * lo, out, sc.wo, lo);
    sync_storage();
    // The logits go to the gradient region (unused here).
    forward(
        &mut red, out, &sc, sc.w1, sc.w2, sc.wo, sc.ga, m, rows, &g1, &g2, &gh, &n1, &n2, eps1,
        eps2,
    );
    softmax(out, sc.ga + m * k, r * g * k, g, k, inputs, 0, false, 1.0);
}
