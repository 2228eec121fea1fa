package mma4j.tensor.cpu;

import static mma4j.tensor.cpu.NnTestSupport.as;
import static mma4j.tensor.cpu.NnTestSupport.assertBitwiseEqual;
import static mma4j.tensor.cpu.NnTestSupport.assertClose;
import static mma4j.tensor.cpu.NnTestSupport.randn;
import static mma4j.tensor.cpu.NnTestSupport.withSimd;
import static mma4j.tensor.cpu.NnTestSupport.withThreads;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
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

/** Batch-norm train, apply and backward against the formulas evaluated in double. */
class BatchNormTest {
    private static final float EPS = 1e-5f;

    static List<int[]> shapes() {
        return List.of(new int[] {4, 3, 5, 7}, new int[] {8, 5}, new int[] {3, 4, 10}, new int[] {2, 3, 20, 33},
                new int[] {1, 2, 3, 3}, new int[] {2, 1, 1, 1}, new int[] {5, 6, 1, 17});
    }

    static Stream<Arguments> matrix() {
        List<Arguments> a = new ArrayList<>();
        for (int[] s : shapes()) for (Layout l : Layout.values()) for (boolean affine : new boolean[] {true, false}) {
            for (boolean simd : new boolean[] {true, false}) a.add(Arguments.of(s, l, affine, simd));
        }
        return a.stream();
    }

    /** Inputs whose channels have their own offsets and scales (the mean matters for accuracy). */
    record Data(int[] shape, float[] x, float[] gamma, float[] beta, float[] gy) {
        int n() { return shape[0]; }
        int c() { return shape[1]; }
        int hw() { return x.length / (n() * c()); }
        int at(int i, int ch, int j) { return (i * c() + ch) * hw() + j; }

        static Data of(int[] shape) {
            Generator g = new Generator(Arrays.hashCode(shape));
            int numel = 1;
            for (int d : shape) numel *= d;
            float[] x = randn(g, numel, 1f, 0f);
            int c = shape[1], hw = numel / (shape[0] * c);
            for (int i = 0; i < numel; i++) {
                int ch = i / hw % c;
                x[i] = x[i] * (0.5f + ch) + 3f - ch;
            }
            return new Data(shape, x, randn(g, c, 0.5f, 1f), randn(g, c, 0.5f, 0f), randn(g, numel, 1f, 0f));
        }
    }

    /** {mean, biased var, unbiased var} per channel, in double. */
    static double[][] refStats(Data d) {
        int c = d.c(), m = d.n() * d.hw();
        double[] mean = new double[c], var = new double[c], uvar = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int i = 0; i < d.n(); i++) for (int j = 0; j < d.hw(); j++) s += d.x[d.at(i, ch, j)];
            double mu = s / m, q = 0;
            for (int i = 0; i < d.n(); i++) for (int j = 0; j < d.hw(); j++) q += Math.pow(d.x[d.at(i, ch, j)] - mu, 2);
            mean[ch] = mu;
            var[ch] = q / m;
            uvar[ch] = m > 1 ? q / (m - 1) : 0;
        }
        return new double[][] {mean, var, uvar};
    }

    /** y = (x - mean) * invStd * gamma + beta, and a magnitude of the float terms for tolerances. */
    static double[][] refApply(Data d, double[] mean, double[] invStd, float[] gamma, float[] beta) {
        double[] y = new double[d.x.length], mag = new double[y.length];
        for (int i = 0; i < d.n(); i++) for (int ch = 0; ch < d.c(); ch++) for (int j = 0; j < d.hw(); j++) {
            int o = d.at(i, ch, j);
            double gm = gamma == null ? 1 : gamma[ch], bt = beta == null ? 0 : beta[ch];
            y[o] = (d.x[o] - mean[ch]) * invStd[ch] * gm + bt;
            mag[o] = (Math.abs(d.x[o]) + Math.abs(mean[ch])) * invStd[ch] * Math.abs(gm) + Math.abs(bt);
        }
        return new double[][] {y, mag};
    }

    /** Analytic backward in double: {gx, |gx terms|, gGamma, gBeta}. */
    static double[][] refBackward(Data d, double[] mean, double[] invStd, float[] gamma) {
        int c = d.c(), m = d.n() * d.hw();
        double[] gx = new double[d.x.length], mag = new double[gx.length], gg = new double[c], gb = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sg = 0, sgx = 0;
            for (int i = 0; i < d.n(); i++) for (int j = 0; j < d.hw(); j++) {
                int o = d.at(i, ch, j);
                sg += d.gy[o];
                sgx += d.gy[o] * (d.x[o] - mean[ch]) * invStd[ch];
            }
            gg[ch] = sgx;
            gb[ch] = sg;
            double k = invStd[ch] * (gamma == null ? 1 : gamma[ch]);
            for (int i = 0; i < d.n(); i++) for (int j = 0; j < d.hw(); j++) {
                int o = d.at(i, ch, j);
                double xhat = (d.x[o] - mean[ch]) * invStd[ch];
                gx[o] = k * (d.gy[o] - sg / m - xhat * sgx / m);
                mag[o] = Math.abs(k) * (Math.abs(d.gy[o]) + Math.abs(sg / m) + Math.abs(xhat * sgx / m));
            }
        }
        return new double[][] {gx, mag, gg, gb};
    }

    private static double[] rel(double[] v, double r, double a) {
        double[] t = new double[v.length];
        for (int i = 0; i < v.length; i++) t[i] = r * Math.abs(v[i]) + a;
        return t;
    }

    private static double[] invStd(double[] var) {
        double[] is = new double[var.length];
        for (int i = 0; i < is.length; i++) is[i] = 1 / Math.sqrt(var[i] + EPS);
        return is;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @ParameterizedTest(name = "{0} {1} affine={2} simd={3}")
    @MethodSource("matrix")
    void trainMatchesFormulas(int[] shape, Layout layout, boolean affine, boolean simd) {
        Data d = Data.of(shape);
        int c = d.c();
        Tensor x = as(layout, d.x, shape);
        Tensor gamma = affine ? as(layout, d.gamma, c) : null, beta = affine ? as(layout, d.beta, c) : null;
        NnOps.BatchNormResult r = withSimd(simd, () -> NnOps.batchNormTrain(x, gamma, beta, EPS));
        double[][] st = refStats(d);
        double[] is = invStd(st[1]);
        String what = "batchNorm " + Arrays.toString(shape) + " " + layout;
        int[] cs = {c};
        assertClose(what + " mean", cs, st[0], rel(st[0], 1e-6, 1e-6), r.mean().toArray());
        assertClose(what + " invStd", cs, is, rel(is, 1e-5, 0), r.invStd().toArray());
        assertClose(what + " unbiased var", cs, st[2], rel(st[2], 1e-5, 0), r.unbiasedVar().toArray());
        double[][] y = refApply(d, st[0], is, affine ? d.gamma : null, affine ? d.beta : null);
        assertClose(what + " output", shape, y[0], rel(y[1], 1e-5, 1e-6), r.output().toArray());
    }

    @ParameterizedTest(name = "{0} {1} affine={2} simd={3}")
    @MethodSource("matrix")
    void applyMatchesFormula(int[] shape, Layout layout, boolean affine, boolean simd) {
        Data d = Data.of(shape);
        int c = d.c();
        Generator g = new Generator(11);
        float[] mean = randn(g, c, 1f, 1f), is = new float[c];
        for (int i = 0; i < c; i++) is[i] = 0.2f + g.nextFloat();
        Tensor x = as(layout, d.x, shape), mt = as(layout, mean, c), it = as(layout, is, c);
        Tensor gamma = affine ? as(layout, d.gamma, c) : null, beta = affine ? as(layout, d.beta, c) : null;
        Tensor y = withSimd(simd, () -> NnOps.batchNormApply(x, mt, it, gamma, beta));
        double[][] ref = refApply(d, toDouble(mean), toDouble(is), affine ? d.gamma : null, affine ? d.beta : null);
        assertClose("batchNorm apply " + Arrays.toString(shape) + " " + layout, shape, ref[0], rel(ref[1], 1e-5, 1e-6), y.toArray());
    }

    @ParameterizedTest(name = "{0} {1} affine={2} simd={3}")
    @MethodSource("matrix")
    void backwardMatchesAnalyticGradient(int[] shape, Layout layout, boolean affine, boolean simd) {
        Data d = Data.of(shape);
        int c = d.c();
        Tensor x = as(layout, d.x, shape), gy = as(layout, d.gy, shape);
        Tensor gamma = affine ? as(layout, d.gamma, c) : null;
        NnOps.BatchNormResult r = NnOps.batchNormTrain(Tensor.of(d.x, shape), null, null, EPS);
        Tensor mean = as(layout, r.mean().toArray(), c), invStd = as(layout, r.invStd().toArray(), c);
        Tensor[] g = withSimd(simd, () -> NnOps.batchNormBackward(gy, x, mean, invStd, gamma, affine));
        double[][] ref = refBackward(d, toDouble(mean.toArray()), toDouble(invStd.toArray()), affine ? d.gamma : null);
        String what = "batchNorm backward " + Arrays.toString(shape) + " " + layout;
        assertClose(what + " grad input", shape, ref[0], rel(ref[1], 2e-5, 1e-6), g[0].toArray());
        if (affine) {
            assertClose(what + " grad gamma", new int[] {c}, ref[2], rel(ref[2], 1e-5, 1e-5), g[1].toArray());
            assertClose(what + " grad beta", new int[] {c}, ref[3], rel(ref[3], 1e-5, 1e-5), g[2].toArray());
        } else {
            assertNull(g[1]);
            assertNull(g[2]);
        }
    }

    /** BatchNorm with ReLU fused in is, bit for bit, batch-norm then ReLU, and the same backward through both. */
    @ParameterizedTest(name = "{0} {1} affine={2} simd={3}")
    @MethodSource("matrix")
    void fusedReluIsBatchNormThenReluBitForBit(int[] shape, Layout layout, boolean affine, boolean simd) {
        fusedReluMatchesSeparateOps(shape, layout, affine, simd, false);
    }

    /** The same with a residual added before the ReLU, as a residual block ends. */
    @ParameterizedTest(name = "{0} {1} affine={2} simd={3}")
    @MethodSource("matrix")
    void fusedAddReluIsBatchNormAddReluBitForBit(int[] shape, Layout layout, boolean affine, boolean simd) {
        fusedReluMatchesSeparateOps(shape, layout, affine, simd, true);
    }

    private static void fusedReluMatchesSeparateOps(int[] shape, Layout layout, boolean affine, boolean simd, boolean withResidual) {
        Data d = Data.of(shape);
        int c = d.c();
        Tensor residual = withResidual ? as(layout, randn(new Generator(77), d.x.length, 1f, 0f), shape) : null;
        Tensor x = as(layout, d.x, shape), gy = as(layout, d.gy, shape);
        Tensor gamma = affine ? as(layout, d.gamma, c) : null, beta = affine ? as(layout, d.beta, c) : null;
        String what = (withResidual ? "batchNorm+add+relu " : "batchNorm+relu ") + Arrays.toString(shape) + " " + layout;
        withSimd(simd, () -> {
            NnOps.BatchNormResult plain = NnOps.batchNormTrain(x, gamma, beta, EPS);
            NnOps.BatchNormResult fused = residual == null ? NnOps.batchNormReluTrain(x, null, gamma, beta, EPS)
                    : NnOps.batchNormReluTrain(x, residual, gamma, beta, EPS);
            Tensor y = (residual == null ? plain.output() : plain.output().add(residual)).relu();
            assertBitwiseEqual(what + " output", y.toArray(), fused.output().toArray());
            assertBitwiseEqual(what + " mean", plain.mean().toArray(), fused.mean().toArray());
            Tensor masked = Tensor.where(y, gy, Tensor.scalar(0f));
            Tensor[] want = NnOps.batchNormBackward(masked, x, plain.mean(), plain.invStd(), gamma, affine);
            Tensor[] got = NnOps.batchNormBackward(gy, fused.output(), x, fused.mean(), fused.invStd(), gamma, affine);
            assertBitwiseEqual(what + " grad input", want[0].toArray(), got[0].toArray());
            if (affine) {
                assertBitwiseEqual(what + " grad gamma", want[1].toArray(), got[1].toArray());
                assertBitwiseEqual(what + " grad beta", want[2].toArray(), got[2].toArray());
            }
            return null;
        });
    }

    /** The analytic formula above is itself checked: central differences of sum(gy * bn(x)) in double. */
    @Test
    void backwardMatchesFiniteDifferences() {
        int[] shape = {3, 2, 2, 3};
        Data d = Data.of(shape);
        Tensor[] g = NnOps.batchNormBackward(Tensor.of(d.gy, shape), Tensor.of(d.x, shape),
                NnOps.batchNormTrain(Tensor.of(d.x, shape), null, null, EPS).mean(),
                NnOps.batchNormTrain(Tensor.of(d.x, shape), null, null, EPS).invStd(), Tensor.of(d.gamma, 2), true);
        double[] x = toDouble(d.x), gx = new double[x.length];
        double h = 1e-5;
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = loss(d, x);
            x[i] = keep - h;
            double down = loss(d, x);
            x[i] = keep;
            gx[i] = (up - down) / (2 * h);
        }
        assertClose("batchNorm grad input vs finite differences", shape, gx, rel(gx, 1e-3, 1e-4), g[0].toArray());
    }

    /** sum(gy * batchNorm(x)) in double, with d's gamma and beta. */
    private static double loss(Data d, double[] x) {
        int c = d.c(), m = d.n() * d.hw();
        double l = 0;
        for (int ch = 0; ch < c; ch++) {
            double s = 0, q = 0;
            for (int i = 0; i < d.n(); i++) for (int j = 0; j < d.hw(); j++) s += x[d.at(i, ch, j)];
            double mu = s / m;
            for (int i = 0; i < d.n(); i++) for (int j = 0; j < d.hw(); j++) q += Math.pow(x[d.at(i, ch, j)] - mu, 2);
            double is = 1 / Math.sqrt(q / m + EPS);
            for (int i = 0; i < d.n(); i++) for (int j = 0; j < d.hw(); j++) {
                int o = d.at(i, ch, j);
                l += d.gy[o] * ((x[o] - mu) * is * d.gamma[ch] + d.beta[ch]);
            }
        }
        return l;
    }

    @ParameterizedTest
    @MethodSource("threadCounts")
    void sameInputsAndThreadsGiveBitwiseIdenticalResults(int threads) {
        int[] shape = {8, 16, 9, 9};
        Data d = Data.of(shape);
        float[][] a = withThreads(threads, () -> runAll(d)), b = withThreads(threads, () -> runAll(d));
        for (int i = 0; i < a.length; i++) assertBitwiseEqual("batchNorm result " + i, a[i], b[i]);
    }

    static Stream<Integer> threadCounts() {
        return Stream.of(2, 3);
    }

    private static float[][] runAll(Data d) {
        Tensor x = Tensor.of(d.x, d.shape), gamma = Tensor.of(d.gamma, d.c()), beta = Tensor.of(d.beta, d.c());
        NnOps.BatchNormResult r = NnOps.batchNormTrain(x, gamma, beta, EPS);
        Tensor[] g = NnOps.batchNormBackward(Tensor.of(d.gy, d.shape), x, r.mean(), r.invStd(), gamma, true);
        Tensor y2 = NnOps.batchNormApply(x, r.mean(), r.invStd(), gamma, beta);
        return new float[][] {r.output().toArray(), r.mean().toArray(), r.invStd().toArray(), g[0].toArray(), g[1].toArray(), g[2].toArray(), y2.toArray()};
    }

    // ------------------------------------------------------------------ errors

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should name " + p);
    }

    @Test
    void oneValuePerChannelInTrainModeIsRejected() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> NnOps.batchNormTrain(Tensor.zeros(1, 3), null, null, EPS)),
                "batchNorm", "[1, 3]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> NnOps.batchNormTrain(Tensor.zeros(1, 4, 1, 1), null, null, EPS)),
                "batchNorm", "[1, 4, 1, 1]");
    }

    @Test
    void badPerChannelShapesAreRejected() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.batchNormTrain(Tensor.zeros(2, 3, 4, 4), Tensor.ones(4), null, EPS)), "batchNorm", "[4]", "[2, 3, 4, 4]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.batchNormApply(Tensor.zeros(2, 3, 4, 4), Tensor.zeros(3), Tensor.ones(3, 1), null, null)), "batchNorm", "[3, 1]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> NnOps.batchNormTrain(Tensor.zeros(6), null, null, EPS)), "batchNorm", "[6]");
    }
}
