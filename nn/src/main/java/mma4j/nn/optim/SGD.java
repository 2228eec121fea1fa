package mma4j.nn.optim;

import java.util.List;
import java.util.Set;
import mma4j.autograd.Variable;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, exactly as
 * torch.optim.SGD defines them. With g the gradient (negated when maximizing):
 * <pre>
 *   g = g + weight_decay * p
 *   if momentum != 0:
 *       b = g                                   (first step)
 *       b = momentum * b + (1 - dampening) * g  (later steps)
 *       g = nesterov ? g + momentum * b : b
 *   p = p - lr * g
 * </pre>
 *
 * <pre>{@code
 * SGD opt = new SGD(model.parameters(), SGD.options(0.1).momentum(0.9).weightDecay(5e-4).nesterov(true));
 * }</pre>
 */
public final class SGD extends Optimizer<SGD.Options> {
    private static final Set<String> STATE = Set.of("momentum_buffer");

    /** Hyper-parameters; PyTorch's defaults except lr, which has none worth defaulting. */
    public record Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov, boolean maximize)
            implements Optimizer.Options {
        public Options lr(double v) { return new Options(v, momentum, dampening, weightDecay, nesterov, maximize); }
        public Options momentum(double v) { return new Options(lr, v, dampening, weightDecay, nesterov, maximize); }
        public Options dampening(double v) { return new Options(lr, momentum, v, weightDecay, nesterov, maximize); }
        public Options weightDecay(double v) { return new Options(lr, momentum, dampening, v, nesterov, maximize); }
        public Options nesterov(boolean v) { return new Options(lr, momentum, dampening, weightDecay, v, maximize); }
        public Options maximize(boolean v) { return new Options(lr, momentum, dampening, weightDecay, nesterov, v); }
    }

    /** lr with momentum 0, dampening 0, weight decay 0, no Nesterov, minimizing. */
    public static Options options(double lr) {
        return new Options(lr, 0, 0, 0, false, false);
    }

    public SGD(List<? extends Variable> params, Options options) {
        this(new ParamGroup<>(params, options));
    }

    @SafeVarargs
    @SuppressWarnings("varargs")   // only read, handed to the base class
    public SGD(ParamGroup<Options>... groups) {
        super(groups);
    }

    @Override
    protected void validate(Options o) {
        check(o.lr() >= 0, "SGD: invalid learning rate: " + o.lr());
        check(o.momentum() >= 0, "SGD: invalid momentum value: " + o.momentum());
        check(o.weightDecay() >= 0, "SGD: invalid weight_decay value: " + o.weightDecay());
        check(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
                "SGD: Nesterov momentum requires a momentum and zero dampening, got momentum=" + o.momentum() + ", dampening=" + o.dampening());
    }

    @Override
    protected void update(Variable param, Tensor grad, Options o, double lr, ParamState st) {
        // One fused pass per parameter (NnOps.sgdStep); the rounding is that of the formulas above, step by step.
        Tensor d = o.maximize() ? grad.neg() : grad;
        Tensor buf = null;
        boolean first = false;
        if (o.momentum() != 0) {
            buf = st.tensor("momentum_buffer");
            if (buf == null) {
                buf = d.emptyLike();
                st.put("momentum_buffer", buf);
                first = true;
            }
        }
        NnOps.sgdStep(param.data(), d, buf, (float) lr, (float) o.momentum(), (float) o.dampening(),
                (float) o.weightDecay(), o.nesterov(), first);
    }

    @Override
    protected Set<String> stateNames() {
        return STATE;
    }
}
