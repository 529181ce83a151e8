//! Normalization layers as pure functions on [B, C, H, W] feature maps (2-D features are
//! [B, C, 1, 1]), without affine parameters: the affine part lives in the model.

use burn::tensor::Tensor;

use crate::error::ExplrError;

/// Which normalization follows each hidden layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Norm {
    /// Per channel over batch and space (training-mode statistics).
    Batch,
    /// Per sample over channel groups and space; `groups` must divide the width.
    Group {
        /// Number of channel groups.
        groups: usize,
    },
    /// Per sample over all channels and space.
    Layer,
    /// Per sample and channel over space: needs spatial feature maps (the CNN).
    Instance,
    /// No normalization: the network is not scale-invariant.
    None,
}

impl Norm {
    /// Parses `batch`, `group` (4 groups), `group:G`, `layer`, `instance` or `none`.
    pub fn parse(s: &str) -> Result<Self, ExplrError> {
        Ok(match s {
            "batch" | "bn" => Norm::Batch,
            "layer" | "ln" => Norm::Layer,
            "instance" | "in" => Norm::Instance,
            "none" => Norm::None,
            "group" | "gn" => Norm::Group { groups: 4 },
            _ => match s.strip_prefix("group:") {
                Some(g) => Norm::Group {
                    groups: g.parse().ok().filter(|&g| g > 0).ok_or_else(|| {
                        ExplrError::OutOfRange(format!(
                            "group count '{g}' is not a positive integer"
                        ))
                    })?,
                },
                None => {
                    return Err(ExplrError::OutOfRange(format!(
                        "unknown normalization '{s}': expected batch, group[:G], layer, instance or none"
                    )));
                }
            },
        })
    }

    /// Checks that this normalization makes sense for `channels` channels of `spatial` pixels.
    pub fn check(self, channels: usize, spatial: usize) -> Result<(), ExplrError> {
        match self {
            Norm::Instance if spatial < 2 => Err(ExplrError::Unsupported(
                "InstanceNorm needs spatial feature maps: use it with the CNN (MNIST); on the MLP it would divide by a zero variance".into(),
            )),
            Norm::Group { groups } if groups == 0 || !channels.is_multiple_of(groups) => {
                Err(ExplrError::Unsupported(format!(
                    "GroupNorm with {groups} groups does not divide {channels} channels"
                )))
            }
            _ => Ok(()),
        }
    }

    /// Normalizes `x` ([B, C, H, W]) to zero mean and unit variance over this norm's axes,
    /// dividing by sqrt(var + eps) with `eps` a [1]-tensor (so it may depend on the weights).
    pub fn apply(self, x: Tensor<4>, eps: Tensor<1>) -> Tensor<4> {
        self.apply_stacked(x, eps.reshape([1, 1]), None)
    }

    /// Normalizes the feature maps of R runs stacked run-major, `x` [R·B, C, H, W], each run
    /// with its own `eps` (a [R, 1]-tensor); no statistic mixes two runs. With `reference`,
    /// batch norm takes its statistics from the first `reference` samples of each run only
    /// and applies them to all: evaluation with the statistics of a fixed batch (exactly
    /// scale-invariant, unlike running averages, which mix weights of different scales).
    /// Other norms are per-sample and ignore `reference`.
    pub fn apply_stacked(
        self,
        x: Tensor<4>,
        eps: Tensor<2>,
        reference: Option<usize>,
    ) -> Tensor<4> {
        let [n, c, h, w] = x.dims();
        let r = eps.dims()[0];
        let b = n / r;
        let eps = eps.reshape([r, 1, 1, 1]);
        // Runs lead: [R, B, C, H·W] (or [R, B·G, C/G, H·W] for groups), normalized per run.
        let (view, dims): ([usize; 4], &[usize]) = match self {
            Norm::None => return x,
            Norm::Batch => ([r, b, c, h * w], &[1, 3]),
            Norm::Layer => ([r, b, c, h * w], &[2, 3]),
            Norm::Instance => ([r, b, c, h * w], &[3]),
            Norm::Group { groups } => ([r, b * groups, c / groups, h * w], &[2, 3]),
        };
        let v = x.reshape(view);
        let out = match (self, reference) {
            (Norm::Batch, Some(m)) => {
                let rows = v.clone().narrow(1, 0, m);
                let mean = rows.clone().mean_dims(dims);
                let var = (rows - mean.clone()).powi_scalar(2).mean_dims(dims);
                (v - mean) / (var + eps).sqrt()
            }
            _ => standardize(v, dims, eps),
        };
        out.reshape([n, c, h, w])
    }
}

/// (x − mean)/sqrt(var + eps) over `dims`, with the biased variance (as every framework uses
/// in training mode).
fn standardize(x: Tensor<4>, dims: &[usize], eps: Tensor<4>) -> Tensor<4> {
    let mean = x.clone().mean_dims(dims);
    let centered = x - mean;
    let var = centered.clone().powi_scalar(2).mean_dims(dims);
    centered / (var + eps).sqrt()
}
