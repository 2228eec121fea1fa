#!/usr/bin/env python3
"""PyTorch timings of the operations CudaBench measures, on the same GPU, as a reference.

FP32 throughout (TF32 off), because mma4j's kernels are plain FP32. Each operation is followed
by torch.cuda.synchronize(), as each CudaBench operation ends with a device synchronize.
Prints one JSON object: {"torch": version, "device": name, "results": [{bench, param, us}]}.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def timed(fn, min_seconds=1.0, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        torch.cuda.synchronize()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / n * 1e6


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    dev = torch.device("cuda")
    results = []

    def add(bench, param, fn):
        us = timed(fn)
        results.append({"bench": bench, "param": param, "us": us})
        print(f"{bench:24s} {param:12s} {us:12.1f} us", file=sys.stderr)

    for n in (256, 1024, 2048, 4096):
        a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
        add("matmul", str(n), lambda: a @ b)

    for layer in ("3x64x32", "64x64x32", "128x128x16", "256x256x8", "512x512x4", "512x512x2"):
        cin, cout, h = (int(v) for v in layer.split("x"))
        x = torch.randn(32, cin, h, h, device=dev)
        w = (torch.randn(cout, cin, 3, 3, device=dev) * 0.1)
        bias = torch.randn(cout, device=dev)
        gy = torch.randn(32, cout, h, h, device=dev)
        add("convForward", layer, lambda: F.conv2d(x, w, bias, padding=1))
        xg, wg, bg = x.clone().requires_grad_(), w.clone().requires_grad_(), bias.clone().requires_grad_()

        def fwd_bwd():
            y = F.conv2d(xg, wg, bg, padding=1)
            y.backward(gy)

        add("convForwardBackward", layer, fwd_bwd)

    for weight in ("512x4608", "10000x512", "20000x512"):
        n, d = (int(v) for v in weight.split("x"))
        w = F.normalize(torch.randn(n, d, device=dev), dim=1)

        def composed():
            # The paper's formulation: the full cosine matrix, diagonal masked, row max.
            c = w @ w.t()
            c.fill_diagonal_(-float("inf"))
            return c.max(dim=1)

        add("nearestCosine", weight, composed)
        wg = w.clone().requires_grad_()
        up = torch.randn(n, device=dev)

        def composed_bwd():
            c = wg @ wg.t()
            c = c - torch.diag(torch.full((n,), float("inf"), device=dev))
            (c.max(dim=1).values * up).sum().backward()

        add("nearestCosineFwdBwd", weight, composed_bwd)

    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "results": results}, indent=1))


if __name__ == "__main__":
    main()
