//! Integration tests of the explr core on real Burn backends (flex on the CPU in f64 and f32,
//! wgpu on whatever Vulkan driver is present — lavapipe in CI).
//! One test crate keeps the build small: each module is one concern.
#![allow(clippy::excessive_precision)]
// the paper's table is quoted digit for digit
// Native backends only (flex, wgpu on Vulkan): the browser build is tested by tests/web.rs.
#![cfg(not(target_arch = "wasm32"))]

mod batchnorm;
mod cli;
mod common;
mod data;
mod equilibrium;
mod instability;
mod math;
mod probe;
mod schedules;
mod settings;
mod snapshot;
mod toy;
mod twin_f32;
mod twin_f64;
mod wgpu;
