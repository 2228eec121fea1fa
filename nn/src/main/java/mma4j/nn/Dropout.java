package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;
import mma4j.nn.init.Init;
import mma4j.tensor.Generator;

/**
 * Inverted dropout, as torch.nn.Dropout: in training each element is zeroed with probability p
 * and the survivors are scaled by 1/(1-p); in eval it is the identity. The mask is drawn from
 * this layer's own {@link Generator} (one uniform float per element, kept when >= p), so a run
 * is reproducible and a checkpoint can save {@link #generator()}'s state. Built without a
 * generator, it seeds one from {@link Init#defaultGenerator()}.
 */
public class Dropout extends Module {
    private final float p;
    private final Generator generator;

    public Dropout() {
        this(0.5f);
    }

    public Dropout(float p) {
        this(p, new Generator(Init.defaultGenerator().nextLong()));
    }

    public Dropout(float p, Generator generator) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        if (generator == null) throw new IllegalArgumentException("Dropout: generator must not be null");
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.dropout(x, p, isTraining(), generator);
    }

    public float p() {
        return p;
    }

    /** The generator the masks come from (save its state to resume bitwise). */
    public Generator generator() {
        return generator;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
