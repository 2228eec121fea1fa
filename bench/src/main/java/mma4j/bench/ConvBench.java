package mma4j.bench;

import java.util.concurrent.TimeUnit;
import mma4j.tensor.Generator;
import mma4j.tensor.NnOps;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * 3x3 convolution layers of a CIFAR VGG at batch 32 (padding 1, stride 1, with bias): forward, and
 * forward + gradient w.r.t. input + gradient w.r.t. weight and bias, as one training step does.
 * The peer is {@code shared/peers/run_torch_peer.sh tuned b} (PyTorch + oneDNN, same shapes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
// The flags of BenchSupport.JVM_ARGS (an annotation needs them as literals).
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"})
public class ConvBench {
    static final int BATCH = 32;

    /** Cin x Cout x H (square H x W input). */
    @Param({"3x64x32", "64x64x32", "128x128x16", "256x256x8", "512x512x4", "512x512x2"})
    public String layer;

    /**
     * Whether 3x3 layers on small maps run Winograd F(2x2, 3x3) (mma4j.conv.winograd; A/B runs:
     * {@code -p winograd=false,true}). Conv reads the property when first used, which is after
     * setup in each fork, and JMH gives each parameter value its own fork.
     */
    @Param({"true"})
    public String winograd;

    /** Whether 3x3 layers on maps of at most 2x2 run one GEMM per tap (mma4j.conv.taps; A/B: {@code -p taps=false,true}). */
    @Param({"true"})
    public String taps;

    private Tensor x, w, b, gy;
    private int[] xShape, wShape;

    @Setup
    public void setup() {
        System.setProperty("mma4j.conv.winograd", winograd);
        System.setProperty("mma4j.conv.taps", taps);
        String[] p = layer.split("x");
        int cin = Integer.parseInt(p[0]), cout = Integer.parseInt(p[1]), h = Integer.parseInt(p[2]);
        Generator g = new Generator(0);
        xShape = new int[] {BATCH, cin, h, h};
        wShape = new int[] {cout, cin, 3, 3};
        x = Tensor.randn(g, xShape);
        w = Tensor.randn(g, wShape).mul((float) Math.sqrt(2.0 / (cin * 9)));
        b = Tensor.randn(g, cout);
        gy = Tensor.randn(g, BATCH, cout, h, h);
    }

    @Benchmark
    public Tensor forward() {
        return NnOps.conv2d(x, w, b, 1, 1);
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        bh.consume(NnOps.conv2d(x, w, b, 1, 1));
        bh.consume(NnOps.conv2dBackwardInput(gy, w, xShape, 1, 1));
        bh.consume(NnOps.conv2dBackwardWeight(x, gy, wShape, true, 1, 1));
    }

    /** Runs this benchmark with BenchSupport's fork flags (arguments: layer names, default all). */
    public static void main(String[] args) throws RunnerException {
        OptionsBuilder o = new OptionsBuilder();
        o.include(ConvBench.class.getSimpleName()).jvmArgsAppend(BenchSupport.JVM_ARGS);
        if (args.length > 0) o.param("layer", args);
        new Runner(o.build()).run();
    }
}
