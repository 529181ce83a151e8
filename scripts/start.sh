#!/usr/bin/env bash
# Sets up and runs the demo with the paper's defaults (η=0.1, λ=5e-4, γ=0.9): a weight-decay
# run and its exponential-LR twin, trained in lockstep, with the drift between them printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo run --release --quiet -- equiv --eta 0.1 --wd 5e-4 --momentum 0.9 --steps 1000 "$@"
