package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import mma4j.tensor.Tensor;

/**
 * Batch-norm kernels over x of shape [N, C, ...]: statistics per channel C over N and the
 * trailing axes, parallel over channels. Each (sample, channel) row of H*W values is summed in
 * vector lanes, and rows are summed in double, so a large batch keeps float32 accuracy; the
 * variance is taken around the mean (two passes), never as E[x^2] - E[x]^2.
 */
final class BatchNorm {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private BatchNorm() {}

    private static int spatial(int[] s) {
        int hw = 1;
        for (int i = 2; i < s.length; i++) hw *= s[i];
        return hw;
    }

    private static float at(Tensor t, int c, float dflt) {
        return t == null ? dflt : t.array()[t.offset() + c * t.strides()[0]];
    }

    /** Sum of a[o..o+n), in lanes then lane by lane (fixed order). */
    private static double sum(float[] a, int o, int n) {
        return Im2col.sum(a, o, n);
    }

    /** Sum of (a[i] - mu)^2 over a[o..o+n). */
    private static double squaredDeviations(float[] a, int o, int n, float mu) {
        int i = 0;
        float s = 0f;
        if (Simd.enabled() && n >= L) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(F, a, o + i).sub(mu);
                acc = d.fma(d, acc);
            }
            for (int l = 0; l < L; l++) s += acc.lane(l);
        }
        for (; i < n; i++) {
            float d = a[o + i] - mu;
            s += d * d;
        }
        return s;
    }

    /** y[yo..yo+n) = x[xo..xo+n) * scale + shift. */
    private static void affine(float[] x, int xo, float[] y, int yo, int n, float scale, float shift) {
        int i = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(F, x, xo + i).fma(scale, shift).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] * scale + shift;
    }

    static void train(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor invStd, Tensor unbiasedVar) {
        int[] s = x.shape();
        int n = s[0], c = s[1], hw = spatial(s);
        long m = (long) n * hw;
        float[] xd = x.array(), yd = y.array();
        int xo = x.offset(), yo = y.offset();
        Parallel.forRange(c, 3L * m, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += sum(xd, xo + (i * c + ch) * hw, hw);
                double mu = sum / m, sq = 0;
                for (int i = 0; i < n; i++) sq += squaredDeviations(xd, xo + (i * c + ch) * hw, hw, (float) mu);
                // sq was taken around float(mu): add back the (tiny) shift to the exact mean
                double shiftErr = (float) mu - mu;
                sq = Math.max(0, sq - m * shiftErr * shiftErr);
                double var = sq / m;
                float is = (float) (1.0 / Math.sqrt(var + eps));
                mean.array()[mean.offset() + ch] = (float) mu;
                invStd.array()[invStd.offset() + ch] = is;
                unbiasedVar.array()[unbiasedVar.offset() + ch] = (float) (m > 1 ? sq / (m - 1) : 0);
                float scale = is * at(gamma, ch, 1f), shift = at(beta, ch, 0f) - (float) mu * scale;
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    affine(xd, xo + b, yd, yo + b, hw, scale, shift);
                }
            }
        });
    }

    static void apply(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor y) {
        int[] s = x.shape();
        int n = s[0], c = s[1], hw = spatial(s);
        float[] xd = x.array(), yd = y.array(), md = mean.array(), isd = invStd.array();
        int xo = x.offset(), yo = y.offset();
        Parallel.forRange(n * c, hw, (from, to) -> {
            for (int p = from; p < to; p++) {
                int ch = p % c;
                float scale = isd[invStd.offset() + ch] * at(gamma, ch, 1f);
                float shift = at(beta, ch, 0f) - md[mean.offset() + ch] * scale;
                affine(xd, xo + p * hw, yd, yo + p * hw, hw, scale, shift);
            }
        });
    }

    static void backward(Tensor gy, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor gx, Tensor gGamma, Tensor gBeta) {
        int[] s = x.shape();
        int n = s[0], c = s[1], hw = spatial(s);
        long m = (long) n * hw;
        float[] gd = gy.array(), xd = x.array(), gxd = gx.array();
        int go = gy.offset(), xo = x.offset(), gxo = gx.offset();
        Parallel.forRange(c, 3L * m, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                float mu = mean.array()[mean.offset() + ch], is = invStd.array()[invStd.offset() + ch];
                double sg = 0, sgd = 0;
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    sg += sum(gd, go + b, hw);
                    sgd += dotCentered(gd, go + b, xd, xo + b, hw, mu);
                }
                double sgx = sgd * is; // sum(gy * xhat)
                if (gBeta != null) gBeta.array()[gBeta.offset() + ch] = (float) sg;
                if (gGamma != null) gGamma.array()[gGamma.offset() + ch] = (float) sgx;
                // gx = gamma*invStd * (gy - mean(gy) - xhat * mean(gy*xhat)), with xhat = (x - mu) * invStd
                float k = is * at(gamma, ch, 1f);
                float mg = (float) (sg / m), kd = (float) (k * is * (sgx / m));
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    centeredGrad(gd, go + b, xd, xo + b, gxd, gxo + b, hw, mu, mg, k, kd);
                }
            }
        });
    }

    /** Sum of g[i] * (x[i] - mu). */
    private static double dotCentered(float[] g, int go, float[] x, int xo, int n, float mu) {
        int i = 0;
        float s = 0f;
        if (Simd.enabled() && n >= L) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += L) {
                acc = FloatVector.fromArray(F, x, xo + i).sub(mu).fma(FloatVector.fromArray(F, g, go + i), acc);
            }
            for (int l = 0; l < L; l++) s += acc.lane(l);
        }
        for (; i < n; i++) s += (x[xo + i] - mu) * g[go + i];
        return s;
    }

    /** gx = (g - mg) * k - (x - mu) * kd. */
    private static void centeredGrad(float[] g, int go, float[] x, int xo, float[] gx, int gxo, int n, float mu, float mg, float k, float kd) {
        int i = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(n); i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, xo + i).sub(mu);
                FloatVector.fromArray(F, g, go + i).sub(mg).mul(k).sub(d.mul(kd)).intoArray(gx, gxo + i);
            }
        }
        for (; i < n; i++) gx[gxo + i] = (g[go + i] - mg) * k - (x[xo + i] - mu) * kd;
    }
}
