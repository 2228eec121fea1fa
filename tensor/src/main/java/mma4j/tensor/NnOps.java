package mma4j.tensor;

/**
 * The neural-network kernels on tensors (no autograd): convolution, pooling and batch-norm,
 * forward and backward. Arguments are checked here, with messages that name the op and the
 * shapes; the device's {@link Kernels} do the work.
 */
public final class NnOps {
    private NnOps() {}

    /** Output size of a sliding window. */
    public static int outSize(String op, int in, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(op + ": kernel " + kernel + ", stride " + stride + ", padding " + padding + " must be >= 1, >= 1, >= 0");
        }
        int out = (in + 2 * padding - kernel) / stride + 1;
        if (in + 2 * padding < kernel || out < 1) {
            throw new IllegalArgumentException(op + ": input size " + in + " with padding " + padding + " is smaller than kernel " + kernel);
        }
        return out;
    }

    private static void rank(String op, String name, Tensor t, int r) {
        if (t.dim() != r) throw new IllegalArgumentException(op + ": " + name + " must be " + r + "-d, got shape " + Shapes.str(t.shape()));
    }

    // ------------------------------------------------------------ convolution

    /** x [N,C,H,W], w [F,C,kh,kw], bias [F] or null. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        rank("conv2d", "input", x, 4);
        rank("conv2d", "weight", w, 4);
        if (x.size(1) != w.size(1)) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape()) + " has " + x.size(1) + " channels but weight " + Shapes.str(w.shape()) + " expects " + w.size(1));
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != w.size(0))) {
            throw new IllegalArgumentException("conv2d: bias " + Shapes.str(bias.shape()) + " must be [" + w.size(0) + "] for weight " + Shapes.str(w.shape()));
        }
        String op = "conv2d (input " + Shapes.str(x.shape()) + ", weight " + Shapes.str(w.shape()) + ")";
        int oh = outSize(op, x.size(2), w.size(2), stride, padding), ow = outSize(op, x.size(3), w.size(3), stride, padding);
        Tensor out = x.newTensor(x.size(0), w.size(0), oh, ow);
        x.kernels().conv2d(x, w, bias, stride, padding, out);
        return out;
    }

    /** Checks that gy [N,F,OH,OW] is what conv2d of an x of shape xShape with weight shape wShape gives. */
    private static void checkConvGrad(String op, int[] gyShape, int[] xShape, int[] wShape, int stride, int padding) {
        String shapes = "grad output " + Shapes.str(gyShape) + ", input " + Shapes.str(xShape) + ", weight " + Shapes.str(wShape);
        if (gyShape.length != 4 || xShape.length != 4 || wShape.length != 4) {
            throw new IllegalArgumentException(op + ": expected 4-d shapes, got " + shapes);
        }
        int oh = outSize(op + " (" + shapes + ")", xShape[2], wShape[2], stride, padding);
        int ow = outSize(op + " (" + shapes + ")", xShape[3], wShape[3], stride, padding);
        if (xShape[1] != wShape[1] || gyShape[0] != xShape[0] || gyShape[1] != wShape[0] || gyShape[2] != oh || gyShape[3] != ow) {
            throw new IllegalArgumentException(op + ": " + shapes + " do not fit together (stride " + stride + ", padding " + padding
                    + " give output [" + xShape[0] + ", " + wShape[0] + ", " + oh + ", " + ow + "])");
        }
    }

    public static Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] inputShape, int stride, int padding) {
        checkConvGrad("conv2dBackwardInput", gy.shape(), inputShape, w.shape(), stride, padding);
        Tensor gx = gy.newTensor(inputShape);
        gy.kernels().conv2dBackwardInput(gy, w, stride, padding, gx);
        return gx;
    }

    /** Returns {gradWeight, gradBias (or null)}. */
    public static Tensor[] conv2dBackwardWeight(Tensor x, Tensor gy, int[] weightShape, boolean withBias, int stride, int padding) {
        checkConvGrad("conv2dBackwardWeight", gy.shape(), x.shape(), weightShape, stride, padding);
        Tensor gw = gy.newTensor(weightShape);
        Tensor gb = withBias ? gy.newTensor(weightShape[0]) : null;
        gy.kernels().conv2dBackwardWeight(x, gy, stride, padding, gw, gb);
        return new Tensor[] {gw, gb};
    }

    // ------------------------------------------------------------ pooling

    public record MaxPoolResult(Tensor output, Tensor indices) {}

    public static MaxPoolResult maxPool2d(Tensor x, int kernel, int stride, int padding) {
        rank("maxPool2d", "input", x, 4);
        if (padding * 2 > kernel) throw new IllegalArgumentException("maxPool2d: padding " + padding + " must be at most half the kernel " + kernel);
        String op = "maxPool2d (input " + Shapes.str(x.shape()) + ")";
        int oh = outSize(op, x.size(2), kernel, stride, padding), ow = outSize(op, x.size(3), kernel, stride, padding);
        Tensor out = x.newTensor(x.size(0), x.size(1), oh, ow), idx = x.newTensor(x.size(0), x.size(1), oh, ow);
        x.kernels().maxPool2d(x, kernel, stride, padding, out, idx);
        return new MaxPoolResult(out, idx);
    }

    public static Tensor maxPool2dBackward(Tensor gy, Tensor indices, int[] inputShape) {
        Tensor gx = gy.newTensor(inputShape);
        gy.kernels().maxPool2dBackward(gy, indices, gx);
        return gx;
    }

    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        rank("avgPool2d", "input", x, 4);
        String op = "avgPool2d (input " + Shapes.str(x.shape()) + ")";
        int oh = outSize(op, x.size(2), kernel, stride, padding), ow = outSize(op, x.size(3), kernel, stride, padding);
        Tensor out = x.newTensor(x.size(0), x.size(1), oh, ow);
        x.kernels().avgPool2d(x, kernel, stride, padding, out);
        return out;
    }

    public static Tensor avgPool2dBackward(Tensor gy, int[] inputShape, int kernel, int stride, int padding) {
        Tensor gx = gy.newTensor(inputShape);
        gy.kernels().avgPool2dBackward(gy, kernel, stride, padding, gx);
        return gx;
    }

    // ------------------------------------------------------------ batch-norm

    /** y, and what backward and the running statistics need. */
    public record BatchNormResult(Tensor output, Tensor mean, Tensor invStd, Tensor unbiasedVar) {}

    private static void checkBn(String op, Tensor x, Tensor... perChannel) {
        if (x.dim() < 2) throw new IllegalArgumentException(op + ": input must be at least 2-d [N, C, ...], got " + Shapes.str(x.shape()));
        for (Tensor t : perChannel) {
            if (t != null && (t.dim() != 1 || t.size(0) != x.size(1))) {
                throw new IllegalArgumentException(op + ": per-channel tensor " + Shapes.str(t.shape()) + " must be [" + x.size(1) + "] for input " + Shapes.str(x.shape()));
            }
        }
    }

    public static BatchNormResult batchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return batchNormTrain("batchNorm", x, null, gamma, beta, eps, false);
    }

    /**
     * Training-mode relu(batchNorm(x) + residual) (residual null: relu(batchNorm(x))), made in
     * batch-norm's own passes; the statistics are batch-norm's.
     */
    public static BatchNormResult batchNormReluTrain(Tensor x, Tensor residual, Tensor gamma, Tensor beta, float eps) {
        if (residual != null) {
            x.checkSameDevice("batchNormRelu", residual);
            if (!residual.sameShape(x)) {
                throw new IllegalArgumentException("batchNormRelu: residual " + Shapes.str(residual.shape()) + " must match input " + Shapes.str(x.shape()));
            }
        }
        return batchNormTrain("batchNormRelu", x, residual, gamma, beta, eps, true);
    }

    private static BatchNormResult batchNormTrain(String op, Tensor x, Tensor residual, Tensor gamma, Tensor beta, float eps, boolean relu) {
        checkBn(op, x, gamma, beta);
        int perChannel = x.numel() / Math.max(1, x.size(1));
        if (perChannel < 2) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input " + Shapes.str(x.shape()));
        }
        int c = x.size(1);
        Tensor y = x.newTensor(x.shape()), mean = x.newTensor(c), invStd = x.newTensor(c), uv = x.newTensor(c);
        if (relu) x.kernels().batchNormReluTrain(x, residual, gamma, beta, eps, y, mean, invStd, uv);
        else x.kernels().batchNormTrain(x, gamma, beta, eps, y, mean, invStd, uv);
        return new BatchNormResult(y, mean, invStd, uv);
    }

    public static Tensor batchNormApply(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta) {
        checkBn("batchNorm", x, mean, invStd, gamma, beta);
        Tensor y = x.newTensor(x.shape());
        x.kernels().batchNormApply(x, mean, invStd, gamma, beta, y);
        return y;
    }

    /** Returns {gradInput, gradGamma (or null), gradBeta (or null)}. */
    public static Tensor[] batchNormBackward(Tensor gy, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, boolean affine) {
        return batchNormBackward(gy, null, x, mean, invStd, gamma, affine);
    }

    /**
     * Backward of batch-norm, or of relu(batchNorm(x)) when {@code reluOutput} (that forward's
     * output) is given. Returns {gradInput, gradGamma (or null), gradBeta (or null)}.
     */
    public static Tensor[] batchNormBackward(Tensor gy, Tensor reluOutput, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, boolean affine) {
        String op = reluOutput == null ? "batchNormBackward" : "batchNormReluBackward";
        if (!gy.sameShape(x) || (reluOutput != null && !reluOutput.sameShape(x))) {
            throw new IllegalArgumentException(op + ": gradient " + Shapes.str(gy.shape())
                    + (reluOutput == null ? "" : " and output " + Shapes.str(reluOutput.shape())) + " must match input " + Shapes.str(x.shape()));
        }
        int c = x.size(1);
        Tensor gx = x.newTensor(x.shape());
        Tensor gg = affine ? x.newTensor(c) : null, gb = affine ? x.newTensor(c) : null;
        if (reluOutput == null) x.kernels().batchNormBackward(gy, x, mean, invStd, gamma, gx, gg, gb);
        else x.kernels().batchNormReluBackward(gy, reluOutput, x, mean, invStd, gamma, gx, gg, gb);
        return new Tensor[] {gx, gg, gb};
    }

    // ------------------------------------------------------------ ReLU

    /**
     * ReLU's backward from its output (PyTorch's threshold_backward): the gradient where the
     * output y is non-zero (a ReLU output is 0 or positive), else 0; one pass, and an infinite
     * gradient of an inactive unit gives 0, not 0 * inf = NaN.
     */
    public static Tensor reluBackward(Tensor g, Tensor y) {
        return Tensor.where(y, g, Tensor.scalar(0f).to(g.device()));
    }

    // ------------------------------------------------------------ optimizer step

    /**
     * One torch.optim.SGD update of {@code param} in place (see {@link Kernels#sgdStep}); the
     * momentum buffer, required when momentum != 0, is written too (on the first step it is
     * only written, so it may hold anything).
     */
    public static void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float dampening,
                               float weightDecay, boolean nesterov, boolean firstStep) {
        String op = "sgdStep";
        if (!param.sameShape(grad)) {
            throw new IllegalArgumentException(op + ": gradient " + Shapes.str(grad.shape()) + " does not match parameter " + Shapes.str(param.shape()));
        }
        param.checkSameDevice(op, grad);
        if (momentum != 0f) {
            if (momentumBuffer == null) throw new IllegalArgumentException(op + ": momentum " + momentum + " needs a momentum buffer");
            if (!param.sameShape(momentumBuffer)) {
                throw new IllegalArgumentException(op + ": momentum buffer " + Shapes.str(momentumBuffer.shape()) + " does not match parameter " + Shapes.str(param.shape()));
            }
            param.checkSameDevice(op, momentumBuffer);
            momentumBuffer.markModified(op);
        }
        param.markModified(op);
        param.kernels().sgdStep(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, firstStep);
    }
}
