#!/usr/bin/python3
"""PyTorch peer for dlp's ConvNet (DESIGN.md, experiment 4): its training step and its evaluation.

The model is the practical's pre-activation ResNet-style ConvNet, built exactly as dlp's
models.ConvNet (conv0 3x3 3->64; PreAct1; conv1 1x1 64->128; maxpool 3x3/2 pad 1; PreAct2_a/b;
conv2 1x1 128->256; maxpool; PreAct3_a/b; conv3 1x1 256->512; maxpool; PreAct4_a/b; maxpool;
PreAct5_a/b; maxpool; BatchNorm + ReLU; Linear 512->10; PreAct block x + conv3x3(relu(bn(x)))),
PyTorch's default initialisation, float32, NCHW, Adam lr 1e-4, F.cross_entropy.

Data: CIFAR-10 as float32 pixels minus the training mean image (as dlp), batches taken in file
order (the first epoch of the course's DataSet.next_batch).

Two measurements, as `dlp bench convnet` makes them:
  train  --steps S training steps of --batch-size images (model.train(), zero_grad(set_to_none),
         backward, Adam step, loss.item()); the first --warmup steps are not timed
  eval   model.eval() under torch.no_grad() on the first --eval-images test images in chunks of
         --eval-chunk, timed as a whole (after one warm-up chunk)

Stdout: one JSON line
    {"event":"done","impl":"torch","threads":T,"batch":B,"step_s":[...],"step_s_median":...,
     "eval_images":N,"eval_s":...,"eval_accuracy":...}
Stderr: progress and `peer-info {...}` (torch version, BLAS, oneDNN).

    /usr/bin/python3 bench/peers/convnet_torch.py --threads 2 [--steps 20] [--warmup 3]
        [--eval-images 1000] [--eval-chunk 500] [--data-dir DIR] [--device cpu|cuda]

With --device cuda the model and the data set live on the GPU (FP32 math: TF32 off, as dlp's
cuBLAS calls), and each timed step ends with loss.item(), which waits for the GPU.

The thread variables (OMP/OpenBLAS/MKL) are set before torch is imported (the script
re-executes itself when they differ), and torch.set_num_threads(T) as well.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/peers
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_numpy import DEFAULT_DATA_DIR, load_cifar10, log  # noqa: E402
from mlp_torch import describe_device, ensure_thread_env, torch_device  # noqa: E402  (thread variables, re-execs; --device)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--steps", type=int, default=20, help="timed training steps (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed training steps first (default 3)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--eval-images", type=int, default=1000, help="test images to evaluate, 0 = skip (default 1000)")
    p.add_argument("--eval-chunk", type=int, default=500, help="images per forward pass in eval (default 500)")
    p.add_argument("--data-dir", default=None, help="folder holding cifar-10-batches-bin/ (default ../shared/datasets)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda: where the model and the data set live")
    args = p.parse_args()
    for name in ("threads", "steps", "batch_size", "eval_chunk"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer")
    if args.warmup < 0 or args.eval_images < 0:
        p.error("--warmup and --eval-images must be at least 0")
    return args


def build_convnet(torch):
    nn, F = torch.nn, torch.nn.functional

    class PreActBlock(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.bn = nn.BatchNorm2d(channels)
            self.conv = nn.Conv2d(channels, channels, 3, padding=1)

        def forward(self, x):
            return x + self.conv(F.relu(self.bn(x)))

    pool = lambda: nn.MaxPool2d(3, stride=2, padding=1)  # noqa: E731
    return nn.Sequential(
        nn.Conv2d(3, 64, 3, padding=1), PreActBlock(64), nn.Conv2d(64, 128, 1), pool(),
        PreActBlock(128), PreActBlock(128), nn.Conv2d(128, 256, 1), pool(),
        PreActBlock(256), PreActBlock(256), nn.Conv2d(256, 512, 1), pool(),
        PreActBlock(512), PreActBlock(512), pool(),
        PreActBlock(512), PreActBlock(512), pool(),
        nn.BatchNorm2d(512), nn.ReLU(), nn.Flatten(1), nn.Linear(512, 10),
    )


def main():
    args = parse_args()
    ensure_thread_env(args.threads)
    import numpy as np
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        sys.exit(f"convnet_torch: cannot import torch with {sys.executable} ({e}); use Debian's /usr/bin/python3 (python3-torch)")
    torch.set_num_threads(args.threads)
    from torch_gemm import describe_blas

    data_dir = os.path.abspath(args.data_dir if args.data_dir is not None else DEFAULT_DATA_DIR)
    x_train_np, y_train_np, x_test_np, y_test_np, batches_dir = load_cifar10(np, data_dir)
    device = torch_device(torch, args.device)
    # On a GPU the whole data set is uploaded once, as dlp's cuda backend does.
    x_train = torch.from_numpy(x_train_np).view(-1, 3, 32, 32).to(device)
    y_train = torch.from_numpy(y_train_np).to(device)
    x_test = torch.from_numpy(x_test_np).view(-1, 3, 32, 32).to(device)
    y_test = torch.from_numpy(y_test_np).to(device)

    info = describe_blas(torch)
    info.update({"impl": "torch", "threads": args.threads, "mkldnn": torch.backends.mkldnn.is_available(), "device": describe_device(torch, device),
                 "python": sys.version.split()[0], "data_dir": batches_dir})
    log(f"peer-info {json.dumps(info)}")

    torch.manual_seed(args.seed)
    model = build_convnet(torch).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    b = args.batch_size
    step_s = []
    model.train()
    for s in range(args.warmup + args.steps):
        start = (s * b) % (x_train.shape[0] - b)
        x, labels = x_train[start:start + b], y_train[start:start + b]
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()
        dt = time.perf_counter() - t0
        if s >= args.warmup:
            step_s.append(dt)
        log(f"convnet_torch: step {s + 1}/{args.warmup + args.steps} {dt * 1000:.0f} ms loss {loss.item():.4f}")

    result = {"event": "done", "impl": "torch", "device": args.device, "threads": args.threads, "batch": b, "step_s": step_s,
              "step_s_median": statistics.median(step_s)}
    if args.eval_images > 0:
        n = min(args.eval_images, x_test.shape[0])
        model.eval()
        with torch.no_grad():
            model(x_test[:min(args.eval_chunk, n)])  # warm-up
            t0 = time.perf_counter()
            correct = 0
            for start in range(0, n, args.eval_chunk):
                logits = model(x_test[start:min(start + args.eval_chunk, n)])
                correct += int((logits.argmax(dim=1) == y_test[start:start + logits.shape[0]]).sum())
            result.update({"eval_images": n, "eval_s": time.perf_counter() - t0, "eval_accuracy": correct / n})
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
