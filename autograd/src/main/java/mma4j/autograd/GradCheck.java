package mma4j.autograd;

import java.util.function.Function;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/**
 * Checks the gradients that backward computes against finite differences, for any function
 * of Variables (your own {@link mma4j.autograd.Function} included):
 *
 * <pre>{@code
 * GradCheck.Result r = GradCheck.check(v -> new MyOp().apply(v[0], v[1]), x, y);
 * assertTrue(r.passed(), r::toString);
 * }</pre>
 *
 * <p>How it stays trustworthy in float32, where a naive check either drowns in rounding noise
 * or lets a wrong backward through:
 * <ul>
 *   <li>The output is projected onto fixed random weights in [0.5, 1.5] and summed in double,
 *       so every output element matters and no gradient can cancel out of the check.</li>
 *   <li>Steps are powers of two (about eps * max(1, |x|)), so x +- h and x +- 2h are exact in
 *       float32: the step in the denominator is the step that was really taken.</li>
 *   <li>The derivative is the fourth-order central difference
 *       (8 (F(x+h) - F(x-h)) - (F(x+2h) - F(x-2h))) / 12h, whose truncation error is O(h^4), so h
 *       can be large enough (1e-2) to keep float32 rounding, which grows as 1/h, small.</li>
 *   <li>Each element's numeric derivative carries its own error estimate: the difference between
 *       the two second-order estimates (h and 2h) it is made of. It is tiny where the function is
 *       smooth and float32 noise is low, and large near a kink (relu at 0) or where rounding
 *       dominates; it widens the tolerance so that only disagreements the numbers can resolve fail.</li>
 *   <li>An element passes when |analytic - numeric| <= atol + rtol * |numeric| + errorEstimate.
 *       NaN or infinite analytic gradients always fail.</li>
 * </ul>
 * Inputs should avoid non-differentiable points by more than 2h (e.g. relu inputs away from 0).
 */
public final class GradCheck {
    private GradCheck() {}

    /** The outcome: the worst mismatch found (relative to what was allowed) and where. */
    public record Result(boolean passed, double maxError, int input, int element, double analytic, double numeric, double allowed) {
        public Result(boolean passed, double maxError, int input, int element, double analytic, double numeric) {
            this(passed, maxError, input, element, analytic, numeric, Double.NaN);
        }

        @Override
        public String toString() {
            return passed ? "gradcheck passed (max |analytic - numeric| " + maxError + ")"
                    : "gradcheck failed: input " + input + " element " + element + ": analytic " + analytic + " but numeric " + numeric
                    + " (|difference| " + maxError + " > allowed " + allowed + ")";
        }
    }

    /** Defaults that suit float32 ops of moderate scale: eps 1e-2, atol 1e-3, rtol 1e-2. */
    public static Result check(Function<Variable[], Variable> f, Tensor... inputs) {
        return check(f, inputs, 1e-2, 1e-3, 1e-2);
    }

    /**
     * Compares d(sum(f(inputs) * w))/d(inputs), w a fixed random projection, computed by backward
     * with central differences of step about eps * max(1, |x|).
     */
    public static Result check(Function<Variable[], Variable> f, Tensor[] inputs, double eps, double atol, double rtol) {
        Variable[] vars = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) vars[i] = Variable.param(inputs[i].copy());
        Variable out = f.apply(vars);
        Tensor proj = Tensor.uniform(new Generator(12345), 0.5f, 1.5f, out.shape()).to(out.data().device());
        float[] p = proj.toArray();
        if (out.requiresGrad()) out.mul(Variable.of(proj)).sum().backward(); // else every analytic gradient is zero
        double worstRatio = -1, worstErr = 0;
        Result worst = null;
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = vars[i].grad();
            float[] analytic = g == null ? new float[inputs[i].numel()] : g.toArray();
            float[] x = inputs[i].toArray();
            for (int e = 0; e < x.length; e++) {
                float orig = x[e];
                float h = powerOfTwoStep(eps * Math.max(1.0, Math.abs(orig)));
                double f1 = eval(f, inputs, i, x, e, orig + h, p) - eval(f, inputs, i, x, e, orig - h, p);
                double f2 = eval(f, inputs, i, x, e, orig + 2 * h, p) - eval(f, inputs, i, x, e, orig - 2 * h, p);
                x[e] = orig;
                double numeric = (8 * f1 - f2) / (12.0 * h);
                double errorEstimate = Math.abs(f1 / (2.0 * h) - f2 / (4.0 * h));
                double err = Math.abs(analytic[e] - numeric);
                double allowed = atol + rtol * Math.abs(numeric) + errorEstimate;
                if (!(err <= allowed) || !Float.isFinite(analytic[e])) {
                    return new Result(false, err, i, e, analytic[e], numeric, allowed);
                }
                worstErr = Math.max(worstErr, err);
                if (err / allowed > worstRatio) {
                    worstRatio = err / allowed;
                    worst = new Result(true, err, i, e, analytic[e], numeric, allowed);
                }
            }
        }
        return worst == null ? new Result(true, 0, -1, -1, 0, 0, 0)
                : new Result(true, worstErr, worst.input(), worst.element(), worst.analytic(), worst.numeric(), worst.allowed());
    }

    /** The power of two nearest to step (so that x +- h is exact in float32 for |x| well below 2^24 h). */
    static float powerOfTwoStep(double step) {
        return (float) Math.scalb(1.0, (int) Math.round(Math.log(step) / Math.log(2)));
    }

    private static double eval(Function<Variable[], Variable> f, Tensor[] inputs, int which, float[] x, int e, float value, float[] p) {
        x[e] = value;
        Variable[] vs = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            vs[i] = Variable.of(i == which ? Tensor.wrap(x.clone(), inputs[i].shape()).to(inputs[i].device()) : inputs[i]);
        }
        try (var scope = GradMode.noGrad()) {
            float[] y = f.apply(vs).data().toArray();
            double s = 0;
            for (int k = 0; k < y.length; k++) s += (double) y[k] * p[k];
            return s;
        }
    }
}
