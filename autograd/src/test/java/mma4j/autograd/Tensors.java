package mma4j.autograd;

import static org.junit.jupiter.api.Assertions.fail;

import mma4j.tensor.Generator;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/** Random test inputs and float comparisons for the autograd tests. */
public final class Tensors {
    private Tensors() {}

    /** Uniform in [-1, 1). */
    public static Tensor uniform(long seed, int... shape) {
        return Tensor.uniform(new Generator(seed), -1f, 1f, shape);
    }

    public static Tensor uniform(long seed, float lo, float hi, int... shape) {
        return Tensor.uniform(new Generator(seed), lo, hi, shape);
    }

    /** Values with |x| in [0.2, 1.2) and a random sign: safely away from kinks at 0. */
    public static Tensor awayFromZero(long seed, int... shape) {
        Generator g = new Generator(seed);
        float[] v = new float[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (g.nextFloat() < 0.5f ? -1 : 1) * (0.2f + g.nextFloat());
        return Tensor.wrap(v, shape);
    }

    /** A shuffled ramp with steps of 0.1: every pair of elements differs by at least 0.1 (no max ties). */
    public static Tensor distinct(long seed, int... shape) {
        Generator g = new Generator(seed);
        int n = Shapes.numel(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i - n / 2) * 0.1f;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) (g.nextDouble() * (i + 1));
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.wrap(v, shape);
    }

    /** Asserts equal shapes and |e - a| <= atol + rtol |e| for every element. */
    public static void assertClose(Tensor expected, Tensor actual, double atol, double rtol, String what) {
        if (expected == null || actual == null) {
            if (expected != actual) fail(what + ": one of expected/actual is null (" + expected + ", " + actual + ")");
            return;
        }
        if (!Shapes.equal(expected.shape(), actual.shape())) {
            fail(what + ": shape " + Shapes.str(actual.shape()) + ", expected " + Shapes.str(expected.shape()));
        }
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]))) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    public static void assertClose(float[] expected, Tensor actual, double atol, String what) {
        assertClose(Tensor.wrap(expected.clone(), actual.shape()), actual, atol, 0, what);
    }
}
