package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import mma4j.tensor.Tensor;

/**
 * Batch-norm kernels over x of shape [N, C, ...]: statistics per channel C over N and the
 * trailing axes, parallel over channels. Each (sample, channel) row of H*W values is summed in
 * vector lanes, and rows are summed in double, so a large batch keeps float32 accuracy; the
 * variance is taken around the mean (two passes), never as E[x^2] - E[x]^2.
 *
 * <p>With {@code relu}, training mode writes relu(y), or relu(y + residual) as a residual block
 * ends, in the same pass, and the backward takes that output and lets the gradient through only
 * where it is non-zero (ReLU's backward), so BatchNorm + ReLU (+ the residual add) costs no
 * extra pass over the activations and no extra tensor.
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
        return t == null ? dflt : t.array()[t.offset() + c * t.stride(0)];
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

    /**
     * y = relu(x * scale + shift [+ r]) over [0, n): each step rounded as affine, then the add,
     * then UnaryOp.RELU (NaN gives 0), so it equals the separate ops bit for bit.
     */
    private static void affineRelu(float[] x, int xo, float[] r, int ro, float[] y, int yo, int n, float scale, float shift) {
        int i = 0;
        if (Simd.enabled()) {
            FloatVector zero = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, xo + i).fma(scale, shift);
                if (r != null) v = v.add(FloatVector.fromArray(F, r, ro + i));
                zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            float v = x[xo + i] * scale + shift;
            if (r != null) v = v + r[ro + i];
            y[yo + i] = v > 0f ? v : 0f;
        }
    }

    /** With relu: y = relu(bn(x) + residual) (residual null: none); without, residual must be null. */
    static void train(Tensor x, Tensor residual, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor invStd, Tensor unbiasedVar,
                      boolean relu) {
        int[] s = x.shape();
        int n = s[0], c = s[1], hw = spatial(s);
        long m = (long) n * hw;
        float[] xd = x.array(), yd = y.array(), rd = residual == null ? null : residual.array();
        int xo = x.offset(), yo = y.offset(), ro = residual == null ? 0 : residual.offset();
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
                    if (relu) affineRelu(xd, xo + b, rd, ro + b, yd, yo + b, hw, scale, shift);
                    else affine(xd, xo + b, yd, yo + b, hw, scale, shift);
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

    /** reluOut: the forward's relu(y) when ReLU was fused (the gradient passes where it is non-zero), else null. */
    static void backward(Tensor gy, Tensor reluOut, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor gx, Tensor gGamma, Tensor gBeta) {
        int[] s = x.shape();
        int n = s[0], c = s[1], hw = spatial(s);
        long m = (long) n * hw;
        float[] gd = gy.array(), xd = x.array(), gxd = gx.array();
        int go = gy.offset(), xo = x.offset(), gxo = gx.offset();
        float[] md = reluOut == null ? null : reluOut.array();
        int mo = reluOut == null ? 0 : reluOut.offset();
        Parallel.forRange(c, 3L * m, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                float mu = mean.array()[mean.offset() + ch], is = invStd.array()[invStd.offset() + ch];
                double sg = 0, sgd = 0;
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    sg += md == null ? sum(gd, go + b, hw) : maskedSum(gd, go + b, md, mo + b, hw);
                    sgd += dotCentered(gd, go + b, md, mo + b, xd, xo + b, hw, mu);
                }
                double sgx = sgd * is; // sum(gy * xhat)
                if (gBeta != null) gBeta.array()[gBeta.offset() + ch] = (float) sg;
                if (gGamma != null) gGamma.array()[gGamma.offset() + ch] = (float) sgx;
                // gx = gamma*invStd * (gy - mean(gy) - xhat * mean(gy*xhat)), with xhat = (x - mu) * invStd
                float k = is * at(gamma, ch, 1f);
                float mg = (float) (sg / m), kd = (float) (k * is * (sgx / m));
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    centeredGrad(gd, go + b, md, mo + b, xd, xo + b, gxd, gxo + b, hw, mu, mg, k, kd);
                }
            }
        });
    }

    /** g where the mask (a ReLU output) is non-zero, else 0: ReLU's backward, in a register. */
    private static FloatVector gradient(float[] g, int go, float[] mask, int mo, int i) {
        FloatVector v = FloatVector.fromArray(F, g, go + i);
        if (mask == null) return v;
        VectorMask<Float> pass = FloatVector.fromArray(F, mask, mo + i).compare(VectorOperators.NE, 0f);
        return FloatVector.zero(F).blend(v, pass);
    }

    private static float gradientAt(float[] g, int go, float[] mask, int mo, int i) {
        return mask == null || mask[mo + i] != 0f ? g[go + i] : 0f;
    }

    /** Sum of the masked g over [o, o+n), in the lane order of {@link Im2col#sum}. */
    private static float maskedSum(float[] g, int go, float[] mask, int mo, int n) {
        int i = 0;
        float s = 0f;
        if (Simd.enabled() && n >= L) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += L) acc = acc.add(gradient(g, go, mask, mo, i));
            for (int l = 0; l < L; l++) s += acc.lane(l);
        }
        for (; i < n; i++) s += gradientAt(g, go, mask, mo, i);
        return s;
    }

    /** Sum of g[i] * (x[i] - mu), g masked when mask != null. */
    private static double dotCentered(float[] g, int go, float[] mask, int mo, float[] x, int xo, int n, float mu) {
        int i = 0;
        float s = 0f;
        if (Simd.enabled() && n >= L) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += L) {
                acc = FloatVector.fromArray(F, x, xo + i).sub(mu).fma(gradient(g, go, mask, mo, i), acc);
            }
            for (int l = 0; l < L; l++) s += acc.lane(l);
        }
        for (; i < n; i++) s += (x[xo + i] - mu) * gradientAt(g, go, mask, mo, i);
        return s;
    }

    /** gx = (g - mg) * k - (x - mu) * kd, g masked when mask != null. */
    private static void centeredGrad(float[] g, int go, float[] mask, int mo, float[] x, int xo, float[] gx, int gxo, int n,
                                     float mu, float mg, float k, float kd) {
        int i = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(n); i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, xo + i).sub(mu);
                gradient(g, go, mask, mo, i).sub(mg).mul(k).sub(d.mul(kd)).intoArray(gx, gxo + i);
            }
        }
        for (; i < n; i++) gx[gxo + i] = (gradientAt(g, go, mask, mo, i) - mg) * k - (x[xo + i] - mu) * kd;
    }
}
