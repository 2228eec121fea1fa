package mma4j.nn.regularizers;

import mma4j.autograd.Variable;

/**
 * Soft orthogonality on normalized rows: 1/2 ||W_hat W_hat^T - I||_F^2. The paper writes the term
 * as (lambda/2) sum_layers ||.||^2, so the 1/2 is inside and the coefficient is lambda (1e-4 in
 * its Table 3).
 */
public final class OrthogonalLoss implements Regularizer {
    private final Impl impl;

    public OrthogonalLoss() {
        this(Impl.FUSED);
    }

    public OrthogonalLoss(Impl impl) {
        if (impl == Impl.TILED) {
            throw new IllegalArgumentException("orthogonal: no tiled implementation (every pair contributes, and the backward needs the whole matrix);"
                    + " use composed or fused");
        }
        this.impl = impl;
    }

    @Override
    public Variable apply(Variable weight) {
        Variable w = WeightMatrix.rows("orthogonal", weight, impl == Impl.COMPOSED);
        return impl == Impl.COMPOSED ? Composed.orthogonal(w) : PairEnergy.orthogonal().apply(w);
    }

    @Override
    public String name() {
        return "orthogonal";
    }

    @Override
    public Impl impl() {
        return impl;
    }
}
