package mma4j.nn.regularizers;

import mma4j.autograd.Variable;

/**
 * The paper's "cosine loss" competitor: mean_i of each row's largest cosine to another row.
 * Same nearest-neighbour structure as MMA without the arccos, so its pull vanishes as two rows
 * coincide (d cos / d theta = -sin theta), which is why it can leave rows stuck together.
 */
public final class CosineLoss implements Regularizer {
    private final Impl impl;
    private final int tile;

    public CosineLoss() {
        this(Impl.FUSED);
    }

    public CosineLoss(Impl impl) {
        this(impl, Gram.TILE);
    }

    public CosineLoss(Impl impl, int tile) {
        if (tile < 1) throw new IllegalArgumentException("cosine: tile size must be >= 1, got " + tile);
        this.impl = impl;
        this.tile = tile;
    }

    @Override
    public Variable apply(Variable weight) {
        // The fused forms read [out, in, kH, kW] as rows themselves (and check them as they measure
        // them): applied to the weight itself, their backward can add into its gradient.
        if (impl != Impl.COMPOSED) {
            Variable w = WeightMatrix.asIs("cosine", weight);
            return new NearestNeighbourLoss(NearestNeighbourLoss.Term.COSINE, impl == Impl.TILED ? tile : 0).apply(w);
        }
        return Composed.cosine(WeightMatrix.rows("cosine", weight));
    }

    @Override
    public String name() {
        return "cosine";
    }

    @Override
    public Impl impl() {
        return impl;
    }
}
