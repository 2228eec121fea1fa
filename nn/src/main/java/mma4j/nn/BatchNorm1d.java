package mma4j.nn;

import mma4j.autograd.Variable;

/** Batch-norm over [N, C] or [N, C, L] (see {@link BatchNorm}). */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures) {
        this(builder(numFeatures));
    }

    private BatchNorm1d(Builder<BatchNorm1d> b) {
        super(b);
    }

    public static Builder<BatchNorm1d> builder(int numFeatures) {
        return new Builder<>(numFeatures, BatchNorm1d::new);
    }

    @Override
    protected void checkInput(Variable x) {
        if (x.dim() != 2 && x.dim() != 3) throw new IllegalArgumentException("BatchNorm1d: expected 2D or 3D input (got " + rank(x.dim()) + " input)");
    }
}
