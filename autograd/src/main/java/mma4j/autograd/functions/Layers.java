package mma4j.autograd.functions;

import mma4j.autograd.Function;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;

/**
 * Fused layer ops with hand-written backward: convolution, batch-norm, pooling, dropout.
 * Each is checked against its composition from primitives in the tests.
 */
public final class Layers {
    private Layers() {}

    /** Inputs: x [N,C,H,W], weight [F,C,kh,kw], bias [F] (optional: pass null). */
    public static final class Conv2d extends Function {
        private final int stride, padding;
        public Conv2d(int stride, int padding) { this.stride = stride; this.padding = padding; }

        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return NnOps.conv2d(in[0], in[1], in.length > 2 ? in[2] : null, stride, padding);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0], w = saved()[1];
            boolean hasBias = inputs().length > 2 && inputs()[2] != null;
            Tensor gx = needsInputGrad(0) ? NnOps.conv2dBackwardInput(g, w, x.shape(), stride, padding) : null;
            Tensor gw = null, gb = null;
            if (needsInputGrad(1) || (hasBias && needsInputGrad(2))) {
                Tensor[] r = NnOps.conv2dBackwardWeight(x, g, w.shape(), hasBias, stride, padding);
                gw = r[0];
                gb = r[1];
            }
            return hasBias ? new Tensor[] {gx, gw, gb} : new Tensor[] {gx, gw};
        }
    }

    /**
     * Batch-norm with batch statistics (training). Inputs: x, weight, bias (weight and bias
     * may be null when affine=false). The batch mean and unbiased variance are exposed for
     * the running statistics.
     */
    public static final class BatchNormTrain extends Function {
        private final float eps;
        private Tensor batchMean, batchVar;
        public BatchNormTrain(float eps) { this.eps = eps; }

        @Override protected Tensor forward(Tensor... in) {
            Tensor gamma = in.length > 1 ? in[1] : null, beta = in.length > 2 ? in[2] : null;
            NnOps.BatchNormResult r = NnOps.batchNormTrain(in[0], gamma, beta, eps);
            batchMean = r.mean();
            batchVar = r.unbiasedVar();
            saveForBackward(in[0], r.mean(), r.invStd(), gamma);
            return r.output();
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor[] s = saved();
            boolean affine = s[3] != null;
            Tensor[] r = NnOps.batchNormBackward(g, s[0], s[1], s[2], s[3], affine);
            int n = inputs().length;
            Tensor[] out = new Tensor[n];
            out[0] = r[0];
            if (n > 1) out[1] = r[1];
            if (n > 2) out[2] = r[2];
            return out;
        }

        public Tensor batchMean() { return batchMean; }
        public Tensor batchUnbiasedVar() { return batchVar; }
    }

    /** Batch-norm with fixed statistics (eval mode): an affine map per channel. Inputs: x, weight, bias. */
    public static final class BatchNormEval extends Function {
        private final Tensor mean, invStd;

        public BatchNormEval(Tensor runningMean, Tensor runningVar, float eps) {
            this.mean = runningMean.copy();
            this.invStd = runningVar.add(eps).rsqrt();
        }

        @Override protected Tensor forward(Tensor... in) {
            Tensor gamma = in.length > 1 ? in[1] : null, beta = in.length > 2 ? in[2] : null;
            saveForBackward(in[0], gamma);
            return NnOps.batchNormApply(in[0], mean, invStd, gamma, beta);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0], gamma = saved()[1];
            int c = x.size(1);
            int[] bshape = new int[x.dim()];
            java.util.Arrays.fill(bshape, 1);
            bshape[1] = c;
            Tensor scale = gamma == null ? invStd : invStd.mul(gamma);
            Tensor gx = g.mul(scale.reshape(bshape));
            int n = inputs().length;
            Tensor[] out = new Tensor[n];
            out[0] = gx;
            if (n > 1 || n > 2) {
                int[] axes = new int[x.dim() - 1];
                for (int i = 0, k = 0; i < x.dim(); i++) if (i != 1) axes[k++] = i;
                if (n > 1 && needsInputGrad(1)) {
                    Tensor xhat = x.sub(mean.reshape(bshape)).mul(invStd.reshape(bshape));
                    out[1] = g.mul(xhat).sum(axes, false);
                }
                if (n > 2 && needsInputGrad(2)) out[2] = g.sum(axes, false);
            }
            return out;
        }
    }

    public static final class MaxPool2d extends Function {
        private final int kernel, stride, padding;
        private int[] inShape;
        public MaxPool2d(int kernel, int stride, int padding) { this.kernel = kernel; this.stride = stride; this.padding = padding; }

        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            NnOps.MaxPoolResult r = NnOps.maxPool2d(in[0], kernel, stride, padding);
            saveForBackward(r.indices());
            return r.output();
        }

        @Override protected Tensor[] backward(Tensor g) {
            return new Tensor[] {NnOps.maxPool2dBackward(g, saved()[0], inShape)};
        }
    }

    public static final class AvgPool2d extends Function {
        private final int kernel, stride, padding;
        private int[] inShape;
        public AvgPool2d(int kernel, int stride, int padding) { this.kernel = kernel; this.stride = stride; this.padding = padding; }

        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            return NnOps.avgPool2d(in[0], kernel, stride, padding);
        }

        @Override protected Tensor[] backward(Tensor g) {
            return new Tensor[] {NnOps.avgPool2dBackward(g, inShape, kernel, stride, padding)};
        }
    }

    /** Inverted dropout: keeps each element with probability 1-p and scales it by 1/(1-p). */
    public static final class Dropout extends Function {
        private final Tensor mask;
        /** mask holds 0 or 1/(1-p) per element, drawn by the caller from its seeded generator. */
        public Dropout(Tensor mask) { this.mask = mask; }

        @Override protected Tensor forward(Tensor... in) { return in[0].mul(mask); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.mul(mask)}; }
    }
}
