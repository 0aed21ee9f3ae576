#!/usr/bin/python3
"""PyTorch peer for dlp's autograd MLP setups 1-9: the practical's PyTorch MLPs on CPU, float32.

The experiments (the "PyTorch part" of the practical), as dlp runs them:
  data     CIFAR-10 (binary format), pixels as float32 in 0..255 minus the per-pixel mean image
           of the 50 000 training images (train and test alike), flattened CHW (see mlp_numpy.py)
  model    3072 -> hidden... -> 10: before each Linear (the first one included) the norm layer
           of the setup (none, BatchNorm1d or LayerNorm over the features), after each hidden
           Linear the activation; PyTorch's default initialisation (seeded with --seed);
           F.cross_entropy on the logits (log-softmax + NLL fused, mean over the batch)
  training the setup's optimiser (SGD is plain: no momentum, no weight decay; Adam with the
           default betas/eps), train mode; batches as the course's DataSet.next_batch:
           sequential through the training set, the first epoch in file order (data_batch_1
           first); when index + B > N the leftover is skipped and a fresh permutation is drawn
           (torch.randperm with a generator seeded with --seed)
  eval     model.eval() under torch.no_grad() on the whole 10 000-image test set in chunks of
           1000, after step 0, every --eval-freq steps (s % f == 0, s 0-based) and after the last

  setup  hidden            lr    batch  steps  norm       optimiser  activation
  1      100               1e-3  200    1400   none       SGD        ELU
  2      100               1e-2  200    10000  BatchNorm  SGD        ELU
  3      100,100           1e-2  200    10000  BatchNorm  SGD        ELU
  4      1024,512          1e-2  200    10000  BatchNorm  SGD        ELU
  5      1024,512,256,64   1e-2  128    10000  BatchNorm  SGD        ELU
  6      1024,512,256,64   1e-3  128    2000   BatchNorm  Adam       ELU
  7      1024,512,256,64   1e-3  128    2000   LayerNorm  Adam       ELU
  8      1024,512,256,64   1e-3  128    2000   BatchNorm  Adam       ReLU
  9      1024,512,256,64   1e-3  128    5000   BatchNorm  Adam       Tanh

Written as a PyTorch user would write it for speed: the data set held as one float32 tensor,
batches gathered with index_select, nn.Sequential, F.cross_entropy, loss.backward(),
torch.optim, opt.zero_grad(set_to_none=True), torch.set_num_threads(T).

Stdout: JSON lines in the format of `dlp train --json`: one
    {"event":"eval","step":s+1,"train_loss":...,"train_accuracy":...,"test_loss":...,"test_accuracy":...}
per evaluation (the train point is the mean over the steps since the previous evaluation) and a
last
    {"event":"done","setup":"N","steps":...,"test_accuracy":...,"test_loss":...,"wall_s":...,
     "train_steps_per_s":...,"backend":"torch","load_s":...,"step_s_median":...}
wall_s runs from the start of main() (after `import torch`) to the end of the last evaluation;
load_s is reading + preprocessing the data; train_steps_per_s = steps / the time spent in
training steps (batch gathering included, evaluations excluded), as dlp counts it;
step_s_median is the median of the per-step times after the first 10 (warm-up) steps (of all
steps when there are 10 or fewer). Stderr: progress and a last line `peer-info {...}`.

    /usr/bin/python3 bench/peers/mlp_setups_torch.py --setup 6 --threads 2 [--steps N]
        [--eval-freq N] [--data-dir DIR] [--seed N] [--device cpu|cuda]

With --device cuda the model and the data set live on the GPU (FP32 math: TF32 off); the
batch order is drawn on the CPU as before, so it is the same on both devices.

OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS are set before torch is imported
(the script re-executes itself when they differ), and torch.set_num_threads(T) as well.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/peers
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_numpy import CLASSES, DEFAULT_DATA_DIR, IMAGE, load_cifar10, log  # noqa: E402
from mlp_torch import describe_device, ensure_thread_env, torch_device  # noqa: E402  (thread variables, re-execs; --device)

DEEP = [1024, 512, 256, 64]
SETUPS = {
    1: {"hidden": [100], "lr": 1e-3, "batch": 200, "steps": 1400, "norm": None, "optimizer": "SGD", "activation": "ELU"},
    2: {"hidden": [100], "lr": 1e-2, "batch": 200, "steps": 10000, "norm": "BatchNorm", "optimizer": "SGD", "activation": "ELU"},
    3: {"hidden": [100, 100], "lr": 1e-2, "batch": 200, "steps": 10000, "norm": "BatchNorm", "optimizer": "SGD", "activation": "ELU"},
    4: {"hidden": [1024, 512], "lr": 1e-2, "batch": 200, "steps": 10000, "norm": "BatchNorm", "optimizer": "SGD", "activation": "ELU"},
    5: {"hidden": DEEP, "lr": 1e-2, "batch": 128, "steps": 10000, "norm": "BatchNorm", "optimizer": "SGD", "activation": "ELU"},
    6: {"hidden": DEEP, "lr": 1e-3, "batch": 128, "steps": 2000, "norm": "BatchNorm", "optimizer": "Adam", "activation": "ELU"},
    7: {"hidden": DEEP, "lr": 1e-3, "batch": 128, "steps": 2000, "norm": "LayerNorm", "optimizer": "Adam", "activation": "ELU"},
    8: {"hidden": DEEP, "lr": 1e-3, "batch": 128, "steps": 2000, "norm": "BatchNorm", "optimizer": "Adam", "activation": "ReLU"},
    9: {"hidden": DEEP, "lr": 1e-3, "batch": 128, "steps": 5000, "norm": "BatchNorm", "optimizer": "Adam", "activation": "Tanh"},
}
WARMUP_STEPS = 10
EVAL_CHUNK = 1000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--setup", type=int, required=True, choices=sorted(SETUPS), help="setup 1..9")
    p.add_argument("--data-dir", default=None,
                   help="folder holding cifar-10-batches-bin/ (or the .bin files themselves); "
                        "default: ../shared/datasets relative to the repository root")
    p.add_argument("--steps", type=int, default=None, help="training steps (default: the setup's)")
    p.add_argument("--eval-freq", type=int, default=100, help="evaluate every N steps and after the last (default 100)")
    p.add_argument("--seed", type=int, default=42, help="seed of the weights and the shuffles (default 42)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads (default: all cores)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda: where the model and the data set live")
    args = p.parse_args()
    if args.steps is None:
        args.steps = SETUPS[args.setup]["steps"]
    for name in ("steps", "eval_freq", "threads"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer")
    return args


def build_model(nn, cfg):
    """[norm] -> Linear -> act for each hidden width, then [norm] -> Linear to the classes."""
    norm = {None: None, "BatchNorm": nn.BatchNorm1d, "LayerNorm": nn.LayerNorm}[cfg["norm"]]
    act = {"ELU": nn.ELU, "ReLU": nn.ReLU, "Tanh": nn.Tanh}[cfg["activation"]]
    layers = []
    width = IMAGE
    for h in cfg["hidden"]:
        if norm is not None:
            layers.append(norm(width))
        layers += [nn.Linear(width, h), act()]
        width = h
    if norm is not None:
        layers.append(norm(width))
    layers.append(nn.Linear(width, CLASSES))
    return nn.Sequential(*layers)


def main():
    args = parse_args()
    ensure_thread_env(args.threads)
    import numpy as np
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        sys.exit(f"mlp_setups_torch: cannot import torch with {sys.executable} ({e}); use Debian's /usr/bin/python3 (python3-torch)")
    torch.set_num_threads(args.threads)
    from torch_gemm import describe_blas

    cfg = SETUPS[args.setup]
    batch = cfg["batch"]
    started = time.perf_counter()
    t = time.perf_counter()
    data_dir = os.path.abspath(args.data_dir if args.data_dir is not None else DEFAULT_DATA_DIR)
    x_train_np, y_train_np, x_test_np, y_test_np, batches_dir = load_cifar10(np, data_dir)
    device = torch_device(torch, args.device)
    # No copies on the CPU; on a GPU the data set is uploaded once, as dlp's cuda backend does.
    x_train, x_test = torch.from_numpy(x_train_np).to(device), torch.from_numpy(x_test_np).to(device)
    y_train, y_test = torch.from_numpy(y_train_np).to(device), torch.from_numpy(y_test_np).to(device)
    load_s = time.perf_counter() - t
    n = x_train.shape[0]
    if batch > n:
        sys.exit(f"mlp peer: batch {batch} is larger than the training set ({n})")
    log(f"mlp_setups_torch: setup {args.setup}: {n} train / {x_test.shape[0]} test images from {batches_dir}, "
        f"loaded in {load_s:.2f} s")

    info = describe_blas(torch)
    info.update({"impl": "torch", "setup": str(args.setup), "config": cfg, "numpy": np.__version__, "device": describe_device(torch, device),
                 "python": sys.version.split()[0], "threads": args.threads, "data_dir": batches_dir})
    log(f"torch {info['torch']}; BLAS in use: {info['blas']}; torch threads {torch.get_num_threads()}")
    if info["openblas"] and info["openblas"]["threads"] != args.threads:
        log(f"WARNING: OpenBLAS runs {info['openblas']['threads']} threads, not {args.threads}")

    torch.manual_seed(args.seed)  # default init of the layers
    model = build_model(torch.nn, cfg).to(device)
    log(f"model: {model}".replace("\n", " "))
    if cfg["optimizer"] == "SGD":
        opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    gen = torch.Generator().manual_seed(args.seed)  # the shuffles
    model.train()

    def evaluate():
        model.eval()
        sum_loss, correct = 0.0, 0
        with torch.no_grad():
            for start in range(0, x_test.shape[0], EVAL_CHUNK):
                xb, yb = x_test[start:start + EVAL_CHUNK], y_test[start:start + EVAL_CHUNK]
                logits = model(xb)
                sum_loss += F.cross_entropy(logits, yb, reduction="sum").item()
                correct += int((logits.argmax(dim=1) == yb).sum())
        model.train()
        return sum_loss / x_test.shape[0], correct / x_test.shape[0]

    order = torch.arange(n, device=device)
    index = 0
    sum_loss = sum_correct = seen = 0.0
    train_s = 0.0
    step_times = []
    final = None
    for s in range(args.steps):
        t0 = time.perf_counter()
        # The course's DataSet.next_batch.
        if index + batch > n:
            order = torch.randperm(n, generator=gen).to(device)
            index = 0
        idx = order[index:index + batch]
        index += batch
        x, labels = x_train.index_select(0, idx), y_train.index_select(0, idx)
        logits = model(x)
        loss_t = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss_t.backward()
        opt.step()
        loss = loss_t.item()
        correct = int((logits.detach().argmax(dim=1) == labels).sum())
        dt = time.perf_counter() - t0
        train_s += dt
        step_times.append(dt)
        if not np.isfinite(loss):
            sys.exit(f"mlp peer: training diverged: the loss became {loss} at step {s + 1}")
        sum_loss += loss * batch
        sum_correct += correct
        seen += batch

        if s % args.eval_freq == 0 or s == args.steps - 1:
            test_loss, test_acc = evaluate()
            final = {"event": "eval", "step": s + 1, "train_loss": sum_loss / seen, "train_accuracy": sum_correct / seen,
                     "test_loss": test_loss, "test_accuracy": test_acc}
            print(json.dumps(final), flush=True)
            log(f"step {s + 1}/{args.steps}: train loss {final['train_loss']:.4f} acc {final['train_accuracy']:.4f}, "
                f"test loss {test_loss:.4f} acc {test_acc:.4f} ({(s + 1) / train_s:.1f} steps/s)")
            sum_loss = sum_correct = seen = 0.0
    wall_s = time.perf_counter() - started
    timed = step_times[WARMUP_STEPS:] or step_times
    done = {"event": "done", "setup": str(args.setup), "steps": args.steps, "test_accuracy": final["test_accuracy"],
            "test_loss": final["test_loss"], "wall_s": wall_s, "train_steps_per_s": args.steps / train_s,
            "backend": "torch" if args.device == "cpu" else f"torch-{args.device}", "load_s": load_s, "step_s_median": statistics.median(timed)}
    print(json.dumps(done), flush=True)
    info["step_s_median_over"] = len(timed)
    log("peer-info " + json.dumps(info))


if __name__ == "__main__":
    main()
