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
        Variable w = WeightMatrix.rows("mma", weight, impl == Impl.COMPOSED);
        return switch (impl) {
            case COMPOSED -> Composed.mma(w);
            case FUSED -> new NearestNeighbourLoss(NearestNeighbourLoss.Term.MMA).apply(w);
            case TILED -> new NearestNeighbourLoss(NearestNeighbourLoss.Term.MMA, tile).apply(w);
        };
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
