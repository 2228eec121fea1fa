#!/usr/bin/env bash
# Regenerates the committed PTX, src/main/resources/mma4j/cuda/ptx/<name>.ptx, from
# src/main/cuda/<name>.cu with nvcc. Each PTX starts with a header that records the SHA-256
# of its .cu and of every .cuh, so PtxSourcesTest (which needs no nvcc) fails when a source
# changed and this script was not run. Then ptxas assembles each PTX for sm_90 as a check.
#
#   cuda-kernels/build-ptx.sh            # nvcc from PATH (or /usr/local/cuda/bin)
#   MMA4J_PTX_ARCH=compute_80 cuda-kernels/build-ptx.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src="$here/src/main/cuda"
dst="$here/src/main/resources/mma4j/cuda/ptx"
arch="${MMA4J_PTX_ARCH:-compute_75}"   # the oldest architecture CUDA 13 still targets
PATH="$PATH:/usr/local/cuda/bin"
command -v nvcc >/dev/null || { echo "build-ptx.sh: nvcc not found (install the CUDA toolkit)" >&2; exit 2; }
nvcc_version=$(nvcc --version | grep -o 'release [0-9.]*, V[0-9.]*' || true)
mkdir -p "$dst"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }

for cu in "$src"/*.cu; do
    name=$(basename "$cu" .cu)
    # No -lineinfo: the PTX then holds no file paths, and builds on any machine compare equal.
    (cd "$src" && nvcc -ptx -std=c++17 -arch="$arch" -o "$tmp/$name.ptx" "$name.cu")
    {
        echo "// mma4j generated PTX: do not edit; run cuda-kernels/build-ptx.sh"
        echo "// mma4j nvcc: $nvcc_version, -arch=$arch"
        echo "// mma4j source: $name.cu sha256=$(sha "$cu")"
        for h in "$src"/*.cuh; do
            echo "// mma4j include: $(basename "$h") sha256=$(sha "$h")"
        done
        cat "$tmp/$name.ptx"
    } > "$dst/$name.ptx"
    if command -v ptxas >/dev/null; then
        ptxas -arch=sm_90 "$dst/$name.ptx" -o /dev/null
    fi
    echo "build-ptx.sh: $name.ptx"
done
# A PTX whose source is gone would be loaded by nothing but still pass for current.
for ptx in "$dst"/*.ptx; do
    [ -f "$src/$(basename "$ptx" .ptx).cu" ] || { echo "build-ptx.sh: removing stale $(basename "$ptx")"; rm "$ptx"; }
done
