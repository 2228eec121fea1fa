package mma4j.bench;

import java.util.concurrent.TimeUnit;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square single-precision matrix product C = A*B through Tensor.matmul on 2-d tensors
 * (the packed GEMM on the CPU backend). GFLOP/s = 2 n^3 / time. Threads: the pool's default
 * (core count) unless the fork gets {@code -Dmma4j.threads=T} via {@code -jvmArgsAppend}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Same flags as BenchSupport.JVM_ARGS (annotations cannot reference an array constant).
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"})
public class GemmBench {
    @Param({"256", "512", "1024", "2048"})
    public int n;

    private Tensor a, b;

    @Setup
    public void setup() {
        Generator g = new Generator(42);
        a = Tensor.rand(g, n, n);
        b = Tensor.rand(g, n, n);
    }

    @Benchmark
    public Tensor matmul() {
        return a.matmul(b);
    }
}
