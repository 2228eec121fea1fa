package mma4j.nn.regularizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused backward gathers each row's pair terms in parallel; this pins it, bit for bit, to
 * the plain serial loop that scatters them in ascending row order, on rows that share nearest
 * neighbours (so some rows receive several terms), for 1 and 2 threads.
 */
class NearestNeighbourBackwardTest {

    /** The serial scatter form: for i ascending, g_i += s_i u_j / and g_j += s_i u_i, then the normalization backward. */
    private static float[] serialReference(NearestNeighbourLoss.Term term, float[] w, int n, int d) {
        UnitRows rows = UnitRows.of("test", w, n, d, 0f);
        Nearest nn = Nearest.ofUpper(Gram.full(w, n, d), n, rows.norm); // the fused forward's cosines: raw Gram over lengths
        float[] gu = new float[n * d];
        double scale = 1.0 / n;
        for (int i = 0; i < n; i++) {
            double s = scale * term.slope(nn.cos[i]);
            if (s == 0) continue;
            int j = nn.index[i];
            RowOps.axpy((float) (s / rows.norm[j]), w, j * d, gu, i * d, d);
            RowOps.axpy((float) (s / rows.norm[i]), w, i * d, gu, j * d, d);
        }
        UnitRows.backwardInPlace(w, rows.norm, n, d, gu);
        return gu;
    }

    private static float[] fused(NearestNeighbourLoss.Term term, Tensor w, int threads) {
        int was = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Variable v = Variable.param(w.copy());
            new NearestNeighbourLoss(term).apply(v).backward();
            return v.grad().toArray();
        } finally {
            Parallel.setThreads(was);
        }
    }

    @ParameterizedTest
    @EnumSource(NearestNeighbourLoss.Term.class)
    void gatheredRowsEqualTheSerialScatterBitForBit(NearestNeighbourLoss.Term term) {
        int n = 61, d = 33;
        // Rows in a few tight clusters around 5 centres: many rows pick the same neighbour.
        Tensor centres = Weights.randn(11, 5, d), noise = Weights.randn(12, n, d).mul(0.05f);
        float[] w = new float[n * d];
        float[] c = centres.toArray(), e = noise.toArray();
        for (int i = 0; i < n; i++) for (int p = 0; p < d; p++) w[i * d + p] = c[(i % 5) * d + p] + e[i * d + p];
        Tensor weight = Tensor.of(w, n, d);
        Nearest nn = Nearest.ofUpper(Gram.full(UnitRows.of("test", w, n, d, 0f).u, n, d), n);
        int[] chosen = new int[n];
        for (int k : nn.index) chosen[k]++;
        assertTrue(java.util.Arrays.stream(chosen).max().getAsInt() >= 3, "some row must be the nearest neighbour of several rows");

        float[] want = serialReference(term, w, n, d);
        for (int threads : new int[] {1, 2}) {
            float[] got = fused(term, weight, threads);
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                        term + ", " + threads + " thread(s): gradient element " + i + " is " + got[i] + ", serial loop gives " + want[i]);
            }
        }
    }
}
