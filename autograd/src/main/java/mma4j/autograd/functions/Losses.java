package mma4j.autograd.functions;

import mma4j.autograd.Function;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/** Fused losses with hand-written backward. */
public final class Losses {
    private Losses() {}

    static int[] checkTargets(String op, Tensor logits, int[] targets) {
        if (logits.dim() != 2) throw new IllegalArgumentException(op + ": logits must be [N, classes], got " + Shapes.str(logits.shape()));
        int n = logits.size(0), c = logits.size(1);
        if (targets.length != n) {
            throw new IllegalArgumentException(op + ": " + targets.length + " targets for logits of shape " + Shapes.str(logits.shape()));
        }
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= c) {
                throw new IllegalArgumentException(op + ": target " + targets[i] + " at position " + i + " out of range [0, " + c + ") for logits " + Shapes.str(logits.shape()));
            }
        }
        return targets;
    }

    /**
     * Mean cross-entropy of logits [N, C] against class indices, fused log-softmax + NLL.
     * With label smoothing s the target distribution is (1-s) one-hot + s/C uniform (PyTorch's rule).
     * Backward: (softmax - target distribution) / N.
     */
    public static final class CrossEntropy extends Function {
        private final int[] targets;
        private final float smoothing;

        public CrossEntropy(int[] targets, float labelSmoothing) {
            if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
                throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + labelSmoothing);
            }
            this.targets = targets.clone();
            this.smoothing = labelSmoothing;
        }

        @Override protected Tensor forward(Tensor... in) {
            Tensor logits = in[0];
            checkTargets("crossEntropy", logits, targets);
            Tensor logp = logits.logSoftmax(1);
            saveForBackward(logp);
            float[] lp = logp.toArray();
            int n = logits.size(0), c = logits.size(1);
            double loss = 0;
            for (int i = 0; i < n; i++) {
                double nll = -lp[i * c + targets[i]];
                if (smoothing > 0) {
                    double mean = 0;
                    for (int j = 0; j < c; j++) mean -= lp[i * c + j];
                    nll = (1 - smoothing) * nll + smoothing * mean / c;
                }
                loss += nll;
            }
            return Tensor.scalar((float) (loss / Math.max(n, 1))).to(logits.device());
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor logp = saved()[0];
            int n = logp.size(0), c = logp.size(1);
            float[] p = logp.exp().toArray();
            float scale = g.item() / Math.max(n, 1);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) p[i * c + j] -= smoothing / c;
                p[i * c + targets[i]] -= 1 - smoothing;
                for (int j = 0; j < c; j++) p[i * c + j] *= scale;
            }
            return new Tensor[] {Tensor.wrap(p, n, c).to(logp.device())};
        }
    }

    /** Mean negative log-likelihood of log-probabilities [N, C] at the target indices. */
    public static final class Nll extends Function {
        private final int[] targets;
        private int[] shape;
        public Nll(int[] targets) { this.targets = targets.clone(); }

        @Override protected Tensor forward(Tensor... in) {
            checkTargets("nllLoss", in[0], targets);
            shape = in[0].shape();
            float[] lp = in[0].toArray();
            int n = shape[0], c = shape[1];
            double loss = 0;
            for (int i = 0; i < n; i++) loss -= lp[i * c + targets[i]];
            return Tensor.scalar((float) (loss / Math.max(n, 1))).to(in[0].device());
        }

        @Override protected Tensor[] backward(Tensor g) {
            int n = shape[0], c = shape[1];
            float[] gx = new float[n * c];
            float v = -g.item() / Math.max(n, 1);
            for (int i = 0; i < n; i++) gx[i * c + targets[i]] = v;
            return new Tensor[] {Tensor.wrap(gx, n, c).to(g.device())};
        }
    }

    /** Log-softmax along an axis; backward g - softmax * sum(g), from the saved output. */
    public static final class LogSoftmax extends Function {
        private final int axis;
        public LogSoftmax(int axis) { this.axis = axis; }

        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].logSoftmax(axis);
            saveForBackward(y);
            return y;
        }

        @Override protected Tensor[] backward(Tensor g) {
            // d logsoftmax: g - softmax * sum(g)
            Tensor y = saved()[0];
            return new Tensor[] {g.sub(y.exp().mul(g.sum(new int[] {axis}, true)))};
        }
    }

    /** Softmax along an axis; backward y * (g - sum(g * y)), from the saved output y. */
    public static final class Softmax extends Function {
        private final int axis;
        public Softmax(int axis) { this.axis = axis; }

        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].softmax(axis);
            saveForBackward(y);
            return y;
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor y = saved()[0];
            return new Tensor[] {y.mul(g.sub(g.mul(y).sum(new int[] {axis}, true)))};
        }
    }
}
