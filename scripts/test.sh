#!/usr/bin/env bash
# Sets up and runs every test: formatting and lints, then the Rust test suite on the flex CPU
# backend (f64 and f32) and on wgpu over the software Vulkan driver.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test --release --all-targets
