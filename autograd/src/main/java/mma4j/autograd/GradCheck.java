package mma4j.autograd;

import java.util.function.Function;
import mma4j.tensor.Tensor;

/**
 * Checks analytic gradients against central finite differences. The function is evaluated in
 * float32, so the step and tolerance are chosen for float32: h = 1e-2 relative to the input's
 * scale and a mixed tolerance |a - n| <= atol + rtol * |n|. A wrong backward is off by far more.
 */
public final class GradCheck {
    private GradCheck() {}

    /** The outcome: the worst mismatch found and where. */
    public record Result(boolean passed, double maxError, int input, int element, double analytic, double numeric) {
        @Override
        public String toString() {
            return passed ? "gradcheck passed (max error " + maxError + ")"
                    : "gradcheck failed: input " + input + " element " + element + " analytic " + analytic + " numeric " + numeric;
        }
    }

    /**
     * Compares d(sum(f(inputs) * w))/d(inputs) (w a fixed random projection, so every output
     * element matters) computed by backward with central differences.
     */
    public static Result check(Function<Variable[], Variable> f, Tensor[] inputs, double eps, double atol, double rtol) {
        Variable[] vars = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) vars[i] = Variable.param(inputs[i].copy());
        Variable out = f.apply(vars);
        Tensor proj = Tensor.uniform(new mma4j.tensor.Generator(12345), 0.5f, 1.5f, out.shape());
        out.mul(Variable.of(proj)).sum().backward();
        double worst = 0;
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = vars[i].grad();
            float[] analytic = g == null ? new float[inputs[i].numel()] : g.toArray();
            float[] x = inputs[i].copy().toArray();
            for (int e = 0; e < x.length; e++) {
                float orig = x[e];
                double h = eps * Math.max(1.0, Math.abs(orig));
                double plus = eval(f, inputs, i, x, e, (float) (orig + h), proj);
                double minus = eval(f, inputs, i, x, e, (float) (orig - h), proj);
                x[e] = orig;
                double hp = (float) (orig + h) - orig, hm = orig - (float) (orig - h);
                double numeric = (plus - minus) / (hp + hm);
                double err = Math.abs(analytic[e] - numeric);
                double allowed = atol + rtol * Math.abs(numeric);
                if (err > allowed) return new Result(false, err, i, e, analytic[e], numeric);
                worst = Math.max(worst, err);
            }
        }
        return new Result(true, worst, -1, -1, 0, 0);
    }

    /** Defaults that suit float32 ops of moderate scale. */
    public static Result check(Function<Variable[], Variable> f, Tensor... inputs) {
        return check(f, inputs, 1e-2, 2e-2, 2e-2);
    }

    private static double eval(Function<Variable[], Variable> f, Tensor[] inputs, int which, float[] x, int e, float value, Tensor proj) {
        x[e] = value;
        Variable[] vs = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            vs[i] = Variable.of(i == which ? Tensor.wrap(x.clone(), inputs[i].shape()) : inputs[i]);
        }
        try (var scope = GradMode.noGrad()) {
            float[] y = f.apply(vs).data().toArray(), p = proj.toArray();
            double s = 0;
            for (int k = 0; k < y.length; k++) s += (double) y[k] * p[k];
            return s;
        }
    }
}
