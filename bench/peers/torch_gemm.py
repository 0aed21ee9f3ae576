#!/usr/bin/python3
"""PyTorch peer for `dlp bench gemm`: torch.mm in float32 on dlp's GEMM shapes.

Prints one JSON line per shape on stdout, in the format of `dlp bench gemm --json`:
    {"backend": "torch", "m": M, "k": K, "n": N, "threads": T, "gflops": G}
G = 2*M*K*N / (median seconds of one torch.mm) / 1e9, over timed runs after a warm-up
(time-budgeted per shape, at least --min-runs runs). The output matrix is preallocated
(torch.mm(a, b, out=c)), like dlp's own benchmark, so allocation is not timed.

On stderr: torch's version, its BLAS line from torch.__config__.show(), and the BLAS library
actually loaded into the process (Debian's torch links the generic libblas.so.3, so the build
line says "generic" whichever implementation the alternatives system provides; only the
loaded library tells OpenBLAS from the reference BLAS). A last stderr line
`peer-info {...}` carries the same facts as JSON for bench/gemm-side-by-side.mjs.

Run with Debian's interpreter, which has torch:
    /usr/bin/python3 bench/peers/torch_gemm.py --threads 2
The thread count is applied through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS,
which must be set before torch is imported: when they differ, the script re-executes itself
with them set.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time

SHAPES = [(200, 3072, 100), (128, 3072, 1024), (128, 1024, 512), (1024, 1024, 1024), (32768, 576, 64)]
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads (default: all cores)")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of timed runs per shape (default 1.0)")
    p.add_argument("--min-runs", type=int, default=5, help="at least this many timed runs per shape (default 5)")
    p.add_argument("--max-runs", type=int, default=500, help="at most this many timed runs per shape")
    p.add_argument("--warmup", type=float, default=0.2, help="seconds of warm-up per shape (at least 2 runs)")
    p.add_argument("--shapes", default=None, help="comma-separated MxKxN list (default: dlp's five shapes)")
    p.add_argument("--quick", action="store_true", help="smoke test: --budget 0.1 --warmup 0.05")
    p.add_argument("--json", action="store_true", help="accepted for symmetry with `dlp bench gemm` (output is always JSON)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    if args.threads < 1:
        p.error("--threads must be at least 1")
    if args.quick:
        args.budget, args.warmup = 0.1, 0.05
    if args.shapes:
        try:
            args.shapes = [tuple(int(v) for v in s.lower().split("x")) for s in args.shapes.split(",")]
            assert all(len(s) == 3 and min(s) > 0 for s in args.shapes)
        except (ValueError, AssertionError):
            p.error("--shapes wants a list like 200x3072x100,1024x1024x1024")
    else:
        args.shapes = SHAPES
    return args


def ensure_thread_env(threads):
    """Set the BLAS/OpenMP thread variables and re-exec if they were not already in force."""
    want = str(threads)
    if all(os.environ.get(k) == want for k in THREAD_ENV):
        return
    if "torch" in sys.modules:  # cannot happen here, but the variables would then be too late
        raise RuntimeError("torch imported before the thread variables were set")
    env = dict(os.environ)
    env.update({k: want for k in THREAD_ENV})
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def loaded_blas_libraries():
    """Shared libraries mapped into this process that look like BLAS/LAPACK/OpenMP runtimes."""
    libs = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6:
                    path = parts[5]
                    base = os.path.basename(path)
                    if any(s in base for s in ("blas", "lapack", "mkl", "gomp", "iomp", "omp.so")):
                        if path not in libs:
                            libs.append(path)
    except OSError:
        pass
    return libs


def openblas_facts(libs):
    """Ask a loaded OpenBLAS for its build config, core type and thread count."""
    import ctypes

    for path in libs:
        if "openblas" not in os.path.basename(os.path.realpath(path)):
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        # Debian's libopenblas exports openblas_*; NumPy 2.x wheels bundle scipy-openblas, whose
        # symbols are prefixed (scipy_openblas_*64_ in its 64-bit-integer build).
        for prefix, suffix in (("openblas_", ""), ("scipy_openblas_", "64_"), ("scipy_openblas_", "")):
            try:
                config = getattr(lib, f"{prefix}get_config{suffix}")
                corename = getattr(lib, f"{prefix}get_corename{suffix}")
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
                config.restype = corename.restype = ctypes.c_char_p
                return {
                    "config": config().decode(),
                    "corename": corename().decode(),
                    "threads": int(threads()),
                    "library": os.path.realpath(path),
                }
            except AttributeError:
                continue
    return None


def describe_blas(torch):
    cfg = torch.__config__.show()
    # The "Build settings" line is long; keep only its BLAS_INFO / LAPACK_INFO items.
    blas_info = ", ".join(re.findall(r"(?:BLAS_INFO|LAPACK_INFO)=[^,\s]*", cfg)) or "BLAS_INFO not reported"
    # Load the BLAS now (first GEMM) so that /proc/self/maps shows it.
    x = torch.ones(8, 8)
    torch.mm(x, x)
    libs = loaded_blas_libraries()
    ob = openblas_facts(libs)
    if "BLAS_INFO=mkl" in blas_info:
        # pip's wheels link MKL statically into libtorch_cpu: no separate library is mapped (an
        # OpenBLAS that is mapped there is NumPy's, not torch's).
        mkl = re.search(r"Math Kernel Library Version ([\w.]+)", cfg)
        blas = f"MKL {mkl.group(1) if mkl else ''} (linked into libtorch_cpu)".replace("  ", " ")
    elif ob:
        blas = f"OpenBLAS ({ob['config']}; core {ob['corename']}; {ob['threads']} threads)"
    elif any("mkl" in os.path.basename(p) for p in libs):
        blas = "MKL"
    elif any(os.path.basename(os.path.realpath(p)).startswith("libblas") for p in libs):
        blas = "reference BLAS (netlib libblas) -- about 15x slower than a real BLAS"
    else:
        blas = "unknown (no BLAS library mapped)"
    return {
        "torch": torch.__version__,
        "blas_build": blas_info,
        "blas": blas,
        "blas_libraries": [os.path.realpath(p) for p in libs],
        "openblas": ob,
        "torch_threads": torch.get_num_threads(),
    }


def median_seconds(fn, budget, warmup, min_runs, max_runs):
    t0 = time.perf_counter()
    n = 0
    while n < 2 or time.perf_counter() - t0 < warmup:
        fn()
        n += 1
    times = []
    t0 = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - t0 < budget and len(times) < max_runs):
        s = time.perf_counter()
        fn()
        times.append(time.perf_counter() - s)
    return statistics.median(times), len(times)


def main():
    args = parse_args()
    ensure_thread_env(args.threads)

    try:
        import torch
    except ImportError as e:
        sys.exit(f"torch_gemm: cannot import torch with {sys.executable} ({e}); use Debian's /usr/bin/python3 (python3-torch)")

    torch.set_num_threads(args.threads)
    info = describe_blas(torch)
    info["threads"] = args.threads
    log = lambda *a: print(*a, file=sys.stderr, flush=True)
    log(f"torch {info['torch']}")
    log(f"torch build: {info['blas_build']}")
    log(f"BLAS in use: {info['blas']}")
    if info["blas_libraries"]:
        log("loaded: " + ", ".join(info["blas_libraries"]))
    if info["openblas"] and info["openblas"]["threads"] != args.threads:
        log(f"WARNING: OpenBLAS runs {info['openblas']['threads']} threads, not {args.threads}")
    if not info["openblas"] and "MKL" not in info["blas"]:
        log("WARNING: no optimized BLAS found; install libopenblas0-openmp for a fair comparison")
    log(f"threads: torch {torch.get_num_threads()}, requested {args.threads}")

    torch.manual_seed(args.seed)
    for m, k, n in args.shapes:
        a = torch.randn(m, k, dtype=torch.float32).contiguous()
        b = torch.randn(k, n, dtype=torch.float32).contiguous()
        c = torch.empty(m, n, dtype=torch.float32)
        with torch.inference_mode():
            med, runs = median_seconds(lambda: torch.mm(a, b, out=c), args.budget, args.warmup, args.min_runs, args.max_runs)
        gflops = 2.0 * m * k * n / med / 1e9
        log(f"{m}x{k}x{n}: median {med * 1e3:.3f} ms over {runs} runs, {gflops:.1f} GFLOPS")
        print(json.dumps({"backend": "torch", "m": m, "k": k, "n": n, "threads": args.threads, "gflops": round(gflops, 2)}), flush=True)
    log("peer-info " + json.dumps(info))


if __name__ == "__main__":
    main()
