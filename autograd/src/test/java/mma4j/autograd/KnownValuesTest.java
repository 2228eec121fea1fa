package mma4j.autograd;

import static mma4j.autograd.Tensors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradients worked out by hand, asserted to float tolerance. */
class KnownValuesTest {

    @Test
    void twoByTwoMatmul() {
        // L = sum(G * (A B)) with G = [[1, 0], [0, 2]]: dL/dA = G B^T, dL/dB = A^T G.
        Variable a = Variable.param(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        Variable b = Variable.param(Tensor.of(new float[] {5, 6, 7, 8}, 2, 2));
        Variable c = a.matmul(b);
        assertClose(new float[] {19, 22, 43, 50}, c.data(), 0, "A B");
        c.backward(Tensor.of(new float[] {1, 0, 0, 2}, 2, 2));
        // G B^T = [[1*5, 1*7], [2*6, 2*8]]; A^T G = [[1*1, 3*2], [2*1, 4*2]]
        assertClose(new float[] {5, 7, 12, 16}, a.grad(), 0, "dL/dA");
        assertClose(new float[] {1, 6, 2, 8}, b.grad(), 0, "dL/dB");
    }

    @Test
    void softmaxCrossEntropyOnAKnownRow() {
        // logits [1, 2, 3], target 2: p = e^z / sum e^z = [0.0900306, 0.2447285, 0.6652410]
        // loss = -log p_2 = log(e + e^2 + e^3) - 3 = 0.4076059; dL/dz = p - onehot(2).
        Variable z = Variable.param(Tensor.of(new float[] {1, 2, 3}, 1, 3));
        Variable loss = Functional.crossEntropy(z, new int[] {2});
        assertEquals(0.4076059f, loss.item(), 1e-6f);
        loss.backward();
        assertClose(new float[] {0.0900306f, 0.2447285f, 0.6652410f - 1}, z.grad(), 1e-6, "dL/dz");
    }

    @Test
    void softmaxCrossEntropyWithLabelSmoothingOnAKnownRow() {
        // s = 0.1, 3 classes: target distribution q = 0.9 onehot(2) + 0.1/3.
        // loss = 0.9 * 0.4076059 + 0.1 * mean(-log p) = 0.9 * 0.4076059 + 0.1 * 1.4076059 = 0.5076059
        // dL/dz = p - q = [0.0900306 - 0.0333333, 0.2447285 - 0.0333333, 0.6652410 - 0.9333333]
        Variable z = Variable.param(Tensor.of(new float[] {1, 2, 3}, 1, 3));
        Variable loss = Functional.crossEntropy(z, new int[] {2}, 0.1f);
        assertEquals(0.5076059f, loss.item(), 1e-6f);
        loss.backward();
        assertClose(new float[] {0.0566973f, 0.2113952f, -0.2680923f}, z.grad(), 1e-6, "dL/dz");
    }

    /**
     * The MMA loss composed from primitives, as the reference defines it: rows normalized,
     * cosine matrix, minus twice its diagonal, row max, clamped arccos, minus the mean.
     */
    static Variable mmaLoss(Variable w) {
        int n = w.size(0);
        Variable norms = w.square().sum(new int[] {1}, true).sqrt();
        Variable unit = w.div(norms);
        Variable cos = unit.matmul(unit.t());
        Tensor eye = Tensor.zeros(n, n);
        for (int i = 0; i < n; i++) eye.set(1f, i, i);
        Variable noDiagonal = cos.sub(cos.mul(Variable.of(eye)).mul(2f));
        return noDiagonal.max(1, false).acosClamped().mean().neg();
    }

    @Test
    void mmaLossOfThreePointsOnACircle() {
        // Rows at 0, 90 and 180 degrees with norms 2, 1 and 3.
        Variable w = Variable.param(Tensor.of(new float[] {2, 0, 0, 1, -3, 0}, 3, 2));
        Variable loss = mmaLoss(w);
        // Unit rows u0 = (1,0), u1 = (0,1), u2 = (-1,0). Cosines off the diagonal: C01 = C12 = 0, C02 = -1,
        // and the diagonal becomes 1 - 2 = -1. Row maxima: c0 = C01 = 0, c1 = max(C10, C12) = 0 (a tie:
        // MaxAlong sends the gradient to the first, j = 0), c2 = C21 = 0.
        // loss = -mean(acos(0)) = -pi/2.
        assertEquals((float) (-Math.PI / 2), loss.item(), 1e-6f);
        loss.backward();
        // dL/dc_i = -(1/3) * dacos/dc(0) = -(1/3)(-1) = 1/3 for each row.
        // dL/du0 = (1/3) u1 [c0 = u0.u1] + (1/3) u1 [c1 = u1.u0]          = (0, 2/3)
        // dL/du1 = (1/3) u0 [c0] + (1/3) u0 [c1] + (1/3) u2 [c2 = u2.u1]  = (1/3, 0)
        // dL/du2 = (1/3) u1 [c2]                                           = (0, 1/3)
        // Through u = w/|w|: dL/dw = (I - u u^T) dL/du / |w| (the part along u vanishes):
        // dL/dw0 = (0, 2/3)/2 = (0, 1/3), dL/dw1 = (1/3, 0)/1, dL/dw2 = (0, 1/3)/3 = (0, 1/9).
        assertClose(new float[] {0, 1f / 3, 1f / 3, 0, 0, 1f / 9}, w.grad(), 1e-6, "dL/dW");
    }

    @Test
    void mmaLossGivesNoGradientToRowsWhoseNearestNeighbourIsClamped() {
        // u0 = u1 = (1,0), u2 = (0,1). c0 = c1 = 1 is clamped to 0.99999 (gradient 0); c2 = max(C20, C21) = 0 (tie, j = 0).
        Variable w = Variable.param(Tensor.of(new float[] {1, 0, 1, 0, 0, 1}, 3, 2));
        Variable loss = mmaLoss(w);
        double clampedAngle = Math.acos(0.99999f);
        assertEquals((float) (-(2 * clampedAngle + Math.PI / 2) / 3), loss.item(), 1e-6f);
        loss.backward();
        // Only c2 = u2.u0 carries gradient 1/3: dL/du2 = (1/3) u0 = (1/3, 0), dL/du0 = (1/3) u2 = (0, 1/3);
        // both are already orthogonal to their own rows and the norms are 1.
        assertClose(new float[] {0, 1f / 3, 0, 0, 1f / 3, 0}, w.grad(), 1e-6, "dL/dW");
    }

    @Test
    void clampedAcosValuesAndSlopes() {
        Variable x = Variable.param(Tensor.vector(0.5f, -0.5f, 0f, 1f, -2f));
        Variable y = x.acosClamped();
        float edge = (float) Math.acos(0.99999f);
        assertClose(new float[] {(float) (Math.PI / 3), (float) (2 * Math.PI / 3), (float) (Math.PI / 2), edge, (float) Math.PI - edge}, y.data(), 1e-6, "acos");
        y.sum().backward();
        float s = (float) (-1 / Math.sqrt(0.75));
        assertClose(new float[] {s, s, -1f, 0f, 0f}, x.grad(), 1e-6, "dacos: -1/sqrt(1-x^2) inside, 0 where clamped");
    }

    @Test
    void clampedAcosAtTheBoundStillPassesTheGradient() {
        // As PyTorch's clamp: the bound itself counts as inside, so the slope there is -1/sqrt(1 - 0.99999^2).
        float b = 0.99999f;
        Variable x = Variable.param(Tensor.vector(b));
        x.acosClamped().sum().backward();
        double slope = -1 / Math.sqrt((1.0 - b) * (1.0 + b));
        assertEquals(slope, x.grad().item(), Math.abs(slope) * 1e-5);
    }

    @Test
    void tourNumbers() {
        // loss = relu(x W + b).sum() of docs/autodiff.md; W and b gradients worked out there.
        Variable x = Variable.of(Tensor.of(new float[] {1, 2, -1, 0.5f, -1, 2}, 2, 3));
        Variable w = Variable.param(Tensor.of(new float[] {0.5f, -1, 0.25f, 1, -0.5f, 0.5f}, 3, 2));
        Variable b = Variable.param(Tensor.vector(0.125f, 0.75f));
        Variable loss = x.matmul(w).add(b).relu().sum();
        assertEquals(3.125f, loss.item());
        loss.backward();
        assertClose(new float[] {1, 1.5f, 2, 1, -1, 1}, w.grad(), 0, "dL/dW = x^T mask");
        assertClose(new float[] {1, 2}, b.grad(), 0, "dL/db = column sums of the mask");
        assertNull(x.grad());
    }
}
