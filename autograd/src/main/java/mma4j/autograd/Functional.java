package mma4j.autograd;

import mma4j.autograd.functions.Basic;
import mma4j.autograd.functions.Layers;
import mma4j.autograd.functions.Losses;
import mma4j.tensor.Generator;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/** Differentiable layer and loss functions on Variables, named as in torch.nn.functional. */
public final class Functional {
    private Functional() {}

    public static Variable relu(Variable x) {
        return x.relu();
    }

    /** relu(a + b) (broadcasting) in one node: what a residual block computes at its end. */
    public static Variable addRelu(Variable a, Variable b) {
        return new Basic.AddRelu().apply(a, b);
    }

    /** y = x W^T + b, with W [out, in] as in PyTorch (bias may be null); one fused op. */
    public static Variable linear(Variable x, Variable weight, Variable bias) {
        if (x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + Shapes.str(x.shape()) + " has " + x.size(-1) + " features but weight "
                    + Shapes.str(weight.shape()) + " expects " + weight.size(1));
        }
        Layers.Linear fn = new Layers.Linear();
        return bias == null ? fn.apply(x, weight) : fn.apply(x, weight, bias);
    }

    public static Variable conv2d(Variable x, Variable weight, Variable bias, int stride, int padding) {
        Layers.Conv2d fn = new Layers.Conv2d(stride, padding);
        return bias == null ? fn.apply(x, weight) : fn.apply(x, weight, bias);
    }

    /**
     * Batch-norm over channel axis 1. In training it normalizes with batch statistics and
     * updates the running ones in place: running = (1 - momentum) * running + momentum * batch
     * (unbiased variance, as PyTorch). In eval it uses the running statistics.
     */
    public static Variable batchNorm(Variable x, Tensor runningMean, Tensor runningVar, Variable weight, Variable bias,
                                     boolean training, float momentum, float eps) {
        return batchNorm(x, null, runningMean, runningVar, weight, bias, training, momentum, eps, false);
    }

    /**
     * relu(batchNorm(x)): the same values and gradients as the two ops, with the ReLU fused into
     * the batch-norm kernels in training mode (no extra pass, no extra activation tensor).
     */
    public static Variable batchNormRelu(Variable x, Tensor runningMean, Tensor runningVar, Variable weight, Variable bias,
                                         boolean training, float momentum, float eps) {
        return batchNorm(x, null, runningMean, runningVar, weight, bias, training, momentum, eps, true);
    }

    /**
     * relu(batchNorm(x) + residual), how a residual block ends: the same values and gradients
     * as the three ops, with the add and the ReLU fused into the batch-norm kernels in training.
     */
    public static Variable batchNormAddRelu(Variable x, Variable residual, Tensor runningMean, Tensor runningVar, Variable weight,
                                            Variable bias, boolean training, float momentum, float eps) {
        return batchNorm(x, residual, runningMean, runningVar, weight, bias, training, momentum, eps, true);
    }

    private static Variable batchNorm(Variable x, Variable residual, Tensor runningMean, Tensor runningVar, Variable weight, Variable bias,
                                      boolean training, float momentum, float eps, boolean relu) {
        if (training) {
            Layers.BatchNormTrain fn = new Layers.BatchNormTrain(eps, relu, residual != null);
            Variable[] in = residual == null ? new Variable[] {x} : new Variable[] {x, residual};
            if (weight != null) {
                in = java.util.Arrays.copyOf(in, in.length + 2);
                in[in.length - 2] = weight;
                in[in.length - 1] = bias;
            }
            Variable y = fn.apply(in);
            if (runningMean != null) {
                runningMean.mulInPlace(1f - momentum).addInPlace(fn.batchMean().mul(momentum));
                runningVar.mulInPlace(1f - momentum).addInPlace(fn.batchUnbiasedVar().mul(momentum));
            }
            return y;
        }
        if (runningMean == null) throw new IllegalArgumentException("batchNorm: eval mode needs running statistics");
        Layers.BatchNormEval fn = new Layers.BatchNormEval(runningMean, runningVar, eps);
        Variable y = weight == null ? fn.apply(x) : fn.apply(x, weight, bias);
        if (!relu) return y;
        return residual == null ? y.relu() : addRelu(y, residual);
    }

    public static Variable maxPool2d(Variable x, int kernel, int stride, int padding) {
        return new Layers.MaxPool2d(kernel, stride, padding).apply(x);
    }

    public static Variable avgPool2d(Variable x, int kernel, int stride, int padding) {
        return new Layers.AvgPool2d(kernel, stride, padding).apply(x);
    }

    /** Global average pooling to [N, C, 1, 1]. */
    public static Variable adaptiveAvgPool2d1(Variable x) {
        if (x.dim() != 4) throw new IllegalArgumentException("adaptiveAvgPool2d: input must be [N,C,H,W], got " + Shapes.str(x.shape()));
        return x.mean(new int[] {2, 3}, true);
    }

    /** Inverted dropout; identity when not training or p == 0. */
    public static Variable dropout(Variable x, float p, boolean training, Generator g) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (!training || p == 0f) return x;
        float scale = 1f / (1f - p);
        Tensor mask = Tensor.empty(x.shape());
        float[] m = mask.array();
        for (int i = 0; i < m.length; i++) m[i] = g.nextFloat() >= p ? scale : 0f;
        return new Layers.Dropout(mask.to(x.data().device())).apply(x);
    }

    public static Variable logSoftmax(Variable x, int axis) {
        return new Losses.LogSoftmax(axis).apply(x);
    }

    public static Variable softmax(Variable x, int axis) {
        return new Losses.Softmax(axis).apply(x);
    }

    /** Mean cross-entropy of logits [N, C] against class indices. */
    public static Variable crossEntropy(Variable logits, int[] targets) {
        return crossEntropy(logits, targets, 0f);
    }

    public static Variable crossEntropy(Variable logits, int[] targets, float labelSmoothing) {
        return new Losses.CrossEntropy(targets, labelSmoothing).apply(logits);
    }

    public static Variable nllLoss(Variable logProbs, int[] targets) {
        return new Losses.Nll(targets).apply(logProbs);
    }

    /** Mean squared error. */
    public static Variable mseLoss(Variable input, Variable target) {
        if (!Shapes.equal(input.shape(), target.shape())) {
            throw new IllegalArgumentException("mseLoss: input " + Shapes.str(input.shape()) + " and target " + Shapes.str(target.shape()) + " differ");
        }
        Variable d = input.sub(target);
        return d.mul(d).mean();
    }

    /** Joins along an axis (torch.cat), e.g. DenseNet's concatenation of feature maps on axis 1. */
    public static Variable cat(int axis, Variable... parts) {
        return Variable.cat(axis, parts);
    }

    /** cond != 0 ? a : b with a constant mask (torch.where). */
    public static Variable where(Tensor cond, Variable a, Variable b) {
        return Variable.where(cond, a, b);
    }

    /** Rows (or slices along axis) divided by their L2 norm, the norm floored at eps (F.normalize). */
    public static Variable normalize(Variable x, int axis, float eps) {
        Variable norm = x.square().sum(new int[] {axis}, true).sqrt();
        Variable floor = Variable.of(Tensor.scalar(eps).to(x.data().device()));
        return x.div(norm.maximum(floor));
    }

    /** acos(clamp(x, -0.99999, 0.99999)), the arccos of the MMA reference; zero gradient where clamped. */
    public static Variable acosClamped(Variable x) {
        return x.acosClamped();
    }

    /** Flattens all axes after the first: [N, ...] to [N, rest]. */
    public static Variable flatten(Variable x) {
        return x.dim() <= 2 ? x : x.flatten(1, -1);
    }
}
