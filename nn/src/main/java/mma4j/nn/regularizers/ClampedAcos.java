package mma4j.nn.regularizers;

import mma4j.autograd.Function;
import mma4j.tensor.Tensor;

/**
 * acos(clamp(x, lo, hi)) as one op, so that the composed MMA reference reads like the paper.
 * As in PyTorch's clamp, the gradient passes where lo <= x <= hi and is zero outside; inside,
 * d acos(x)/dx = -1/sqrt(1 - x^2), finite because |x| <= hi < 1.
 */
public final class ClampedAcos extends Function {
    private final float lo, hi;

    public ClampedAcos(float lo, float hi) {
        if (!(lo >= -1f && hi <= 1f && lo <= hi)) {
            throw new IllegalArgumentException("ClampedAcos: need -1 <= lo <= hi <= 1, got lo " + lo + ", hi " + hi);
        }
        if (lo == -1f || hi == 1f) {
            throw new IllegalArgumentException("ClampedAcos: bounds " + lo + ", " + hi + " reach +-1, where acos has an infinite slope");
        }
        this.lo = lo;
        this.hi = hi;
    }

    @Override
    protected Tensor forward(Tensor... in) {
        saveForBackward(in[0]);
        float[] x = in[0].toArray();
        for (int k = 0; k < x.length; k++) x[k] = (float) Math.acos(Math.min(Math.max(x[k], lo), hi));
        return Tensor.wrap(x, in[0].shape()).to(in[0].device());
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor xt = saved()[0];
        float[] x = xt.toArray(), gx = g.contiguous().toArray();
        for (int k = 0; k < x.length; k++) {
            double v = x[k];
            gx[k] = v >= lo && v <= hi ? (float) (-gx[k] / Math.sqrt(1.0 - v * v)) : 0f;
        }
        return new Tensor[] {Tensor.wrap(gx, xt.shape()).to(g.device())};
    }
}
