package mma4j.tensor.cpu;

import static mma4j.tensor.cpu.NnTestSupport.assertBitwiseEqual;
import static mma4j.tensor.cpu.NnTestSupport.assertClose;
import static mma4j.tensor.cpu.NnTestSupport.tolerance;
import static mma4j.tensor.cpu.NnTestSupport.withSimd;
import static mma4j.tensor.cpu.NnTestSupport.withThreads;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.ConvTest.Case;
import mma4j.tensor.cpu.ConvTest.Data;

/**
 * Runs one of Conv's special paths ({@link WinogradConv}, {@link TapConv}) directly on arrays with
 * NaN margins around every input and output (stray reads show as NaN, stray writes fail), and
 * compares with ConvTest's direct-loop reference in double at ConvTest's tolerance,
 * {@code 1e-5 * (sum of |terms|) + 1e-6} per element.
 */
final class ConvPathHarness {
    static final double REL = 1e-5, ABS = 1e-6;
    /** Where the inputs and outputs start in their arrays: NaNs before and after catch stray reads and writes. */
    private static final int X_OFF = 5, W_OFF = 3, B_OFF = 2, GY_OFF = 7, OUT_OFF = 1;

    /** A path's three passes on raw arrays, in the signatures WinogradConv and TapConv share. */
    interface Passes {
        void forward(Conv.Geometry g, float[] x, int xo, float[] w, int wo, float[] bias, int bo, float[] y, int yo);

        void backwardInput(Conv.Geometry g, float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo);

        void backwardWeight(Conv.Geometry g, float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, float[] gb, int gbo);
    }

    static final Passes WINOGRAD = new Passes() {
        public void forward(Conv.Geometry g, float[] x, int xo, float[] w, int wo, float[] b, int bo, float[] y, int yo) {
            WinogradConv.forward(g, x, xo, w, wo, b, bo, y, yo);
        }

        public void backwardInput(Conv.Geometry g, float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo) {
            WinogradConv.backwardInput(g, gy, gyo, w, wo, gx, gxo);
        }

        public void backwardWeight(Conv.Geometry g, float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, float[] gb, int gbo) {
            WinogradConv.backwardWeight(g, x, xo, gy, gyo, gw, gwo, gb, gbo);
        }
    };

    static final Passes TAPS = new Passes() {
        public void forward(Conv.Geometry g, float[] x, int xo, float[] w, int wo, float[] b, int bo, float[] y, int yo) {
            TapConv.forward(g, x, xo, w, wo, b, bo, y, yo);
        }

        public void backwardInput(Conv.Geometry g, float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo) {
            TapConv.backwardInput(g, gy, gyo, w, wo, gx, gxo);
        }

        public void backwardWeight(Conv.Geometry g, float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, float[] gb, int gbo) {
            TapConv.backwardWeight(g, x, xo, gy, gyo, gw, gwo, gb, gbo);
        }
    };

    private ConvPathHarness() {}

    /** Forward, grad input, grad weight, grad bias (empty without bias) of case c through the path. */
    static float[][] run(Passes path, Case c, Data d) {
        Conv.Geometry g = new Conv.Geometry(c.n(), c.c(), c.h(), c.w(), c.f(), 3, 3, 1, 1, c.h(), c.w());
        float[] x = embed(d.x(), X_OFF), w = embed(d.w(), W_OFF), b = embed(d.b(), B_OFF), gy = embed(d.gy(), GY_OFF);
        float[] y = embed(new float[c.yNumel()], OUT_OFF), gx = embed(new float[c.xNumel()], OUT_OFF);
        float[] gw = embed(new float[c.wNumel()], OUT_OFF), gb = embed(new float[c.f()], OUT_OFF);
        Arrays.fill(y, Float.NaN);
        Arrays.fill(gx, Float.NaN);
        Arrays.fill(gw, Float.NaN);
        Arrays.fill(gb, Float.NaN);
        path.forward(g, x, X_OFF, w, W_OFF, c.bias() ? b : null, B_OFF, y, OUT_OFF);
        path.backwardInput(g, gy, GY_OFF, w, W_OFF, gx, OUT_OFF);
        path.backwardWeight(g, x, X_OFF, gy, GY_OFF, gw, OUT_OFF, c.bias() ? gb : null, OUT_OFF);
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

    static void assertMatchesReference(String label, Case c, float[][] got) {
        Data d = Data.of(c);
        double[][] f = ConvTest.refForward(c, d), b = ConvTest.refBackward(c, d);
        assertClose(label + " forward " + c, c.yShape(), f[0], tolerance(f[1], REL, ABS), got[0]);
        assertClose(label + " grad input " + c, c.xShape(), b[0], tolerance(b[1], REL, ABS), got[1]);
        assertClose(label + " grad weight " + c, c.wShape(), b[2], tolerance(b[3], REL, ABS), got[2]);
        if (c.bias()) assertClose(label + " grad bias " + c, new int[] {c.f()}, b[4], tolerance(b[5], REL, ABS), got[3]);
    }

    /** Every case matches the direct-loop reference, with SIMD on and off. */
    static void assertCasesMatchReference(String label, Passes path, List<Case> cases) {
        for (Case c : cases) {
            for (boolean simd : new boolean[] {true, false}) {
                assertMatchesReference(label + (simd ? "" : " (no SIMD)"), c, withSimd(simd, () -> run(path, c, Data.of(c))));
            }
        }
    }

    /** The four results are bitwise the same on 1, 2 and 3 threads for every case. */
    static void assertThreadIndependent(String label, Passes path, List<Case> cases) {
        String[] names = {"forward", "grad input", "grad weight", "grad bias"};
        for (Case c : cases) {
            Data d = Data.of(c);
            float[][] one = withThreads(1, () -> run(path, c, d));
            for (int threads : new int[] {2, 3}) {
                float[][] many = withThreads(threads, () -> run(path, c, d));
                for (int i = 0; i < names.length; i++) assertBitwiseEqual(label + " " + names[i] + " " + c + " on 1 vs " + threads + " threads", one[i], many[i]);
            }
        }
    }

    /**
     * Conv (through NnOps) gives the path's bits on case c, and with the path's switch off
     * ({@code setSwitch.accept(false)}; set back to {@code was} after) another path that still
     * matches the reference.
     */
    static void assertConvUsesIt(String label, Passes path, Case c, boolean was, Consumer<Boolean> setSwitch) {
        Data d = Data.of(c);
        float[][] direct = run(path, c, d);
        assertMatchesReference(label, c, direct);
        float[][] viaConv = throughNnOps(c, d);
        for (int i = 0; i < direct.length; i++) assertBitwiseEqual("Conv vs " + label + ", output " + i, direct[i], viaConv[i]);
        setSwitch.accept(false);
        try {
            float[][] other = throughNnOps(c, d);
            assertFalse(Arrays.equals(direct[0], other[0]), "with " + label + " switched off another path runs (other rounding)");
            assertMatchesReference(label + " off", c, other);
        } finally {
            setSwitch.accept(was);
        }
    }

    /** A square-map geometry for the applies() tests. */
    static Conv.Geometry geometry(int n, int c, int f, int h, int k, int stride, int pad) {
        int o = (h + 2 * pad - k) / stride + 1;
        return new Conv.Geometry(n, c, h, h, f, k, k, stride, pad, o, o);
    }

    /** The same four results through NnOps, i.e. whichever path Conv picks. */
    static float[][] throughNnOps(Case c, Data d) {
        Tensor x = Tensor.of(d.x(), c.xShape()), w = Tensor.of(d.w(), c.wShape()), b = Tensor.of(d.b(), c.f()), gy = Tensor.of(d.gy(), c.yShape());
        Tensor y = NnOps.conv2d(x, w, b, 1, 1);
        Tensor gx = NnOps.conv2dBackwardInput(gy, w, c.xShape(), 1, 1);
        Tensor[] gw = NnOps.conv2dBackwardWeight(x, gy, c.wShape(), true, 1, 1);
        return new float[][] {y.toArray(), gx.toArray(), gw[0].toArray(), gw[1].toArray()};
    }
}
