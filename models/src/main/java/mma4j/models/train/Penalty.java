package mma4j.models.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.autograd.Variable;
import mma4j.nn.Conv2d;
import mma4j.nn.Linear;
import mma4j.nn.Module;
import mma4j.nn.Parameter;
import mma4j.nn.regularizers.Impl;
import mma4j.nn.regularizers.Regularizer;
import mma4j.nn.regularizers.Regularizers;

/**
 * The regularizer term of a training step: coefficient * sum over the chosen layers of the
 * regularizer of each Conv2d/Linear weight. "output" is the classifier (the last Linear),
 * "hidden" every other such layer, "all" both (the reference code's practice).
 */
public final class Penalty {
    private final String name;
    private final float coef;
    private final List<Parameter> weights;
    private final long seed;
    private Regularizer regularizer;

    private Penalty(String name, float coef, List<Parameter> weights, long seed) {
        this.name = name;
        this.coef = coef;
        this.weights = weights;
        this.seed = seed;
    }

    public static Penalty create(String reg, float coef, String layers, Module model, long seed) {
        if (reg.equals("none") || coef == 0f) return new Penalty(null, 0f, List.of(), seed);
        return new Penalty(reg, coef, List.copyOf(select(model, layers).values()), seed);
    }

    /**
     * A fresh regularizer per epoch, seeded from (seed, epoch): the random rows of mini-batch MHE
     * then depend only on where the run is, so a resumed run draws the same ones.
     */
    public void startEpoch(int epoch) {
        if (name != null) regularizer = Regularizers.of(name, Impl.FUSED, seed * 1_000_003L + epoch);
    }

    /** The Conv2d and Linear weights of a model by name, filtered by hidden/output/all. */
    public static Map<String, Parameter> select(Module model, String layers) {
        Map<String, Parameter> all = new LinkedHashMap<>();
        String output = null;
        for (var e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            String name = e.getKey().isEmpty() ? "weight" : e.getKey() + ".weight";
            if (m instanceof Conv2d c) all.put(name, c.weight());
            else if (m instanceof Linear l) {
                all.put(name, l.weight());
                output = name;
            }
        }
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (var e : all.entrySet()) {
            boolean isOutput = e.getKey().equals(output);
            if (layers.equals("all") || (layers.equals("output") == isOutput)) out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** coef * sum of the per-layer terms, or null when no regularizer is applied. */
    public Variable term(Module model) {
        if (regularizer == null || weights.isEmpty()) return null;
        Variable sum = null;
        for (Parameter w : weights) {
            Variable t = regularizer.apply(w);
            sum = sum == null ? t : sum.add(t);
        }
        return sum.mul(coef);
    }
}
