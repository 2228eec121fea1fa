package mma4j.autograd;

import static mma4j.autograd.Tensors.assertClose;
import static mma4j.autograd.Tensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicReference;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Variable and backward() behave as in PyTorch. */
class VariableBehaviourTest {

    @Test
    void leavesAndNonLeaves() {
        Variable w = Variable.param(uniform(1, 3));
        Variable x = Variable.of(uniform(2, 3));
        assertTrue(w.requiresGrad());
        assertTrue(w.isLeaf());
        assertNull(w.gradFn());
        assertFalse(x.requiresGrad());
        Variable y = w.mul(x);
        assertFalse(y.isLeaf());
        assertTrue(y.requiresGrad());
        assertEquals("Mul", y.gradFn().name());
        Variable z = x.mul(x);
        assertFalse(z.requiresGrad(), "no input requires grad: nothing recorded");
        assertNull(z.gradFn());
    }

    @Test
    void gradientsAccumulateAcrossFanOut() {
        // y = x*x + 3x uses x three times: dy/dx = 2x + 3.
        Tensor v = uniform(3, 4);
        Variable x = Variable.param(v.copy());
        x.mul(x).add(x.mul(3f)).sum().backward();
        assertClose(v.mul(2f).add(3f), x.grad(), 1e-6, 0, "2x + 3");
    }

    @Test
    void gradientsAccumulateAcrossFanOutThroughSharedIntermediates() {
        // h = exp(x) feeds two branches: L = sum(h * 2) + sum(h * h): dL/dx = (2 + 2h) h.
        Tensor v = uniform(4, 5);
        Variable x = Variable.param(v.copy());
        Variable h = x.exp();
        h.mul(2f).sum().add(h.mul(h).sum()).backward();
        Tensor e = v.exp();
        assertClose(e.mul(2f).add(2f).mul(e), x.grad(), 1e-5, 1e-5, "(2 + 2h) h");
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor v = uniform(5, 3);
        Variable x = Variable.param(v.copy());
        x.mul(x).sum().backward();
        assertClose(v.mul(2f), x.grad(), 1e-6, 0, "first call: 2x");
        x.mul(x).sum().backward();
        assertClose(v.mul(4f), x.grad(), 1e-6, 0, "second call adds: 4x");
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(3f).sum().backward();
        assertClose(Tensor.full(3f, 3), x.grad(), 0, 0, "after zeroGrad only the new gradient");
    }

    @Test
    void gradIsAFreshTensorNotAnAliasOfTheSeed() {
        Variable x = Variable.param(uniform(6, 3));
        Tensor seed = Tensor.ones(3);
        x.mul(1f).backward(seed);
        x.mul(1f).backward(seed);
        assertClose(Tensor.ones(3), seed, 0, 0, "the seed is untouched by accumulation");
        assertClose(Tensor.full(2f, 3), x.grad(), 0, 0, "two seeds accumulated");
    }

    @Test
    void aLeafReachedOnceOwnsACopyOfTheGradientItWasHanded() {
        // Add's backward hands its incoming gradient, the seed itself, to x.
        Variable x = Variable.param(uniform(7, 3));
        Tensor seed = Tensor.full(2f, 3);
        x.add(Variable.of(Tensor.ones(3))).backward(seed);
        assertNotSame(seed, x.grad(), "the leaf's gradient is its own tensor");
        x.grad().addInPlace(1f);
        assertClose(Tensor.full(2f, 3), seed, 0, 0, "writing to the gradient leaves the seed alone");
        assertClose(Tensor.full(3f, 3), x.grad(), 0, 0, "2 + 1");
    }

    @Test
    void aLeafReachedTwiceSumsWithoutTouchingEitherContribution() {
        // x + x: both contributions are the seed itself; the sum must be a new tensor.
        Variable x = Variable.param(uniform(8, 3));
        Tensor seed = Tensor.full(2f, 3);
        x.add(x).backward(seed);
        assertClose(Tensor.full(4f, 3), x.grad(), 0, 0, "2 + 2");
        assertClose(Tensor.full(2f, 3), seed, 0, 0, "the seed is untouched");
        // and a third contribution in the next backward adds in place into the owned sum
        x.add(Variable.of(Tensor.ones(3))).backward(seed);
        assertClose(Tensor.full(6f, 3), x.grad(), 0, 0, "4 + 2");
        assertClose(Tensor.full(2f, 3), seed, 0, 0, "the seed is still untouched");
    }

    /** Identity forward, a backward that fails: to stop a backward half way. */
    private static final class FailingBackward extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].copy();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            throw new IllegalStateException("FailingBackward: stopped on purpose");
        }
    }

    @Test
    void aBackwardThatFailsLeavesEveryLeafOwningItsGradient() {
        Variable x = Variable.param(uniform(9, 3)), z = Variable.param(uniform(10, 3));
        Tensor seed = Tensor.full(2f, 3);
        // Add gives x the seed itself, then the failing node stops the walk before z.
        Variable y = x.add(new FailingBackward().apply(z));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> y.backward(seed));
        assertTrue(e.getMessage().contains("stopped on purpose"), e.getMessage());
        assertNotSame(seed, x.grad(), "x received its gradient before the failure and owns a copy of it");
        x.grad().addInPlace(1f);
        assertClose(Tensor.full(2f, 3), seed, 0, 0, "the seed is untouched");
        assertNull(z.grad(), "z was never reached");
    }

    @Test
    void broadcastInputsReceiveSummedGradients() {
        Variable a = Variable.param(uniform(7, 3, 2));
        Variable b = Variable.param(uniform(8, 2));
        a.add(b).sum().backward();
        assertClose(Tensor.full(3f, 2), b.grad(), 0, 0, "b was broadcast over 3 rows");
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor v = uniform(9, 3);
        Variable x = Variable.param(v.copy());
        Variable loss = x.mul(x).sum();
        loss.backward(true);
        loss.backward();
        assertClose(v.mul(4f), x.grad(), 1e-6, 0, "2x twice");
    }

    @Test
    void retainGradKeepsAnIntermediateGradient() {
        Variable x = Variable.param(Tensor.vector(1f, 2f));
        Variable h = x.mul(3f).retainGrad();
        h.mul(h).sum().backward();
        assertClose(new float[] {6, 12}, h.grad(), 0, "dL/dh = 2h");
        assertClose(new float[] {18, 36}, x.grad(), 0, "dL/dx = 3 * 2h");
    }

    @Test
    void noGradRecordsNothing() {
        Variable w = Variable.param(uniform(10, 3));
        assertTrue(GradMode.isEnabled());
        Variable y;
        try (var scope = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            try (var inner = GradMode.noGrad()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled(), "closing a nested scope keeps the outer one");
            y = w.mul(w).exp().sum();
        }
        assertTrue(GradMode.isEnabled());
        assertNull(y.gradFn());
        assertFalse(y.requiresGrad());
        assertTrue(w.mul(2f).requiresGrad(), "recording resumes after the scope");
    }

    @Test
    void noGradIsPerThread() throws Exception {
        AtomicReference<Boolean> other = new AtomicReference<>();
        try (var scope = GradMode.noGrad()) {
            Thread t = new Thread(() -> other.set(GradMode.isEnabled()));
            t.start();
            t.join();
        }
        assertTrue(other.get());
    }

    @Test
    void detachSharesValuesButCutsTheGraph() {
        Tensor v = uniform(11, 3);
        Variable x = Variable.param(v.copy());
        Variable d = x.detach();
        assertSame(x.data(), d.data());
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        x.mul(d).sum().backward(); // d is a constant: dL/dx = d, not 2x
        assertClose(v, x.grad(), 1e-6, 0, "gradient only through the attached factor");
        assertNull(d.grad());
    }

    @Test
    void aChainOfTenThousandOpsNeedsNoDeepStack() throws Exception {
        // Run on a thread with a small stack: a recursive backward would overflow here.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Float> grad = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                Variable x = Variable.param(Tensor.vector(1f));
                Variable y = x;
                for (int i = 0; i < 10_000; i++) y = y.mul(1.0001f).add(0.5f);
                y.sum().backward();
                grad.set(x.grad().item());
                String dot = GraphExport.toDot(y);
                if (!dot.contains("op9999")) throw new AssertionError("export lost nodes");
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "small-stack", 128 * 1024);
        t.start();
        t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        double expected = Math.pow(1.0001f, 10_000);
        assertEquals(expected, grad.get(), expected * 1e-3);
    }

    @Test
    void backwardFreesSavedTensorsAndActivations() {
        Variable x = Variable.param(uniform(12, 64, 64));
        Variable h = x.exp();
        Function exp = h.gradFn();
        WeakReference<Tensor> activation = new WeakReference<>(h.data());
        Variable loss = h.mul(h).sum();
        Function mul = loss.gradFn().nextFunctions()[0];
        h = null;
        loss.backward();
        assertTrue(exp.isReleased() && mul.isReleased());
        assertEquals(0, mul.inputs().length, "the node dropped its input Variables");
        assertSame(exp, mul.nextFunctions()[0], "but kept the edge backward needs");
        for (int i = 0; i < 10 && activation.get() != null; i++) System.gc();
        assertNull(activation.get(), "exp(x) is unreachable once backward is done, although loss is still referenced");
        assertNotNull(loss.data());
    }

    @Test
    void retainGraphKeepsInputsForInspection() {
        Variable x = Variable.param(uniform(13, 3)).name("x");
        Variable loss = x.exp().sum();
        loss.backward(true);
        assertFalse(loss.gradFn().isReleased());
        assertEquals(1, loss.gradFn().inputs().length);
        assertArrayEquals(new int[0], loss.gradFn().outputShape());
    }

    @Test
    void setDataAndSetGradCheckShapes() {
        Variable w = Variable.param(uniform(14, 2, 3));
        Tensor replacement = uniform(15, 2, 3);
        w.setData(replacement);
        assertSame(replacement, w.data());
        assertThrowsIae(() -> w.setData(Tensor.zeros(3, 2)));
        assertThrowsIae(() -> w.setGrad(Tensor.zeros(6)));
    }

    private static void assertThrowsIae(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("expected IllegalArgumentException");
    }
}
