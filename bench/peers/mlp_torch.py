#!/usr/bin/python3
"""PyTorch peer for `dlp train --setup numpy`: the course's manual MLP, in PyTorch on CPU, float32.

The same experiment as bench/peers/mlp_numpy.py (see its docstring: CIFAR-10 minus the
training mean image, Linear 3072->100 with N(0, 1e-4^2) weights and zero bias, ELU,
Linear 100->10, SoftMax, cross-entropy on one-hot targets, SGD lr 1e-3, batch 200, 1400
steps, the course's DataSet.next_batch, evaluation on the whole test set after step 0,
every --eval-freq steps and after the last), written as a PyTorch user would write it for
speed: tensors throughout, the data set held as one float32 tensor, torch.addmm / torch.mm,
in-place parameter updates, torch.no_grad() for evaluation, torch.set_num_threads(T).

Two formulations (--formulation):
  manual    (default) the course's hand-written backward as tensor ops: CE backward
            -y/(p B), softmax backward p * (dp - sum(dp * p)), ELU' = 1 or exp(z) = elu(z) + 1,
            dW = dout^T x, db = column sums, dx = dout W (not for the input images), then
            p -= lr * dp in place; no autograd graph at all
  autograd  nn.Sequential(nn.Linear, nn.ELU, nn.Linear) with the same initialisation,
            F.cross_entropy on the logits (softmax + cross-entropy fused, the same function),
            loss.backward() and torch.optim.SGD
The default is the faster of the two on this machine (the manual one: no graph bookkeeping,
and it reuses the ELU output for ELU'; see bench/README.md).

Random numbers come from torch's generator seeded with --seed (weights first, then the
shuffles), so the weights differ from the NumPy peer's draw while the distribution is the same.

Output: as mlp_numpy.py (JSON lines in the format of `dlp train --json` on stdout, the done line
with "backend":"torch" and "load_s"; progress and a last `peer-info {...}` line on stderr).

    /usr/bin/python3 bench/peers/mlp_torch.py --threads 2 [--steps 1400] [--data-dir DIR]

OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS are set before torch is imported
(the script re-executes itself when they differ), and torch.set_num_threads(T) as well.
"""

import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/peers
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_numpy import BATCH, CLASSES, DEFAULT_DATA_DIR, HIDDEN, IMAGE, LR, THREAD_ENV, load_cifar10, log  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=None,
                   help="folder holding cifar-10-batches-bin/ (or the .bin files themselves); "
                        "default: ../shared/datasets relative to the repository root")
    p.add_argument("--steps", type=int, default=1400, help="training steps (default 1400)")
    p.add_argument("--eval-freq", type=int, default=100, help="evaluate every N steps and after the last (default 100)")
    p.add_argument("--seed", type=int, default=42, help="seed of the weights and the shuffles (default 42)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads (default: all cores)")
    p.add_argument("--formulation", choices=("manual", "autograd"), default="manual",
                   help="hand-written backward as tensor ops (default) or nn.Linear + autograd")
    args = p.parse_args()
    for name in ("steps", "eval_freq", "threads"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer")
    return args


def torch_device(torch, name):
    """The torch.device for --device (cpu or cuda), with FP32 GEMMs and convolutions on a GPU
    (no TF32, as dlp's cuBLAS calls); exits with one line when it is not available here."""
    if name not in ("cpu", "cuda"):
        sys.exit(f"--device must be cpu or cuda, got {name!r}")
    if name == "cuda":
        if not torch.cuda.is_available():
            sys.exit(f"--device cuda: torch {torch.__version__} sees no CUDA device here")
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    return torch.device(name)


def describe_device(torch, device):
    """The device for peer-info: the GPU's name, or "cpu"."""
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def ensure_thread_env(threads):
    want = str(threads)
    if all(os.environ.get(k) == want for k in THREAD_ENV):
        return
    if "torch" in sys.modules or "numpy" in sys.modules:
        raise RuntimeError("torch/numpy imported before the thread variables were set")
    env = dict(os.environ)
    env.update({k: want for k in THREAD_ENV})
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


class ManualMLP:
    """Linear -> ELU -> Linear -> SoftMax with the course's backward, as tensor ops."""

    def __init__(self, torch, seed_generator):
        t = torch
        self.t = t
        self.w1 = t.randn(HIDDEN, IMAGE, generator=seed_generator).mul_(1e-4)
        self.b1 = t.zeros(HIDDEN)
        self.w2 = t.randn(CLASSES, HIDDEN, generator=seed_generator).mul_(1e-4)
        self.b2 = t.zeros(CLASSES)

    def forward(self, x):
        t = self.t
        z1 = t.addmm(self.b1, x, self.w1.t())
        h = t.nn.functional.elu(z1)
        z2 = t.addmm(self.b2, h, self.w2.t())
        p = t.softmax(z2, dim=1)  # max trick inside
        return z1, h, p

    @staticmethod
    def loss(p, y):
        return -(y * p.log()).sum() / p.shape[0]

    def train_step(self, x, y, lr):
        t = self.t
        z1, h, p = self.forward(x)
        loss = self.loss(p, y)
        dp = y.div(p).mul_(-1.0 / p.shape[0])                        # CE backward: -y / (p B)
        dz2 = (dp - (dp * p).sum(dim=1, keepdim=True)).mul_(p)     # softmax backward
        dw2 = t.mm(dz2.t(), h)
        db2 = dz2.sum(dim=0)
        dh = t.mm(dz2, self.w2)
        dz1 = t.where(z1 > 0, dh, dh * (h + 1))                     # ELU': exp(z) = elu(z) + 1 for z <= 0
        dw1 = t.mm(dz1.t(), x)                                      # no dx for the input images
        db1 = dz1.sum(dim=0)
        for param, grad in ((self.w1, dw1), (self.b1, db1), (self.w2, dw2), (self.b2, db2)):
            param.sub_(grad, alpha=lr)
        return loss, p

    def evaluate(self, x, y):
        _, _, p = self.forward(x)
        return self.loss(p, y), p


class AutogradMLP:
    """nn.Sequential(Linear, ELU, Linear) + F.cross_entropy + loss.backward() + optim.SGD."""

    def __init__(self, torch, seed_generator):
        t = torch
        self.t = t
        self.model = t.nn.Sequential(t.nn.Linear(IMAGE, HIDDEN), t.nn.ELU(), t.nn.Linear(HIDDEN, CLASSES))
        with t.no_grad():
            for layer in (self.model[0], self.model[2]):
                layer.weight.normal_(0.0, 1e-4, generator=seed_generator)
                layer.bias.zero_()
        self.opt = t.optim.SGD(self.model.parameters(), lr=LR)

    def train_step(self, x, labels, lr):
        logits = self.model(x)
        loss = self.t.nn.functional.cross_entropy(logits, labels)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.detach(), logits.detach()

    def evaluate(self, x, labels):
        logits = self.model(x)
        return self.t.nn.functional.cross_entropy(logits, labels), logits


def main():
    args = parse_args()
    ensure_thread_env(args.threads)
    import numpy as np
    try:
        import torch
    except ImportError as e:
        sys.exit(f"mlp_torch: cannot import torch with {sys.executable} ({e}); use Debian's /usr/bin/python3 (python3-torch)")
    torch.set_num_threads(args.threads)
    from torch_gemm import describe_blas

    started = time.perf_counter()
    t = time.perf_counter()
    data_dir = os.path.abspath(args.data_dir if args.data_dir is not None else DEFAULT_DATA_DIR)
    x_train_np, y_train_np, x_test_np, y_test_np, batches_dir = load_cifar10(np, data_dir)
    x_train, x_test = torch.from_numpy(x_train_np), torch.from_numpy(x_test_np)  # no copies
    y_train, y_test = torch.from_numpy(y_train_np), torch.from_numpy(y_test_np)
    load_s = time.perf_counter() - t
    n = x_train.shape[0]
    if BATCH > n:
        sys.exit(f"mlp peer: batch {BATCH} is larger than the training set ({n})")
    log(f"mlp_torch: {n} train / {x_test.shape[0]} test images from {batches_dir}, loaded in {load_s:.2f} s")

    info = describe_blas(torch)  # one tiny GEMM; torch version, BLAS loaded, threads
    info.update({"impl": "torch", "formulation": args.formulation, "numpy": np.__version__,
                 "python": sys.version.split()[0], "threads": args.threads, "data_dir": batches_dir})
    log(f"torch {info['torch']}; BLAS in use: {info['blas']}; torch threads {torch.get_num_threads()}; "
        f"formulation {args.formulation}")
    if info["openblas"] and info["openblas"]["threads"] != args.threads:
        log(f"WARNING: OpenBLAS runs {info['openblas']['threads']} threads, not {args.threads}")

    gen = torch.Generator().manual_seed(args.seed)
    manual = args.formulation == "manual"
    mlp = ManualMLP(torch, gen) if manual else AutogradMLP(torch, gen)
    eye = torch.eye(CLASSES)
    y_test_target = eye[y_test] if manual else y_test

    order = torch.arange(n)
    index = 0
    sum_loss = sum_correct = seen = 0.0
    train_s = 0.0
    final = None
    for s in range(args.steps):
        t0 = time.perf_counter()
        # The course's DataSet.next_batch.
        if index + BATCH > n:
            order = torch.randperm(n, generator=gen)
            index = 0
        idx = order[index:index + BATCH]
        index += BATCH
        x, labels = x_train.index_select(0, idx), y_train.index_select(0, idx)
        if manual:
            with torch.no_grad():
                loss_t, out = mlp.train_step(x, eye.index_select(0, labels), LR)
        else:
            loss_t, out = mlp.train_step(x, labels, LR)
        loss = loss_t.item()
        correct = int((out.argmax(dim=1) == labels).sum())
        train_s += time.perf_counter() - t0
        if not np.isfinite(loss):
            sys.exit(f"mlp peer: training diverged: the loss became {loss} at step {s + 1}")
        sum_loss += loss * BATCH
        sum_correct += correct
        seen += BATCH

        if s % args.eval_freq == 0 or s == args.steps - 1:
            with torch.no_grad():
                test_loss_t, out = mlp.evaluate(x_test, y_test_target)
                test_loss = test_loss_t.item()
                test_acc = (out.argmax(dim=1) == y_test).double().mean().item()
            final = {"event": "eval", "step": s + 1, "train_loss": sum_loss / seen, "train_accuracy": sum_correct / seen,
                     "test_loss": test_loss, "test_accuracy": test_acc}
            print(json.dumps(final), flush=True)
            log(f"step {s + 1}/{args.steps}: train loss {final['train_loss']:.4f} acc {final['train_accuracy']:.4f}, "
                f"test loss {test_loss:.4f} acc {test_acc:.4f} ({(s + 1) / train_s:.0f} steps/s)")
            sum_loss = sum_correct = seen = 0.0
    wall_s = time.perf_counter() - started
    done = {"event": "done", "setup": "numpy", "steps": args.steps, "test_accuracy": final["test_accuracy"],
            "test_loss": final["test_loss"], "wall_s": wall_s, "train_steps_per_s": args.steps / train_s,
            "backend": "torch", "load_s": load_s}
    print(json.dumps(done), flush=True)
    log("peer-info " + json.dumps(info))


if __name__ == "__main__":
    main()
