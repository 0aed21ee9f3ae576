#!/usr/bin/env bash
# On the GPU machine, from the repository root, with what scripts/gpu-prepare.sh packed:
#   checks  node unpacked; the CUDA crate's test binaries (NVRTC compile for sm_80/90, every
#           kernel's parity with the CPU); whole training steps of every setup on the cuda
#           backend against native (bench/gpu/cuda-parity.mjs)
#   data    lists the CIFAR-10 parts carried so far (the runs stage unpacks them)
#   runs    the full ConvNet run (`dlp train --setup convnet --backend cuda`: 5000 steps, batch
#           32) and PyTorch's on CUDA (bench/peers/convnet_torch.py --device cuda, the same
#           steps), then 1000 steps of setup 5 on each
# Every output goes to $OUT (default .gpu/out): logs, JSON lines, nvidia-smi.csv. The CUDA
# libraries are found through the toolkit's lib64 and the pip wheels' folders.
set -uo pipefail
cd "$(dirname "$0")/../.."
stage=${1:?usage: gpu-run.sh checks|data|runs}
OUT=${OUT:-.gpu/out}
mkdir -p "$OUT"
tools=.gpu/tools

for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$d" ] && LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
for d in $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, q, "lib") for p in nvidia.__path__ for q in os.listdir(p)))' 2>/dev/null); do
  [ -d "$d" ] && DLP_CUDA_LIB_DIRS="$d${DLP_CUDA_LIB_DIRS:+:$DLP_CUDA_LIB_DIRS}"
done
export LD_LIBRARY_PATH DLP_CUDA_LIB_DIRS DLP_REQUIRE_NVRTC=1

# Node: unpacked once (xz, or Python's lzma where xz is missing).
node=$tools/node
if [ ! -x "$node" ]; then
  if command -v xz > /dev/null; then xz -dc "$tools/node.xz" > "$node"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$tools/node.xz" "$node"; fi
  chmod +x "$node"
fi
# The CLI finds @dlp/core through node_modules, which does not travel: link the workspace copy.
mkdir -p packages/cli/node_modules/@dlp
[ -e packages/cli/node_modules/@dlp/core ] || ln -s ../../../core packages/cli/node_modules/@dlp/core

# CIFAR-10: the parts carried so far, unpacked once all are here (the runs stage).
data=.gpu/cifar/cifar-10-batches-bin
unpack_data() {
  [ -f "$data/test_batch.bin" ] && return 0
  mkdir -p "$data"
  if command -v xz > /dev/null; then
    cat .gpu/data-*/part | xz -dc | tar -x -C "$data"
  else
    cat .gpu/data-*/part | python3 -c 'import lzma, sys, tarfile; tarfile.open(fileobj=lzma.open(sys.stdin.buffer), mode="r|").extractall(sys.argv[1])' "$data"
  fi
}

# Runs a step, its output into $OUT/$1.log, its wall time and status onto $OUT/summary.txt.
status=0
step() {
  local name=$1
  shift
  local t0=$SECONDS
  "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  echo "$name: rc $rc, $((SECONDS - t0)) s" | tee -a "$OUT/summary.txt"
  tail -n 3 "$OUT/$name.log"
  [ $rc -eq 0 ] || status=1
}

case $stage in
  checks)
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/nvidia-smi.csv" 2>&1
    "$node" --version > "$OUT/node-version.txt" 2>&1
    step compile "$tools/compile" --include-ignored --test-threads=1
    step parity "$tools/parity" --include-ignored --test-threads=1 --nocapture
    step cuda-parity "$node" bench/gpu/cuda-parity.mjs --steps 3
    ;;
  data)
    ls -l .gpu/data-*/part | tee "$OUT/data.txt"
    ;;
  runs)
    step unpack-data unpack_data
    ls -l "$data" > "$OUT/data.txt"
    step convnet-dlp "$node" packages/cli/dist/main.js train --setup convnet --backend cuda --data-dir .gpu/cifar --out "$OUT/convnet-dlp" --json
    step convnet-torch python3 bench/peers/convnet_torch.py --device cuda --threads 2 --steps 5000 --warmup 0 --eval-images 10000 --eval-chunk 1000 --data-dir .gpu/cifar
    step setup5-dlp "$node" packages/cli/dist/main.js train --setup 5 --steps 1000 --backend cuda --data-dir .gpu/cifar --out "$OUT/setup5-dlp" --json
    step setup5-torch python3 bench/peers/mlp_setups_torch.py --setup 5 --steps 1000 --device cuda --threads 2 --data-dir .gpu/cifar
    ;;
  *)
    echo "gpu-run: unknown stage '$stage' (checks, data or runs)" >&2
    exit 2
    ;;
esac
exit $status
