//! Small normalized networks written as pure functions of a flat parameter list, so that the
//! optimizer, the rescaling of paper §6 and the metrics see every parameter the same way. Each
//! parameter tensor stacks the runs trained in lockstep, [R, len]: the forward pass of all runs
//! is one graph (batched matmuls, a grouped convolution, per-run norm statistics).
//!
//! Scale-invariant mode: `x → W1 → Norm → ReLU → W2 → Norm → ReLU → W_out`, no biases, no
//! affine, `W_out` frozen at its random init (paper §1). Standard mode adds the norms' affine
//! γ/β and trains the head with a bias: the loss is then no longer scale-invariant.

use burn::tensor::activation::relu;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{DType, Device, Tensor, TensorData};

use crate::data::Rng;
use crate::error::ExplrError;
use crate::norm::Norm;

/// Floating-point precision of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats (every backend).
    F32,
    /// 64-bit floats (CPU backends only).
    F64,
}

impl Precision {
    /// The Burn dtype.
    pub fn dtype(self) -> DType {
        match self {
            Precision::F32 => DType::F32,
            Precision::F64 => DType::F64,
        }
    }
}

/// Builds a rank-1 tensor of `values` on `device` in `precision`.
pub fn tensor1(values: &[f64], device: &Device, precision: Precision) -> Tensor<1> {
    let n = values.len();
    let data = match precision {
        Precision::F64 => TensorData::new(values.to_vec(), [n]),
        Precision::F32 => TensorData::new(values.iter().map(|&v| v as f32).collect(), [n]),
    };
    Tensor::from_data(data, (device, precision.dtype()))
}

/// Network architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// Two hidden dense layers of `hidden` units (for 2-D points).
    Mlp {
        /// Width of both hidden layers.
        hidden: usize,
    },
    /// Two 3×3 stride-2 convolutions, then the head on the flattened feature maps (28×28 images).
    Cnn {
        /// Channels of the first convolution.
        c1: usize,
        /// Channels of the second convolution.
        c2: usize,
    },
}

/// Whether the network is exactly scale-invariant in its trained weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetMode {
    /// No affine, frozen head: the theorem applies exactly.
    ScaleInvariant,
    /// Affine γ/β and a trainable head with bias: shows what breaks.
    Standard,
}

/// Everything that defines the network.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetConfig {
    /// Architecture.
    pub arch: Arch,
    /// Normalization after each hidden layer.
    pub norm: Norm,
    /// Scale-invariant or standard.
    pub mode: NetMode,
    /// Relative norm epsilon: each norm divides by sqrt(var + eps·‖W‖²/fan_out), which keeps
    /// the layer exactly scale-invariant while still guarding against a zero variance.
    pub eps: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Layer {
    Dense { fan_in: usize, fan_out: usize },
    Conv { cin: usize, cout: usize },
}

impl Layer {
    fn fan_in(self) -> usize {
        match self {
            Layer::Dense { fan_in, .. } => fan_in,
            Layer::Conv { cin, .. } => cin * 9,
        }
    }
    fn fan_out(self) -> usize {
        match self {
            Layer::Dense { fan_out, .. } => fan_out,
            Layer::Conv { cout, .. } => cout,
        }
    }
}

/// Role of a parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParamInfo {
    /// Human-readable name (`W1`, `gamma1`, `W_out`, …).
    pub name: String,
    /// Number of values.
    pub len: usize,
    /// A hidden weight: the group whose norm, angle and scale the metrics follow.
    pub hidden: bool,
    /// In the scale-invariant group (a hidden weight feeding a norm).
    pub invariant: bool,
    /// Updated by the optimizer.
    pub trainable: bool,
}

/// A network: its layers and the layout of its flat parameter list.
#[derive(Debug, Clone, PartialEq)]
pub struct Net {
    config: NetConfig,
    input: [usize; 3],
    classes: usize,
    layers: Vec<Layer>,
    params: Vec<ParamInfo>,
}

impl Net {
    /// The network for samples of `input` = [channels, height, width] and `classes` classes.
    pub fn new(config: NetConfig, input: [usize; 3], classes: usize) -> Result<Self, ExplrError> {
        if !(config.eps.is_finite() && config.eps >= 0.0 && config.eps < 1.0) {
            return Err(ExplrError::OutOfRange(format!(
                "norm epsilon {}: expected 0 ≤ ε < 1",
                config.eps
            )));
        }
        let spatial = input[1] * input[2];
        let layers = match config.arch {
            Arch::Mlp { hidden } => {
                if !(2..=1024).contains(&hidden) {
                    return Err(ExplrError::OutOfRange(format!(
                        "hidden width {hidden}: expected 2..=1024"
                    )));
                }
                let fan_in = input.iter().product();
                config.norm.check(hidden, 1)?;
                vec![
                    Layer::Dense {
                        fan_in,
                        fan_out: hidden,
                    },
                    Layer::Dense {
                        fan_in: hidden,
                        fan_out: hidden,
                    },
                ]
            }
            Arch::Cnn { c1, c2 } => {
                if spatial < 16 {
                    return Err(ExplrError::Unsupported(
                        "the CNN needs image inputs: use the MLP for 2-D datasets".into(),
                    ));
                }
                if !(1..=256).contains(&c1) || !(1..=256).contains(&c2) {
                    return Err(ExplrError::OutOfRange(format!(
                        "CNN channels {c1}, {c2}: expected 1..=256"
                    )));
                }
                config.norm.check(c1, spatial / 4)?;
                config.norm.check(c2, spatial / 16)?;
                vec![
                    Layer::Conv {
                        cin: input[0],
                        cout: c1,
                    },
                    Layer::Conv { cin: c1, cout: c2 },
                ]
            }
        };
        let standard = config.mode == NetMode::Standard;
        let invariant = config.norm != Norm::None;
        let mut params = Vec::new();
        for (i, l) in layers.iter().enumerate() {
            params.push(ParamInfo {
                name: format!("W{}", i + 1),
                len: l.fan_in() * l.fan_out(),
                hidden: true,
                invariant,
                trainable: true,
            });
            if standard {
                for kind in ["gamma", "beta"] {
                    params.push(ParamInfo {
                        name: format!("{kind}{}", i + 1),
                        len: l.fan_out(),
                        hidden: false,
                        invariant: false,
                        trainable: true,
                    });
                }
            }
        }
        let width = Self::head_width(&layers, input);
        params.push(ParamInfo {
            name: "W_out".into(),
            len: width * classes,
            hidden: false,
            invariant: false,
            trainable: standard,
        });
        if standard {
            params.push(ParamInfo {
                name: "b_out".into(),
                len: classes,
                hidden: false,
                invariant: false,
                trainable: true,
            });
        }
        Ok(Net {
            config,
            input,
            classes,
            layers,
            params,
        })
    }

    /// Features entering the head: the last layer's width times its remaining pixels (each
    /// stride-2 convolution halves the side, rounding up).
    fn head_width(layers: &[Layer], input: [usize; 3]) -> usize {
        let last = layers.last().expect("two layers");
        match last {
            Layer::Dense { fan_out, .. } => *fan_out,
            Layer::Conv { cout, .. } => {
                let side = |s: usize| s.div_ceil(4);
                cout * side(input[1]) * side(input[2])
            }
        }
    }

    /// The configuration.
    pub fn config(&self) -> &NetConfig {
        &self.config
    }

    /// Layout of the flat parameter list.
    pub fn params(&self) -> &[ParamInfo] {
        &self.params
    }

    /// Shape of one input sample, [channels, height, width].
    pub fn input(&self) -> [usize; 3] {
        self.input
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Whether the loss is exactly scale-invariant in the trained weights (paper §1).
    pub fn is_scale_invariant(&self) -> bool {
        self.params.iter().all(|p| !p.trainable || p.invariant)
    }

    /// Seeded initial parameters: Kaiming-normal hidden weights, N(0, 1/width) head, γ = 1, β = 0.
    pub fn init_values(&self, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = Rng::new(seed);
        let width = Self::head_width(&self.layers, self.input);
        let mut hidden = self.layers.iter();
        self.params
            .iter()
            .map(|p| {
                let std = if p.name.starts_with('W') && p.name != "W_out" {
                    let l = hidden.next().expect("one weight per layer");
                    (2.0 / l.fan_in() as f64).sqrt()
                } else if p.name == "W_out" {
                    (1.0 / width as f64).sqrt()
                } else {
                    0.0
                };
                let fill = if p.name.starts_with("gamma") {
                    1.0
                } else {
                    0.0
                };
                (0..p.len)
                    .map(|_| if std > 0.0 { std * rng.normal() } else { fill })
                    .collect()
            })
            .collect()
    }

    /// Logits [R, B, classes] of R runs at once for inputs `x` [B, C, H, W] shared by all:
    /// `params[j]` holds parameter j of every run, [R, len]. Batch norm is in training mode
    /// (the statistics of `x` itself, per run). One graph for all runs: a step costs the GPU
    /// the kernels of one run, whatever R.
    pub fn forward(&self, params: &[Tensor<2>], x: Tensor<4>) -> Tensor<3> {
        self.forward_with_reference(params, x, None)
    }

    /// Logits [R, B, classes] for `x` with batch-norm statistics taken from the fixed batch
    /// `reference` (so that a prediction does not depend on what else is in `x`), e.g. to draw
    /// a decision boundary over a grid.
    pub fn evaluate(&self, params: &[Tensor<2>], reference: Tensor<4>, x: Tensor<4>) -> Tensor<3> {
        let n = reference.dims()[0];
        let m = x.dims()[0];
        self.forward_with_reference(params, Tensor::cat(vec![reference, x], 0), Some(n))
            .narrow(1, n, m)
    }

    fn forward_with_reference(
        &self,
        params: &[Tensor<2>],
        x: Tensor<4>,
        reference: Option<usize>,
    ) -> Tensor<3> {
        let standard = self.config.mode == NetMode::Standard;
        let r = params[0].dims()[0];
        let [b, c0, h0, w0] = x.dims();
        let mut p = params.iter().cloned();
        let mut next = || p.next().expect("parameter list matches the layout");
        // Activations of all runs, run-major: [R·B, C, H, W]. The input is shared.
        let mut h = x
            .unsqueeze_dim::<5>(0)
            .expand([r, b, c0, h0, w0])
            .reshape([r * b, c0, h0, w0]);
        for &layer in &self.layers {
            let w = next();
            let fan_out = layer.fan_out();
            h = match layer {
                Layer::Dense { fan_in, fan_out } => {
                    let flat: Tensor<3> = h.reshape([r, b, fan_in]);
                    flat.matmul(w.clone().reshape([r, fan_out, fan_in]).swap_dims(1, 2))
                        .reshape([r * b, fan_out, 1, 1])
                }
                Layer::Conv { cin, cout } => {
                    // Runs as channel groups of one grouped convolution.
                    let [_, _, hh, ww] = h.dims();
                    let grouped = h.reshape([r, b, cin, hh, ww]).swap_dims(0, 1).reshape([
                        b,
                        r * cin,
                        hh,
                        ww,
                    ]);
                    let out = conv2d(
                        grouped,
                        w.clone().reshape([r * cout, cin, 3, 3]),
                        None,
                        ConvOptions::new([2, 2], [1, 1], [1, 1], r),
                    );
                    let [_, _, ho, wo] = out.dims();
                    out.reshape([b, r, cout, ho, wo])
                        .swap_dims(0, 1)
                        .reshape([r * b, cout, ho, wo])
                }
            };
            if self.config.norm != Norm::None {
                let eps = w
                    .powi_scalar(2)
                    .sum_dim(1)
                    .mul_scalar(self.config.eps / fan_out as f64);
                h = self.config.norm.apply_stacked(h, eps, reference);
            }
            if standard {
                let [_, c, hh, ww] = h.dims();
                let gamma = next().reshape([r, 1, c, 1]);
                let beta = next().reshape([r, 1, c, 1]);
                h = (h.reshape([r, b, c, hh * ww]) * gamma + beta).reshape([r * b, c, hh, ww]);
            }
            h = relu(h);
        }
        let [_, c, hh, ww] = h.dims();
        let features = c * hh * ww;
        let flat: Tensor<3> = h.reshape([r, b, features]);
        let logits = flat.matmul(next().reshape([r, self.classes, features]).swap_dims(1, 2));
        if standard {
            logits + next().reshape([r, 1, self.classes])
        } else {
            logits
        }
    }
}
