package mma4j.nn.regularizers;

import mma4j.autograd.Variable;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/** Test weights and a loss-and-gradient helper. */
final class Weights {
    private Weights() {}

    static Tensor randn(long seed, int n, int d) {
        return Tensor.randn(new Generator(seed), n, d);
    }

    /** Rows in close pairs (base and base + noise), pairs far apart: every nearest neighbour wins by a margin. */
    static Tensor closePairs(long seed, int pairs, int d, float noise) {
        Generator g = new Generator(seed);
        float[] w = new float[2 * pairs * d];
        for (int k = 0; k < pairs; k++) {
            for (int p = 0; p < d; p++) {
                float b = (float) g.nextGaussian();
                w[2 * k * d + p] = b;
                w[(2 * k + 1) * d + p] = b + noise * (float) g.nextGaussian();
            }
        }
        return Tensor.wrap(w, 2 * pairs, d);
    }

    static Tensor withRow(Tensor t, int row, float[] values) {
        Tensor c = t.copy();
        int d = c.size(1);
        System.arraycopy(values, 0, c.array(), row * d, d);
        return c;
    }

    static float[] row(Tensor t, int i) {
        int d = t.size(1);
        float[] r = new float[d];
        System.arraycopy(t.contiguous().toArray(), i * d, r, 0, d);
        return r;
    }

    static float[] scaled(float[] v, float k) {
        float[] r = v.clone();
        for (int i = 0; i < r.length; i++) r[i] *= k;
        return r;
    }

    /** (loss, gradient) of reg at w. */
    record LossGrad(float loss, float[] grad) {}

    static LossGrad lossGrad(Regularizer reg, Tensor w) {
        Variable v = Variable.param(w.copy());
        Variable loss = reg.apply(v);
        loss.backward();
        return new LossGrad(loss.item(), v.grad().toArray());
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }
}
