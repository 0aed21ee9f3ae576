#!/usr/bin/env bash
# Prepares here everything a session on the GPU machine runs (docs/cuda.md, "On a GPU
# machine"). That machine has the CUDA 13 driver and libraries, PyTorch with CUDA and Python,
# but no Rust and no Node, and a call carries at most 64 MiB, so this builds and packs:
#   packages/core/native/       the addon built with the cuda feature (DLP_FEATURES=cuda)
#   packages/core/dist, packages/cli/dist   the TypeScript build (pnpm build:ts / build)
#   .gpu/tools/                 node (xz), the CUDA crate's release test binaries, gpu-run.sh
#   .gpu/data-1 … data-3/       CIFAR-10's binary files as one tar.xz (136 MiB) cut in 48 MiB
#                               parts: with the working tree's 11 MiB each call stays under 64 MiB
# .gpu/ is ignored through .git/info/exclude. Afterwards the default addon must be rebuilt
# (`pnpm --filter @dlp/core build:native`) if the CPU-only one is wanted here again.
#
#   bash scripts/gpu-prepare.sh [CIFAR_BIN_DIR]   (default ../shared/datasets/cifar-10-batches-bin)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets/cifar-10-batches-bin}
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  [ -f "$data/$f.bin" ] || { echo "gpu-prepare: $data/$f.bin is missing (give the cifar-10-batches-bin folder)" >&2; exit 2; }
done
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
rm -rf .gpu && mkdir -p .gpu/tools

(cd packages/core && DLP_FEATURES=cuda node ../../scripts/build-native.mjs)
pnpm --filter @dlp/core build:ts
pnpm --filter @dlp/cli build

# The CUDA crate's test binaries (the kernels' NVRTC compile and their parity with the CPU).
cargo test --release -p dlp-cuda --no-run --message-format=json 2>/dev/null |
  python3 -c '
import json, shutil, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["test"]:
        shutil.copy(m["executable"], ".gpu/tools/" + m["target"]["name"])
'
xz -T2 -6 -c "$(command -v node)" > .gpu/tools/node.xz
cp scripts/gpu-run.sh .gpu/tools/

# The data: one compressed archive (CIFAR's pixels xz to 77%), cut in parts of 48 MiB.
tar -C "$data" -cf - batches.meta.txt data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin |
  xz -T2 -6 > .gpu/cifar.tar.xz
split -b 48M -d -a 1 .gpu/cifar.tar.xz .gpu/cifar.part-
n=0
for part in .gpu/cifar.part-*; do
  n=$((n + 1))
  mkdir -p ".gpu/data-$n"
  mv "$part" ".gpu/data-$n/part"
done
rm .gpu/cifar.tar.xz

du -sh .gpu/tools .gpu/data-* packages/core/native packages/core/dist packages/cli/dist
cat <<'CALLS'
gpu-prepare: ready. On the GPU machine, calls back to back (a warm machine keeps what earlier
calls carried; it goes back after 30 s idle):
  1. carry .gpu/tools packages/core/native packages/core/dist packages/cli/dist
     command: bash .gpu/tools/gpu-run.sh checks      (kernel and training-step parity)
  2. carry .gpu/data-1    command: bash .gpu/tools/gpu-run.sh data
  3. carry .gpu/data-2    command: bash .gpu/tools/gpu-run.sh data
  4. carry .gpu/data-3    command: bash .gpu/tools/gpu-run.sh runs  (unpacks the data; ConvNet and setup 5, dlp and PyTorch)
CALLS
