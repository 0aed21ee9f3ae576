#!/usr/bin/env bash
# Builds the CUDA crate's test binaries here (release) and copies them into .gpu/ (ignored by
# git), to be carried to the GPU machine, which has the CUDA 13 driver and libraries but no
# Rust or Node: there `scripts/run-gpu-checks.sh` runs them. See docs/cuda.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
cargo test --release -p dlp-cuda --no-run --message-format=json 2>/dev/null |
  python3 -c '
import json, shutil, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["test"]:
        shutil.copy(m["executable"], ".gpu/" + m["target"]["name"])
        print(".gpu/" + m["target"]["name"], file=sys.stderr)
'
cp scripts/run-gpu-checks.sh .gpu/
