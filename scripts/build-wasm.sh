#!/usr/bin/env bash
# Builds the browser engine: the crate for wasm32 (WebGPU + flex CPU fallback), bound with
# wasm-bindgen --target web into pkg/, then shrunk with wasm-opt (the binaryen npm package).
# Prints raw and gzipped sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# EXPLR_FUSION=1 adds Burn's operation fusion (measured no faster here, 3 MB larger; see README).
features=web
if [ "${EXPLR_FUSION:-0}" = 1 ]; then features=web,fusion; fi
cargo build --lib --target wasm32-unknown-unknown --no-default-features --features "$features" --profile wasm-release
raw="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/explr.wasm"
# The linker wraps every export in a rerun of all static constructors ("*.command_export")
# unless src/web.rs calls them explicitly; that rerun once made WebGPU steps 10x slower.
if grep -q "command_export" "$raw"; then
  echo "error: $raw re-runs its static constructors at every export call (see src/web.rs)" >&2
  exit 1
fi
# wasm-bindgen + wasm-opt take minutes; their output is cached by the hash of their input (the
# raw module, the tool versions and this script), so an unchanged tree is bound in seconds.
opt=1
[ "${EXPLR_SKIP_WASM_OPT:-0}" = 1 ] && opt=0
key=$( { sha256sum "$raw" "$0"; wasm-bindgen --version; echo "opt=$opt"; } | sha256sum | cut -c1-32)
cache="$CARGO_TARGET_DIR/explr-pkg/$key"
if [ -f "$cache/explr_bg.wasm" ]; then
  rm -rf pkg && cp -r "$cache" pkg
  echo "wasm: unchanged input, pkg/ taken from the cache ($key)"
else
  rm -rf pkg && wasm-bindgen --target web --out-dir pkg "$raw"
  if [ "$opt" = 1 ]; then
    node_modules/.bin/wasm-opt -Os --strip-debug --strip-producers \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      --enable-simd --enable-reference-types --enable-multivalue \
      pkg/explr_bg.wasm -o pkg/explr_bg.wasm
  fi
  rm -rf "$CARGO_TARGET_DIR/explr-pkg" && mkdir -p "$cache" && cp -r pkg/. "$cache/"
fi
size() { stat -c %s "$1"; }
echo "wasm: cargo $(size "$raw") B, after wasm-bindgen + wasm-opt $(size pkg/explr_bg.wasm) B, gzipped $(gzip -9c pkg/explr_bg.wasm | wc -c) B"
