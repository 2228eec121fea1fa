package mma4j.autograd.functions;

import mma4j.autograd.Function;
import mma4j.tensor.NnOps;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * Fused layer ops with hand-written backward: convolution, batch-norm, pooling, dropout.
 * Each is checked against its composition from primitives in the tests.
 */
public final class Layers {
    private Layers() {}

    /**
     * y = x W^T + b (torch.nn.functional.linear), x [..., in], W [out, in], b [out] or absent.
     * One GEMM forward and two backward, reading W^T and g^T as strided views (no copies).
     */
    public static final class Linear extends Function {
        private boolean hasBias;
        private int[] inShape;

        @Override protected Tensor forward(Tensor... in) {
            Tensor x = in[0], w = in[1];
            hasBias = in.length > 2 && in[2] != null;
            if (w.dim() != 2 || x.dim() < 1 || x.size(-1) != w.size(1)) {
                throw new IllegalArgumentException("linear: input " + Shapes.str(x.shape()) + " and weight " + Shapes.str(w.shape())
                        + " do not fit (weight must be [out, in] with in = the input's last size)");
            }
            if (hasBias && (in[2].dim() != 1 || in[2].size(0) != w.size(0))) {
                throw new IllegalArgumentException("linear: bias " + Shapes.str(in[2].shape()) + " must be [" + w.size(0) + "] for weight " + Shapes.str(w.shape()));
            }
            inShape = x.shape();
            Tensor x2 = x.reshape(-1, w.size(1));
            saveForBackward(x2, w);
            Tensor y = x2.matmul(w.t());
            if (hasBias) y.addInPlace(in[2]);
            int[] os = inShape.clone();
            os[os.length - 1] = w.size(0);
            return y.reshape(os);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x2 = saved()[0], w = saved()[1];
            Tensor g2 = g.reshape(-1, w.size(0));
            Tensor gx = needsInputGrad(0) ? g2.matmul(w).reshape(inShape) : null;     // dL/dx = g W
            Tensor gw = needsInputGrad(1) ? fresh(g2.t().matmul(x2)) : null;            // dL/dW = g^T x
            if (!hasBias) return new Tensor[] {gx, gw};
            return new Tensor[] {gx, gw, needsInputGrad(2) ? fresh(g2.sum(0)) : null};  // dL/db = sum of g over rows
        }
    }

    /** Inputs: x [N,C,H,W], weight [F,C,kh,kw], bias [F] (optional: leave it out). */
    public static final class Conv2d extends Function {
        private final int stride, padding;
        private boolean hasBias;
        public Conv2d(int stride, int padding) { this.stride = stride; this.padding = padding; }

        @Override protected Tensor forward(Tensor... in) {
            hasBias = in.length > 2 && in[2] != null;
            saveForBackward(in[0], in[1]);
            return NnOps.conv2d(in[0], in[1], hasBias ? in[2] : null, stride, padding);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0], w = saved()[1];
            Tensor gx = needsInputGrad(0) ? NnOps.conv2dBackwardInput(g, w, x.shape(), stride, padding) : null;
            Tensor gw = null, gb = null;
            if (needsInputGrad(1) || (hasBias && needsInputGrad(2))) {
                Tensor[] r = NnOps.conv2dBackwardWeight(x, g, w.shape(), hasBias, stride, padding);
                gw = fresh(r[0]); // new tensors: a weight's gradient needs no copy
                gb = fresh(r[1]);
            }
            return hasBias ? new Tensor[] {gx, gw, gb} : new Tensor[] {gx, gw};
        }
    }

    /**
     * Batch-norm with batch statistics (training). Inputs: x, weight, bias (weight and bias
     * may be null when affine=false). The batch mean and unbiased variance are exposed for
     * the running statistics.
     */
    /**
     * Batch-norm with batch statistics. Inputs: x[, weight, bias]; with a residual:
     * x, residual[, weight, bias]. Optionally with ReLU fused in: relu(batchNorm(x)), or
     * relu(batchNorm(x) + residual) as a residual block ends, made in batch-norm's own passes.
     */
    public static final class BatchNormTrain extends Function {
        private final float eps;
        private final boolean relu, residual;
        private Tensor batchMean, batchVar;
        private int arity;
        public BatchNormTrain(float eps) { this(eps, false, false); }

        /** {@code residual} requires {@code relu}: the add is only fused where a ReLU follows it. */
        public BatchNormTrain(float eps, boolean relu, boolean residual) {
            if (residual && !relu) throw new IllegalArgumentException("BatchNormTrain: a fused residual add needs the fused ReLU");
            this.eps = eps;
            this.relu = relu;
            this.residual = residual;
        }

        @Override protected Tensor forward(Tensor... in) {
            arity = in.length;
            int p = residual ? 2 : 1; // where weight and bias start
            Tensor gamma = in.length > p ? in[p] : null, beta = in.length > p + 1 ? in[p + 1] : null;
            NnOps.BatchNormResult r = relu ? NnOps.batchNormReluTrain(in[0], residual ? in[1] : null, gamma, beta, eps)
                    : NnOps.batchNormTrain(in[0], gamma, beta, eps);
            batchMean = r.mean();
            batchVar = r.unbiasedVar();
            // ReLU's backward needs the output (where it is 0); plain batch-norm does not.
            saveForBackward(in[0], r.mean(), r.invStd(), gamma, relu ? r.output() : null);
            return r.output();
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor[] s = saved();
            boolean affine = s[3] != null;
            Tensor[] r = NnOps.batchNormBackward(g, s[4], s[0], s[1], s[2], s[3], affine);
            Tensor[] out = new Tensor[arity];
            out[0] = r[0];
            int p = 1;
            if (residual) {
                // the residual's gradient: ReLU's backward alone
                out[1] = needsInputGrad(1) ? NnOps.reluBackward(g, s[4]) : null;
                p = 2;
            }
            if (arity > p) out[p] = fresh(r[1]);
            if (arity > p + 1) out[p + 1] = fresh(r[2]);
            return out;
        }

        public Tensor batchMean() { return batchMean; }
        public Tensor batchUnbiasedVar() { return batchVar; }
    }

    /** Batch-norm with fixed statistics (eval mode): an affine map per channel. Inputs: x, weight, bias. */
    public static final class BatchNormEval extends Function {
        private final Tensor mean, invStd;
        private int arity;

        public BatchNormEval(Tensor runningMean, Tensor runningVar, float eps) {
            this.mean = runningMean.copy();
            this.invStd = runningVar.add(eps).rsqrt();
        }

        @Override protected Tensor forward(Tensor... in) {
            arity = in.length;
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
            Tensor gx = needsInputGrad(0) ? g.mul(scale.reshape(bshape)) : null;
            Tensor[] out = new Tensor[arity];
            out[0] = gx;
            int[] axes = new int[x.dim() - 1];
            for (int i = 0, k = 0; i < x.dim(); i++) if (i != 1) axes[k++] = i;
            if (arity > 1 && needsInputGrad(1)) {
                Tensor xhat = x.sub(mean.reshape(bshape)).mul(invStd.reshape(bshape));
                out[1] = g.mul(xhat).sum(axes, false);
            }
            if (arity > 2 && needsInputGrad(2)) out[2] = g.sum(axes, false);
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
        private Tensor mask;
        /** mask holds 0 or 1/(1-p) per element, drawn by the caller from its seeded generator. */
        public Dropout(Tensor mask) { this.mask = mask; }

        @Override protected Tensor forward(Tensor... in) {
            // The mask moves into the saved tensors so that backward frees it with them.
            Tensor m = mask;
            mask = null;
            saveForBackward(m);
            return in[0].mul(m);
        }

        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.mul(saved()[0])}; }
    }
}
