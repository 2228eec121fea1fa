package mma4j.tensor.cpu;

import static mma4j.tensor.cpu.NnTestSupport.as;
import static mma4j.tensor.cpu.NnTestSupport.assertBitwiseEqual;
import static mma4j.tensor.cpu.NnTestSupport.assertClose;
import static mma4j.tensor.cpu.NnTestSupport.randn;
import static mma4j.tensor.cpu.NnTestSupport.tolerance;
import static mma4j.tensor.cpu.NnTestSupport.withSimd;
import static mma4j.tensor.cpu.NnTestSupport.withThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** Max and average pooling, forward and backward, against direct loops in double. */
class PoolTest {

    record Case(int n, int c, int h, int w, int k, int stride, int pad) {
        int oh() { return (h + 2 * pad - k) / stride + 1; }
        int ow() { return (w + 2 * pad - k) / stride + 1; }
        int[] xShape() { return new int[] {n, c, h, w}; }
        int[] yShape() { return new int[] {n, c, oh(), ow()}; }
        int xNumel() { return n * c * h * w; }
        int yNumel() { return n * c * oh() * ow(); }
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>(List.of(
                new Case(1, 1, 4, 4, 2, 2, 0),
                new Case(2, 3, 7, 9, 3, 2, 1),      // overlapping windows, padding, odd sizes
                new Case(2, 2, 5, 5, 3, 1, 1),      // heavy overlap
                new Case(1, 2, 6, 5, 2, 1, 0),
                new Case(2, 1, 9, 8, 3, 3, 0),      // windows that skip the last row/column
                new Case(1, 2, 20, 35, 3, 2, 1),    // rows longer than a vector
                new Case(2, 3, 33, 17, 2, 2, 0),
                new Case(2, 2, 32, 40, 2, 2, 0),    // the common 2x2/2 layer with vector-length rows
                new Case(1, 1, 1, 1, 1, 1, 0),
                new Case(3, 2, 4, 4, 4, 4, 2),      // padding = k/2
                new Case(2, 3, 8, 8, 8, 8, 0),      // global pooling
                new Case(1, 4, 5, 7, 5, 1, 2)));
        Generator g = new Generator(7);
        for (int i = 0; i < 12; i++) {
            int k = 1 + g.nextInt(4), pad = g.nextInt(k / 2 + 1), stride = 1 + g.nextInt(3);
            int lo = Math.max(1, k - 2 * pad);
            cs.add(new Case(1 + g.nextInt(3), 1 + g.nextInt(4), lo + g.nextInt(9), lo + g.nextInt(9), k, stride, pad));
        }
        return cs;
    }

    static Stream<Arguments> matrix() {
        List<Arguments> a = new ArrayList<>();
        for (Case c : cases()) for (Layout l : Layout.values()) for (boolean simd : new boolean[] {true, false}) a.add(Arguments.of(c, l, simd));
        return a.stream();
    }

    /** Small integers, so that windows often hold several equal maxima. */
    static float[] withTies(Generator g, int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = g.nextInt(4) - 2;
        return d;
    }

    // ------------------------------------------------------------------ references

    /** {max values, flat h*W+w index of the first maximum in row-major window order}. NaN wins. */
    static double[][] refMax(Case c, float[] x) {
        int oh = c.oh(), ow = c.ow();
        double[] y = new double[c.yNumel()], idx = new double[y.length];
        for (int p = 0; p < c.n * c.c; p++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double best = Double.NEGATIVE_INFINITY;
            int bi = -1;
            search:
            for (int ky = 0; ky < c.k; ky++) for (int kx = 0; kx < c.k; kx++) {
                int iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                float v = x[(p * c.h + iy) * c.w + ix];
                if (Float.isNaN(v)) {
                    best = Double.NaN;
                    bi = iy * c.w + ix;
                    break search;
                }
                if (bi < 0 || v > best) {
                    best = v;
                    bi = iy * c.w + ix;
                }
            }
            int o = (p * oh + oy) * ow + ox;
            y[o] = best;
            idx[o] = bi;
        }
        return new double[][] {y, idx};
    }

    static double[] refMaxBackward(Case c, double[] idx, float[] gy) {
        double[] gx = new double[c.xNumel()];
        int ohw = c.oh() * c.ow();
        for (int p = 0; p < c.n * c.c; p++) for (int i = 0; i < ohw; i++) gx[p * c.h * c.w + (int) idx[p * ohw + i]] += gy[p * ohw + i];
        return gx;
    }

    /** Average with zero padding counted in the divisor (count_include_pad=True). */
    static double[] refAvg(Case c, float[] x) {
        int oh = c.oh(), ow = c.ow();
        double[] y = new double[c.yNumel()];
        for (int p = 0; p < c.n * c.c; p++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double s = 0;
            for (int ky = 0; ky < c.k; ky++) for (int kx = 0; kx < c.k; kx++) {
                int iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx;
                if (iy >= 0 && iy < c.h && ix >= 0 && ix < c.w) s += x[(p * c.h + iy) * c.w + ix];
            }
            y[(p * oh + oy) * ow + ox] = s / (c.k * c.k);
        }
        return y;
    }

    static double[] refAvgBackward(Case c, float[] gy) {
        int oh = c.oh(), ow = c.ow();
        double[] gx = new double[c.xNumel()];
        for (int p = 0; p < c.n * c.c; p++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double v = gy[(p * oh + oy) * ow + ox] / (double) (c.k * c.k);
            for (int ky = 0; ky < c.k; ky++) for (int kx = 0; kx < c.k; kx++) {
                int iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx;
                if (iy >= 0 && iy < c.h && ix >= 0 && ix < c.w) gx[(p * c.h + iy) * c.w + ix] += v;
            }
        }
        return gx;
    }

    private static float[] abs(float[] v) {
        float[] a = new float[v.length];
        for (int i = 0; i < a.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }

    // ------------------------------------------------------------------ tests

    @ParameterizedTest(name = "{0} {1} simd={2}")
    @MethodSource("matrix")
    void maxPoolForwardAndBackwardMatchDirectLoop(Case c, Layout layout, boolean simd) {
        Generator g = new Generator(c.hashCode());
        float[] xv = withTies(g, c.xNumel()), gyv = randn(g, c.yNumel(), 1f, 0f);
        Tensor x = as(layout, xv, c.xShape()), gy = as(layout, gyv, c.yShape());
        double[][] ref = refMax(c, xv);
        NnOps.MaxPoolResult r = withSimd(simd, () -> NnOps.maxPool2d(x, c.k, c.stride, c.pad));
        assertClose("maxPool2d " + c, c.yShape(), ref[0], new double[ref[0].length], r.output().toArray());
        assertClose("maxPool2d indices " + c, c.yShape(), ref[1], new double[ref[1].length], r.indices().toArray());
        Tensor idx = as(layout, r.indices().toArray(), c.yShape());
        Tensor gx = withSimd(simd, () -> NnOps.maxPool2dBackward(gy, idx, c.xShape()));
        double[] want = refMaxBackward(c, ref[1], gyv);
        // Several windows can pick the same input: float sums of a few terms.
        assertClose("maxPool2d grad " + c, c.xShape(), want, tolerance(refMaxBackward(c, ref[1], abs(gyv)), 1e-6, 1e-7), gx.toArray());
    }

    @ParameterizedTest(name = "{0} {1} simd={2}")
    @MethodSource("matrix")
    void avgPoolForwardAndBackwardMatchDirectLoop(Case c, Layout layout, boolean simd) {
        Generator g = new Generator(c.hashCode() + 1);
        float[] xv = randn(g, c.xNumel(), 1f, 0.5f), gyv = randn(g, c.yNumel(), 1f, 0f);
        Tensor x = as(layout, xv, c.xShape()), gy = as(layout, gyv, c.yShape());
        double[] want = refAvg(c, xv);
        Tensor y = withSimd(simd, () -> NnOps.avgPool2d(x, c.k, c.stride, c.pad));
        assertClose("avgPool2d " + c, c.yShape(), want, tolerance(refAvg(c, abs(xv)), 4e-6, 1e-7), y.toArray());
        Tensor gx = withSimd(simd, () -> NnOps.avgPool2dBackward(gy, c.xShape(), c.k, c.stride, c.pad));
        double[] gwant = refAvgBackward(c, gyv);
        assertClose("avgPool2d grad " + c, c.xShape(), gwant, tolerance(refAvgBackward(c, abs(gyv)), 4e-6, 1e-7), gx.toArray());
    }

    @Test
    void maxPoolPropagatesNaNAndHandlesInfinities() {
        Case c = new Case(1, 1, 4, 6, 2, 2, 0);
        float n = Float.NaN, inf = Float.POSITIVE_INFINITY, ninf = Float.NEGATIVE_INFINITY;
        float[] xv = {
            1, n, ninf, ninf, 3, 3,
            2, 0, ninf, ninf, 3, inf,
            n, n, 5, 4, -1, -2,
            0, 9, 4, 5, -3, -1};
        for (boolean simd : new boolean[] {true, false}) {
            NnOps.MaxPoolResult r = withSimd(simd, () -> NnOps.maxPool2d(Tensor.of(xv, c.xShape()), 2, 2, 0));
            double[][] ref = refMax(c, xv);
            assertClose("maxPool2d NaN/inf simd=" + simd, c.yShape(), ref[0], new double[6], r.output().toArray());
            assertArrayEquals(new float[] {1, 2, 11, 12, 14, 16}, r.indices().toArray(), "indices simd=" + simd);
        }
    }

    static Stream<Arguments> determinismCases() {
        return Stream.of(2, 3).flatMap(t -> Stream.of(
                Arguments.of(new Case(4, 16, 32, 32, 2, 2, 0), t),
                Arguments.of(new Case(3, 24, 17, 19, 3, 2, 1), t)));
    }

    @ParameterizedTest(name = "{0} threads={1}")
    @MethodSource("determinismCases")
    void sameInputsAndThreadsGiveBitwiseIdenticalResults(Case c, int threads) {
        Generator g = new Generator(3);
        float[] xv = randn(g, c.xNumel(), 1f, 0f), gyv = randn(g, c.yNumel(), 1f, 0f);
        float[][] a = withThreads(threads, () -> runAll(c, xv, gyv)), b = withThreads(threads, () -> runAll(c, xv, gyv));
        for (int i = 0; i < a.length; i++) assertBitwiseEqual("pool output " + i + " " + c, a[i], b[i]);
        assertClose("maxPool2d grad " + c, c.xShape(), refMaxBackward(c, refMax(c, xv)[1], gyv), tolerance(new double[c.xNumel()], 0, 1e-5), a[2]);
    }

    private static float[][] runAll(Case c, float[] xv, float[] gyv) {
        Tensor x = Tensor.of(xv, c.xShape()), gy = Tensor.of(gyv, c.yShape());
        NnOps.MaxPoolResult m = NnOps.maxPool2d(x, c.k, c.stride, c.pad);
        return new float[][] {m.output().toArray(), m.indices().toArray(), NnOps.maxPool2dBackward(gy, m.indices(), c.xShape()).toArray(),
            NnOps.avgPool2d(x, c.k, c.stride, c.pad).toArray(), NnOps.avgPool2dBackward(gy, c.xShape(), c.k, c.stride, c.pad).toArray()};
    }

    // ------------------------------------------------------------------ errors

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should name " + p);
    }

    @Test
    void kernelBiggerThanInputIsRejected() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> NnOps.maxPool2d(Tensor.zeros(1, 2, 3, 8), 4, 4, 0)),
                "maxPool2d", "[1, 2, 3, 8]", "kernel 4");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> NnOps.avgPool2d(Tensor.zeros(1, 2, 8, 3), 4, 4, 0)),
                "avgPool2d", "[1, 2, 8, 3]", "kernel 4");
    }

    @Test
    void badRankStrideAndPaddingAreRejected() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> NnOps.maxPool2d(Tensor.zeros(2, 8, 8), 2, 2, 0)),
                "maxPool2d", "[2, 8, 8]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> NnOps.maxPool2d(Tensor.zeros(1, 1, 8, 8), 2, 2, 2)),
                "maxPool2d", "padding 2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> NnOps.avgPool2d(Tensor.zeros(1, 1, 8, 8), 2, 0, 0)),
                "avgPool2d", "stride 0");
    }
}
