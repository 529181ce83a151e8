#!/usr/bin/env bash
# Sets up, builds and serves the demo (paper defaults: η=0.1, λ=5e-4, γ=0.9) at
# http://localhost:8080. The same dist/ works from any static host.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-browser
bash scripts/build-wasm.sh
npx vite build --logLevel warn
echo "explr: serving dist/ at http://${HOST:-localhost}:${PORT:-8080} (Ctrl-C to stop)"
exec npx vite preview --port "${PORT:-8080}" --host "${HOST:-localhost}"
