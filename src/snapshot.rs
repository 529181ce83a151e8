//! The whole training state of a lockstep experiment, to move a running experiment from one
//! backend to another (CPU ↔ WebGPU) and go on exactly where it was: the stored weights and
//! momentum buffers of every run, the step, each run's log-scales and the position in the
//! shared minibatch order. Learning-rate plans are functions of the step and need no state.

use burn::tensor::Tensor;

use crate::error::ExplrError;
use crate::model::tensor1;
use crate::train::Lockstep;
pub use crate::train::RunState;

/// Everything a lockstep experiment needs to go on from where it is, on any backend.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    /// Steps completed.
    pub step: u64,
    /// Epoch and position of the shared minibatch order.
    pub order: (u64, usize),
    /// Per-run state, in experiment order.
    pub runs: Vec<RunState>,
    /// Stored values of every parameter tensor ([R, len], row-major), then of every momentum
    /// buffer, concatenated.
    pub values: Vec<f64>,
}

impl Lockstep {
    /// Every parameter tensor and momentum buffer flattened into one tensor, to read back
    /// (asynchronously on WebGPU) and pass to [`Lockstep::snapshot`].
    pub fn state_tensor(&self) -> Tensor<1> {
        let (params, velocity) = self.tensors();
        let flat = |t: &Tensor<2>| {
            let [r, len] = t.dims();
            t.clone().reshape([r * len])
        };
        Tensor::cat(params.iter().chain(velocity).map(flat).collect(), 0)
    }

    /// The snapshot, given the values of [`Lockstep::state_tensor`] read back.
    pub fn snapshot(&self, values: Vec<f64>) -> Snapshot {
        Snapshot {
            step: self.steps_done(),
            order: self.order().position(),
            runs: self.run_states(),
            values,
        }
    }

    /// The snapshot, read back blocking (native backends only).
    pub fn snapshot_now(&self) -> Snapshot {
        self.snapshot(crate::train::read(self.state_tensor()))
    }

    /// Puts this experiment (built from the same [`Experiment`](crate::Experiment)) in the
    /// state `snap` describes, on this experiment's device and precision.
    pub fn restore(&mut self, snap: &Snapshot) -> Result<(), ExplrError> {
        let (params, velocity) = self.tensors();
        let shapes: Vec<[usize; 2]> = params.iter().chain(velocity).map(|t| t.dims()).collect();
        let total: usize = shapes.iter().map(|[r, l]| r * l).sum();
        if snap.values.len() != total || snap.runs.len() != shapes.first().map_or(0, |s| s[0]) {
            return Err(ExplrError::Data(format!(
                "snapshot of {} values and {} runs does not fit this experiment ({total} values)",
                snap.values.len(),
                snap.runs.len()
            )));
        }
        let (device, precision) = (self.device().clone(), self.experiment().precision);
        let mut rest = snap.values.as_slice();
        let mut tensors = Vec::with_capacity(shapes.len());
        for [r, len] in shapes {
            let (head, tail) = rest.split_at(r * len);
            rest = tail;
            tensors.push(tensor1(head, &device, precision).reshape([r, len]));
        }
        let velocity = tensors.split_off(tensors.len() / 2);
        self.set_state(
            (tensors, velocity, &snap.values),
            snap.step,
            snap.order,
            &snap.runs,
        )
    }
}
