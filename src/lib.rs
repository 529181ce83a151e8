//! explr: the exact equivalence between SGD with weight decay on a scale-invariant network and
//! weight-decay-free SGD with an exponentially growing learning rate (Li & Arora, ICLR 2020).
//!
//! The core is backend-generic Burn code with no web types: [`schedule`] and [`equivalence`]
//! hold the math, [`optim`] the paper's SGD, [`model`] and [`norm`] small normalized nets,
//! [`data`] the datasets, and [`train`] the lockstep runner that trains several runs from one
//! initialization over one minibatch order.

pub mod data;
pub mod equivalence;
pub mod error;
pub mod experiment;
pub mod fields;
#[cfg(feature = "cli")]
pub mod fixture;
#[cfg(feature = "cli")]
pub mod flags;
#[cfg(all(feature = "cube", not(feature = "fusion")))]
pub mod fused;
pub mod metrics;
pub mod model;
pub mod norm;
pub mod optim;
pub mod packed;
pub mod probe;
pub mod schedule;
pub mod settings;
pub mod snapshot;
pub mod spikes;
pub mod sweep;
pub mod toy;
pub mod train;
pub mod twin_table;
#[cfg(feature = "web-cpu")]
pub mod web;

pub use equivalence::Hyper;
pub use error::ExplrError;
pub use experiment::{Experiment, RunKind, RunSpec};
pub use train::Lockstep;
