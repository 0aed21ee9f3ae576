#!/usr/bin/env bash
# Installs everything dlp needs on a fresh Debian 12 machine of this project's kind, then
# installs the workspace and builds it. Idempotent: what is already there is kept.
#   apt:    Debian's Rust for wasm32 (rustc-web, cargo-web, rust-web-src), lld (wasm-ld), binaryen
#   npm:    pnpm at the version pinned in package.json
#   cargo:  wasm-bindgen-cli matching the wasm-bindgen crate of crates/wasm
#   --test: also what the tests need (Debian's chromium for the web demo's browser test; Open
#           MPI (openmpi-bin, libopenmpi-dev) for the two-process data-parallel test; NVIDIA's
#           NVRTC wheel from PyPI, which compiles the CUDA kernels without a GPU)
# Usage: bash scripts/setup.sh [--test]    (then `pnpm dlp ...`, or `pnpm test` after --test)
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST_TOOLS=false
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST_TOOLS=true ;;
    *) echo "setup: unknown option '$arg' (expected --test)" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- apt packages ------------------------------------------------------------------------
APT_PACKAGES=(rustc-web cargo-web rust-web-src lld binaryen)
$WITH_TEST_TOOLS && APT_PACKAGES+=(chromium openmpi-bin libopenmpi-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Rust (rustup's toolchain builds the native addon) -----------------------------------
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || { log "cargo not found: install Rust with rustup first"; exit 1; }

# --- pnpm, pinned by packageManager --------------------------------------------------------
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  log "npm install -g pnpm@$PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION"
fi

# --- wasm-bindgen-cli, the exact version of the crate ------------------------------------
WB_VERSION=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' crates/wasm/Cargo.toml | head -n1)
if [ -z "$WB_VERSION" ]; then log "cannot read the wasm-bindgen version from crates/wasm/Cargo.toml"; exit 1; fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  log "cargo install wasm-bindgen-cli --version =$WB_VERSION (a few minutes, once)"
  cargo install --quiet wasm-bindgen-cli --version "=$WB_VERSION"
fi

# --- NVRTC for the CUDA kernels' compile test (--test) ------------------------------------
source scripts/cuda-libs.sh
if $WITH_TEST_TOOLS && [ ! -f "$NVRTC_LIB_DIR/libnvrtc.so.13" ]; then
  log "nvidia-cuda-nvrtc $NVRTC_VERSION from PyPI into $NVRTC_HOME (58 MB, once)"
  python3 scripts/fetch-wheel.py nvidia-cuda-nvrtc "$NVRTC_VERSION" "$NVRTC_HOME"
fi

# --- the workspace -----------------------------------------------------------------------
log "pnpm install"
CI=true pnpm install --frozen-lockfile --reporter=append-only >/dev/null
log "pnpm build (native addon, three wasm builds: simd, scalar, threads; TypeScript)"
pnpm build
log "ready"
