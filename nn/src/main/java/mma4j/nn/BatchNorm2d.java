package mma4j.nn;

import mma4j.autograd.Variable;

/** Batch-norm over [N, C, H, W] (see {@link BatchNorm}); {@code BatchNorm2d.builder(c).momentum(0.01).build()}. */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures) {
        this(builder(numFeatures));
    }

    private BatchNorm2d(Builder<BatchNorm2d> b) {
        super(b);
    }

    public static Builder<BatchNorm2d> builder(int numFeatures) {
        return new Builder<>(numFeatures, BatchNorm2d::new);
    }

    @Override
    protected void checkInput(Variable x) {
        if (x.dim() != 4) throw new IllegalArgumentException("BatchNorm2d: expected 4D input (got " + rank(x.dim()) + " input)");
    }
}
