#!/usr/bin/python3
"""NumPy peer for `dlp train --setup numpy`: the course's manual MLP, in NumPy, float32.

The experiment ("NumPy part" of the practical), exactly as dlp runs it:
  data     CIFAR-10 (binary format), pixels as float32 in 0..255 (not rescaled), minus the
           per-pixel mean image of the 50 000 training images (train and test alike), each
           image flattened to 3072 values in CHW order as stored
  model    Linear 3072->100 (weights N(0, 1e-4^2) shaped out x in, bias 0), ELU,
           Linear 100->10, SoftMax (max trick); cross-entropy on one-hot targets, mean over
           the batch; every module with an explicit forward and a hand-written backward
           (dW = dout^T x, db = column sums, dx = dout W; ELU'; softmax backward;
           CE backward -y/(p B))
  training plain SGD, lr 1e-3, batch 200, 1400 steps, seed 42; batches as the course's
           DataSet.next_batch: sequential through the training set, the first epoch in file
           order; when index + B > N the leftover is skipped, the whole set is reshuffled with
           a fresh permutation and the batch starts at 0
  eval     full 10 000-image test set after step 0, every --eval-freq steps (s % f == 0,
           s 0-based) and after the last step

Matrix operations only (no per-sample loops). Two things differ from the course's code and
not in the numbers it computes: a batch is gathered through the permutation (X[order[i:i+B]])
instead of the course's copying the whole 600 MB array into the new order at each reshuffle
(same batches, less memory traffic), and the first layer computes no gradient for the input
images (nobody uses it; dlp skips it too).

Stdout: JSON lines in the format of `dlp train --json`: one
    {"event":"eval","step":s+1,"train_loss":...,"train_accuracy":...,"test_loss":...,"test_accuracy":...}
per evaluation (the train point is the mean over the steps since the previous evaluation) and a
last
    {"event":"done","setup":"numpy","steps":...,"test_accuracy":...,"test_loss":...,"wall_s":...,
     "train_steps_per_s":...,"backend":"numpy","load_s":...}
wall_s runs from the start of main() (after the interpreter has started and imported numpy,
as dlp's starts after Node has loaded its modules; before any data is read) to the end of the
last evaluation; load_s is reading + preprocessing the data; train_steps_per_s = steps / the
time spent in training steps (batch gathering included, evaluations excluded), as dlp counts it.
Stderr: progress for people and a last line `peer-info {...}` (numpy version, BLAS loaded,
threads) for bench/mlp-side-by-side.mjs.

    /usr/bin/python3 bench/peers/mlp_numpy.py --threads 2 [--steps 1400] [--data-dir DIR]

The BLAS thread count is applied through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS /
MKL_NUM_THREADS, which must be set before numpy is imported: when they differ, the script
re-executes itself with them set.
"""

import argparse
import json
import os
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DATA_DIR = os.path.join(REPO_ROOT, "..", "shared", "datasets")
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
IMAGE = 3072
RECORD = IMAGE + 1
CLASSES = 10
TRAIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)]
TEST_FILE = "test_batch.bin"
# The course's hyper-parameters for this part; only --steps/--eval-freq/--seed are flags.
HIDDEN, LR, BATCH = 100, 1e-3, 200


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=None,
                   help="folder holding cifar-10-batches-bin/ (or the .bin files themselves); "
                        "default: ../shared/datasets relative to the repository root")
    p.add_argument("--steps", type=int, default=1400, help="training steps (default 1400)")
    p.add_argument("--eval-freq", type=int, default=100, help="evaluate every N steps and after the last (default 100)")
    p.add_argument("--seed", type=int, default=42, help="seed of the weights and the shuffles (default 42)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="BLAS threads (default: all cores)")
    args = p.parse_args()
    for name in ("steps", "eval_freq", "threads"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer")
    return args


def ensure_thread_env(threads):
    """Set the BLAS/OpenMP thread variables and re-exec if they were not already in force."""
    want = str(threads)
    if all(os.environ.get(k) == want for k in THREAD_ENV):
        return
    if "numpy" in sys.modules:  # cannot happen here, but the variables would then be too late
        raise RuntimeError("numpy imported before the thread variables were set")
    env = dict(os.environ)
    env.update({k: want for k in THREAD_ENV})
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def find_batches_dir(data_dir):
    """The folder with the .bin files: DIR/cifar-10-batches-bin, or DIR itself."""
    for d in (os.path.join(data_dir, "cifar-10-batches-bin"), data_dir):
        if os.path.isfile(os.path.join(d, TEST_FILE)):
            return d
    sys.exit(f"mlp peer: no CIFAR-10 binary files in {data_dir} (expected {data_dir}/cifar-10-batches-bin/{TEST_FILE}); "
             f"pass --data-dir")


def read_batch_file(np, path):
    """One CIFAR-10 .bin file -> (uint8 pixels N x 3072 in CHW order, uint8 labels N)."""
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        sys.exit(f"mlp peer: cannot read {path} ({e})")
    if raw.size == 0 or raw.size % RECORD:
        sys.exit(f"mlp peer: {path} holds {raw.size} bytes, not a whole number of {RECORD}-byte records (truncated?)")
    raw = raw.reshape(-1, RECORD)
    labels = raw[:, 0]
    if labels.max() >= CLASSES:
        sys.exit(f"mlp peer: {path} has a label {int(labels.max())} outside 0..9")
    return raw[:, 1:], labels


def load_cifar10(np, data_dir):
    """Float32 train/test images minus the training mean image, and int64 labels."""
    d = find_batches_dir(data_dir)
    parts = [read_batch_file(np, os.path.join(d, f)) for f in TRAIN_FILES]
    test_pixels, test_labels = read_batch_file(np, os.path.join(d, TEST_FILE))
    # Mean image with exact float64 sums, rounded once to float32 (as dlp computes it).
    n_train = sum(p.shape[0] for p, _ in parts)
    mean = (sum(p.sum(axis=0, dtype=np.float64) for p, _ in parts) / n_train).astype(np.float32)
    x_train = np.empty((n_train, IMAGE), dtype=np.float32)
    row = 0
    for p, _ in parts:
        np.subtract(p, mean, out=x_train[row:row + p.shape[0]], dtype=np.float32)
        row += p.shape[0]
    y_train = np.concatenate([l for _, l in parts]).astype(np.int64)
    x_test = np.subtract(test_pixels, mean, dtype=np.float32)
    return x_train, y_train, x_test, test_labels.astype(np.int64), d


# --- the course's modules ----------------------------------------------------------------------

def make_modules(np):
    class LinearModule:
        """y = x W^T + b with W out x in ~ N(0, 1e-4^2), b = 0."""

        def __init__(self, in_features, out_features, rng):
            self.params = {
                "weight": rng.normal(0.0, 1e-4, size=(out_features, in_features)).astype(np.float32),
                "bias": np.zeros((1, out_features), dtype=np.float32),
            }
            self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
            self.x = None

        def forward(self, x):
            self.x = x
            return x @ self.params["weight"].T + self.params["bias"]

        def backward(self, dout, need_dx=True):
            self.grads["weight"] = dout.T @ self.x
            self.grads["bias"] = dout.sum(axis=0, keepdims=True)
            return dout @ self.params["weight"] if need_dx else None

    class ELUModule:
        """x if x > 0 else exp(x) - 1; d/dx = 1 or exp(x)."""

        def forward(self, x):
            self.positive = x > 0
            self.exp = np.exp(np.minimum(x, 0))  # exp(x) where x <= 0 (no overflow elsewhere)
            return np.where(self.positive, x, self.exp - 1)

        def backward(self, dout):
            return dout * np.where(self.positive, np.float32(1), self.exp)

    class SoftMaxModule:
        """Row-wise softmax with the max trick; backward dx = y * (dout - sum(dout * y))."""

        def forward(self, x):
            e = np.exp(x - x.max(axis=1, keepdims=True))
            self.out = e / e.sum(axis=1, keepdims=True)
            return self.out

        def backward(self, dout):
            y = self.out
            return y * (dout - (dout * y).sum(axis=1, keepdims=True))

    class CrossEntropyModule:
        """L = -(1/B) sum y log x for probabilities x and one-hot y; dL/dx = -y / (x B)."""

        def forward(self, x, y):
            return float(-(y * np.log(x)).sum() / x.shape[0])

        def backward(self, x, y):
            return -y / (x * x.shape[0])

    class MLP:
        def __init__(self, n_inputs, n_hidden, n_classes, rng):
            self.layers = []
            width = n_inputs
            for h in n_hidden:
                self.layers += [LinearModule(width, h, rng), ELUModule()]
                width = h
            self.layers += [LinearModule(width, n_classes, rng), SoftMaxModule()]

        def forward(self, x):
            for layer in self.layers:
                x = layer.forward(x)
            return x

        def backward(self, dout):
            for i in range(len(self.layers) - 1, -1, -1):
                layer = self.layers[i]
                if i == 0:  # no gradient for the input images
                    layer.backward(dout, need_dx=False)
                else:
                    dout = layer.backward(dout)

        def sgd_step(self, lr):
            for layer in self.layers:
                if isinstance(layer, LinearModule):
                    for k in layer.params:
                        layer.params[k] -= np.float32(lr) * layer.grads[k]

    return MLP, CrossEntropyModule


def main():
    args = parse_args()
    ensure_thread_env(args.threads)
    import numpy as np

    started = time.perf_counter()
    t = time.perf_counter()
    data_dir = os.path.abspath(args.data_dir if args.data_dir is not None else DEFAULT_DATA_DIR)
    x_train, y_train, x_test, y_test, batches_dir = load_cifar10(np, data_dir)
    load_s = time.perf_counter() - t
    n = x_train.shape[0]
    if BATCH > n:
        sys.exit(f"mlp peer: batch {BATCH} is larger than the training set ({n})")
    eye = np.eye(CLASSES, dtype=np.float32)
    y_test_hot = eye[y_test]
    log(f"mlp_numpy: {n} train / {x_test.shape[0]} test images from {batches_dir}, loaded in {load_s:.2f} s")

    rng = np.random.RandomState(args.seed)  # the course seeds numpy's global generator the same way
    MLP, CrossEntropyModule = make_modules(np)
    mlp = MLP(IMAGE, [HIDDEN], CLASSES, rng)
    ce = CrossEntropyModule()

    # BLAS facts (after the first GEMM, so that the library is mapped).
    sys.dont_write_bytecode = True  # no __pycache__ in bench/peers
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_gemm import loaded_blas_libraries, openblas_facts
    a = np.ones((8, 8), dtype=np.float32)
    a @ a
    libs = loaded_blas_libraries()
    ob = openblas_facts(libs)
    blas = (f"OpenBLAS ({ob['config']}; core {ob['corename']}; {ob['threads']} threads)" if ob
            else "reference BLAS (netlib libblas) -- slow" if any(os.path.basename(os.path.realpath(p)).startswith("libblas") for p in libs)
            else "unknown")
    log(f"numpy {np.__version__}; BLAS in use: {blas}")
    if ob and ob["threads"] != args.threads:
        log(f"WARNING: OpenBLAS runs {ob['threads']} threads, not {args.threads}")

    order = np.arange(n)
    index = 0
    sum_loss = sum_correct = seen = 0.0
    train_s = 0.0
    final = None
    for s in range(args.steps):
        t0 = time.perf_counter()
        # The course's DataSet.next_batch.
        if index + BATCH > n:
            order = rng.permutation(n)
            index = 0
        idx = order[index:index + BATCH]
        index += BATCH
        x, labels = x_train[idx], y_train[idx]
        y = eye[labels]
        probs = mlp.forward(x)
        loss = ce.forward(probs, y)
        mlp.backward(ce.backward(probs, y))
        mlp.sgd_step(LR)
        correct = int((probs.argmax(axis=1) == labels).sum())
        train_s += time.perf_counter() - t0
        if not np.isfinite(loss):
            sys.exit(f"mlp peer: training diverged: the loss became {loss} at step {s + 1}")
        sum_loss += loss * BATCH
        sum_correct += correct
        seen += BATCH

        if s % args.eval_freq == 0 or s == args.steps - 1:
            p = mlp.forward(x_test)
            test_loss = ce.forward(p, y_test_hot)
            test_acc = float((p.argmax(axis=1) == y_test).mean())
            final = {"event": "eval", "step": s + 1, "train_loss": sum_loss / seen, "train_accuracy": sum_correct / seen,
                     "test_loss": test_loss, "test_accuracy": test_acc}
            print(json.dumps(final), flush=True)
            log(f"step {s + 1}/{args.steps}: train loss {final['train_loss']:.4f} acc {final['train_accuracy']:.4f}, "
                f"test loss {test_loss:.4f} acc {test_acc:.4f} ({(s + 1) / train_s:.0f} steps/s)")
            sum_loss = sum_correct = seen = 0.0
    wall_s = time.perf_counter() - started
    done = {"event": "done", "setup": "numpy", "steps": args.steps, "test_accuracy": final["test_accuracy"],
            "test_loss": final["test_loss"], "wall_s": wall_s, "train_steps_per_s": args.steps / train_s,
            "backend": "numpy", "load_s": load_s}
    print(json.dumps(done), flush=True)
    info = {"impl": "numpy", "numpy": np.__version__, "python": sys.version.split()[0], "blas": blas,
            "blas_libraries": [os.path.realpath(p) for p in libs], "threads": args.threads, "data_dir": batches_dir}
    log("peer-info " + json.dumps(info))


if __name__ == "__main__":
    main()
