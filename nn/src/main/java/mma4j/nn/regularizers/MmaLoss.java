package mma4j.nn.regularizers;

import mma4j.autograd.Variable;

/**
 * MMA regularization (Wang et al., NeurIPS 2020): -mean_i arccos of each row's largest cosine to
 * another row, so minimizing it pushes every row away from its nearest neighbour and maximizes
 * the minimal pairwise angle. Cosines are clamped to +-0.99999 (no gradient beyond), so identical
 * or antipodal rows give a finite loss and a zero gradient for that pair, never NaN.
 */
public final class MmaLoss implements Regularizer {
    private final Impl impl;
    private final int tile;

    /** The fused form. */
    public MmaLoss() {
        this(Impl.FUSED);
    }

    public MmaLoss(Impl impl) {
        this(impl, Gram.TILE);
    }

    /** {@code tile} is the side of the streamed blocks when impl is TILED. */
    public MmaLoss(Impl impl, int tile) {
        if (tile < 1) throw new IllegalArgumentException("mma: tile size must be >= 1, got " + tile);
        this.impl = impl;
        this.tile = tile;
    }

    @Override
    public Variable apply(Variable weight) {
        // The fused forms read [out, in, kH, kW] as rows themselves (and check them as they measure
        // them): applied to the weight itself, their backward can add into its gradient.
        if (impl != Impl.COMPOSED) {
            Variable w = WeightMatrix.asIs("mma", weight);
            return new NearestNeighbourLoss(NearestNeighbourLoss.Term.MMA, impl == Impl.TILED ? tile : 0).apply(w);
        }
        return Composed.mma(WeightMatrix.rows("mma", weight));
    }

    @Override
    public String name() {
        return "mma";
    }

    @Override
    public Impl impl() {
        return impl;
    }
}
