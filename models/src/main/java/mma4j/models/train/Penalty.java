package mma4j.models.train;

import mma4j.autograd.Variable;
import mma4j.nn.Module;
import mma4j.nn.regularizers.Impl;
import mma4j.nn.regularizers.LayerRegularization;
import mma4j.nn.regularizers.Regularizers;

/**
 * The regularizer term of a training step: coefficient * sum over the chosen layers
 * (hidden, output = the classifier, or all) of the regularizer of each Conv2d/Linear weight,
 * through {@link LayerRegularization}. The regularizer is rebuilt at each epoch with a seed
 * derived from (seed, epoch), so the random rows of mini-batch MHE depend only on where the
 * run is and a resumed run draws the same ones.
 */
public final class Penalty {
    private final String name;
    private final double coef;
    private final LayerRegularization.Layers layers;
    private final long seed;
    private LayerRegularization term;

    private Penalty(String name, double coef, LayerRegularization.Layers layers, long seed) {
        this.name = name;
        this.coef = coef;
        this.layers = layers;
        this.seed = seed;
    }

    /** {@code reg} "none" or a coefficient of 0 gives a penalty that adds nothing. */
    public static Penalty create(String reg, float coef, String layers, long seed) {
        LayerRegularization.Layers l = LayerRegularization.Layers.parse(layers);
        Penalty p = new Penalty(reg.equals("none") || coef == 0f ? null : reg, coef, l, seed);
        p.startEpoch(0);
        return p;
    }

    public void startEpoch(int epoch) {
        if (name == null) return;
        term = LayerRegularization.builder(Regularizers.of(name, Impl.FUSED, seed * 1_000_003L + epoch)).layers(layers).coefficient(coef).build();
    }

    /** The summed, scaled term for this model's weights, or null when no regularizer is applied. */
    public Variable term(Module model) {
        return term == null ? null : term.apply(model).total();
    }
}
