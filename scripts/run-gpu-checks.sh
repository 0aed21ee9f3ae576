#!/usr/bin/env bash
# On the GPU machine: runs the CUDA test binaries that scripts/build-gpu-checks.sh put in .gpu/
# (the kernels' NVRTC compile for sm_80/sm_90 and every kernel's parity with the CPU kernels),
# each one's output into $OUT. The machine's CUDA 13 libraries are found through
# LD_LIBRARY_PATH (the toolkit's lib64 and the pip wheels' folders are added when present).
set -uo pipefail
cd "$(dirname "$0")"
OUT=${OUT:-.}
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$d" ] && LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
for d in $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, q, "lib") for p in nvidia.__path__ for q in os.listdir(p)))' 2>/dev/null); do
  [ -d "$d" ] && DLP_CUDA_LIB_DIRS="$d${DLP_CUDA_LIB_DIRS:+:$DLP_CUDA_LIB_DIRS}"
done
export LD_LIBRARY_PATH DLP_CUDA_LIB_DIRS DLP_REQUIRE_NVRTC=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/nvidia-smi.csv" 2>&1
status=0
for t in compile parity; do
  ./"$t" --include-ignored --test-threads=1 --nocapture > "$OUT/$t.log" 2>&1 || status=1
  tail -n 3 "$OUT/$t.log"
done
exit $status
