#!/usr/bin/env bash
# Builds a self-contained bundle for cuda-kernels/gpu-check.sh on a GPU machine that has the
# NVIDIA driver, CUDA 13 and PyTorch but no Java and no network:
#
#   jre/          a jlinked JDK 25 runtime (only the modules the backend, JUnit and JMH use)
#   lib/          mma4j-tensor, mma4j-cuda-kernels, JCuda (+ natives), JMH
#   test-classes/ the cuda-kernels tests and the JMH benchmark (CudaBench)
#   tools/        JUnit's console launcher
#   cuda-src/     the .cu sources (PtxSourcesTest compares the PTX against them)
#   gpu/          the PyTorch reference and summary scripts
#
#   cuda-kernels/make-gpu-bundle.sh [bundle-dir]      (default cuda-kernels/target/gpu-bundle)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bundle=${1:-$here/target/gpu-bundle}
jdk=${MMA4J_BUNDLE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
junit_console=${MMA4J_JUNIT_CONSOLE_VERSION:-1.14.1}  # the platform release of the parent pom's JUnit 5.14.1
[ -x "$jdk/bin/jlink" ] || { echo "make-gpu-bundle.sh: no jlink in $jdk (set MMA4J_BUNDLE_JDK)" >&2; exit 2; }

cd "$root"
rm -rf "$bundle"
mkdir -p "$bundle/lib" "$bundle/tools"
# Package the module and what it needs, and copy its test-scope dependencies, in one reactor
# build (nothing is installed into the local repository). JUnit and jqwik are left out: the
# console launcher brings its own JUnit.
./mvnw -q -B -pl cuda-kernels -am package dependency:copy-dependencies -DskipTests \
    -DincludeScope=test -DoutputDirectory="$bundle/lib" \
    -DexcludeGroupIds=org.junit,org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian,net.jqwik
cp cuda-kernels/target/mma4j-cuda-kernels-*.jar "$bundle/lib/"
rm -f "$bundle"/lib/mma4j-cuda-kernels-*-tests.jar
cp -r cuda-kernels/target/test-classes "$bundle/test-classes"
rm -rf "$bundle/test-classes/.jqwik-database"
cp -r cuda-kernels/src/main/cuda "$bundle/cuda-src"
cp -r cuda-kernels/src/test/emu "$bundle/emu-src"
cp -r cuda-kernels/gpu "$bundle/gpu"
# The backend loads only JCuda's driver binding; the runtime, NVRTC and PTX-compiler bindings
# (23 MB, mostly libJNvPTXCompiler) are dropped so the bundle stays small.
natives=$(ls "$bundle"/lib/jcuda-natives-*.jar)
slim=$(mktemp -d)
(cd "$slim" && "$jdk/bin/jar" xf "$natives" && rm -f lib/libJCudaRuntime-* lib/libJNvPTXCompiler-* lib/libJNvrtc-* \
    && rm "$natives" && "$jdk/bin/jar" cfM "$natives" .)
rm -rf "$slim"
./mvnw -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_console" \
    -DoutputDirectory="$bundle/tools"
mv "$bundle"/tools/junit-platform-console-standalone-*.jar "$bundle/tools/junit-platform-console-standalone.jar"

# java.logging: JCuda; java.management, jdk.management: JMH; java.xml: JUnit's XML reports;
# jdk.unsupported: JMH (sun.misc.Unsafe); jdk.incubator.vector: the CPU kernels.
strip=(--strip-debug)  # Java debug attributes, and native symbols too when objcopy can do it
command -v objcopy >/dev/null && strip=(--strip-java-debug-attributes --strip-native-debug-symbols "objcopy=$(command -v objcopy)")
"$jdk/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.logging,java.management,jdk.management,java.xml,jdk.unsupported \
    "${strip[@]}" --no-header-files --no-man-pages --compress zip-6 --output "$bundle/jre"

# libjvm's symbol table only names frames in crash reports; dropping it saves 5 MB.
command -v strip >/dev/null && strip --strip-unneeded "$bundle/jre/lib/server/libjvm.so"
"$bundle/jre/bin/java" -version 2>&1 | head -1

echo "make-gpu-bundle.sh: $(du -sh "$bundle" | cut -f1) in $bundle"
du -sh "$bundle"/* | sed 's/^/  /'
