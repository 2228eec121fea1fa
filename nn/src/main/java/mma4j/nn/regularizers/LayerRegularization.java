package mma4j.nn.regularizers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mma4j.autograd.Variable;
import mma4j.nn.Conv2d;
import mma4j.nn.Linear;
import mma4j.nn.Module;
import mma4j.tensor.Shapes;

/**
 * Applies one regularizer to chosen layers of a model and sums the terms:
 * <pre>{@code
 * LayerRegularization reg = LayerRegularization.builder(Regularizers.of("mma"))
 *         .layers(LayerRegularization.Layers.ALL).coefficient(0.07).build();
 * LayerRegularization.Result r = reg.apply(model);     // or reg.apply(weights): (name, weight, isOutput)
 * Variable loss = task.add(r.total());                 // r.values(): per-layer values to log
 * }</pre>
 * "output" is the classifier (the last Linear); "hidden" is every other Conv2d / Linear weight.
 * The total is sum over chosen layers of coefficient(layer) * regularizer(weight).
 */
public final class LayerRegularization {
    /** Which weights the term covers. */
    public enum Layers {
        HIDDEN, OUTPUT, ALL;

        public static Layers parse(String s) {
            for (Layers l : values()) if (l.name().equalsIgnoreCase(s == null ? "" : s.trim())) return l;
            throw new IllegalArgumentException("unknown layer selection '" + s + "'; expected hidden, output or all");
        }

        boolean covers(boolean isOutput) {
            return this == ALL || (this == OUTPUT) == isOutput;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A regularizable weight: its state-dict name, the weight, and whether it is the classifier. */
    public record Weight(String name, Variable weight, boolean isOutput) {
        public Weight {
            if (name == null || weight == null) throw new IllegalArgumentException("LayerRegularization.Weight: name and weight must be given");
        }
    }

    /**
     * The summed term to add to the task loss, and each covered layer's regularizer value
     * (before its coefficient), in the order the weights were given.
     */
    public record Result(Variable total, Map<String, Float> values) {}

    private final Regularizer regularizer;
    private final Layers layers;
    private final double coefficient;
    private final Map<String, Double> perLayer;

    private LayerRegularization(Builder b) {
        this.regularizer = b.regularizer;
        this.layers = b.layers;
        this.coefficient = b.coefficient;
        this.perLayer = Collections.unmodifiableMap(new LinkedHashMap<>(b.perLayer));
    }

    public static Builder builder(Regularizer regularizer) {
        return new Builder(regularizer);
    }

    public Regularizer regularizer() {
        return regularizer;
    }

    public Layers layers() {
        return layers;
    }

    /** The weights this term covers, in order. */
    public List<Weight> select(List<Weight> weights) {
        List<Weight> out = new ArrayList<>();
        for (Weight w : weights) if (layers.covers(w.isOutput())) out.add(w);
        return out;
    }

    /** The coefficient for one layer: its own if one was given, else the common one. */
    public double coefficient(String layer) {
        return perLayer.getOrDefault(layer, coefficient);
    }

    /**
     * The Conv2d and Linear weights of a model, by state-dict name, in registration order; the
     * last Linear is the output layer (the classifier).
     */
    public static List<Weight> weightsOf(Module model) {
        List<String> names = new ArrayList<>();
        List<Variable> weights = new ArrayList<>();
        int lastLinear = -1;
        for (var e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            String name = e.getKey().isEmpty() ? "weight" : e.getKey() + ".weight";
            if (m instanceof Conv2d c) {
                names.add(name);
                weights.add(c.weight());
            } else if (m instanceof Linear l) {
                lastLinear = names.size();
                names.add(name);
                weights.add(l.weight());
            }
        }
        List<Weight> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) out.add(new Weight(names.get(i), weights.get(i), i == lastLinear));
        return out;
    }

    /** The term over the model's Conv2d and Linear weights ({@link #weightsOf}). */
    public Result apply(Module model) {
        return apply(weightsOf(model));
    }

    /**
     * Evaluates the term on the chosen weights. Fails if a per-layer coefficient names a weight
     * that is not among them (a typo would otherwise silently regularize nothing).
     */
    public Result apply(List<Weight> weights) {
        List<Weight> chosen = select(weights);
        for (String name : perLayer.keySet()) {
            if (chosen.stream().noneMatch(w -> w.name().equals(name))) {
                List<String> names = chosen.stream().map(Weight::name).toList();
                throw new IllegalArgumentException("LayerRegularization: a coefficient is given for '" + name + "', which is not among the "
                        + layers.label() + " weights " + names);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("LayerRegularization: no " + layers.label() + " weights among " + weights.size() + " given"
                    + (layers == Layers.OUTPUT ? " (none is marked as the output layer)" : ""));
        }
        Map<String, Float> values = new LinkedHashMap<>();
        Variable total = null;
        for (Weight w : chosen) {
            Variable term;
            try {
                term = regularizer.apply(w.weight());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer '" + w.name() + "' " + Shapes.str(w.weight().shape()) + ": " + e.getMessage(), e);
            }
            values.put(w.name(), term.item());
            double c = coefficient(w.name());
            Variable scaled = c == 1.0 ? term : term.mul((float) c);
            total = total == null ? scaled : total.add(scaled);
        }
        return new Result(total, Collections.unmodifiableMap(values));
    }

    public static final class Builder {
        private final Regularizer regularizer;
        private Layers layers = Layers.ALL;
        private double coefficient = 1.0;
        private final Map<String, Double> perLayer = new LinkedHashMap<>();

        private Builder(Regularizer regularizer) {
            if (regularizer == null) throw new IllegalArgumentException("LayerRegularization: regularizer must be given");
            this.regularizer = regularizer;
        }

        public Builder layers(Layers l) {
            this.layers = l;
            return this;
        }

        /** The coefficient of every layer without its own. */
        public Builder coefficient(double c) {
            this.coefficient = checkCoefficient("coefficient", c);
            return this;
        }

        /** One layer's own coefficient (by its weight's state-dict name). */
        public Builder coefficient(String layer, double c) {
            perLayer.put(layer, checkCoefficient("coefficient for '" + layer + "'", c));
            return this;
        }

        public LayerRegularization build() {
            return new LayerRegularization(this);
        }

        private static double checkCoefficient(String what, double c) {
            if (!Double.isFinite(c) || c < 0) throw new IllegalArgumentException("LayerRegularization: " + what + " must be finite and >= 0, got " + c);
            return c;
        }
    }
}
