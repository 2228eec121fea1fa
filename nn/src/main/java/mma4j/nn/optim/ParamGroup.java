package mma4j.nn.optim;

import java.util.List;
import mma4j.autograd.Variable;

/**
 * Parameters that share hyper-parameters, as an entry of PyTorch's optimizer.param_groups.
 * The options are fixed; the learning rate is live (schedules change it), and
 * {@link #initialLr()} is what the first schedule found (PyTorch's 'initial_lr').
 */
public final class ParamGroup<O extends Optimizer.Options> {
    private final List<Variable> params;
    private final O options;
    private double lr;
    private double initialLr = Double.NaN;

    public ParamGroup(List<? extends Variable> params, O options) {
        if (params == null || options == null) throw new IllegalArgumentException("ParamGroup: params and options must not be null");
        this.params = List.copyOf(params);
        this.options = options;
        this.lr = options.lr();
    }

    public List<Variable> params() {
        return params;
    }

    public O options() {
        return options;
    }

    /** The current learning rate. */
    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("ParamGroup.setLr: learning rate must be >= 0, got " + lr);
        this.lr = lr;
    }

    /** The learning rate when the first schedule was attached, or NaN before that. */
    public double initialLr() {
        return initialLr;
    }

    public void setInitialLr(double initialLr) {
        this.initialLr = initialLr;
    }
}
