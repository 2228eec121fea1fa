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

    /**
     * The serial scatter form: each row's radial coefficient from the cosines, then for i
     * ascending, g_i += p_i w_j and g_j += p_i w_i with p_i = s_i / (|w_i| |w_j|).
     */
    private static float[] serialReference(NearestNeighbourLoss.Term term, float[] w, int n, int d) {
        return serialReference(term, w, n, d, new float[n * d]);
    }

    /** The same, scattered into g (which then holds the sum). */
    private static float[] serialReference(NearestNeighbourLoss.Term term, float[] w, int n, int d, float[] g) {
        float[] norm = UnitRows.norms("test", w, n, d);
        Nearest nn = Nearest.ofUpper(Gram.full(w, n, d), n, norm); // the fused forward's cosines: raw Gram over lengths
        double[] s = new double[n], along = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = (1.0 / n) * term.slope(nn.cos[i]);
            along[i] = s[i] * nn.cos[i];
        }
        for (int i = 0; i < n; i++) along[nn.index[i]] += s[i] * nn.cos[i];
        for (int r = 0; r < n; r++) RowOps.axpy((float) (-along[r] / ((double) norm[r] * norm[r])), w, r * d, g, r * d, d);
        for (int i = 0; i < n; i++) {
            int j = nn.index[i];
            float p = (float) (s[i] / ((double) norm[i] * norm[j]));
            if (p == 0f) continue;
            RowOps.axpy(p, w, j * d, g, i * d, d);
            RowOps.axpy(p, w, i * d, g, j * d, d);
        }
        return g;
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
        float[] w = clusteredRows();
        Tensor weight = Tensor.of(w, N, D);
        int n = N, d = D;
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

    @ParameterizedTest
    @EnumSource(NearestNeighbourLoss.Term.class)
    void addedIntoAWeightsGradientItContinuesTheSerialScatterFromThatGradient(NearestNeighbourLoss.Term term) {
        // A conv-shaped weight [61, 3, 11, 1] (rows of 33) that also gets the gradient `other`
        // from sum(w * other): the fused loss runs last and adds its terms into that gradient.
        float[] w = clusteredRows();
        float[] other = Weights.randn(13, N, D).toArray();
        Variable v = Variable.param(Tensor.of(w.clone(), N, 3, 11, 1));
        Regularizer loss = term == NearestNeighbourLoss.Term.MMA ? new MmaLoss() : new CosineLoss();
        loss.apply(v).add(v.mul(Variable.of(Tensor.of(other, N, 3, 11, 1))).sum()).backward();
        float[] want = serialReference(term, w, N, D, other.clone());
        float[] got = v.grad().toArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                    term + ": gradient element " + i + " is " + got[i] + ", the serial loop from the other gradient gives " + want[i]);
        }
    }

    private static final int N = 61, D = 33;

    /** Rows in a few tight clusters around 5 centres: many rows pick the same neighbour. */
    private static float[] clusteredRows() {
        Tensor centres = Weights.randn(11, 5, D), noise = Weights.randn(12, N, D).mul(0.05f);
        float[] w = new float[N * D];
        float[] c = centres.toArray(), e = noise.toArray();
        for (int i = 0; i < N; i++) for (int p = 0; p < D; p++) w[i * D + p] = c[(i % 5) * D + p] + e[i * D + p];
        return w;
    }
}
