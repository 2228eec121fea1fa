package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * Batch normalization over channel axis 1, as PyTorch's _BatchNorm; {@link BatchNorm1d} and
 * {@link BatchNorm2d} only differ in the input ranks they accept.
 *
 * <p>Parameters weight (ones) and bias (zeros) when affine; buffers running_mean (zeros),
 * running_var (ones) and num_batches_tracked (a 0-d tensor, 0) when tracking running stats.
 * In training the batch's mean and biased variance normalize, and the running statistics move
 * towards the batch's mean and <em>unbiased</em> variance by {@code momentum} (or by
 * 1/num_batches_tracked, a cumulative average, when momentum is null); in eval the running
 * statistics normalize. Without tracking, batch statistics are used in both modes.
 *
 * <p>num_batches_tracked is a float32 buffer here (tensors are float32), exact up to 2^24
 * batches; safetensors stores it as I64, as PyTorch does.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final float eps;
    private final Float momentum;
    private final boolean affine, trackRunningStats;
    private final Parameter weight, bias;

    @SuppressWarnings("this-escape")   // registering in the constructor is the Module pattern
    protected BatchNorm(Builder<?> b) {
        if (b.numFeatures <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures must be > 0, got " + b.numFeatures);
        if (!(b.eps > 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": eps must be > 0, got " + b.eps);
        if (b.momentum != null && !(b.momentum >= 0 && b.momentum <= 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": momentum must be in [0, 1], got " + b.momentum);
        }
        this.numFeatures = b.numFeatures;
        this.eps = b.eps;
        this.momentum = b.momentum;
        this.affine = b.affine;
        this.trackRunningStats = b.trackRunningStats;
        this.weight = affine ? registerParameter("weight", new Parameter(Tensor.ones(numFeatures))) : null;
        this.bias = affine ? registerParameter("bias", new Parameter(Tensor.zeros(numFeatures))) : null;
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(numFeatures));
            registerBuffer("running_var", Tensor.ones(numFeatures));
            registerBuffer("num_batches_tracked", Tensor.scalar(0f));
        }
    }

    /** Throws unless the input has a rank this layer accepts. */
    protected abstract void checkInput(Variable x);

    @Override
    public Variable forward(Variable x) {
        return forward(x, null, false);
    }

    /**
     * relu(forward(x)) with the ReLU fused into the batch-norm kernels in training mode: the
     * same values and gradients, one pass less each way. The models use it for BN-ReLU pairs,
     * and {@link Sequential} for a BatchNorm followed by a {@link ReLU}.
     */
    public Variable forwardRelu(Variable x) {
        return forward(x, null, true);
    }

    /**
     * relu(forward(x) + residual), how a residual block ends, with the add and the ReLU fused
     * into the batch-norm kernels in training mode (same values and gradients).
     */
    public Variable forwardAddRelu(Variable x, Variable residual) {
        return forward(x, residual, true);
    }

    private Variable forward(Variable x, Variable residual, boolean relu) {
        checkInput(x);
        if (x.size(1) != numFeatures) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input " + Shapes.str(x.shape()) + " has " + x.size(1)
                    + " channels, expected " + numFeatures);
        }
        float factor = momentum == null ? 0f : momentum;
        if (isTraining() && trackRunningStats) {
            Tensor tracked = buffer("num_batches_tracked");
            tracked.addInPlace(1f);
            if (momentum == null) factor = 1f / tracked.item();
        }
        boolean useBatchStats = isTraining() || !trackRunningStats;
        Tensor mean = trackRunningStats ? buffer("running_mean") : null;
        Tensor var = trackRunningStats ? buffer("running_var") : null;
        if (!relu) return Functional.batchNorm(x, mean, var, weight, bias, useBatchStats, factor, eps);
        return residual == null ? Functional.batchNormRelu(x, mean, var, weight, bias, useBatchStats, factor, eps)
                : Functional.batchNormAddRelu(x, residual, mean, var, weight, bias, useBatchStats, factor, eps);
    }

    /** Resets running_mean to 0, running_var to 1 and num_batches_tracked to 0. */
    public void resetRunningStats() {
        if (!trackRunningStats) return;
        buffer("running_mean").zeroInPlace();
        buffer("running_var").fillInPlace(1f);
        buffer("num_batches_tracked").zeroInPlace();
    }

    public Parameter weight() { return weight; }
    public Parameter bias() { return bias; }
    public Tensor runningMean() { return trackRunningStats ? buffer("running_mean") : null; }
    public Tensor runningVar() { return trackRunningStats ? buffer("running_var") : null; }
    public Tensor numBatchesTracked() { return trackRunningStats ? buffer("num_batches_tracked") : null; }
    public int numFeatures() { return numFeatures; }
    public float eps() { return eps; }
    /** The momentum, or null for a cumulative moving average. */
    public Float momentum() { return momentum; }
    public boolean affine() { return affine; }
    public boolean trackRunningStats() { return trackRunningStats; }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + (momentum == null ? "None" : momentum) + ", affine=" + (affine ? "True" : "False")
                + ", track_running_stats=" + (trackRunningStats ? "True" : "False");
    }

    static String rank(int d) {
        return d + "D";
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running stats. */
    public static final class Builder<B extends BatchNorm> {
        private final int numFeatures;
        private final java.util.function.Function<Builder<B>, B> factory;
        private float eps = 1e-5f;
        private Float momentum = 0.1f;
        private boolean affine = true, trackRunningStats = true;

        Builder(int numFeatures, java.util.function.Function<Builder<B>, B> factory) {
            this.numFeatures = numFeatures;
            this.factory = factory;
        }

        public Builder<B> eps(float e) { this.eps = e; return this; }
        public Builder<B> momentum(float m) { this.momentum = m; return this; }
        /** Running statistics as a cumulative average (PyTorch's momentum=None). */
        public Builder<B> cumulativeAverage() { this.momentum = null; return this; }
        public Builder<B> affine(boolean a) { this.affine = a; return this; }
        public Builder<B> trackRunningStats(boolean t) { this.trackRunningStats = t; return this; }

        public B build() {
            return factory.apply(this);
        }
    }
}
