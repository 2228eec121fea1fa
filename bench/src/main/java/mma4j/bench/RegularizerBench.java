package mma4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import mma4j.autograd.Variable;
import mma4j.nn.regularizers.Impl;
import mma4j.nn.regularizers.MmaLoss;
import mma4j.nn.regularizers.Regularizer;
import mma4j.nn.regularizers.Regularizers;
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
 * The regularizer term alone, forward + backward, summed over a model's Conv2d and Linear
 * weights (the work it adds to every training step). Not every (reg, impl) pair exists: tiled
 * is MMA's (and the cosine loss's) only, so run e.g.
 * <pre>
 *   java -jar bench/target/benchmarks.jar RegularizerBench -p reg=mma -p impl=composed,fused,tiled
 *   java -jar bench/target/benchmarks.jar RegularizerBench -p reg=orthogonal,mhe2,mhe0 -p impl=composed,fused
 * </pre>
 * {@link #main} is a separate check that the tiled MMA of a 100,000 x 512 classifier runs in
 * O(n d) memory: run it with a small -Xmx (the n x n cosine matrix alone would be 40 GB).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"})
public class RegularizerBench {
    @Param({"vgg19_bn"})
    public String model;

    @Param({"mma", "orthogonal", "mhe2", "mhe0"})
    public String reg;

    @Param({"composed", "fused", "tiled"})
    public String impl;

    private List<Variable> weights;
    private Regularizer regularizer;

    /** Weight shapes [out, in, kH, kW] or [out, in] of the model's Conv2d and Linear layers. */
    static List<int[]> shapes(String model) {
        List<int[]> s = new ArrayList<>();
        switch (model) {
            case "vgg19_bn" -> {
                // CIFAR VGG19-BN: blocks of 2, 2, 4, 4, 4 3x3 convs, then Linear 512 -> 100.
                int[][] blocks = {{64, 2}, {128, 2}, {256, 4}, {512, 4}, {512, 4}};
                int in = 3;
                for (int[] b : blocks) {
                    for (int k = 0; k < b[1]; k++) {
                        s.add(new int[] {b[0], in, 3, 3});
                        in = b[0];
                    }
                }
                s.add(new int[] {100, 512});
            }
            default -> throw new IllegalArgumentException("RegularizerBench: unknown model '" + model + "'; expected vgg19_bn");
        }
        return s;
    }

    @Setup
    public void setup() {
        Generator g = new Generator(42);
        weights = new ArrayList<>();
        for (int[] shape : shapes(model)) {
            int fanIn = 1;
            for (int k = 1; k < shape.length; k++) fanIn *= shape[k];
            weights.add(Variable.param(Tensor.randn(g, shape).mul((float) Math.sqrt(2.0 / fanIn))));
        }
        regularizer = Regularizers.of(reg, Impl.parse(impl), 0);
    }

    @Benchmark
    public float forwardBackward() {
        Variable total = null;
        for (Variable w : weights) {
            w.zeroGrad();
            Variable term = regularizer.apply(w);
            total = total == null ? term : total.add(term);
        }
        total.backward();
        return total.item();
    }

    /**
     * Tiled MMA forward + backward of one [n, d] weight (default 100,000 x 512), reporting time and
     * the peak heap in use. Usage: java -Xmx2g ... mma4j.bench.RegularizerBench [n] [d] [tile]
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int tile = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Variable w = Variable.param(Tensor.randn(new Generator(7), n, d));
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
        long t0 = System.nanoTime();
        Variable loss = new MmaLoss(Impl.TILED, tile).apply(w);
        long t1 = System.nanoTime();
        loss.backward();
        long t2 = System.nanoTime();
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
        double gib = 1 << 30;
        System.out.printf(Locale.ROOT, "tiled MMA, weight %d x %d, tile %d, %d threads: loss %.6f (mean nearest angle %.2f deg)%n", n, d, tile,
                mma4j.tensor.cpu.Parallel.threads(), loss.item(), Math.toDegrees(-loss.item()));
        System.out.printf(Locale.ROOT, "forward %.2f s, backward %.2f s; peak heap in use <= %.2f GiB (sum of pool peaks) of max %.2f GiB;"
                        + " weight %.2f GiB; an n x n float matrix would be %.1f GiB%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, peak / gib, Runtime.getRuntime().maxMemory() / gib, 4.0 * n * d / gib, 4.0 * n * n / gib);
    }
}
