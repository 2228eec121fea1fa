package mma4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import mma4j.autograd.Variable;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayerTest {
    static void assertClose(float[] expected, float[] actual, float tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], tol, "element " + i);
    }

    @Test
    void linearComputesXWtPlusB() {
        Linear fc = new Linear(2, 3);
        fc.weight().data().copyFrom(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        fc.bias().data().copyFrom(Tensor.vector(0.5f, -0.5f, 1));
        Variable y = fc.forward(Variable.of(Tensor.of(new float[] {1, 1, 2, -1}, 2, 2)));
        // row 1: [1+2, 3+4, 5+6] + b; row 2: [2-2, 6-4, 10-6] + b
        assertArrayEquals(new float[] {3.5f, 6.5f, 12f, 0.5f, 1.5f, 5f}, y.data().toArray());
        assertEquals("Linear(in_features=2, out_features=3, bias=True)", fc.toString());
    }

    @Test
    void linearWithoutBias() {
        Linear fc = new Linear(4, 2, false);
        assertNull(fc.bias());
        assertEquals(List.of("weight"), List.copyOf(fc.namedParameters().keySet()));
    }

    @Test
    void defaultInitIsPyTorchsBoundAndSeeded() {
        // kaiming-uniform with a = sqrt(5): gain = sqrt(2 / 6), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in).
        Linear fc = new Linear(100, 64, true, new Generator(11));
        double bound = 1 / Math.sqrt(100);
        float[] w = fc.weight().data().toArray(), b = fc.bias().data().toArray();
        double maxW = 0;
        for (float v : w) maxW = Math.max(maxW, Math.abs(v));
        assertTrue(maxW <= bound && maxW > 0.99 * bound, "max |w| " + maxW + " vs bound " + bound);
        for (float v : b) assertTrue(Math.abs(v) <= bound);
        assertArrayEquals(w, new Linear(100, 64, true, new Generator(11)).weight().data().toArray());
        assertFalse(java.util.Arrays.equals(w, new Linear(100, 64, true, new Generator(12)).weight().data().toArray()));

        Conv2d conv = Conv2d.builder(8, 16, 3).generator(new Generator(3)).build();
        double convBound = 1 / Math.sqrt(8 * 9);
        for (float v : conv.weight().data().toArray()) assertTrue(Math.abs(v) <= convBound);
        for (float v : conv.bias().data().toArray()) assertTrue(Math.abs(v) <= convBound);
    }

    @Test
    void convBuilderOptions() {
        Conv2d conv = Conv2d.builder(3, 4, 3).stride(2).padding(1).bias(false).generator(new Generator(1)).build();
        assertNull(conv.bias());
        assertArrayEquals(new int[] {4, 3, 3, 3}, conv.weight().shape());
        assertArrayEquals(new int[] {2, 4, 4, 4}, conv.forward(Variable.of(Tensor.zeros(2, 3, 8, 8))).shape());
        assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(3, 4, 3).stride(0).build());
    }

    @Test
    void convSumsItsWindow() {
        Conv2d conv = Conv2d.builder(1, 1, 3).padding(1).build();
        conv.weight().data().fillInPlace(1);
        conv.bias().data().fillInPlace(0.5f);
        float[] y = conv.forward(Variable.of(Tensor.ones(1, 1, 3, 3))).data().toArray();
        // corners see 4 ones, edges 6, the centre 9; plus the bias
        assertArrayEquals(new float[] {4.5f, 6.5f, 4.5f, 6.5f, 9.5f, 6.5f, 4.5f, 6.5f, 4.5f}, y);
    }

    /** x [2, 2, 1, 2]: channel 0 holds 1, 2 | 3, 4; channel 1 holds 0, 0 | 2, 2. */
    static Variable bnInput() {
        return Variable.of(Tensor.of(new float[] {1, 2, 0, 0, 3, 4, 2, 2}, 2, 2, 1, 2));
    }

    @Test
    void batchNormTrainUsesBatchStatsAndUpdatesRunningStatsWithUnbiasedVariance() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.weight().data().copyFrom(Tensor.vector(2, 1));
        bn.bias().data().copyFrom(Tensor.vector(1, 0));
        float[] y = bn.forward(bnInput()).data().toArray();
        // channel 0: mean 2.5, biased var 1.25 -> (x - 2.5) / sqrt(1.25 + 1e-5) * 2 + 1
        // channel 1: mean 1, biased var 1 -> (x - 1) / sqrt(1 + 1e-5)
        double s0 = Math.sqrt(1.25 + 1e-5), s1 = Math.sqrt(1 + 1e-5);
        float[] expected = {(float) (-1.5 / s0 * 2 + 1), (float) (-0.5 / s0 * 2 + 1), (float) (-1 / s1), (float) (-1 / s1),
                (float) (0.5 / s0 * 2 + 1), (float) (1.5 / s0 * 2 + 1), (float) (1 / s1), (float) (1 / s1)};
        assertClose(expected, y, 1e-5f);   // PyTorch 1.13 prints -1.6833, 0.1056, -1, -1, 1.8944, 3.6833, 1, 1
        // running_mean = 0.9 * 0 + 0.1 * [2.5, 1]; running_var = 0.9 * 1 + 0.1 * unbiased [5/3, 4/3]
        assertClose(new float[] {0.25f, 0.1f}, bn.runningMean().toArray(), 1e-7f);
        assertClose(new float[] {(float) (0.9 + 0.1 * 5 / 3.0), (float) (0.9 + 0.1 * 4 / 3.0)}, bn.runningVar().toArray(), 1e-6f);
        assertEquals(1f, bn.numBatchesTracked().item());
    }

    /** Sequential runs BatchNorm + ReLU fused; values, gradients and running stats equal the two modules run apart. */
    @Test
    void sequentialFusesBatchNormAndReluWithTheSameResults() {
        Generator g = new Generator(5);
        Tensor x = Tensor.randn(g, 3, 4, 5, 5), gy = Tensor.randn(g, 3, 4, 5, 5);
        BatchNorm2d fusedBn = new BatchNorm2d(4), plainBn = new BatchNorm2d(4);
        for (BatchNorm2d bn : List.of(fusedBn, plainBn)) bn.bias().data().copyFrom(Tensor.vector(0.3f, -0.2f, 0f, 1f));
        Sequential fused = new Sequential(fusedBn, new ReLU());
        Variable xf = Variable.param(x.copy()), xp = Variable.param(x.copy());
        Variable yf = fused.forward(xf);
        Variable yp = new ReLU().forward(plainBn.forward(xp));
        assertArrayEquals(yp.data().toArray(), yf.data().toArray());
        assertTrue(yf.data().eq(Tensor.scalar(0f)).sum().item() > 0, "the test input must have clipped values");
        yf.backward(gy);
        yp.backward(gy);
        assertArrayEquals(xp.grad().toArray(), xf.grad().toArray());
        assertArrayEquals(plainBn.weight().grad().toArray(), fusedBn.weight().grad().toArray());
        assertArrayEquals(plainBn.bias().grad().toArray(), fusedBn.bias().grad().toArray());
        assertArrayEquals(plainBn.runningVar().toArray(), fusedBn.runningVar().toArray());
        fused.eval();
        plainBn.eval();
        assertArrayEquals(plainBn.forward(Variable.of(x)).relu().data().toArray(), fused.forward(Variable.of(x)).data().toArray());
    }

    @Test
    void batchNormEvalUsesRunningStats() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.weight().data().copyFrom(Tensor.vector(2, 1));
        bn.bias().data().copyFrom(Tensor.vector(1, 0));
        bn.forward(bnInput());
        bn.eval();
        float[] y = bn.forward(bnInput()).data().toArray();
        double v0 = 0.9 + 0.1 * 5 / 3.0, v1 = 0.9 + 0.1 * 4 / 3.0;
        float[] x = bnInput().data().toArray();
        float[] expected = new float[8];
        for (int i = 0; i < 8; i++) {
            int c = (i / 2) % 2;
            expected[i] = c == 0 ? (float) ((x[i] - 0.25) / Math.sqrt(v0 + 1e-5) * 2 + 1) : (float) ((x[i] - 0.1) / Math.sqrt(v1 + 1e-5));
        }
        assertClose(expected, y, 1e-5f);   // PyTorch 1.13: 2.4524, 4.3888, -0.0984, -0.0984, 6.3253, 8.2618, 1.8691, 1.8691
        assertEquals(1f, bn.numBatchesTracked().item(), "eval does not count batches");
        assertClose(new float[] {0.25f, 0.1f}, bn.runningMean().toArray(), 1e-7f);
    }

    @Test
    void batchNormCumulativeAverageWhenMomentumIsNone() {
        BatchNorm2d bn = BatchNorm2d.builder(2).cumulativeAverage().build();
        bn.forward(bnInput());
        bn.forward(Variable.of(bnInput().data().mul(3f)));
        // factor 1/1 then 1/2: running_mean = (batch mean 1 + batch mean 2) / 2 = ([2.5, 1] + [7.5, 3]) / 2
        assertClose(new float[] {5f, 2f}, bn.runningMean().toArray(), 1e-6f);
        // running_var = (unbiased 1 + unbiased 2) / 2 = ([5/3, 4/3] + 9 * [5/3, 4/3]) / 2
        assertClose(new float[] {(float) (5 * 5 / 3.0), (float) (5 * 4 / 3.0)}, bn.runningVar().toArray(), 1e-5f);
        assertEquals(2f, bn.numBatchesTracked().item());
        assertNull(bn.momentum());
    }

    @Test
    void batchNormWithoutRunningStatsUsesBatchStatsInEval() {
        BatchNorm2d bn = BatchNorm2d.builder(2).trackRunningStats(false).affine(false).build();
        assertTrue(bn.stateDict().isEmpty());
        assertNull(bn.runningMean());
        float[] train = bn.forward(bnInput()).data().toArray();
        bn.eval();
        assertArrayEquals(train, bn.forward(bnInput()).data().toArray());
    }

    @Test
    void batchNorm1dOnFeatures() {
        BatchNorm1d bn = BatchNorm1d.builder(2).momentum(0.5f).build();
        // features [N=3, C=2]: column 0 = 1, 2, 3 (mean 2, biased var 2/3), column 1 = 5, 5, 5 (var 0)
        float[] y = bn.forward(Variable.of(Tensor.of(new float[] {1, 5, 2, 5, 3, 5}, 3, 2))).data().toArray();
        double s = Math.sqrt(2 / 3.0 + 1e-5);
        assertClose(new float[] {(float) (-1 / s), 0, 0, 0, (float) (1 / s), 0}, y, 1e-5f);
        // momentum 0.5: mean 0.5 * [2, 5], var 0.5 * 1 + 0.5 * [1, 0]
        assertClose(new float[] {1f, 2.5f}, bn.runningMean().toArray(), 1e-6f);
        assertClose(new float[] {1f, 0.5f}, bn.runningVar().toArray(), 1e-6f);
        var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Variable.of(Tensor.zeros(2, 2, 2, 2))));
        assertEquals("BatchNorm1d: expected 2D or 3D input (got 4D input)", e.getMessage());
        var c = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Variable.of(Tensor.zeros(2, 2, 2, 2))));
        assertTrue(c.getMessage().contains("has 2 channels, expected 3"), c.getMessage());
    }

    @Test
    void dropoutInTrainingZeroesAndScalesFromItsGenerator() {
        float p = 0.25f;
        Dropout d = new Dropout(p, new Generator(42));
        Tensor x = Tensor.arange(1, 401, 1).reshape(20, 20);
        Variable xv = Variable.param(x);
        float[] y = d.forward(xv).data().toArray();
        // Mask rule: one uniform float per element from the layer's generator, kept (x / (1 - p)) when >= p.
        Generator g = new Generator(42);
        float[] xs = x.toArray();
        int dropped = 0;
        for (int i = 0; i < xs.length; i++) {
            boolean keep = g.nextFloat() >= p;
            assertEquals(keep ? xs[i] / (1 - p) : 0f, y[i], 1e-4f * Math.abs(xs[i]), "element " + i);
            if (!keep) dropped++;
        }
        // 400 draws with p = 0.25: 100 expected, sd ~8.7
        assertTrue(dropped > 60 && dropped < 140, "dropped " + dropped);
        // The gradient passes through the same mask.
        d.forward(xv).sum().backward();
        Generator g2 = new Generator(42);
        for (int i = 0; i < 400; i++) g2.nextFloat();
        float[] grad = xv.grad().toArray();
        for (int i = 0; i < 400; i++) assertEquals(g2.nextFloat() >= p ? 1 / (1 - p) : 0f, grad[i], 1e-6f);
    }

    @Test
    void dropoutInEvalIsIdentity() {
        Dropout d = new Dropout(0.5f, new Generator(1));
        d.eval();
        Variable x = Variable.of(Tensor.randn(new Generator(2), 4, 5));
        assertArrayEquals(x.data().toArray(), d.forward(x).data().toArray());
        long[] before = d.generator().state();
        d.forward(x);
        assertArrayEquals(before, d.generator().state(), "eval draws nothing");
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f));
    }

    @Test
    void poolingFlattenIdentityRelu() {
        Variable x = Variable.of(Tensor.arange(16).reshape(1, 1, 4, 4));
        assertArrayEquals(new float[] {5, 7, 13, 15}, new MaxPool2d(2).forward(x).data().toArray());
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, new AvgPool2d(2).forward(x).data().toArray());
        Variable g = new AdaptiveAvgPool2d().forward(x);
        assertArrayEquals(new int[] {1, 1, 1, 1}, g.shape());
        assertEquals(7.5f, g.item());
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(2));
        assertArrayEquals(new int[] {2, 60}, new Flatten().forward(Variable.of(Tensor.zeros(2, 3, 4, 5))).shape());
        assertArrayEquals(new int[] {6, 4, 5}, new Flatten(0, 1).forward(Variable.of(Tensor.zeros(2, 3, 4, 5))).shape());
        assertSame(x, new Identity().forward(x));
        assertArrayEquals(new float[] {0, 0, 2}, new ReLU().forward(Variable.of(Tensor.vector(-1, 0, 2))).data().toArray());
    }

    @Test
    void losses() {
        Variable logits = Variable.of(Tensor.of(new float[] {0, 0}, 1, 2));
        assertEquals(Math.log(2), new CrossEntropyLoss().forward(logits, new int[] {0}).item(), 1e-6);
        // label smoothing 0.2, logits [1, 0], target 0: log p = [1 - l, -l], l = log(1 + e);
        // loss = 0.8 * (l - 1) + 0.2 * ((l - 1) + l) / 2
        double l = Math.log(1 + Math.E);
        Variable z = Variable.of(Tensor.of(new float[] {1, 0}, 1, 2));
        assertEquals(0.8 * (l - 1) + 0.2 * (2 * l - 1) / 2, new CrossEntropyLoss(0.2f).forward(z, new int[] {0}).item(), 1e-6);
        Variable logp = Variable.of(Tensor.of(new float[] {-1, -2, -3, -0.5f}, 2, 2));
        assertEquals(2.5f, new NLLLoss().forward(logp, new int[] {1, 0}).item(), 1e-6);
        assertEquals(13 / 3f, new MSELoss().forward(Variable.of(Tensor.vector(1, 2, 3)), Variable.of(Tensor.vector(1, 0, 0))).item(), 1e-6);
        var e = assertThrows(UnsupportedOperationException.class, () -> new MSELoss().forward(logits));
        assertTrue(e.getMessage().contains("forward(input, target)"));
        assertTrue(new CrossEntropyLoss().parameters().isEmpty());
    }
}
