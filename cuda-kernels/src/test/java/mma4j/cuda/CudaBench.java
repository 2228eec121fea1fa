package mma4j.cuda;

import java.util.concurrent.TimeUnit;
import mma4j.tensor.Backends;
import mma4j.tensor.Device;
import mma4j.tensor.Generator;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the CUDA kernels, named after the CPU ones in bench/ (GemmBench.matmul,
 * ConvBench.forward/forwardBackward, the fused MMA op). Every operation ends with a device
 * synchronize, so a score is the time until the result exists; outputs are closed at once so
 * device memory does not wait for the GC. Run by cuda-kernels/gpu-check.sh; -p device=cpu
 * measures the same operations on the CPU backend.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmx8g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CudaBench {

    static void finish(Device device, Tensor... outputs) {
        Backends.forDevice(device).synchronize(device);
        for (Tensor t : outputs) if (t != null) t.storage().close();
    }

    @State(Scope.Benchmark)
    public static class GemmState {
        @Param({"256", "1024", "2048", "4096"})
        public int n;
        @Param({"cuda"})
        public String device;
        Device dev;
        Tensor a, b;

        @Setup(Level.Trial)
        public void setup() {
            dev = Device.parse(device);
            Generator g = new Generator(1);
            a = Tensor.randn(g, n, n).to(dev);
            b = Tensor.randn(g, n, n).to(dev);
        }
    }

    /** n x n x n single-precision matmul. */
    @Benchmark
    public Tensor matmul(GemmState s) {
        Tensor c = s.a.matmul(s.b);
        finish(s.dev, c);
        return c;
    }

    @State(Scope.Benchmark)
    public static class ConvState {
        /** Cin x Cout x H (= W), batch 32, 3x3 kernel, stride 1, padding 1: ConvBench's layers. */
        @Param({"3x64x32", "64x64x32", "128x128x16", "256x256x8", "512x512x4", "512x512x2"})
        public String layer;
        @Param({"cuda"})
        public String device;
        Device dev;
        Tensor x, w, b, gy;

        @Setup(Level.Trial)
        public void setup() {
            dev = Device.parse(device);
            String[] p = layer.split("x");
            int cin = Integer.parseInt(p[0]), cout = Integer.parseInt(p[1]), h = Integer.parseInt(p[2]);
            Generator g = new Generator(2);
            x = Tensor.randn(g, 32, cin, h, h).to(dev);
            w = Tensor.randn(g, cout, cin, 3, 3).mul(0.1f).to(dev);
            b = Tensor.randn(g, cout).to(dev);
            gy = Tensor.randn(g, 32, cout, h, h).to(dev);
        }
    }

    @Benchmark
    public Tensor convForward(ConvState s) {
        Tensor y = NnOps.conv2d(s.x, s.w, s.b, 1, 1);
        finish(s.dev, y);
        return y;
    }

    /** Forward, then the input and weight (and bias) gradients. */
    @Benchmark
    public Tensor convForwardBackward(ConvState s) {
        Tensor y = NnOps.conv2d(s.x, s.w, s.b, 1, 1);
        Tensor gx = NnOps.conv2dBackwardInput(s.gy, s.w, s.x.shape(), 1, 1);
        Tensor[] gw = NnOps.conv2dBackwardWeight(s.x, s.gy, s.w.shape(), true, 1, 1);
        finish(s.dev, y, gx, gw[0], gw[1]);
        return gx;
    }

    @State(Scope.Benchmark)
    public static class MmaState {
        /** rows x dim of a weight: VGG's last conv (512 filters of 512*3*3), a 10k- and a 20k-class classifier. */
        @Param({"512x4608", "10000x512", "20000x512"})
        public String weight;
        @Param({"cuda"})
        public String device;
        Device dev;
        Tensor w, maxCos, nearest, up, gw;

        @Setup(Level.Trial)
        public void setup() {
            dev = Device.parse(device);
            String[] p = weight.split("x");
            int n = Integer.parseInt(p[0]), d = Integer.parseInt(p[1]);
            Generator g = new Generator(3);
            Tensor cpu = Tensor.randn(g, n, d);
            cpu = cpu.div(cpu.square().sum(new int[] {1}, true).sqrt());
            w = cpu.to(dev);
            maxCos = Tensor.empty(dev, n);
            nearest = Tensor.empty(dev, n);
            w.kernels().nearestCosine(w, maxCos, nearest);
            up = Tensor.randn(g, n).to(dev);
            gw = Tensor.empty(dev, n, d);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {w, maxCos, nearest, up, gw}) t.storage().close();
        }
    }

    /** The fused MMA forward: every row's nearest neighbour by cosine, no n x n matrix stored. */
    @Benchmark
    public Tensor nearestCosine(MmaState s) {
        s.w.kernels().nearestCosine(s.w, s.maxCos, s.nearest);
        finish(s.dev);
        return s.maxCos;
    }

    /** The fused MMA backward (includes reading the nearest indices back to build the pair lists). */
    @Benchmark
    public Tensor nearestCosineBackward(MmaState s) {
        s.w.kernels().nearestCosineBackward(s.w, s.nearest, s.up, s.gw);
        finish(s.dev);
        return s.gw;
    }
}
