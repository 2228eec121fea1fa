#!/usr/bin/env bash
# The GPU check, run on a machine with an NVIDIA GPU, CUDA 13 and PyTorch, and no Java (the
# bundle from make-gpu-bundle.sh brings a runtime):
#   1. every cuda-kernels test on the real GPU (-Dmma4j.cuda.require=true: fail, never skip),
#   2. JMH timings of the kernels (CudaBench),
#   3. PyTorch timings of the same operations on the same GPU,
#   4. a markdown summary of 2 and 3.
#
#   cuda-kernels/gpu-check.sh [bundle-dir] [out-dir]
#     bundle-dir  default cuda-kernels/target/gpu-bundle
#     out-dir     default $OUT if set, else cuda-kernels/target/gpu-check
# Exit status: that of the tests (0 when all passed).
#
# Without a GPU (to try the bundle): MMA4J_GPU_REQUIRE=false lets the GPU tests skip, and
# steps 2-4 are skipped when nvidia-smi is missing. MMA4J_JMH_ARGS adds JMH options
# (e.g. "-p n=1024 -wi 1"); MMA4J_JMH_INCLUDE replaces the benchmark pattern.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bundle=$(cd "${1:-$here/target/gpu-bundle}" && pwd)
out=${2:-${OUT:-$here/target/gpu-check}}
mkdir -p "$out"
java="$bundle/jre/bin/java"
cp="$bundle/test-classes:$bundle/lib/*"
jvm=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx8g)
[ -x "$java" ] || { echo "gpu-check.sh: no runtime at $java; build the bundle with make-gpu-bundle.sh" >&2; exit 2; }

{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "nvidia-smi failed"; } > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"

echo "== 1. tests on the GPU"
"$java" "${jvm[@]}" -Dmma4j.cuda.require="${MMA4J_GPU_REQUIRE:-true}" -Dmma4j.cuda.emulate=false -Dmma4j.cuda.sources="$bundle/cuda-src" \
    -cp "$bundle/tools/junit-platform-console-standalone.jar:$cp" org.junit.platform.console.ConsoleLauncher execute \
    --select-package mma4j.cuda --reports-dir "$out/junit" --details=tree --disable-banner --disable-ansi-colors 2>&1 | tee "$out/tests.txt"
tests=${PIPESTATUS[0]}

if ! command -v nvidia-smi >/dev/null; then
    echo "gpu-check.sh: no nvidia-smi, so no GPU: skipping the timings; tests exit status $tests"
    exit "$tests"
fi

echo "== 2. JMH (CudaBench)"
# shellcheck disable=SC2086  # MMA4J_JMH_ARGS is a list of options
"$java" "${jvm[@]}" -cp "$cp" org.openjdk.jmh.Main "${MMA4J_JMH_INCLUDE:-mma4j.cuda.CudaBench}" \
    -rf json -rff "$out/jmh.json" ${MMA4J_JMH_ARGS:-} 2>&1 | tee "$out/jmh.txt"

echo "== 3. PyTorch reference"
python3 "$bundle/gpu/torch_reference.py" > "$out/torch.json" 2> >(tee "$out/torch.txt" >&2)

echo "== 4. summary"
python3 "$bundle/gpu/summarize.py" "$out/jmh.json" "$out/torch.json" "$out/gpu.txt" | tee "$out/summary.md"
echo "gpu-check.sh: tests exit status $tests; results in $out"
exit "$tests"
