package mma4j.nn.regularizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import mma4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fused and tiled MMA (and cosine loss) against the composed autograd reference. */
class MmaAgreementTest {
    static final double TOL = 1e-5;

    static Map<String, Tensor> cases() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("random 20x8", Weights.randn(1, 20, 8));
        m.put("random 64x27 (first VGG conv)", Weights.randn(2, 64, 27));
        Tensor dup = Weights.randn(3, 12, 6);
        dup = Weights.withRow(dup, 7, Weights.row(dup, 3));
        dup = Weights.withRow(dup, 9, Weights.scaled(Weights.row(dup, 3), 2.5f));
        m.put("duplicate rows", dup);
        Tensor anti = Weights.randn(4, 10, 5);
        anti = Weights.withRow(anti, 6, Weights.scaled(Weights.row(anti, 2), -1f));
        m.put("antipodal rows", anti);
        m.put("n = 2", Weights.randn(5, 2, 3));
        m.put("n = 2 antipodal", Tensor.of(new float[] {1, 2, 3, -1, -2, -3}, 2, 3));
        m.put("n = 2 duplicate", Tensor.of(new float[] {1, 2, 3, 2, 4, 6}, 2, 3));
        m.put("n > d (50 x 3)", Weights.randn(6, 50, 3));
        m.put("n > d (24 x 2, around a circle)", circle(24, 7));
        // Exact ties: e1 is at cosine 0 from e2, e3 and e4; -e1 ties e2, e3 and e4 too.
        m.put("exact ties", Tensor.of(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, -1, 0, 0, 0}, 5, 4));
        m.put("all rows identical", Tensor.of(new float[] {1, 1, 2, 2, 3, 3}, 3, 2));
        return m;
    }

    /** n points around the unit circle, evenly spaced but jittered and with random lengths. */
    static Tensor circle(int n, long seed) {
        mma4j.tensor.Generator g = new mma4j.tensor.Generator(seed);
        float[] w = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * (i + 0.3 * g.nextDouble()) / n, r = 0.5 + g.nextDouble();
            w[2 * i] = (float) (r * Math.cos(a));
            w[2 * i + 1] = (float) (r * Math.sin(a));
        }
        return Tensor.wrap(w, n, 2);
    }

    static Stream<Arguments> mmaCases() {
        return cases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mmaCases")
    void fusedAndTiledMmaMatchComposed(String name, Tensor w) {
        Weights.LossGrad ref = Weights.lossGrad(new MmaLoss(Impl.COMPOSED), w);
        assertFinite(name, ref);
        for (Regularizer r : new Regularizer[] {new MmaLoss(Impl.FUSED), new MmaLoss(Impl.TILED, 1), new MmaLoss(Impl.TILED, 3),
                new MmaLoss(Impl.TILED, 7), new MmaLoss(Impl.TILED)}) {
            Weights.LossGrad got = Weights.lossGrad(r, w);
            assertEquals(ref.loss(), got.loss(), TOL, name + ": loss of " + r.impl());
            double diff = Weights.maxAbsDiff(ref.grad(), got.grad());
            assertTrue(diff <= TOL * Math.max(1, Weights.maxAbs(ref.grad())), name + ": gradient of " + r.impl() + " differs by " + diff);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mmaCases")
    void fusedAndTiledCosineLossMatchComposed(String name, Tensor w) {
        Weights.LossGrad ref = Weights.lossGrad(new CosineLoss(Impl.COMPOSED), w);
        for (Regularizer r : new Regularizer[] {new CosineLoss(Impl.FUSED), new CosineLoss(Impl.TILED, 2), new CosineLoss(Impl.TILED, 5)}) {
            Weights.LossGrad got = Weights.lossGrad(r, w);
            assertEquals(ref.loss(), got.loss(), TOL, name + ": loss of " + r.impl());
            double diff = Weights.maxAbsDiff(ref.grad(), got.grad());
            assertTrue(diff <= TOL * Math.max(1, Weights.maxAbs(ref.grad())), name + ": gradient of " + r.impl() + " differs by " + diff);
        }
    }

    /** The scalar fallbacks (SIMD off) of the row loops and the Gram product give the same loss and gradient. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mmaCases")
    void scalarPathMatchesComposed(String name, Tensor w) {
        boolean simd = mma4j.tensor.cpu.Simd.enabled();
        try {
            mma4j.tensor.cpu.Simd.setEnabled(false);
            Weights.LossGrad ref = Weights.lossGrad(new MmaLoss(Impl.COMPOSED), w);
            for (Regularizer r : new Regularizer[] {new MmaLoss(Impl.FUSED), new MmaLoss(Impl.TILED, 4)}) {
                Weights.LossGrad got = Weights.lossGrad(r, w);
                assertEquals(ref.loss(), got.loss(), TOL, name + ": loss of " + r.impl());
                double diff = Weights.maxAbsDiff(ref.grad(), got.grad());
                assertTrue(diff <= TOL * Math.max(1, Weights.maxAbs(ref.grad())), name + ": gradient of " + r.impl() + " differs by " + diff);
            }
        } finally {
            mma4j.tensor.cpu.Simd.setEnabled(simd);
        }
    }

    private static void assertFinite(String name, Weights.LossGrad lg) {
        assertTrue(Float.isFinite(lg.loss()), name + ": loss " + lg.loss());
        for (float g : lg.grad()) assertFalse(Float.isNaN(g) || Float.isInfinite(g), name + ": gradient has " + g);
    }
}
