//! Scale invariance, measured: run `i`'s loss at its hidden weights θ and at c·θ for several c, on a
//! fixed minibatch — the predictions stay, the gradient shrinks as 1/c (so ‖∇L‖·‖θ‖ stays put)
//! and has no radial part, ⟨∇L, θ⟩ = 0 (paper §2, Lemma 1.1). And the paper's rescaling as a
//! visible change: (θ, v, η) → (cθ, v/c, c²η) applied to a WD-free run while it trains.

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;

use crate::error::ExplrError;
use crate::metrics;
use crate::train::Lockstep;

/// Run `i` evaluated with its hidden weights (the scale-invariant ones in a normalized net)
/// multiplied by `c`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScalePoint {
    /// The factor c.
    pub c: f64,
    /// Minibatch loss at c·θ.
    pub loss: f64,
    /// Largest difference of a predicted probability from those at c = 1.
    pub prob_diff: f64,
    /// ‖c·θ‖ of the hidden weights.
    pub weight_norm: f64,
    /// ‖∇L‖ with respect to them.
    pub grad_norm: f64,
    /// ‖∇L‖·‖c·θ‖: the same at every c where the loss is scale-invariant.
    pub grad_times_weight: f64,
    /// ⟨∇L, c·θ⟩ / (‖∇L‖‖c·θ‖): the gradient's radial part, zero where it is.
    pub radial: f64,
}

impl Lockstep {
    /// The loss of run `i` at c·θ for each c of `cs` (with c = 1 first as the reference), on
    /// the first training minibatch: one tensor to read back and pass to
    /// [`scale_points`](Self::scale_points).
    pub fn scale_probe(&self, i: usize, cs: &[f64]) -> Result<Tensor<1>, ExplrError> {
        if i >= self.experiment().runs.len() {
            return Err(ExplrError::OutOfRange(format!("no run {i}")));
        }
        if let Some(c) = cs.iter().find(|c| !(c.is_finite() && **c > 0.0)) {
            return Err(ExplrError::OutOfRange(format!("scale factor {c}")));
        }
        let (xv, labels) = self.first_batch();
        let n = labels.len() as f64;
        let (x, onehot) = self.batch_tensors(&xv, &labels);
        let (params, _) = self.tensors();
        let info = self.net().params();
        let true_scale = (-self.ln_stored_scale(i)).exp();
        let all: Vec<f64> = std::iter::once(1.0).chain(cs.iter().copied()).collect();
        // Each parameter: run i's row, once per c (the hidden weights scaled by c).
        let tracked: Vec<Tensor<2>> = params
            .iter()
            .zip(info)
            .map(|(p, inf)| {
                let [_, len] = p.dims();
                let row = p.clone().narrow(0, i, 1).mul_scalar(true_scale);
                let rows: Vec<Tensor<2>> = all
                    .iter()
                    .map(|&c| {
                        if inf.hidden {
                            row.clone().mul_scalar(c)
                        } else {
                            row.clone()
                        }
                    })
                    .collect();
                let t = Tensor::cat(rows, 0).reshape([all.len(), len]).autodiff();
                if inf.hidden { t.require_grad() } else { t }
            })
            .collect();
        let logits = self.net().forward(&tracked, x.autodiff());
        let loss = (log_softmax(logits.clone(), 2) * onehot.autodiff().unsqueeze_dim::<3>(0))
            .sum()
            .mul_scalar(-1.0 / n);
        let grads = loss.backward();
        let flat = |t: Tensor<2>| {
            let [r, len] = t.dims();
            t.reshape([r * len])
        };
        let mut parts = vec![{
            let l = logits.inner();
            let [r, b, k] = l.dims();
            l.reshape([r * b * k])
        }];
        for (t, inf) in tracked.iter().zip(info) {
            if inf.hidden {
                let g = t
                    .grad(&grads)
                    .ok_or_else(|| ExplrError::Data(format!("no gradient for {}", inf.name)))?;
                parts.push(flat(g));
                parts.push(flat(t.clone().inner()));
            }
        }
        Ok(Tensor::cat(parts, 0))
    }

    /// The points of a [`scale_probe`](Self::scale_probe) for `cs`, from its values read back.
    pub fn scale_points(&self, cs: &[f64], values: &[f64]) -> Result<Vec<ScalePoint>, ExplrError> {
        let (_, labels) = self.first_batch();
        let n = labels.len();
        let k = self.net().classes();
        let m = cs.len() + 1;
        let mut rest = values;
        let mut take = |len: usize| -> Result<&[f64], ExplrError> {
            if rest.len() < len {
                return Err(ExplrError::Data("probe buffer has the wrong length".into()));
            }
            let (head, tail) = rest.split_at(len);
            rest = tail;
            Ok(head)
        };
        let logits: Vec<&[f64]> = take(m * n * k)?.chunks(n * k).collect();
        let (mut grads, mut weights) = (vec![Vec::new(); m], vec![Vec::new(); m]);
        for inf in self.net().params().iter().filter(|p| p.hidden) {
            for (j, g) in take(m * inf.len)?.chunks(inf.len).enumerate() {
                grads[j].extend_from_slice(g);
            }
            for (j, w) in take(m * inf.len)?.chunks(inf.len).enumerate() {
                weights[j].extend_from_slice(w);
            }
        }
        let reference = metrics::softmax(logits[0], k);
        Ok((1..m)
            .map(|j| {
                let probs = metrics::softmax(logits[j], k);
                let (g, w) = (metrics::norm(&grads[j]), metrics::norm(&weights[j]));
                let dot: f64 = grads[j].iter().zip(&weights[j]).map(|(a, b)| a * b).sum();
                ScalePoint {
                    c: cs[j - 1],
                    loss: metrics::loss_accuracy(logits[j], &labels, k).0,
                    prob_diff: metrics::max_abs_diff(&probs, &reference),
                    weight_norm: w,
                    grad_norm: g,
                    grad_times_weight: g * w,
                    radial: if g * w > 0.0 { dot / (g * w) } else { 0.0 },
                }
            })
            .collect())
    }

    /// The probe's points read back blocking (native backends only).
    pub fn scale_points_now(&self, i: usize, cs: &[f64]) -> Result<Vec<ScalePoint>, ExplrError> {
        let values = crate::train::read(self.scale_probe(i, cs)?);
        self.scale_points(cs, &values)
    }
}
