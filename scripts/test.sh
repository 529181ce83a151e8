#!/usr/bin/env bash
# Sets up and runs every test: lints; the Rust suite on flex (f64, f32) and on wgpu over the
# lavapipe software Vulkan driver; the wasm build's tests inside headless Chromium on WebGPU
# (SwiftShader) and on the CPU fallback; the page's end-to-end tests with playwright-core in
# Chromium, and a cross-engine subset in Firefox and WebKit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

echo "== lint"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --features web --lib --tests -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --features web-cpu --lib -- -D warnings
npx eslint .

echo "== unit tests of the page's modules (node)"
node --test tests/unit/

echo "== native tests (flex f64/f32, wgpu on lavapipe)"
cargo test --release --all-targets

echo "== wasm tests in headless Chromium (WebGPU + CPU fallback)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=600 \
  cargo test --target wasm32-unknown-unknown --no-default-features --features web \
  --profile wasm-release --test web

echo "== page end-to-end tests (playwright-core + Debian Chromium)"
bash scripts/build-wasm.sh
npx vite build --logLevel warn
node --test --test-concurrency=1 tests/e2e/

echo "== the page in Firefox and WebKit (puppeteer-core, WebKitWebDriver under Xvfb)"
node --test --test-concurrency=1 tests/engines/
