#!/usr/bin/env bash
# Installs what explr needs and is missing, then builds nothing: system packages (Chromium and
# ChromeDriver, Firefox ESR, WebKitGTK's WebDriver and Xvfb for the browser tests, the lavapipe
# software Vulkan driver for native wgpu), the
# wasm32 target, wasm-bindgen-cli at the exact version in Cargo.lock, npm packages and the
# packed MNIST digits. Safe to run again; `--no-browser` skips the browsers (serving only).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

browser=1
[ "${1:-}" = "--no-browser" ] && browser=0

need_apt=()
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || need_apt+=(mesa-vulkan-drivers)
ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 || need_apt+=(libvulkan1)
if [ "$browser" = 1 ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  [ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
  # The cross-engine tests: Firefox (Gecko) and WebKitGTK's MiniBrowser with its WebDriver,
  # under a virtual display.
  [ -x /usr/bin/firefox-esr ] || need_apt+=(firefox-esr)
  [ -x /usr/bin/WebKitWebDriver ] || need_apt+=(webkit2gtk-driver)
  [ -x /usr/bin/Xvfb ] || need_apt+=(xvfb)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing wasm-bindgen-cli $want"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ -f data/mnist.bin ] || node scripts/pack-mnist.mjs
