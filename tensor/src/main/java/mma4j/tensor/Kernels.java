package mma4j.tensor;

/**
 * The primitive kernels a backend provides. {@link Tensor} validates shapes and allocates
 * outputs (always contiguous, on the inputs' device); a kernel only computes. Inputs may be
 * strided views; broadcast inputs arrive already expanded to the output's shape (stride 0).
 */
public interface Kernels {
    void fill(Tensor out, float value);

    /** dst[i] = src[i] for views of equal shape. */
    void copy(Tensor src, Tensor dst);

    void unary(UnaryOp op, Tensor x, float p, float q, Tensor out);

    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** out = cond != 0 ? a : b (all expanded to out's shape). */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /** Reduces the given sorted axes; {@code out} has x's rank with those axes of size 1. */
    void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out);

    /** Index (as float) of the max (or min) along {@code axis}; out has that axis of size 1. First index wins ties. */
    void argReduce(boolean max, Tensor x, int axis, Tensor out);

    /** Softmax or log-softmax along one axis. */
    void softmax(Tensor x, int axis, boolean log, Tensor out);

    /** out[b] = a[b] @ c[b] for rank-3 views [B,M,K] x [B,K,N] -> contiguous [B,M,N]; any strides. */
    void matmul(Tensor a, Tensor b, Tensor out);

    /** out = a @ b plus accumulate: out = beta*out + a@b (2-D or 3-D as matmul). */
    default void matmulAccumulate(Tensor a, Tensor b, float beta, Tensor out) {
        throw new UnsupportedOperationException("matmulAccumulate");
    }

    /** x [N,C,H,W], w [F,C,kh,kw], bias [F] or null -> out [N,F,OH,OW]. */
    void conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, Tensor out);

    /** Gradient of conv2d w.r.t. its input: gy [N,F,OH,OW], w -> gx [N,C,H,W]. */
    void conv2dBackwardInput(Tensor gy, Tensor w, int stride, int padding, Tensor gx);

    /** Gradient w.r.t. the weight (gw [F,C,kh,kw], overwritten) and, if gb != null, the bias. */
    void conv2dBackwardWeight(Tensor x, Tensor gy, int stride, int padding, Tensor gw, Tensor gb);

    /** Max pooling; {@code indices} receives the flat h*W+w position of each max within its plane. */
    void maxPool2d(Tensor x, int kernel, int stride, int padding, Tensor out, Tensor indices);

    void maxPool2dBackward(Tensor gy, Tensor indices, Tensor gx);

    /** Average pooling, zero padding counted in the divisor (PyTorch's count_include_pad=True). */
    void avgPool2d(Tensor x, int kernel, int stride, int padding, Tensor out);

    void avgPool2dBackward(Tensor gy, int kernel, int stride, int padding, Tensor gx);

    /**
     * Batch-norm over all axes but 1 with batch statistics: writes y, the per-channel mean and
     * 1/sqrt(biased var + eps) (saved for backward), and the unbiased variance for running stats.
     * gamma and beta may be null (affine=false).
     */
    void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor invStd, Tensor unbiasedVar);

    /** y = (x - mean) * invStd * gamma + beta per channel (eval mode, or replaying train mode). */
    void batchNormApply(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor y);

    /** Backward of batchNormTrain; gGamma/gBeta may be null. */
    void batchNormBackward(Tensor gy, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor gx, Tensor gGamma, Tensor gBeta);

    // ---------------------------------------------------------------- fused training ops
    // Composed defaults that work on any device; a backend overrides them with one kernel.

    /**
     * y = relu(batchNorm(x) + residual), or relu(batchNorm(x)) when residual is null (a residual
     * has x's shape); the statistics are those of batchNormTrain.
     */
    default void batchNormReluTrain(Tensor x, Tensor residual, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor invStd,
                                    Tensor unbiasedVar) {
        batchNormTrain(x, gamma, beta, eps, y, mean, invStd, unbiasedVar);
        if (residual != null) binary(BinaryOp.ADD, y, residual, y);
        unary(UnaryOp.RELU, y, 0f, 0f, y);
    }

    /**
     * Backward of y = relu(batchNorm(x) [+ residual]) w.r.t. x, gamma and beta, given that y:
     * batchNormBackward of the gradient where y != 0 (ReLU's output is 0 or positive), 0 elsewhere.
     */
    default void batchNormReluBackward(Tensor gy, Tensor y, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor gx, Tensor gGamma, Tensor gBeta) {
        Tensor passed = NnOps.reluBackward(gy, y);
        batchNormBackward(passed, x, mean, invStd, gamma, gx, gGamma, gBeta);
    }

    /**
     * The fused MMA forward: for a row-normalized [n,d] {@code w} (n >= 2), maxCos[i] is the
     * largest w_i . w_j over j != i and nearest[i] that j as a float (first on ties, NaN counts
     * as the largest, as in max/argmax). maxCos and nearest are [n].
     */
    default void nearestCosine(Tensor w, Tensor maxCos, Tensor nearest) {
        int n = w.size(0);
        float[] eye = new float[n * n];
        for (int i = 0; i < n; i++) eye[i * n + i] = 1f;
        Tensor diag = Tensor.wrap(eye, n, n).to(w.device());
        Tensor minusInf = Tensor.scalar(Float.NEGATIVE_INFINITY).to(w.device());
        Tensor cos = Tensor.where(diag, minusInf, w.matmul(w.t()));
        copy(cos.max(new int[] {1}, false), maxCos);
        copy(cos.argmax(1, false), nearest);
    }

    /**
     * The fused MMA backward with the nearest neighbours held fixed: gw = d(sum_i g[i] * w_i . w_nearest[i]) / dw,
     * so row i receives g[i] * w[nearest[i]] and row nearest[i] receives g[i] * w[i], summed in
     * ascending i. Overwrites gw [n,d].
     */
    default void nearestCosineBackward(Tensor w, Tensor nearest, Tensor g, Tensor gw) {
        int n = w.size(0), d = w.size(1);
        float[] wd = w.toArray(), nd = nearest.toArray(), gd = g.toArray(), out = new float[n * d];
        for (int i = 0; i < n; i++) {
            int j = (int) nd[i];
            for (int p = 0; p < d; p++) {
                out[i * d + p] += gd[i] * wd[j * d + p];
                out[j * d + p] += gd[i] * wd[i * d + p];
            }
        }
        copy(Tensor.wrap(out, n, d).to(gw.device()), gw);
    }

    /**
     * One step of torch.optim.SGD on one parameter, in place: g = grad + weightDecay*param;
     * with momentum, buf = g on the first step, else momentum*buf + (1-dampening)*g, and
     * g = nesterov ? g + momentum*buf : buf; then param -= lr*g. momentumBuffer may be null
     * when momentum is 0. All tensors have param's shape.
     */
    default void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float dampening,
                         float weightDecay, boolean nesterov, boolean firstStep) {
        Tensor g = weightDecay != 0f ? grad.add(param.mul(weightDecay)) : grad;
        if (momentum != 0f) {
            if (firstStep) {
                momentumBuffer.copyFrom(g);
            } else {
                momentumBuffer.mulInPlace(momentum).addInPlace(g, 1f - dampening);
            }
            g = nesterov ? g.add(momentumBuffer.mul(momentum)) : momentumBuffer;
        }
        param.addInPlace(g, -lr);
    }
}
