package mma4j.nn.regularizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import mma4j.autograd.Function;
import mma4j.autograd.GradCheck;
import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegularizerTest {

    static Stream<Arguments> everyRegularizer() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Impl impl : Impl.values()) {
            b.add(Arguments.of("mma", impl));
            b.add(Arguments.of("cosine", impl));
            if (impl == Impl.TILED) continue;
            for (String name : List.of("orthogonal", "mhe0", "mhe1", "mhe2", "mhe2-batch", "mhe0-batch")) b.add(Arguments.of(name, impl));
        }
        return b.build();
    }

    /**
     * Rows in well separated close pairs, so that a step of the finite difference never changes
     * which row is whose nearest neighbour (MMA and cosine are only piecewise smooth).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRegularizer")
    void gradcheckPasses(String name, Impl impl) {
        Tensor w = Weights.closePairs(11, 4, 5, 0.4f);
        // Each call builds the regularizer afresh with the same seed, so mini-batch variants draw the same rows.
        GradCheck.Result r = GradCheck.check(v -> Regularizers.of(name, impl, 5).apply(v[0]), new Tensor[] {w}, 1e-3, 1e-3, 1e-2);
        assertTrue(r.passed(), name + " " + impl + ": " + r);
    }

    @Test
    void gradcheckPassesOnConvShapedWeights() {
        Tensor w = Weights.closePairs(12, 3, 12, 0.4f).reshape(6, 3, 2, 2);
        for (String name : List.of("mma", "orthogonal", "mhe2")) {
            GradCheck.Result r = GradCheck.check(v -> Regularizers.of(name).apply(v[0]), new Tensor[] {w}, 1e-3, 1e-3, 1e-2);
            assertTrue(r.passed(), name + ": " + r);
        }
    }

    /** A fused MMA whose backward forgets the neighbour's half of each pair: gradcheck must catch it. */
    static final class ForgetsNeighbour extends Function {
        private final NearestNeighbourLoss inner = new NearestNeighbourLoss(NearestNeighbourLoss.Term.MMA);
        private Tensor w;

        @Override protected Tensor forward(Tensor... in) {
            w = in[0];
            return inner.forward(in);
        }

        @Override protected Tensor[] backward(Tensor g) {
            Nearest nn = inner.nearest();
            int n = w.size(0), d = w.size(1);
            UnitRows rows = UnitRows.of("mma", w.toArray(), n, d, 0f);
            float[] gu = new float[n * d];
            for (int i = 0; i < n; i++) {
                double s = g.item() / n / Math.sqrt(1 - (double) nn.cos[i] * nn.cos[i]);
                for (int p = 0; p < d; p++) gu[i * d + p] += (float) (s * rows.u[nn.index[i] * d + p]);
            }
            rows.backwardInPlace(gu);
            return new Tensor[] {Tensor.wrap(gu, n, d)};
        }
    }

    @Test
    void gradcheckRejectsAPlantedWrongBackward() {
        // Distinct nearest-neighbour pairs would hide the bug only if every pair were mutual; a chain is not.
        Tensor w = Weights.randn(21, 7, 4);
        GradCheck.Result right = GradCheck.check(v -> new NearestNeighbourLoss(NearestNeighbourLoss.Term.MMA).apply(v[0]), new Tensor[] {w},
                1e-3, 1e-3, 1e-2);
        GradCheck.Result wrong = GradCheck.check(v -> new ForgetsNeighbour().apply(v[0]), new Tensor[] {w}, 1e-3, 1e-3, 1e-2);
        assertTrue(right.passed(), right.toString());
        assertFalse(wrong.passed(), "planted bug not caught: " + wrong);
    }

    static Stream<Arguments> pairEnergies() {
        Tensor base = Weights.randn(31, 10, 6);
        Tensor dup = Weights.withRow(base, 4, Weights.row(base, 1));
        return Stream.of("orthogonal", "mhe0", "mhe1", "mhe2").flatMap(name -> Stream.of(
                Arguments.of(name, "random 24x9", Weights.randn(30, 24, 9)),
                Arguments.of(name, "duplicate rows", name.equals("orthogonal") ? dup : base),
                Arguments.of(name, "n = 2", Weights.randn(32, 2, 3)),
                Arguments.of(name, "n > d", Weights.randn(33, 30, 3))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pairEnergies")
    void fusedPairEnergiesMatchComposed(String name, String label, Tensor w) {
        Weights.LossGrad ref = Weights.lossGrad(Regularizers.of(name, Impl.COMPOSED, 0), w);
        Weights.LossGrad got = Weights.lossGrad(Regularizers.of(name, Impl.FUSED, 0), w);
        assertEquals(ref.loss(), got.loss(), 1e-5 * Math.max(1, Math.abs(ref.loss())), label + ": loss");
        double diff = Weights.maxAbsDiff(ref.grad(), got.grad());
        assertTrue(diff <= 1e-5 * Math.max(1, Weights.maxAbs(ref.grad())), label + ": gradient differs by " + diff);
    }

    /**
     * With identical rows MHE's 2 - 2 C_ij is about 1e-5, cancelled from two numbers near 2:
     * float32 forms disagree by 1%, so the fused form (which recomputes close pairs) is checked
     * against the definition evaluated in double precision.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0, 1, 2})
    void mheOfDuplicateRowsMatchesADoublePrecisionEvaluation(double s) {
        Tensor base = Weights.randn(34, 10, 6);
        Tensor dup = Weights.withRow(base, 4, Weights.row(base, 1));
        float[] w = dup.toArray();
        int n = 10, d = 6;
        double[][] u = new double[n][d];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int p = 0; p < d; p++) sq += (double) w[i * d + p] * w[i * d + p];
            for (int p = 0; p < d; p++) u[i][p] = w[i * d + p] / Math.sqrt(sq + 1e-4);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) continue;
                double c = 0;
                for (int p = 0; p < d; p++) c += u[i][p] * u[j][p];
                double q = 2 - 2 * c;
                sum += s == 0 ? -0.5 * Math.log(q) : Math.pow(q, -s / 2);
            }
        }
        double expected = sum / (n * (n - 1.0));
        Weights.LossGrad got = Weights.lossGrad(new MheLoss(s, Impl.FUSED), dup);
        assertEquals(expected, got.loss(), 1e-5 * Math.abs(expected), "mhe s=" + s);
        for (float g : got.grad()) assertTrue(Float.isFinite(g));
    }

    @Test
    void miniBatchMheUsesThirtyPercentOfTheRowsAndIsSeeded() {
        Tensor w = Weights.randn(40, 20, 6);
        Regularizer a = Regularizers.of("mhe2-batch", Impl.FUSED, 9), b = Regularizers.of("mhe2-batch", Impl.FUSED, 9);
        Weights.LossGrad a1 = Weights.lossGrad(a, w), b1 = Weights.lossGrad(b, w), a2 = Weights.lossGrad(a, w);
        assertEquals(a1.loss(), b1.loss(), 0f, "same seed, same rows");
        assertNotEquals(a1.loss(), a2.loss(), "each call draws new rows");
        int touched = 0;
        for (int i = 0; i < 20; i++) {
            boolean any = false;
            for (int p = 0; p < 6; p++) any |= a1.grad()[i * 6 + p] != 0f;
            if (any) touched++;
        }
        assertEquals(6, touched, "30% of 20 rows receive gradient");
        // The subset's energy is the full energy of those rows.
        assertEquals("mhe2-batch", a.name());
    }

    @Test
    void tiledIsBitwiseTheSameForAnyThreadCount() {
        Tensor w = Weights.randn(50, 300, 40);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Weights.LossGrad one = Weights.lossGrad(new MmaLoss(Impl.TILED, 16), w);
            Parallel.setThreads(3);
            Weights.LossGrad three = Weights.lossGrad(new MmaLoss(Impl.TILED, 16), w);
            assertEquals(one.loss(), three.loss(), 0f);
            assertEquals(0.0, Weights.maxAbsDiff(one.grad(), three.grad()));
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mma", "cosine", "orthogonal", "mhe0", "mhe2", "mhe"})
    void badWeightsAreRejectedWithTheirValues(String name) {
        Regularizer r = Regularizers.of(name);
        var oneRow = assertThrows(IllegalArgumentException.class, () -> r.apply(Variable.param(Tensor.ones(1, 5))));
        assertTrue(oneRow.getMessage().contains("1 row"), oneRow.getMessage());
        Tensor zero = Weights.randn(1, 4, 3);
        zero = Weights.withRow(zero, 2, new float[3]);
        Tensor z = zero;
        var zeroRow = assertThrows(IllegalArgumentException.class, () -> r.apply(Variable.param(z)));
        assertTrue(zeroRow.getMessage().contains("row 2") && zeroRow.getMessage().contains("zeros"), zeroRow.getMessage());
        Tensor nan = Weights.randn(1, 4, 3);
        nan.set(Float.NaN, 1, 2);
        var nanValue = assertThrows(IllegalArgumentException.class, () -> r.apply(Variable.param(nan)));
        assertTrue(nanValue.getMessage().contains("NaN") && nanValue.getMessage().contains("row 1, column 2"), nanValue.getMessage());
        var vector = assertThrows(IllegalArgumentException.class, () -> r.apply(Variable.param(Tensor.ones(5))));
        assertTrue(vector.getMessage().contains("[5]"), vector.getMessage());
    }

    @Test
    void unknownNamesAndImplementationsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Regularizers.of("mmaa"));
        assertTrue(e.getMessage().contains("'mmaa'") && e.getMessage().contains("orthogonal"), e.getMessage());
        var t = assertThrows(IllegalArgumentException.class, () -> Regularizers.of("orthogonal", Impl.TILED, 0));
        assertTrue(t.getMessage().contains("tiled"), t.getMessage());
        var i = assertThrows(IllegalArgumentException.class, () -> Impl.parse("fast"));
        assertTrue(i.getMessage().contains("'fast'"), i.getMessage());
    }

    @Test
    void convWeightsAreReadAsOutChannelRows() {
        Tensor conv = Weights.randn(41, 8, 36).reshape(8, 4, 3, 3);
        Weights.LossGrad asConv = Weights.lossGrad(Regularizers.of("mma"), conv);
        Weights.LossGrad asMatrix = Weights.lossGrad(Regularizers.of("mma"), conv.reshape(8, 36));
        assertEquals(asMatrix.loss(), asConv.loss(), 0f);
        assertEquals(0.0, Weights.maxAbsDiff(asMatrix.grad(), asConv.grad()));
    }

    @Test
    void mmaOfARegularSimplexIsItsAngle() {
        // 4 rows of a regular tetrahedron: every angle is acos(-1/3).
        Tensor w = Tensor.of(new float[] {1, 1, 1, 1, -1, -1, -1, 1, -1, -1, -1, 1}, 4, 3);
        float loss = Regularizers.of("mma").apply(Variable.of(w)).item();
        assertEquals(-Math.acos(-1.0 / 3), loss, 1e-6);
    }
}
