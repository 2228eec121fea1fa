package mma4j.tensor.cpu;

import static mma4j.tensor.cpu.NnTestSupport.as;
import static mma4j.tensor.cpu.NnTestSupport.assertBitwiseEqual;
import static mma4j.tensor.cpu.NnTestSupport.assertClose;
import static mma4j.tensor.cpu.NnTestSupport.randn;
import static mma4j.tensor.cpu.NnTestSupport.tolerance;
import static mma4j.tensor.cpu.NnTestSupport.withSimd;
import static mma4j.tensor.cpu.NnTestSupport.withThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import mma4j.tensor.Generator;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.NnTestSupport.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** conv2d forward and both backwards against a direct-loop reference accumulated in double. */
class ConvTest {

    record Case(int n, int c, int f, int h, int w, int k, int stride, int pad, boolean bias) {
        int oh() { return (h + 2 * pad - k) / stride + 1; }
        int ow() { return (w + 2 * pad - k) / stride + 1; }
        int[] xShape() { return new int[] {n, c, h, w}; }
        int[] wShape() { return new int[] {f, c, k, k}; }
        int[] yShape() { return new int[] {n, f, oh(), ow()}; }
        int xNumel() { return n * c * h * w; }
        int wNumel() { return f * c * k * k; }
        int yNumel() { return n * f * oh() * ow(); }
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>(List.of(
                new Case(1, 1, 1, 5, 5, 3, 1, 1, true),      // 1 channel, 1 filter, batch 1
                new Case(1, 3, 4, 7, 9, 3, 2, 0, true),      // odd sizes, stride 2
                new Case(2, 2, 3, 5, 5, 5, 1, 2, false),     // kernel 5, padding 2
                new Case(3, 4, 5, 6, 7, 1, 1, 0, true),      // 1x1
                new Case(2, 3, 2, 5, 4, 1, 2, 0, true),      // 1x1 stride 2
                new Case(1, 2, 3, 5, 5, 5, 2, 2, true),
                new Case(2, 3, 2, 3, 3, 3, 1, 0, true),      // kernel = input: 1x1 output
                new Case(2, 1, 3, 4, 3, 5, 1, 1, true),      // kernel bigger than input, fits with padding
                new Case(2, 3, 5, 20, 37, 3, 1, 1, true),    // rows longer than a vector
                new Case(2, 4, 6, 19, 33, 5, 2, 2, false),
                new Case(2, 3, 4, 18, 35, 3, 1, 0, true),
                new Case(5, 5, 7, 9, 11, 3, 1, 1, true),     // more images than threads
                new Case(4, 32, 24, 2, 2, 3, 1, 1, true),    // tiny spatial, many channels
                new Case(3, 24, 17, 4, 4, 3, 1, 1, true),
                new Case(7, 3, 9, 1, 1, 1, 1, 0, true),      // 1x1 images
                new Case(2, 2, 3, 6, 6, 3, 2, 2, true),      // padding 2 with kernel 3
                new Case(2, 2, 2, 96, 90, 3, 1, 1, true),    // many output positions
                new Case(1, 2, 3, 100, 6, 3, 1, 1, true),    // a tall narrow image: several bands of rows
                new Case(1, 2, 2, 300, 7, 3, 2, 1, true),    // the same with stride 2
                new Case(1, 2, 2, 90, 40, 3, 2, 1, false),   // a wide image in bands, stride 2
                // 3x3 stride 1 padding 1 (DirectConv): weight gradient by filter blocks (16x16-ish maps,
                // whole blocks of 32 filters), by position lanes (>= 1024 positions), partial blocks of rows
                new Case(3, 5, 32, 16, 16, 3, 1, 1, true),
                new Case(2, 3, 64, 16, 20, 3, 1, 1, false),
                new Case(2, 3, 16, 16, 16, 3, 1, 1, true),   // 16 filters: blocks of 16 rows x one vector
                new Case(2, 11, 48, 17, 16, 3, 1, 1, true),
                new Case(3, 2, 9, 32, 32, 3, 1, 1, true),
                new Case(1, 9, 17, 33, 33, 3, 1, 1, true),
                new Case(2, 33, 12, 6, 6, 3, 1, 1, true),    // more channels than one block of DirectConv.CB
                // fewer filters than a vector (DenseNet's growth 12): the weight gradient pads them to one
                new Case(3, 40, 12, 8, 8, 3, 1, 1, true),
                new Case(2, 20, 12, 16, 16, 3, 1, 1, false),
                new Case(2, 7, 8, 12, 10, 3, 1, 1, true)));
        Generator g = new Generator(20261126);
        int[] ks = {1, 3, 5};
        for (int i = 0; i < 16; i++) {
            int k = ks[g.nextInt(3)], pad = g.nextInt(3), stride = 1 + g.nextInt(2);
            int lo = Math.max(1, k - 2 * pad);
            cs.add(new Case(1 + g.nextInt(3), 1 + g.nextInt(5), 1 + g.nextInt(6),
                    lo + g.nextInt(8), lo + g.nextInt(8), k, stride, pad, g.nextInt(2) == 0));
        }
        return cs;
    }

    static Stream<Arguments> matrix() {
        List<Arguments> a = new ArrayList<>();
        for (Case c : cases()) for (Layout l : Layout.values()) for (boolean simd : new boolean[] {true, false}) a.add(Arguments.of(c, l, simd));
        return a.stream();
    }

    /** Inputs of one case: logical values, drawn from a seed derived from the case. */
    record Data(float[] x, float[] w, float[] b, float[] gy) {
        static Data of(Case c) {
            Generator g = new Generator(c.hashCode());
            return new Data(randn(g, c.xNumel(), 1f, 0.25f), randn(g, c.wNumel(), 0.5f, 0f),
                    randn(g, c.f, 1f, 0f), randn(g, c.yNumel(), 1f, 0f));
        }
    }

    // ------------------------------------------------------------------ references (double)

    /** Forward: {values, sum of |terms|} per output element. */
    static double[][] refForward(Case c, Data d) {
        int oh = c.oh(), ow = c.ow();
        double[] y = new double[c.yNumel()], mag = new double[y.length];
        for (int n = 0; n < c.n; n++) for (int f = 0; f < c.f; f++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double s = c.bias ? d.b[f] : 0, m = c.bias ? Math.abs(d.b[f]) : 0;
            for (int ch = 0; ch < c.c; ch++) for (int ki = 0; ki < c.k; ki++) for (int kj = 0; kj < c.k; kj++) {
                int iy = oy * c.stride - c.pad + ki, ix = ox * c.stride - c.pad + kj;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                double t = (double) d.w[((f * c.c + ch) * c.k + ki) * c.k + kj] * d.x[((n * c.c + ch) * c.h + iy) * c.w + ix];
                s += t;
                m += Math.abs(t);
            }
            int o = ((n * c.f + f) * oh + oy) * ow + ox;
            y[o] = s;
            mag[o] = m;
        }
        return new double[][] {y, mag};
    }

    /** Both backwards at once: {gx, |gx terms|, gw, |gw terms|, gb, |gb terms|}. */
    static double[][] refBackward(Case c, Data d) {
        int oh = c.oh(), ow = c.ow();
        double[] gx = new double[c.xNumel()], gxm = new double[gx.length];
        double[] gw = new double[c.wNumel()], gwm = new double[gw.length];
        double[] gb = new double[c.f], gbm = new double[c.f];
        for (int n = 0; n < c.n; n++) for (int f = 0; f < c.f; f++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double g = d.gy[((n * c.f + f) * oh + oy) * ow + ox];
            gb[f] += g;
            gbm[f] += Math.abs(g);
            for (int ch = 0; ch < c.c; ch++) for (int ki = 0; ki < c.k; ki++) for (int kj = 0; kj < c.k; kj++) {
                int iy = oy * c.stride - c.pad + ki, ix = ox * c.stride - c.pad + kj;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                int xi = ((n * c.c + ch) * c.h + iy) * c.w + ix, wi = ((f * c.c + ch) * c.k + ki) * c.k + kj;
                double tx = g * d.w[wi], tw = g * d.x[xi];
                gx[xi] += tx;
                gxm[xi] += Math.abs(tx);
                gw[wi] += tw;
                gwm[wi] += Math.abs(tw);
            }
        }
        return new double[][] {gx, gxm, gw, gwm, gb, gbm};
    }

    // ------------------------------------------------------------------ tests

    private static final double REL = 1e-5, ABS = 1e-6;

    @ParameterizedTest(name = "{0} {1} simd={2}")
    @MethodSource("matrix")
    void forwardMatchesDirectLoop(Case c, Layout layout, boolean simd) {
        Data d = Data.of(c);
        Tensor x = as(layout, d.x, c.xShape()), w = as(layout, d.w, c.wShape());
        Tensor b = c.bias ? as(layout, d.b, c.f) : null;
        Tensor y = withSimd(simd, () -> NnOps.conv2d(x, w, b, c.stride, c.pad));
        assertEquals(List.of(c.n, c.f, c.oh(), c.ow()), List.of(y.size(0), y.size(1), y.size(2), y.size(3)));
        double[][] ref = refForward(c, d);
        assertClose("conv2d " + c, c.yShape(), ref[0], tolerance(ref[1], REL, ABS), y.toArray());
    }

    @ParameterizedTest(name = "{0} {1} simd={2}")
    @MethodSource("matrix")
    void backwardInputMatchesDirectLoop(Case c, Layout layout, boolean simd) {
        Data d = Data.of(c);
        Tensor gy = as(layout, d.gy, c.yShape()), w = as(layout, d.w, c.wShape());
        Tensor gx = withSimd(simd, () -> NnOps.conv2dBackwardInput(gy, w, c.xShape(), c.stride, c.pad));
        double[][] ref = refBackward(c, d);
        assertClose("conv2d grad input " + c, c.xShape(), ref[0], tolerance(ref[1], REL, ABS), gx.toArray());
    }

    @ParameterizedTest(name = "{0} {1} simd={2}")
    @MethodSource("matrix")
    void backwardWeightAndBiasMatchDirectLoop(Case c, Layout layout, boolean simd) {
        Data d = Data.of(c);
        Tensor x = as(layout, d.x, c.xShape()), gy = as(layout, d.gy, c.yShape());
        Tensor[] g = withSimd(simd, () -> NnOps.conv2dBackwardWeight(x, gy, c.wShape(), c.bias, c.stride, c.pad));
        double[][] ref = refBackward(c, d);
        assertClose("conv2d grad weight " + c, c.wShape(), ref[2], tolerance(ref[3], REL, ABS), g[0].toArray());
        if (c.bias) assertClose("conv2d grad bias " + c, new int[] {c.f}, ref[4], tolerance(ref[5], REL, ABS), g[1].toArray());
        else assertNull(g[1]);
    }

    @Test
    void backwardWeightOverwritesRatherThanAccumulates() {
        // The same call twice must give the same answer (no state carried in reused buffers).
        Case c = new Case(3, 4, 5, 8, 8, 3, 1, 1, true);
        Data d = Data.of(c);
        Tensor x = Tensor.of(d.x, c.xShape()), gy = Tensor.of(d.gy, c.yShape());
        float[] first = NnOps.conv2dBackwardWeight(x, gy, c.wShape(), true, 1, 1)[0].toArray();
        float[] second = NnOps.conv2dBackwardWeight(x, gy, c.wShape(), true, 1, 1)[0].toArray();
        assertBitwiseEqual("grad weight, second call", first, second);
    }

    static Stream<Arguments> determinismCases() {
        List<Arguments> a = new ArrayList<>();
        for (int threads : new int[] {2, 3}) {
            a.add(Arguments.of(new Case(6, 16, 16, 12, 12, 3, 1, 1, true), threads));
            a.add(Arguments.of(new Case(9, 32, 40, 4, 4, 3, 1, 1, true), threads));
            a.add(Arguments.of(new Case(5, 8, 12, 15, 13, 5, 2, 2, true), threads));
            a.add(Arguments.of(new Case(4, 4, 3, 64, 64, 3, 1, 1, true), threads));
            a.add(Arguments.of(new Case(11, 6, 32, 16, 16, 3, 1, 1, true), threads));
            a.add(Arguments.of(new Case(10, 40, 19, 32, 32, 3, 1, 1, true), threads));
        }
        return a.stream();
    }

    static Stream<Case> threadCountCases() {
        return Stream.concat(cases().stream(), determinismCases().map(a -> (Case) a.get()[0])).distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("threadCountCases")
    void resultsDoNotDependOnTheThreadCount(Case c) {
        // groups are cut by shape alone and Gemm is thread-count independent, so even the
        // weight gradient's partial sums are added in the same order on 1, 2 or 3 threads
        Data d = Data.of(c);
        float[][] one = withThreads(1, () -> runAll(c, d));
        for (int threads : new int[] {2, 3}) {
            float[][] many = withThreads(threads, () -> runAll(c, d));
            String[] names = {"forward", "grad input", "grad weight", "grad bias"};
            for (int i = 0; i < names.length; i++) assertBitwiseEqual("conv2d " + names[i] + " " + c + " on 1 vs " + threads + " threads", one[i], many[i]);
        }
    }

    @ParameterizedTest(name = "{0} threads={1}")
    @MethodSource("determinismCases")
    void sameInputsAndThreadsGiveBitwiseIdenticalResults(Case c, int threads) {
        Data d = Data.of(c);
        float[][] first = withThreads(threads, () -> runAll(c, d));
        float[][] second = withThreads(threads, () -> runAll(c, d));
        String[] names = {"forward", "grad input", "grad weight", "grad bias"};
        for (int i = 0; i < names.length; i++) assertBitwiseEqual("conv2d " + names[i] + " " + c, first[i], second[i]);
        // and the parallel answer is a right one
        double[][] ref = refForward(c, d);
        assertClose("conv2d " + c, c.yShape(), ref[0], tolerance(ref[1], REL, ABS), first[0]);
        double[][] rb = refBackward(c, d);
        assertClose("conv2d grad input " + c, c.xShape(), rb[0], tolerance(rb[1], REL, ABS), first[1]);
        assertClose("conv2d grad weight " + c, c.wShape(), rb[2], tolerance(rb[3], REL, ABS), first[2]);
    }

    private static float[][] runAll(Case c, Data d) {
        Tensor x = Tensor.of(d.x, c.xShape()), w = Tensor.of(d.w, c.wShape()), b = Tensor.of(d.b, c.f), gy = Tensor.of(d.gy, c.yShape());
        Tensor y = NnOps.conv2d(x, w, b, c.stride, c.pad);
        Tensor gx = NnOps.conv2dBackwardInput(gy, w, c.xShape(), c.stride, c.pad);
        Tensor[] gw = NnOps.conv2dBackwardWeight(x, gy, c.wShape(), true, c.stride, c.pad);
        return new float[][] {y.toArray(), gx.toArray(), gw[0].toArray(), gw[1].toArray()};
    }

    // ------------------------------------------------------------------ errors

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should name " + p);
    }

    @Test
    void channelMismatchIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2d(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(4, 2, 3, 3), null, 1, 1));
        assertMessage(e, "conv2d", "[2, 3, 8, 8]", "[4, 2, 3, 3]");
    }

    @Test
    void kernelBiggerThanInputIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2d(Tensor.zeros(1, 1, 2, 6), Tensor.zeros(1, 1, 5, 5), null, 1, 1));
        assertMessage(e, "conv2d", "[1, 1, 2, 6]", "[1, 1, 5, 5]");
    }

    @Test
    void badBiasShapeIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 3, 3, 3), Tensor.zeros(3), 1, 1));
        assertMessage(e, "conv2d", "[3]", "[4, 3, 3, 3]");
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 3, 3, 3), Tensor.zeros(4, 1), 1, 1));
        assertMessage(e2, "conv2d", "[4, 1]");
    }

    @Test
    void badRankStrideAndPaddingAreRejected() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2d(Tensor.zeros(3, 8, 8), Tensor.zeros(4, 3, 3, 3), null, 1, 1)), "conv2d", "[3, 8, 8]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 3, 3, 3), null, 0, 1)), "conv2d", "stride 0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 3, 3, 3), null, 1, -1)), "conv2d", "padding -1");
    }

    @Test
    void backwardShapeMismatchesAreRejected() {
        Tensor w = Tensor.zeros(4, 3, 3, 3);
        // grad output [1,4,8,8] cannot come from an input [1,3,6,6] with padding 1
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2dBackwardInput(Tensor.zeros(1, 4, 8, 8), w, new int[] {1, 3, 6, 6}, 1, 1)),
                "conv2dBackwardInput", "[1, 4, 8, 8]", "[1, 3, 6, 6]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2dBackwardInput(Tensor.zeros(1, 5, 8, 8), w, new int[] {1, 3, 8, 8}, 1, 1)),
                "conv2dBackwardInput", "[1, 5, 8, 8]", "[4, 3, 3, 3]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.conv2dBackwardWeight(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(1, 4, 8, 8), new int[] {4, 3, 3, 3}, true, 1, 1)),
                "conv2dBackwardWeight", "[2, 3, 8, 8]", "[1, 4, 8, 8]");
    }
}
