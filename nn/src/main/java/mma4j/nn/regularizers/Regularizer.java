package mma4j.nn.regularizers;

import mma4j.autograd.Variable;

/**
 * An angular regularizer: one layer's weight in, a differentiable scalar out, to be scaled by a
 * coefficient and added to the task loss. A Linear weight [out, in] is used as it is; a Conv2d
 * weight [out, in, kH, kW] is read as [out, in*kH*kW], one row per output channel.
 *
 * <pre>{@code
 * Regularizer mma = Regularizers.of("mma");
 * Variable loss = task.add(mma.apply(conv.weight()).mul(0.07f));
 * }</pre>
 */
public interface Regularizer {
    /** The penalty for one weight; fails with IllegalArgumentException on a weight it cannot measure. */
    Variable apply(Variable weight);

    /** The name {@link Regularizers#of} knows it by. */
    String name();

    /** Which implementation computes it. */
    Impl impl();
}
