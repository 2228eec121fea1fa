package mma4j.nn.optim;

import java.util.List;
import java.util.Set;
import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;

/**
 * Adam, as torch.optim.Adam (weight decay is an L2 term added to the gradient; see
 * {@link AdamW} for the decoupled form). With g the gradient and t the step count:
 * <pre>
 *   g = g + weight_decay * p
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g^2          (amsgrad: vmax = max(vmax, v), used below for v)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 */
public final class Adam extends Optimizer<Adam.Options> {
    static final Set<String> STATE = Set.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq");
    static final Set<String> SCALARS = Set.of("step");

    /** Hyper-parameters (shared with {@link AdamW}). */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean maximize)
            implements Optimizer.Options {
        public Options lr(double v) { return new Options(v, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
        public Options betas(double b1, double b2) { return new Options(lr, b1, b2, eps, weightDecay, amsgrad, maximize); }
        public Options eps(double v) { return new Options(lr, beta1, beta2, v, weightDecay, amsgrad, maximize); }
        public Options weightDecay(double v) { return new Options(lr, beta1, beta2, eps, v, amsgrad, maximize); }
        public Options amsgrad(boolean v) { return new Options(lr, beta1, beta2, eps, weightDecay, v, maximize); }
        public Options maximize(boolean v) { return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, v); }
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Options options(double lr) {
        return new Options(lr, 0.9, 0.999, 1e-8, 0, false, false);
    }

    public Adam(List<? extends Variable> params, Options options) {
        this(new ParamGroup<>(params, options));
    }

    @SafeVarargs
    @SuppressWarnings("varargs")   // only read, handed to the base class
    public Adam(ParamGroup<Options>... groups) {
        super(groups);
    }

    static void validate(String name, Options o) {
        check(o.lr() >= 0, name + ": invalid learning rate: " + o.lr());
        check(o.eps() >= 0, name + ": invalid epsilon value: " + o.eps());
        check(o.beta1() >= 0 && o.beta1() < 1, name + ": invalid beta parameter at index 0: " + o.beta1());
        check(o.beta2() >= 0 && o.beta2() < 1, name + ": invalid beta parameter at index 1: " + o.beta2());
        check(o.weightDecay() >= 0, name + ": invalid weight_decay value: " + o.weightDecay());
    }

    @Override
    protected void validate(Options o) {
        validate("Adam", o);
    }

    @Override
    protected void update(Variable param, Tensor grad, Options o, double lr, ParamState st) {
        Tensor p = param.data();
        Tensor g = o.maximize() ? grad.neg() : grad;
        if (o.weightDecay() != 0) g = g.add(p.mul((float) o.weightDecay()));
        AdamRule.apply(p, g, o, lr, st);
    }

    @Override
    protected Set<String> stateNames() {
        return STATE;
    }

    @Override
    protected Set<String> scalarStateNames() {
        return SCALARS;
    }
}
