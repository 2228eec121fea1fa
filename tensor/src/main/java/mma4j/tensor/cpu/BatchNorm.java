package mma4j.tensor.cpu;

import mma4j.tensor.Tensor;

/**
 * Batch-norm kernels over x of shape [N, C, ...]: statistics per channel C over N and the
 * trailing axes. Sums accumulate in double so a large batch keeps float32 accuracy.
 * Parallel over channels.
 */
final class BatchNorm {
    private BatchNorm() {}

    private static int spatial(int[] s) {
        int hw = 1;
        for (int i = 2; i < s.length; i++) hw *= s[i];
        return hw;
    }

    private static float at(Tensor t, int c, float dflt) {
        return t == null ? dflt : t.array()[t.offset() + c * t.strides()[0]];
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
                for (int i = 0; i < n; i++) {
                    int b = xo + (i * c + ch) * hw;
                    for (int j = 0; j < hw; j++) sum += xd[b + j];
                }
                double mu = sum / m, sq = 0;
                for (int i = 0; i < n; i++) {
                    int b = xo + (i * c + ch) * hw;
                    for (int j = 0; j < hw; j++) {
                        double d = xd[b + j] - mu;
                        sq += d * d;
                    }
                }
                double var = sq / m;
                float is = (float) (1.0 / Math.sqrt(var + eps));
                mean.array()[mean.offset() + ch] = (float) mu;
                invStd.array()[invStd.offset() + ch] = is;
                unbiasedVar.array()[unbiasedVar.offset() + ch] = (float) (m > 1 ? sq / (m - 1) : 0);
                float scale = is * at(gamma, ch, 1f), shift = at(beta, ch, 0f) - (float) mu * scale;
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    for (int j = 0; j < hw; j++) yd[yo + b + j] = xd[xo + b + j] * scale + shift;
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
                int b = p * hw;
                for (int j = 0; j < hw; j++) yd[yo + b + j] = xd[xo + b + j] * scale + shift;
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
                double sg = 0, sgx = 0;
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    for (int j = 0; j < hw; j++) {
                        float g = gd[go + b + j];
                        sg += g;
                        sgx += g * (double) ((xd[xo + b + j] - mu) * is);
                    }
                }
                if (gBeta != null) gBeta.array()[gBeta.offset() + ch] = (float) sg;
                if (gGamma != null) gGamma.array()[gGamma.offset() + ch] = (float) sgx;
                // gx = gamma*invStd * (gy - mean(gy) - xhat * mean(gy*xhat))
                float k = is * at(gamma, ch, 1f);
                float mg = (float) (sg / m), mgx = (float) (sgx / m);
                for (int i = 0; i < n; i++) {
                    int b = (i * c + ch) * hw;
                    for (int j = 0; j < hw; j++) {
                        float xhat = (xd[xo + b + j] - mu) * is;
                        gxd[gxo + b + j] = k * (gd[go + b + j] - mg - xhat * mgx);
                    }
                }
            }
        });
    }
}
