#!/usr/bin/env python3
"""Turns gpu-check.sh's raw results (JMH JSON, torch_reference.py JSON, nvidia-smi) into a
markdown table for docs/BENCHMARKS.md: mma4j's CUDA kernels next to PyTorch on the same GPU.

usage: summarize.py jmh.json torch.json gpu.txt
"""
import json
import sys


def main(jmh_path, torch_path, gpu_path):
    gpu = open(gpu_path).read().strip().splitlines()
    try:
        ours = json.load(open(jmh_path))
    except (OSError, ValueError):
        ours = []
    try:
        ref = json.load(open(torch_path))
    except (OSError, ValueError):
        ref = {"results": [], "torch": "n/a"}
    torch_us = {(r["bench"], r["param"]): r["us"] for r in ref["results"]}
    # CudaBench's nearestCosine is forward only; PyTorch's closest composed counterpart.
    print(f"GPU: {gpu[-1] if gpu else 'unknown'}; PyTorch {ref.get('torch')} (FP32, TF32 off)\n")
    print("| benchmark | param | device | mma4j (us/op) | PyTorch CUDA (us/op) | PyTorch / mma4j |")
    print("|---|---|---|---:|---:|---:|")
    for r in ours:
        bench = r["benchmark"].rsplit(".", 1)[-1]
        params = r.get("params", {})
        param = next((v for k, v in params.items() if k != "device"), "")
        device = params.get("device", "")
        score, err = float(r["primaryMetric"]["score"]), float(r["primaryMetric"]["scoreError"])  # JMH writes NaN as "NaN"
        t = torch_us.get((bench, param))
        extra = ""
        if bench == "matmul":
            n = int(param)
            extra = f" ({2 * n ** 3 / score / 1e3:.0f} GFLOP/s)"  # flop per us / 1e3
        ratio = f"{t / score:.2f}" if t else "-"
        tt = f"{t:.1f}" if t else "-"
        print(f"| {bench} | {param} | {device} | {score:.1f} ± {err:.1f}{extra} | {tt} | {ratio} |")
    only_torch = sorted(k for k in torch_us if k[0] == "nearestCosineFwdBwd")
    if only_torch:
        print("\nPyTorch composed MMA forward+backward (for the fused backward above):")
        for k in only_torch:
            print(f"- {k[1]}: {torch_us[k]:.1f} us/op")


if __name__ == "__main__":
    main(*sys.argv[1:4])
