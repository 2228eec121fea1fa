package mma4j.autograd;

import static mma4j.autograd.Tensors.assertClose;
import static mma4j.autograd.Tensors.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * How leaves take their gradients: fresh gradients are kept without a copy, and ops that add
 * into a leaf's gradient ({@link Function#backwardInto}) run after everything else.
 */
class LeafGradientTest {

    /** y = sum(x) with gradient {@code value} everywhere, handed back as a fresh tensor. */
    private static final class FreshSum extends Function {
        private final float value;
        Tensor handedOut;

        FreshSum(float value) {
            this.value = value;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].sum();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            handedOut = Tensor.full(value * g.item(), saved()[0].shape());
            return new Tensor[] {fresh(handedOut)};
        }
    }

    /** x * y (both inputs get the same fresh tensor, which must not become both leaves' gradient). */
    private static final class SameFreshTwice extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].mul(in[1]).sum();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor t = fresh(Tensor.ones(2));
            return new Tensor[] {t, t};
        }
    }

    /**
     * y = sum(c * x) for a constant c, whose backward adds c into the leaf's gradient when it may,
     * and records what that gradient held by then.
     */
    private static final class AddsInto extends Function {
        private final float c;
        final List<String> calls = new ArrayList<>();
        float[] foundInLeafGrad;

        AddsInto(float c) {
            this.c = c;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            saveForBackward(in[0]);
            return in[0].mul(c).sum();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            calls.add("backward");
            return new Tensor[] {Tensor.full(c * g.item(), saved()[0].shape())};
        }

        @Override
        protected boolean addsIntoLeafGradients() {
            return true;
        }

        @Override
        protected boolean backwardInto(Tensor g, Tensor[] leafGrads) {
            calls.add("backwardInto");
            foundInLeafGrad = leafGrads[0].toArray();
            leafGrads[0].addInPlace(c * g.item());
            return true;
        }
    }

    @Test
    void aFreshGradientIsKeptWithoutACopy() {
        Variable x = Variable.param(uniform(1, 4));
        FreshSum op = new FreshSum(3f);
        op.apply(x).backward();
        assertSame(op.handedOut, x.grad(), "the fresh gradient is the leaf's own");
        assertClose(Tensor.full(3f, 4), x.grad(), 0, 0, "d sum / dx times 3");
    }

    @Test
    void aFreshContributionIsSummedIntoWithoutTouchingTheBorrowedOne() {
        Variable x = Variable.param(uniform(7, 3));
        FreshSum op = new FreshSum(3f);
        Tensor seed = Tensor.of(new float[] {2f, 2f, 2f, 1f}, 4);
        // Cat hands x + 1 a view of the seed (borrowed); FreshSum hands x a fresh tensor.
        Variable.cat(0, x.add(Variable.of(Tensor.ones(3))), op.apply(x).reshape(1)).backward(seed);
        assertClose(Tensor.full(5f, 3), x.grad(), 0, 0, "2 + 3");
        assertSame(op.handedOut, x.grad(), "the sum was made in the fresh tensor");
        assertClose(Tensor.of(new float[] {2f, 2f, 2f, 1f}, 4), seed, 0, 0, "the seed is untouched");
    }

    @Test
    void aTensorHandedToTwoInputsIsNotEitherLeafsOwn() {
        Variable x = Variable.param(uniform(2, 2)), y = Variable.param(uniform(3, 2));
        new SameFreshTwice().apply(x, y).backward();
        assertNotSame(x.grad(), y.grad(), "each leaf owns its gradient");
        x.grad().addInPlace(1f);
        assertClose(Tensor.ones(2), y.grad(), 0, 0, "writing x's gradient leaves y's alone");
    }

    @Test
    void anOpThatAddsIntoLeafGradientsRunsLastAndAddsIntoTheSum() {
        Variable x = Variable.param(uniform(4, 3));
        AddsInto op = new AddsInto(5f);
        // The op comes first in the loss, so without deferral its backward would run first.
        Variable loss = op.apply(x).add(x.mul(2f).sum()).add(x.mul(3f).sum());
        loss.backward();
        assertEquals(List.of("backwardInto"), op.calls);
        assertClose(Tensor.full(5f, 3), Tensor.of(op.foundInLeafGrad, 3), 0, 0, "the other contributions (2 + 3) were in by then");
        assertClose(Tensor.full(10f, 3), x.grad(), 0, 0, "2 + 3 + 5");
    }

    @Test
    void theGraphExportListsSuchAnOpWhereBackwardRunsIt() {
        Variable x = Variable.param(uniform(8, 3));
        Variable loss = new AddsInto(5f).apply(x).add(x.mul(2f).sum());
        List<String> order = GraphExport.backwardOrder(loss);
        assertEquals("AddsInto", order.get(order.size() - 1), order.toString());
        assertEquals("Add", order.get(0), order.toString());
    }

    @Test
    void anOpThatAddsIntoLeafGradientsHandsItsGradientOverWhereTheLeafHasNone() {
        Variable x = Variable.param(uniform(5, 3));
        AddsInto op = new AddsInto(5f);
        op.apply(x).backward();
        assertEquals(List.of("backward"), op.calls, "nothing to add into: a plain backward");
        assertClose(Tensor.full(5f, 3), x.grad(), 0, 0, "its gradient alone");
    }

    @Test
    void addingIntoABorrowedGradientCopiesItFirst() {
        Variable x = Variable.param(uniform(6, 3));
        AddsInto op = new AddsInto(5f);
        // Add's backward hands the seed itself to x: x's gradient is borrowed when op runs.
        Variable y = x.add(Variable.of(Tensor.ones(3)));
        Variable both = Variable.cat(0, y, op.apply(x).reshape(1));
        Tensor seed = Tensor.of(new float[] {2f, 2f, 2f, 1f}, 4);
        both.backward(seed);
        assertEquals(List.of("backwardInto"), op.calls);
        assertClose(Tensor.full(7f, 3), x.grad(), 0, 0, "2 + 5");
        assertClose(Tensor.of(new float[] {2f, 2f, 2f, 1f}, 4), seed, 0, 0, "the seed is untouched");
    }
}
