package mma4j.autograd;

import static mma4j.autograd.Tensors.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** gradcheck accepts correct backward passes and rejects planted wrong ones. */
class GradCheckTest {

    /** A copy of Basic.Mul whose gradient for the second input is scaled by a factor (1 = correct). */
    static final class ScaledMul extends Function {
        private final float factor;
        ScaledMul(float factor) { this.factor = factor; }

        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return in[0].mul(in[1]);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor[] s = saved();
            return new Tensor[] {g.mul(s[1]), g.mul(s[0]).mul(factor)};
        }
    }

    /** Matmul whose backward forgets to transpose B: right shape for square matrices, wrong values. */
    static final class UntransposedMatMul extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0], in[1]);
            return in[0].matmul(in[1]);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor a = saved()[0], b = saved()[1];
            return new Tensor[] {g.matmul(b), a.t().matmul(g)};
        }
    }

    /** Sigmoid whose backward uses y(1-y) of the input instead of the output: a classic slip. */
    static final class SigmoidOfInput extends Function {
        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].sigmoid();
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            return new Tensor[] {g.mul(x).mul(x.neg().add(1f))};
        }
    }

    /** Returns no gradient at all for its second input. */
    static final class ForgetfulAdd extends Function {
        @Override protected Tensor forward(Tensor... in) { return in[0].add(in[1]); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g, null}; }
    }

    /** A NaN in the gradient must never pass (NaN compares false with every tolerance). */
    static final class NanGrad extends Function {
        @Override protected Tensor forward(Tensor... in) { return in[0].mul(2f); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g.mul(Float.NaN)}; }
    }

    /** The example of autograd/README.md, "Writing your own Function". */
    static final class ScaledSquare extends Function {
        private final float a;
        ScaledSquare(float a) { this.a = a; }

        @Override protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].square().mul(a);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            return new Tensor[] {g.mul(x).mul(2 * a)};
        }
    }

    @Test
    void readmeExamplePasses() {
        GradCheck.Result r = GradCheck.check(v -> new ScaledSquare(3f).apply(v[0]), Tensor.uniform(new mma4j.tensor.Generator(1), -1, 1, 3, 4));
        assertTrue(r.passed(), r::toString);
    }

    @Test
    void correctCopyOfMulPasses() {
        GradCheck.Result r = GradCheck.check(v -> new ScaledMul(1f).apply(v[0], v[1]), uniform(1, 3, 4), uniform(2, 3, 4));
        assertTrue(r.passed(), r::toString);
    }

    @Test
    void mulWithWrongFactorIsRejected() {
        GradCheck.Result r = GradCheck.check(v -> new ScaledMul(1.1f).apply(v[0], v[1]), uniform(1, 3, 4), uniform(2, 3, 4));
        assertFalse(r.passed(), r::toString);
        assertEquals(1, r.input(), "the wrong gradient is the second input's");
        assertTrue(r.toString().startsWith("gradcheck failed: input 1"), r::toString);
    }

    @Test
    void evenAFivePercentErrorIsRejected() {
        GradCheck.Result r = GradCheck.check(v -> new ScaledMul(1.05f).apply(v[0], v[1]), uniform(3, 3, 4), uniform(4, 3, 4));
        assertFalse(r.passed(), r::toString);
    }

    @Test
    void matmulBackwardWithoutTransposeIsRejected() {
        GradCheck.Result r = GradCheck.check(v -> new UntransposedMatMul().apply(v[0], v[1]), uniform(5, 3, 3), uniform(6, 3, 3));
        assertFalse(r.passed(), r::toString);
        assertEquals(0, r.input());
    }

    @Test
    void sigmoidDerivativeOfTheWrongTensorIsRejected() {
        GradCheck.Result r = GradCheck.check(v -> new SigmoidOfInput().apply(v[0]), uniform(7, 2, 3));
        assertFalse(r.passed(), r::toString);
    }

    @Test
    void missingGradientIsRejected() {
        GradCheck.Result r = GradCheck.check(v -> new ForgetfulAdd().apply(v[0], v[1]), uniform(8, 4), uniform(9, 4));
        assertFalse(r.passed(), r::toString);
        assertEquals(1, r.input());
        assertEquals(0.0, r.analytic());
    }

    @Test
    void nanGradientIsRejected() {
        GradCheck.Result r = GradCheck.check(v -> new NanGrad().apply(v[0]), uniform(10, 4));
        assertFalse(r.passed(), r::toString);
    }

    @Test
    void composedFunctionsCanBeChecked() {
        // Anyone's function of Variables: here softplus-like log(1 + exp(x W)) summed over a row.
        GradCheck.Result r = GradCheck.check(v -> v[0].matmul(v[1]).exp().add(1f).log().sum(new int[] {1}, false), uniform(11, 2, 3), uniform(12, 3, 4));
        assertTrue(r.passed(), r::toString);
    }

    @Test
    void stepsArePowersOfTwoSoThatPerturbedInputsAreExact() {
        assertEquals(0.0078125f, GradCheck.powerOfTwoStep(1e-2));
        assertEquals(0.125f, GradCheck.powerOfTwoStep(0.1));
        float x = 3.3f, h = GradCheck.powerOfTwoStep(1e-2 * 3.3);
        assertEquals((double) h, (double) ((x + h) - x), "x + h - x recovers h exactly");
        assertEquals(2.0 * h, (double) ((x + 2 * h) - (x - 2 * h)) / 2, "and so does the 2h step");
    }
}
