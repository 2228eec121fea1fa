package mma4j.nn.optim;

import java.util.List;
import java.util.Set;
import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;

/**
 * Adam with decoupled weight decay, as torch.optim.AdamW: first p = p * (1 - lr * weight_decay),
 * then the Adam step of {@link Adam} without the L2 term. Default weight decay 0.01.
 */
public final class AdamW extends Optimizer<Adam.Options> {
    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static Adam.Options options(double lr) {
        return Adam.options(lr).weightDecay(0.01);
    }

    public AdamW(List<? extends Variable> params, Adam.Options options) {
        this(new ParamGroup<>(params, options));
    }

    @SafeVarargs
    @SuppressWarnings("varargs")   // only read, handed to the base class
    public AdamW(ParamGroup<Adam.Options>... groups) {
        super(groups);
    }

    @Override
    protected void validate(Adam.Options o) {
        Adam.validate("AdamW", o);
    }

    @Override
    protected void update(Variable param, Tensor grad, Adam.Options o, double lr, ParamState st) {
        Tensor p = param.data();
        Tensor g = o.maximize() ? grad.neg() : grad;
        if (o.weightDecay() != 0) p.mulInPlace((float) (1 - lr * o.weightDecay()));
        AdamRule.apply(p, g, o, lr, st);
    }

    @Override
    protected Set<String> stateNames() {
        return Adam.STATE;
    }

    @Override
    protected Set<String> scalarStateNames() {
        return Adam.SCALARS;
    }
}
