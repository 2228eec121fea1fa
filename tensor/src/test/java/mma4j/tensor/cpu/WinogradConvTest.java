package mma4j.tensor.cpu;

import static mma4j.tensor.cpu.NnTestSupport.assertBitwiseEqual;
import static mma4j.tensor.cpu.NnTestSupport.assertClose;
import static mma4j.tensor.cpu.NnTestSupport.tolerance;
import static mma4j.tensor.cpu.NnTestSupport.withSimd;
import static mma4j.tensor.cpu.NnTestSupport.withThreads;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.ConvTest.Case;
import mma4j.tensor.cpu.ConvTest.Data;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * WinogradConv's three passes, called directly (so that small shapes, which Conv sends elsewhere,
 * exercise it), against ConvTest's direct-loop reference in double.
 *
 * <p>Tolerance: ConvTest's, {@code 1e-5 * (sum of |terms|) + 1e-6} per element. F(2x2, 3x3)
 * adds and subtracts a few inputs (and filter taps) before it multiplies and a tile's 16 products
 * after, so each term carries a few more roundings than in the direct sum: a constant factor,
 * not one that grows with the size. The worst error seen in these tests was below
 * 2e-6 * (sum of |terms|) (the weight gradient), so the bound has a margin of 5.
 */
class WinogradConvTest {
    private static final double REL = 1e-5, ABS = 1e-6;
    /** Where the inputs and outputs start in their arrays: NaNs before and after catch stray reads and writes. */
    private static final int X_OFF = 5, W_OFF = 3, B_OFF = 2, GY_OFF = 7, OUT_OFF = 1;

    /** Forward, grad input, grad weight, grad bias (empty without bias) of case c. */
    static float[][] run(Case c, Data d) {
        Conv.Geometry g = new Conv.Geometry(c.n(), c.c(), c.h(), c.w(), c.f(), 3, 3, 1, 1, c.h(), c.w());
        float[] x = embed(d.x(), X_OFF), w = embed(d.w(), W_OFF), b = embed(d.b(), B_OFF), gy = embed(d.gy(), GY_OFF);
        float[] y = embed(new float[c.yNumel()], OUT_OFF), gx = embed(new float[c.xNumel()], OUT_OFF);
        float[] gw = embed(new float[c.wNumel()], OUT_OFF), gb = embed(new float[c.f()], OUT_OFF);
        Arrays.fill(y, Float.NaN);
        Arrays.fill(gx, Float.NaN);
        Arrays.fill(gw, Float.NaN);
        Arrays.fill(gb, Float.NaN);
        WinogradConv.forward(g, x, X_OFF, w, W_OFF, c.bias() ? b : null, B_OFF, y, OUT_OFF);
        WinogradConv.backwardInput(g, gy, GY_OFF, w, W_OFF, gx, OUT_OFF);
        WinogradConv.backwardWeight(g, x, X_OFF, gy, GY_OFF, gw, OUT_OFF, c.bias() ? gb : null, OUT_OFF);
        return new float[][] {part(y, c.yNumel()), part(gx, c.xNumel()), part(gw, c.wNumel()), c.bias() ? part(gb, c.f()) : new float[0]};
    }

    /** v at offset off of a NaN-filled array with a few NaNs after it too. */
    private static float[] embed(float[] v, int off) {
        float[] a = new float[off + v.length + 4];
        Arrays.fill(a, Float.NaN);
        System.arraycopy(v, 0, a, off, v.length);
        return a;
    }

    /** The n values written from OUT_OFF; the NaN margins around them must be untouched. */
    private static float[] part(float[] a, int n) {
        for (int i = 0; i < a.length; i++) {
            if ((i < OUT_OFF || i >= OUT_OFF + n) && !Float.isNaN(a[i])) fail("wrote outside its output at " + i);
        }
        return Arrays.copyOfRange(a, OUT_OFF, OUT_OFF + n);
    }

    private static void assertMatchesReference(Case c, float[][] got) {
        Data d = Data.of(c);
        double[][] f = ConvTest.refForward(c, d), b = ConvTest.refBackward(c, d);
        assertClose("winograd forward " + c, c.yShape(), f[0], tolerance(f[1], REL, ABS), got[0]);
        assertClose("winograd grad input " + c, c.xShape(), b[0], tolerance(b[1], REL, ABS), got[1]);
        assertClose("winograd grad weight " + c, c.wShape(), b[2], tolerance(b[3], REL, ABS), got[2]);
        if (c.bias()) assertClose("winograd grad bias " + c, new int[] {c.f()}, b[4], tolerance(b[5], REL, ABS), got[3]);
    }

    @Property(tries = 60)
    void randomShapesMatchTheDirectLoop(@ForAll @IntRange(min = 1, max = 4) int n,
                                        @ForAll @IntRange(min = 1, max = 40) int c,
                                        @ForAll @IntRange(min = 1, max = 40) int f,
                                        @ForAll @IntRange(min = 1, max = 9) int h,
                                        @ForAll @IntRange(min = 1, max = 9) int w,
                                        @ForAll boolean bias, @ForAll boolean simd) {
        Case k = new Case(n, c, f, h, w, 3, 1, 1, bias);
        assertMatchesReference(k, withSimd(simd, () -> run(k, Data.of(k))));
    }

    static final List<Case> CASES = List.of(
            new Case(1, 8, 8, 4, 4, 3, 1, 1, true),      // batch 1
            new Case(3, 17, 33, 4, 4, 3, 1, 1, true),    // odd batch, channels not multiples of 16
            new Case(5, 40, 24, 2, 2, 3, 1, 1, false),   // 2x2 maps: one tile per image
            new Case(2, 20, 36, 5, 7, 3, 1, 1, true),    // odd sizes: partial tiles at the bottom and right
            new Case(4, 32, 32, 8, 8, 3, 1, 1, true),
            new Case(1, 3, 5, 1, 1, 3, 1, 1, true),      // 1x1 maps
            new Case(5, 5, 6, 32, 32, 3, 1, 1, true),    // chunks of CHUNK_TILES: 2 + 2 + 1 images
            new Case(3, 2, 3, 33, 31, 3, 1, 1, true));   // one image per chunk, odd sizes

    @Example
    void chosenShapesMatchTheDirectLoopWithAndWithoutSimd() {
        for (Case c : CASES) {
            for (boolean simd : new boolean[] {true, false}) assertMatchesReference(c, withSimd(simd, () -> run(c, Data.of(c))));
        }
    }

    @Example
    void resultsDoNotDependOnTheThreadCount() {
        String[] names = {"forward", "grad input", "grad weight", "grad bias"};
        for (Case c : CASES) {
            Data d = Data.of(c);
            float[][] one = withThreads(1, () -> run(c, d));
            for (int threads : new int[] {2, 3}) {
                float[][] many = withThreads(threads, () -> run(c, d));
                for (int i = 0; i < names.length; i++) assertBitwiseEqual("winograd " + names[i] + " " + c + " on 1 vs " + threads + " threads", one[i], many[i]);
            }
        }
    }

    @Example
    void appliesToManyChannelsOnMapsOfAtLeast4x4Only() {
        assertTrue(WinogradConv.applies(geometry(32, 512, 512, 4, 3, 1, 1)));
        assertTrue(WinogradConv.applies(geometry(32, 256, 256, 8, 3, 1, 1)));
        assertTrue(WinogradConv.applies(geometry(32, 128, 128, 16, 3, 1, 1)));
        assertFalse(WinogradConv.applies(geometry(32, 512, 512, 2, 3, 1, 1)), "2x2 maps");
        assertFalse(WinogradConv.applies(geometry(32, 512, 512, 4, 3, 2, 1)), "stride 2");
        assertFalse(WinogradConv.applies(geometry(32, 512, 512, 4, 1, 1, 0)), "1x1");
        assertFalse(WinogradConv.applies(geometry(32, 512, 512, 6, 3, 1, 0)), "padding 0");
        assertFalse(WinogradConv.applies(geometry(32, 64, 64, 8, 3, 1, 1)), "64 channels");
        assertFalse(WinogradConv.applies(geometry(32, 3, 128, 32, 3, 1, 1)), "3 input channels");
    }

    private static Conv.Geometry geometry(int n, int c, int f, int h, int k, int stride, int pad) {
        int o = (h + 2 * pad - k) / stride + 1;
        return new Conv.Geometry(n, c, h, h, f, k, k, stride, pad, o, o);
    }

    @Example
    void convUsesItWhereItAppliesAndTheSwitchTurnsItOff() {
        Case c = new Case(3, WinogradConv.MIN_CHANNELS, WinogradConv.MIN_CHANNELS, 4, 5, 3, 1, 1, true);
        Data d = Data.of(c);
        float[][] direct = run(c, d);
        assertMatchesReference(c, direct);
        float[][] viaConv = throughNnOps(c, d);
        for (int i = 0; i < direct.length; i++) assertBitwiseEqual("Conv vs WinogradConv, output " + i, direct[i], viaConv[i]);
        boolean was = Conv.winograd;
        Conv.winograd = false;
        try {
            float[][] im2col = throughNnOps(c, d);
            assertFalse(Arrays.equals(direct[0], im2col[0]), "with mma4j.conv.winograd off the im2col path runs (other rounding)");
            assertMatchesReference(c, im2col);
        } finally {
            Conv.winograd = was;
        }
    }

    private static float[][] throughNnOps(Case c, Data d) {
        Tensor x = Tensor.of(d.x(), c.xShape()), w = Tensor.of(d.w(), c.wShape()), b = Tensor.of(d.b(), c.f()), gy = Tensor.of(d.gy(), c.yShape());
        Tensor y = NnOps.conv2d(x, w, b, 1, 1);
        Tensor gx = NnOps.conv2dBackwardInput(gy, w, c.xShape(), 1, 1);
        Tensor[] gw = NnOps.conv2dBackwardWeight(x, gy, c.wShape(), true, 1, 1);
        return new float[][] {y.toArray(), gx.toArray(), gw[0].toArray(), gw[1].toArray()};
    }
}
