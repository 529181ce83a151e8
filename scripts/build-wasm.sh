#!/usr/bin/env bash
# Builds the browser's two engines, each bound with wasm-bindgen --target web and shrunk with
# wasm-opt (the binaryen npm package):
#   pkg-cpu/explr_cpu*  the CPU engine: Burn's flex backend only, loaded first (profile wasm-cpu)
#   pkg/explr*          the full engine: WebGPU through wgpu, and flex (profile wasm-release)
# Prints raw and gzipped sizes. EXPLR_ENGINES=cpu builds only the CPU engine.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
size() { stat -c %s "$1"; }

# build FEATURES PROFILE OUT_DIR OUT_NAME
build() {
  local features=$1 profile=$2 out=$3 name=$4
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features "$features" --profile "$profile"
  local raw="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/explr.wasm"
  # The linker wraps every export in a rerun of all static constructors ("*.command_export")
  # unless src/web.rs calls them explicitly; that rerun once made WebGPU steps 10x slower.
  if grep -q "command_export" "$raw"; then
    echo "error: $raw re-runs its static constructors at every export call (see src/web.rs)" >&2
    exit 1
  fi
  # wasm-bindgen + wasm-opt take minutes; their output is cached by the hash of their input
  # (the raw module, the tool versions and this script), so an unchanged tree binds in seconds.
  local opt=1
  [ "${EXPLR_SKIP_WASM_OPT:-0}" = 1 ] && opt=0
  local key
  key=$( { sha256sum "$raw" "$0"; wasm-bindgen --version; echo "opt=$opt $name"; } | sha256sum | cut -c1-32)
  local cache="$CARGO_TARGET_DIR/explr-pkg/$name/$key"
  if [ -f "$cache/${name}_bg.wasm" ]; then
    rm -rf "$out" && cp -r "$cache" "$out"
    echo "wasm ($name): unchanged input, $out/ taken from the cache"
  else
    rm -rf "$out" && wasm-bindgen --target web --out-dir "$out" --out-name "$name" "$raw"
    if [ "$opt" = 1 ]; then
      node_modules/.bin/wasm-opt -Os --strip-debug --strip-producers \
        --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
        --enable-simd --enable-reference-types --enable-multivalue \
        "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
    fi
    rm -rf "$CARGO_TARGET_DIR/explr-pkg/$name" && mkdir -p "$cache" && cp -r "$out/." "$cache/"
  fi
  echo "wasm ($name): cargo $(size "$raw") B, after wasm-bindgen + wasm-opt $(size "$out/${name}_bg.wasm") B, gzipped $(gzip -9c "$out/${name}_bg.wasm" | wc -c) B"
}

build web-cpu wasm-cpu pkg-cpu explr_cpu
if [ "${EXPLR_ENGINES:-all}" != cpu ]; then
  # EXPLR_FUSION=1 adds Burn's operation fusion (measured no faster here, 3 MB larger; see README).
  features=web
  if [ "${EXPLR_FUSION:-0}" = 1 ]; then features=web,fusion; fi
  build "$features" wasm-release pkg explr
fi
