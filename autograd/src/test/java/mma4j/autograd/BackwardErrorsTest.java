package mma4j.autograd;

import static mma4j.autograd.Tensors.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.autograd.functions.Basic;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Each misuse fails with a message that says what happened and how to fix it. */
class BackwardErrorsTest {

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), () -> "message lacks '" + p + "': " + e.getMessage());
    }

    @Test
    void backwardOnANonScalarWithoutAGradient() {
        Variable y = Variable.param(uniform(1, 2, 3)).mul(2f);
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertMentions(e, "backward() needs a scalar output", "[2, 3]", "sum()", "backward(gradient)");
    }

    @Test
    void seedGradientOfTheWrongShape() {
        Variable y = Variable.param(uniform(1, 2, 3)).mul(2f);
        var e = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3, 2)));
        assertMentions(e, "gradient shape [3, 2]", "output shape [2, 3]", "pass d(loss)/d(output)");
    }

    /** A Function whose backward returns a gradient that fits neither its input nor the output. */
    static final class BadShape extends Function {
        @Override protected Tensor forward(Tensor... in) { return in[0].mul(2f); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {Tensor.ones(5)}; }
    }

    @Test
    void functionReturningAGradientOfTheWrongShape() {
        Variable y = new BadShape().apply(Variable.param(uniform(1, 2, 3)));
        var e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertMentions(e, "BadShape.backward returned a gradient of shape [5]", "input 0 of shape [2, 3]", "shaped like that input");
    }

    static final class TooFewGradients extends Function {
        @Override protected Tensor forward(Tensor... in) { return in[0].add(in[1]); }
        @Override protected Tensor[] backward(Tensor g) { return new Tensor[] {g}; }
    }

    @Test
    void functionReturningTooFewGradients() {
        Variable y = new TooFewGradients().apply(Variable.param(uniform(1, 3)), Variable.param(uniform(2, 3)));
        var e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertMentions(e, "TooFewGradients.backward returned 1 gradients for 2 inputs", "one entry per input");
    }

    @Test
    void backwardThroughAFreedGraph() {
        Variable x = Variable.param(uniform(1, 3));
        Variable loss = x.mul(x).sum();
        loss.backward();
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertMentions(e, "second time", "Sum", "retainGraph=true", "run the forward pass again");
    }

    @Test
    void savedTensorsOfAFreedNodeCannotBeReadAgain() {
        // A node whose saved tensors are gone (e.g. reached directly) says so when its backward asks for them.
        Variable x = Variable.param(uniform(1, 3));
        Variable y = x.exp();
        y.sum().backward();
        var e = assertThrows(IllegalStateException.class, () -> y.backward(Tensor.ones(3)));
        assertMentions(e, "second time", "retainGraph");
    }

    @Test
    void inPlaceChangeToATensorSavedForBackward() {
        Variable x = Variable.param(uniform(1, 2, 3));
        Variable w = Variable.param(uniform(2, 2, 3));
        Variable loss = x.mul(w).sum();
        w.data().mulInPlace(0.5f); // e.g. an optimizer step before backward
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertMentions(e, "saved for backward by Mul", "modified in place", "shape [2, 3]", "Clone", "after backward()");
    }

    @Test
    void inPlaceChangeToASavedOutput() {
        Variable x = Variable.param(uniform(1, 4));
        Variable y = x.exp();
        Variable loss = y.sum();
        y.data().addInPlace(1f);
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertMentions(e, "saved for backward by Exp", "modified in place");
    }

    @Test
    void backwardOfSomethingThatDoesNotRequireGrad() {
        Variable y = Variable.of(uniform(1, 3)).mul(2f).sum();
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertMentions(e, "does not require grad", "Variable.param", "GradMode.noGrad()");
    }

    @Test
    void reusingAFunctionInstance() {
        Basic.Mul mul = new Basic.Mul();
        Variable x = Variable.param(uniform(1, 3));
        mul.apply(x, x);
        var e = assertThrows(IllegalStateException.class, () -> mul.apply(x, x));
        assertMentions(e, "already a node", "new instance");
    }

    @Test
    void requiresGradFalseOnANonLeaf() {
        Variable y = Variable.param(uniform(1, 3)).exp();
        var e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertMentions(e, "non-leaf", "detach()");
    }

    @Test
    void opErrorsNameTheOpAndShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Variable.cat(1, Variable.param(uniform(1, 2, 3)), Variable.param(uniform(2, 3, 3))));
        assertMentions(e, "cat", "[3, 3]", "[2, 3]");
        var g = assertThrows(IllegalArgumentException.class, () -> Variable.param(uniform(1, 2, 3)).gather(1, Tensor.of(new float[] {0, 3}, 2, 1)));
        assertMentions(g, "gather", "3.0", "[0, 3)");
        var l = assertThrows(IllegalArgumentException.class, () -> Functional.linear(Variable.param(uniform(1, 2, 3)), Variable.param(uniform(2, 4, 5)), null));
        assertMentions(l, "linear", "[2, 3]", "[4, 5]");
    }
}
