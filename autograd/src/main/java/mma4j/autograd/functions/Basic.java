package mma4j.autograd.functions;

import mma4j.autograd.Function;
import mma4j.tensor.NnOps;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * The primitive differentiable ops: arithmetic, pointwise math, matmul and reductions.
 * Each class is one op with forward and backward side by side. Gradients of broadcast
 * inputs may come back in the output's shape; the engine sums them down.
 */
public final class Basic {
    private Basic() {}

    public static final class Add extends Function {
        @Override protected Tensor forward(Tensor... in) { return in[0].add(in[1]); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g, g}; }
    }

    /**
     * relu(a + b) as one node, as a residual block ends: the sum is rectified in place while it
     * is still in cache, and the gradient of both inputs is one where() pass.
     */
    public static final class AddRelu extends Function {
        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].add(in[1]).reluInPlace();
            saveForBackward(y);
            return y;
        }
        @Override protected Tensor[] backward(Tensor g) {
            Tensor passed = NnOps.reluBackward(g, saved()[0]);
            return new Tensor[] {passed, passed};
        }
    }

    public static final class Sub extends Function {
        @Override protected Tensor forward(Tensor... in) { return in[0].sub(in[1]); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g, needsInputGrad(1) ? g.neg() : null}; }
    }

    public static final class Mul extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return in[0].mul(in[1]);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor[] s = saved();
            return new Tensor[] {needsInputGrad(0) ? g.mul(s[1]) : null, needsInputGrad(1) ? g.mul(s[0]) : null};
        }
    }

    public static final class Div extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return in[0].div(in[1]);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor a = saved()[0], b = saved()[1];
            // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            return new Tensor[] {needsInputGrad(0) ? g.div(b) : null, needsInputGrad(1) ? g.mul(a).div(b.square()).neg() : null};
        }
    }

    public static final class AddScalar extends Function {
        private final float s;
        public AddScalar(float s) { this.s = s; }
        @Override protected Tensor forward(Tensor... in) { return in[0].add(s); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g}; }
    }

    public static final class MulScalar extends Function {
        private final float s;
        public MulScalar(float s) { this.s = s; }
        @Override protected Tensor forward(Tensor... in) { return in[0].mul(s); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.mul(s)}; }
    }

    public static final class Exp extends Function {
        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].exp();
            saveForBackward(y);
            return y;
        }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.mul(saved()[0])}; }
    }

    public static final class Log extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].log();
        }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.div(saved()[0])}; }
    }

    /** x^p for a constant p. */
    public static final class Pow extends Function {
        private final float p;
        public Pow(float p) { this.p = p; }
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].pow(p);
        }
        @Override protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(saved()[0].pow(p - 1)).mul(p)};
        }
    }

    /** sqrt(x); backward g / (2 sqrt(x)), from the saved output. */
    public static final class Sqrt extends Function {
        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].sqrt();
            saveForBackward(y);
            return y;
        }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.div(saved()[0]).mul(0.5f)}; }
    }

    /** |x|; the gradient is sign(x), 0 at x = 0 (as in PyTorch). */
    public static final class Abs extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].abs();
        }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.mul(saved()[0].sign())}; }
    }

    /** min(max(x, min), max); the gradient passes where min <= x <= max (bounds included, as in PyTorch). */
    public static final class Clamp extends Function {
        private final float min, max;

        public Clamp(float min, float max) {
            if (!(min <= max)) throw new IllegalArgumentException("clamp: min " + min + " must be <= max " + max);
            this.min = min;
            this.max = max;
        }

        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].clamp(min, max);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            return new Tensor[] {g.mul(x.clamp(min, max).eq(x))};
        }
    }

    /**
     * acos(clamp(x, -bound, bound)), the arccos of the MMA reference (bound 0.99999): the clamp
     * keeps the derivative -1/sqrt(1 - x^2) finite for rows that point the same way. Where x was
     * clamped (|x| > bound) the gradient is zero, as autograd gives for clamp followed by acos.
     */
    public static final class ClampedAcos extends Function {
        /** The clamp of the MMA reference code. */
        public static final float MMA_BOUND = 0.99999f;
        private final float bound;

        public ClampedAcos(float bound) {
            if (!(bound > 0f && bound < 1f)) throw new IllegalArgumentException("acosClamped: bound must be in (0, 1), got " + bound);
            this.bound = bound;
        }

        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].clamp(-bound, bound).acos();
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor c = x.clamp(-bound, bound);
            Tensor inside = c.eq(x);
            // 1 - c^2 as (1 - c)(1 + c): near |c| = 1 the factors are exact in float32, 1 - c*c is not.
            Tensor oneMinusSq = c.neg().add(1f).mul(c.add(1f));
            return new Tensor[] {g.mul(inside).mul(oneMinusSq.rsqrt()).neg()};
        }
    }

    public static final class Relu extends Function {
        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].relu();
            saveForBackward(y);
            return y;
        }
        // The gradient passes where the output is positive (0 at x = 0, as in PyTorch).
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {NnOps.reluBackward(g, saved()[0])}; }
    }

    public static final class Tanh extends Function {
        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].tanh();
            saveForBackward(y);
            return y;
        }
        @Override protected Tensor[] backward(Tensor g) {
            Tensor y = saved()[0];
            return new Tensor[] {g.mul(y.square().neg().add(1f))};
        }
    }

    public static final class Sigmoid extends Function {
        @Override protected Tensor forward(Tensor... in) {
            Tensor y = in[0].sigmoid();
            saveForBackward(y);
            return y;
        }
        @Override protected Tensor[] backward(Tensor g) {
            Tensor y = saved()[0];
            return new Tensor[] {g.mul(y).mul(y.neg().add(1f))};
        }
    }

    /** Elementwise max; where equal, the gradient goes to the first input. */
    public static final class Maximum extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return in[0].maximum(in[1]);
        }
        @Override protected Tensor[] backward(Tensor g) {
            Tensor firstWins = saved()[0].ge(saved()[1]);
            return new Tensor[] {g.mul(firstWins), g.mul(firstWins.neg().add(1f))};
        }
    }

    /** Elementwise min; where equal, the gradient goes to the first input. */
    public static final class Minimum extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return in[0].minimum(in[1]);
        }
        @Override protected Tensor[] backward(Tensor g) {
            Tensor firstWins = saved()[0].le(saved()[1]);
            return new Tensor[] {g.mul(firstWins), g.mul(firstWins.neg().add(1f))};
        }
    }

    /**
     * cond != 0 ? a : b with a constant mask (masking, e.g. taking the diagonal out of a cosine
     * matrix). The gradient goes to a where the mask is set and to b elsewhere.
     */
    public static final class Where extends Function {
        private Tensor cond;
        public Where(Tensor cond) { this.cond = cond; }

        @Override protected Tensor forward(Tensor... in) {
            Tensor c = cond;
            cond = null; // lives on in the saved tensors, freed with them
            saveForBackward(c);
            return Tensor.where(c, in[0], in[1]);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor cond = saved()[0];
            Tensor zero = Tensor.scalar(0f).to(g.device());
            return new Tensor[] {needsInputGrad(0) ? Tensor.where(cond, g, zero) : null, needsInputGrad(1) ? Tensor.where(cond, zero, g) : null};
        }
    }

    /** Matrix product with PyTorch's promotion of 1-d operands and broadcast batch dims. */
    public static final class MatMul extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return in[0].matmul(in[1]);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor a = saved()[0], b = saved()[1];
            Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a, b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
            Tensor g2 = g;
            if (a.dim() == 1) g2 = g2.unsqueeze(g2.dim() - (b.dim() == 1 ? 0 : 1));
            if (b.dim() == 1) g2 = g2.unsqueeze(g2.dim());
            Tensor ga = null, gb = null;
            if (needsInputGrad(0)) {
                ga = g2.matmul(b2.transpose(-1, -2));          // dL/dA = G B^T
                if (a.dim() == 1) ga = sumBatch(ga, 2).reshape(a.size(0));
            }
            if (needsInputGrad(1)) {
                gb = a2.transpose(-1, -2).matmul(g2);          // dL/dB = A^T G
                if (b.dim() == 1) gb = sumBatch(gb, 2).reshape(b.size(0));
            }
            return new Tensor[] {ga, gb};
        }

        private static Tensor sumBatch(Tensor t, int keepLast) {
            if (t.dim() <= keepLast) return t;
            int[] axes = new int[t.dim() - keepLast];
            for (int i = 0; i < axes.length; i++) axes[i] = i;
            return t.sum(axes, false);
        }
    }

    /** Sum over axes (all when null). */
    public static final class Sum extends Function {
        private final int[] axes;
        private final boolean keepDims;
        private int[] inShape;
        private int[] keptShape;

        public Sum(int[] axes, boolean keepDims) {
            this.axes = axes;
            this.keepDims = keepDims;
        }

        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            int[] ax = Shapes.axes("sum", axes, inShape);
            keptShape = Shapes.reduced(inShape, ax, true);
            return in[0].sum(ax, keepDims);
        }

        @Override protected Tensor[] backward(Tensor g) {
            // Every summed element gets the same gradient: broadcast it back.
            return new Tensor[] {g.reshape(keptShape).expand(inShape)};
        }
    }

    /** Max along one axis; the gradient goes to the first position holding the max. */
    public static final class MaxAlong extends Function {
        private final int axis;
        private final boolean keepDims;
        private int[] inShape;
        private int ax;

        public MaxAlong(int axis, boolean keepDims) {
            this.axis = axis;
            this.keepDims = keepDims;
        }

        @Override protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            ax = Shapes.axis("max", axis, inShape.length, inShape);
            Tensor idx = in[0].argmax(ax, true);
            saveForBackward(idx);
            Tensor m = in[0].max(new int[] {ax}, true);
            return keepDims ? m : m.squeeze(ax);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor idx = saved()[0];
            int[] posShape = new int[inShape.length];
            java.util.Arrays.fill(posShape, 1);
            posShape[ax] = inShape[ax];
            Tensor positions = Tensor.arange(inShape[ax]).reshape(posShape).to(g.device());
            Tensor onehot = positions.eq(idx);
            Tensor gk = keepDims ? g : g.unsqueeze(ax);
            return new Tensor[] {onehot.mul(gk)};
        }
    }
}
