#!/usr/bin/env bash
# The Rust half of `pnpm test`: the kernels', the contract's and the CUDA crate's tests (its
# kernels compiled by NVRTC for sm_80 and sm_90; its device tests skip without a GPU), and a
# compile of the native addon with its `cuda` feature, which the default build leaves out.
# NVRTC comes from setup.sh --test's download when present (DLP_CUDA_LIB_DIRS); CI sets
# DLP_REQUIRE_NVRTC=1 so that a missing NVRTC fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cuda-libs.sh
if [ -d "$NVRTC_LIB_DIR" ]; then
  export DLP_CUDA_LIB_DIRS="$NVRTC_LIB_DIR${DLP_CUDA_LIB_DIRS:+:$DLP_CUDA_LIB_DIRS}"
fi
cargo test -p dlp-kernels -p dlp-contract -p dlp-cuda -p dlp-mpi
cargo check --quiet -p dlp-node --features cuda
