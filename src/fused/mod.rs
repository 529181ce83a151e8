//! One CubeCL kernel for a whole training step of the scale-invariant nets on the GPU backends
//! (WebGPU, wgpu): the MLP and the CNN, with any of the four norms, frozen head, f32.
//!
//! Burn's autodiff runs such a step as 170–200 small kernels, and each costs a WebGPU dispatch,
//! which on real hardware alone costs more than this net's arithmetic. Here one workgroup per
//! run does the forward pass, the softmax cross-entropy, the backward pass through both norms
//! (with the gradient through ε·‖W‖², which keeps the layers exactly scale-invariant), the
//! momentum-SGD update of paper §2 and, on evaluation steps, the test set's forward pass — one
//! dispatch ([`kernel::net_step`]). It writes the step's read-back values in the layout
//! [`crate::train`] reads, so the host-side metrics are the same code on every backend, and the
//! new weights and momentum buffers beside them. The decision boundary's grid is one more
//! kernel ([`kernel::net_boundary`]).
//!
//! A step binds 7 storage buffers and CubeCL's scalar block: within WebGPU's guaranteed 8.

pub mod kernel;

use burn::tensor::{DType, Shape, Tensor};
use burn_cubecl::cubecl;
use burn_cubecl::tensor::CubeTensor;
use burn_cubecl::{Cube, CubeDevice};
use cubecl::client::Client;
use cubecl::prelude::*;
use cubecl::server::Handle;

use crate::model::{Arch, Net, NetMode};
use crate::norm::Norm;
pub use kernel::{Geo, NormSpec};
use kernel::{GeoLaunch, NormSpecLaunch, Regions, RegionsLaunch, THREADS};

/// Floats per 256 bytes: each region the next step binds starts on WebGPU's storage-offset
/// alignment.
const ALIGN: usize = 64;

/// Largest output buffer a fused step allocates (WebGPU guarantees 128 MiB per binding); larger
/// problems take Burn's general path.
const MAX_BYTES: usize = 120 << 20;

fn aligned(x: usize) -> usize {
    x.div_ceil(ALIGN) * ALIGN
}

impl Geo {
    fn dense(fan_in: usize, fan_out: usize) -> Self {
        Geo::conv([fan_in, 1, 1], fan_out, 1, 1, 0)
    }

    fn conv(input: [usize; 3], cout: usize, ks: usize, stride: usize, pad: usize) -> Self {
        let side = |s: usize| (s + 2 * pad - ks) / stride + 1;
        let u = |x: usize| x as u32;
        Geo {
            cin: u(input[0]),
            hin: u(input[1]),
            win: u(input[2]),
            cout: u(cout),
            hout: u(side(input[1])),
            wout: u(side(input[2])),
            ks: u(ks),
            stride: u(stride),
            pad: u(pad),
        }
    }

    fn input_len(&self) -> usize {
        (self.cin * self.hin * self.win) as usize
    }

    fn output_len(&self) -> usize {
        (self.cout * self.hout * self.wout) as usize
    }

    /// Its output maps, as the next layer's input.
    fn output(&self) -> [usize; 3] {
        [self.cout as usize, self.hout as usize, self.wout as usize]
    }

    fn weights(&self) -> usize {
        (self.cout * self.cin * self.ks * self.ks) as usize
    }

    fn launch(&self) -> GeoLaunch {
        GeoLaunch::new(
            self.cin,
            self.hin,
            self.win,
            self.cout,
            self.hout,
            self.wout,
            self.ks,
            self.stride,
            self.pad,
        )
    }
}

impl NormSpec {
    fn launch(&self) -> NormSpecLaunch {
        NormSpecLaunch::new(self.cg, self.eps_unit)
    }
}

/// The sizes of one fused step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Problem {
    /// Runs trained in lockstep.
    pub runs: usize,
    /// Minibatch rows.
    pub n: usize,
    /// Rows of the test set.
    pub test_rows: usize,
    /// The two hidden layers and the head.
    pub layers: [Geo; 3],
    /// The norm after each hidden layer.
    pub norms: [NormSpec; 2],
}

impl Problem {
    /// The fused step of `net` for `runs` runs on minibatches of `n` rows, or None where the
    /// kernel does not apply: a net that is not scale-invariant (affine norms, trained head, no
    /// norm), or buffers over the budget.
    pub fn new(net: &Net, runs: usize, n: usize, test_rows: usize) -> Option<Self> {
        let c = net.config();
        if c.mode != NetMode::ScaleInvariant || c.norm == Norm::None || net.params().len() != 3 {
            return None;
        }
        let input = net.input();
        let (g1, g2) = match c.arch {
            Arch::Mlp { hidden } => (
                Geo::dense(input.iter().product(), hidden),
                Geo::dense(hidden, hidden),
            ),
            Arch::Cnn { c1, c2 } => {
                let g1 = Geo::conv(input, c1, 3, 2, 1);
                (g1, Geo::conv(g1.output(), c2, 3, 2, 1))
            }
        };
        let gh = Geo::dense(g2.output_len(), net.classes());
        let norm = |g: &Geo| {
            let ch = g.cout;
            NormSpec {
                cg: match c.norm {
                    Norm::Batch | Norm::None => 0,
                    Norm::Group { groups } => ch / groups as u32,
                    Norm::Layer => ch,
                    Norm::Instance => 1,
                },
                eps_unit: (c.eps / ch as f64) as f32,
            }
        };
        let p = Problem {
            runs,
            n,
            test_rows,
            layers: [g1, g2, gh],
            norms: [norm(&g1), norm(&g2)],
        };
        (p.step_floats(p.test_rows).2 * 4 <= MAX_BYTES).then_some(p)
    }

    /// Values each sample of x holds.
    pub fn input_len(&self) -> usize {
        self.layers[0].input_len()
    }

    /// Classes.
    pub fn classes(&self) -> usize {
        self.layers[2].cout as usize
    }

    /// Scratch floats per run for `rows` forward rows and `n` gradient rows (the order of
    /// [`kernel::scratch_at`]).
    fn scratch(&self, rows: usize, n: usize) -> usize {
        let [g1, g2, gh] = self.layers;
        rows * (g1.input_len() + g1.output_len() + g2.output_len())
            + n * (g1.output_len() + g2.output_len() + gh.output_len())
            + 3 * rows * (g1.cout + g2.cout) as usize
            + g1.weights()
            + g2.weights()
            + gh.weights()
    }

    /// A step's regions (the scratch stride among them), its values' length and its total
    /// floats, with `tn` test rows evaluated.
    fn step_floats(&self, tn: usize) -> (Regions, usize, usize) {
        let r = self.runs;
        let (l1, l2) = (self.layers[0].weights(), self.layers[1].weights());
        let w1v = r * self.n * self.classes();
        let w2v = w1v + r * l1;
        let g1 = w2v + r * l2;
        let g2 = g1 + r * l1;
        let test = g2 + r * l2;
        let values = test + r * tn * self.classes();
        let w1 = aligned(values);
        let w2 = aligned(w1 + r * l1);
        let v1 = aligned(w2 + r * l2);
        let v2 = aligned(v1 + r * l1);
        let scratch = aligned(v2 + r * l2);
        let stride = self.scratch(self.n.max(self.test_rows), self.n);
        let u = |x: usize| x as u32;
        let regions = Regions {
            w1v: u(w1v),
            w2v: u(w2v),
            g1: u(g1),
            g2: u(g2),
            test: u(test),
            w1: u(w1),
            w2: u(w2),
            v1: u(v1),
            v2: u(v2),
            scratch: u(scratch),
            stride: u(stride),
        };
        (regions, values, scratch + r * stride)
    }

    /// The boundary grid's probabilities' length, scratch offset and stride, and total floats,
    /// for `m` reference rows and `g` grid points.
    fn boundary_floats(&self, m: usize, g: usize) -> (usize, usize, usize, usize) {
        let probs = self.runs * g * self.classes();
        let stride = self.scratch(m + g, m + g);
        (
            probs,
            aligned(probs),
            stride,
            aligned(probs) + self.runs * stride,
        )
    }

    /// Whether [`boundary`] fits its budget for `m` reference rows and `g` grid points (each
    /// launch's buffer; the gathered probabilities besides).
    pub fn boundary_fits(&self, m: usize, g: usize) -> bool {
        self.boundary_floats(m, g.min(BOUNDARY_CHUNK)).3 * 4 <= MAX_BYTES
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
    /// Leaves out the mean term of the norms' backward pass (a classic derivation slip).
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

/// The client and device of `t`'s CubeCL tensor.
fn client_of(t: &Tensor<2>) -> (Client, CubeDevice) {
    let c = cube(t).expect("fused step on a CubeCL device");
    (c.client, c.device)
}

/// A tensor of `shape` viewing `handle`'s floats from `start` (of `total`).
fn view(
    (client, device): &(Client, CubeDevice),
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
/// [`kernel::net_step`] takes them (the test set's x at the end when `eval`).
pub fn step(
    p: &Problem,
    params: &[Tensor<2>],
    velocity: &[Tensor<2>],
    inputs: &[f32],
    eval: bool,
    momentum: f64,
    fault: Fault,
) -> FusedStep {
    let ctx = client_of(&params[0]);
    let client = &ctx.0;
    let tn = if eval { p.test_rows } else { 0 };
    let (o, values, total) = p.step_floats(tn);
    let input = client.create_from_slice(f32::as_bytes(inputs));
    let out = client.empty(total * 4);
    let u = |x: usize| x as u32;
    let [g1, g2, gh] = p.layers;
    unsafe {
        kernel::net_step::launch_unchecked(
            client,
            CubeCount::Static(u(p.runs), 1, 1),
            CubeDim::new_1d(u(THREADS)),
            BufferArg::from_raw_parts(input, inputs.len()),
            buffer(&params[0]),
            buffer(&params[1]),
            buffer(&params[2]),
            buffer(&velocity[0]),
            buffer(&velocity[1]),
            BufferArg::from_raw_parts(out.clone(), total),
            g1.launch(),
            g2.launch(),
            gh.launch(),
            p.norms[0].launch(),
            p.norms[1].launch(),
            RegionsLaunch::new(
                o.w1v, o.w2v, o.g1, o.g2, o.test, o.w1, o.w2, o.v1, o.v2, o.scratch, o.stride,
            ),
            u(p.n),
            u(tn),
            u(p.runs),
            momentum as f32,
            fault as u32,
        );
    }
    let (l1, l2) = (g1.weights(), g2.weights());
    let t2 = |start: u32, len| {
        let shape = vec![p.runs, len];
        Tensor::<2>::from_primitive::<Cube>(view(&ctx, &out, start as usize, shape, total))
    };
    FusedStep {
        params: [t2(o.w1, l1), t2(o.w2, l2)],
        velocity: [t2(o.v1, l1), t2(o.v2, l2)],
        values: Tensor::<1>::from_primitive::<Cube>(view(&ctx, &out, 0, vec![values], total)),
    }
}

/// Grid points per launch of [`kernel::net_boundary`]: with the 256 reference rows, a
/// workgroup's loops stay as short as a training step's (on lavapipe, longer ones disagree
/// with flex; see docs/performance.md).
const BOUNDARY_CHUNK: usize = 1536;

/// Every run's class probabilities on `grid` (g samples), batch norm taking its statistics from
/// `reference` (m samples): [R·g·k], run-major — one dispatch per 1 536 grid points
/// ([`kernel::net_boundary`]), gathered by one copy when there are several.
pub fn boundary(p: &Problem, params: &[Tensor<2>], reference: &[f32], grid: &[f32]) -> Tensor<1> {
    let d = p.input_len();
    let parts: Vec<Tensor<2>> = grid
        .chunks(BOUNDARY_CHUNK * d)
        .map(|chunk| {
            let g = chunk.len() / d;
            boundary_chunk(p, params, reference, chunk).reshape([p.runs, g * p.classes()])
        })
        .collect();
    let probs = if parts.len() == 1 {
        parts.into_iter().next().expect("one part")
    } else {
        Tensor::cat(parts, 1)
    };
    let len: usize = probs.dims().iter().product();
    probs.reshape([len])
}

/// [`boundary`] for one launch's grid points.
fn boundary_chunk(p: &Problem, params: &[Tensor<2>], reference: &[f32], grid: &[f32]) -> Tensor<1> {
    let ctx = client_of(&params[0]);
    let client = &ctx.0;
    let d = p.input_len();
    let (m, g) = (reference.len() / d, grid.len() / d);
    let (probs, scratch, stride, total) = p.boundary_floats(m, g);
    let inputs: Vec<f32> = reference.iter().chain(grid).copied().collect();
    let input = client.create_from_slice(f32::as_bytes(&inputs));
    let out = client.empty(total * 4);
    let u = |x: usize| x as u32;
    let [g1, g2, gh] = p.layers;
    unsafe {
        kernel::net_boundary::launch_unchecked(
            client,
            CubeCount::Static(u(p.runs), 1, 1),
            CubeDim::new_1d(u(THREADS)),
            BufferArg::from_raw_parts(input, inputs.len()),
            buffer(&params[0]),
            buffer(&params[1]),
            buffer(&params[2]),
            BufferArg::from_raw_parts(out.clone(), total),
            g1.launch(),
            g2.launch(),
            gh.launch(),
            p.norms[0].launch(),
            p.norms[1].launch(),
            u(m),
            u(g),
            u(scratch),
            u(stride),
        );
    }
    Tensor::<1>::from_primitive::<Cube>(view(&ctx, &out, 0, vec![probs], total))
}
