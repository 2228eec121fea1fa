package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;
import mma4j.nn.init.Init;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/**
 * y = x W^T + b with W [out, in], as torch.nn.Linear. Initialized as PyTorch does: W from
 * kaiming-uniform with a = sqrt(5) (i.e. U(-1/sqrt(in), 1/sqrt(in))), b from
 * U(-1/sqrt(in), 1/sqrt(in)); the draws come from the given Generator, else
 * {@link Init#defaultGenerator()} (weight first, then bias).
 */
public class Linear extends Module {
    private final int inFeatures, outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Init.defaultGenerator());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Init.defaultGenerator());
    }

    @SuppressWarnings("this-escape")   // registering and initializing in the constructor is the Module pattern
    public Linear(int inFeatures, int outFeatures, boolean bias, Generator g) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: features must be >= 0, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(outFeatures, inFeatures)));
        this.bias = bias ? registerParameter("bias", new Parameter(Tensor.zeros(outFeatures))) : null;
        resetParameters(g);
    }

    /** PyTorch's reset_parameters. */
    public void resetParameters(Generator g) {
        Init.kaimingUniform(weight.data(), Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu", g);
        if (bias != null) {
            double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
            Init.uniform(bias.data(), -bound, bound, g);
        }
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.linear(x, weight, bias);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
    }
}
