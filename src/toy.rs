//! The 2-D toy problems of paper §8, in plain f64 (no tensors): full-batch GD with weight decay
//! on a scale-invariant loss never settles, because L(w) + (λ/2)‖w‖² has no stationary point.

use crate::error::ExplrError;
use crate::fields::{Field, FieldKind, check_range, num, one_of};

/// The toy panel's settings: loss, η, λ and steps of GD.
pub const TOY_FIELDS: &[Field] = &[
    one_of(
        "toy",
        &["bn_regression", "plain_regression", "ratio"],
        "Which toy loss",
    ),
    num("toyeta", FieldKind::Number, 0.01, 2.0, "The toy's η"),
    num("toywd", FieldKind::Number, 0.0, 1.0, "The toy's λ"),
    num(
        "toysteps",
        FieldKind::Int,
        1.0,
        5000.0,
        "Steps of gradient descent",
    ),
];

/// Their defaults: the BN'd regression at η = 0.5, λ = 0.1 for 200 steps.
pub const TOY_DEFAULTS: ToyDefaults = ToyDefaults {
    toy: Toy::BnRegression,
    toyeta: 0.5,
    toywd: 0.1,
    toysteps: 200,
};

/// The toy panel's defaults (see [`TOY_DEFAULTS`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ToyDefaults {
    /// Which loss.
    pub toy: Toy,
    /// η.
    pub toyeta: f64,
    /// λ.
    pub toywd: f64,
    /// Steps of GD.
    pub toysteps: u32,
}

/// Checks η, λ and the steps of a toy run against [`TOY_FIELDS`].
pub fn check_toy(eta: f64, wd: f64, steps: u32) -> Result<(), ExplrError> {
    check_range(TOY_FIELDS, "toyeta", eta)?;
    check_range(TOY_FIELDS, "toywd", wd)?;
    check_range(TOY_FIELDS, "toysteps", steps as f64)
}

/// Which toy loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Toy {
    /// Toy A with population-statistics BN: L(w) = 2 − 2·w₂/‖w‖ (scale-invariant).
    BnRegression,
    /// Toy A without BN: L(w) = w₁² + (w₂ − 1)².
    PlainRegression,
    /// Toy B: L(x, y) = x²/(x² + y²) (scale-invariant).
    Ratio,
}

impl Toy {
    /// The loss at w.
    pub fn loss(self, w: [f64; 2]) -> f64 {
        let n = (w[0] * w[0] + w[1] * w[1]).sqrt();
        match self {
            Toy::BnRegression => 2.0 - 2.0 * w[1] / n,
            Toy::PlainRegression => w[0] * w[0] + (w[1] - 1.0) * (w[1] - 1.0),
            Toy::Ratio => w[0] * w[0] / (n * n),
        }
    }

    /// ∇L at w.
    pub fn grad(self, w: [f64; 2]) -> [f64; 2] {
        let n2 = w[0] * w[0] + w[1] * w[1];
        let n = n2.sqrt();
        match self {
            Toy::BnRegression => {
                let u = [w[0] / n, w[1] / n];
                [
                    -(2.0 / n) * (0.0 - u[0] * u[1]),
                    -(2.0 / n) * (1.0 - u[1] * u[1]),
                ]
            }
            Toy::PlainRegression => [2.0 * w[0], 2.0 * (w[1] - 1.0)],
            Toy::Ratio => {
                let (x, y) = (w[0], w[1]);
                [2.0 * x * y * y / (n2 * n2), -2.0 * x * x * y / (n2 * n2)]
            }
        }
    }

    /// Whether L(cw) = L(w).
    pub fn is_scale_invariant(self) -> bool {
        self != Toy::PlainRegression
    }
}

/// One point of a GD path.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ToyPoint {
    /// Weights after the step.
    pub w: [f64; 2],
    /// Loss at w.
    pub loss: f64,
    /// ‖w‖² (the GD step near the minimum is stable iff ‖w‖² > η).
    pub norm_sq: f64,
}

/// Full-batch GD w ← w − η(∇L(w) + λw) from `w0` for `steps` steps; entry 0 is `w0`. The path
/// ends early where GD leaves the loss's domain: w non-finite, or w = 0 for a scale-invariant
/// loss (undefined there; with ηλ = 1 weight decay sends w there in one step).
pub fn gd_path(toy: Toy, w0: [f64; 2], eta: f64, wd: f64, steps: usize) -> Vec<ToyPoint> {
    let point = |w: [f64; 2]| ToyPoint {
        w,
        loss: toy.loss(w),
        norm_sq: w[0] * w[0] + w[1] * w[1],
    };
    let mut w = w0;
    let mut out = Vec::with_capacity(steps + 1);
    out.push(point(w));
    for _ in 0..steps {
        let g = toy.grad(w);
        w = [
            w[0] - eta * (g[0] + wd * w[0]),
            w[1] - eta * (g[1] + wd * w[1]),
        ];
        let p = point(w);
        if !(p.loss.is_finite() && p.norm_sq.is_finite())
            || (p.norm_sq == 0.0 && toy.is_scale_invariant())
        {
            break;
        }
        out.push(p);
    }
    out
}
