//! Steps' metrics as numbers, for the page: one `f64` array per chunk of steps instead of JSON
//! text, so the hot path neither formats nor parses numbers and the worker hands the array to
//! the page without a copy. The layout is read from the schema ([`SCALARS`], `packed` in
//! `www/settings.gen.js`): a header `[runs, layers, steps]`, then per step its number and, per
//! run, the [`SCALARS`] in order followed by the run's `layers` layer angular updates.

use crate::metrics::{RunMetrics, SCALARS, StepMetrics};

/// Values before the first step: runs, layers and steps.
pub const HEADER: usize = 3;

/// The steps' metrics, packed (every step has the first one's runs and layers).
pub fn pack(steps: &[StepMetrics]) -> Vec<f64> {
    let runs = steps.first().map_or(0, |s| s.runs.len());
    let layers = steps
        .first()
        .and_then(|s| s.runs.first())
        .map_or(0, |r| r.layer_angular_updates.len());
    let mut out = Vec::with_capacity(HEADER + steps.len() * (1 + runs * (SCALARS.len() + layers)));
    out.extend([runs as f64, layers as f64, steps.len() as f64]);
    for s in steps {
        out.push(s.step as f64);
        for r in &s.runs {
            out.extend(SCALARS.iter().map(|n| r.metric(n).unwrap_or(f64::NAN)));
            out.extend(
                (0..layers).map(|i| r.layer_angular_updates.get(i).copied().unwrap_or(f64::NAN)),
            );
        }
    }
    out
}

/// The steps of a [`pack`]ed array; None if it is malformed.
pub fn unpack(v: &[f64]) -> Option<Vec<StepMetrics>> {
    let head = v.get(..HEADER)?;
    let (runs, layers, n) = (head[0] as usize, head[1] as usize, head[2] as usize);
    let per_run = SCALARS.len() + layers;
    let row = 1 + runs * per_run;
    let body = v.get(HEADER..)?;
    if body.len() != n * row {
        return None;
    }
    body.chunks_exact(row)
        .map(|r| {
            let runs = r[1..]
                .chunks_exact(per_run)
                .map(|x| {
                    let (scalars, layers) = x.split_at(SCALARS.len());
                    RunMetrics::from_scalars(scalars, layers.to_vec())
                })
                .collect::<Option<Vec<_>>>()?;
            Some(StepMetrics {
                step: r[0] as u64,
                runs,
            })
        })
        .collect()
}
