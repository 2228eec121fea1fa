package mma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import mma4j.tensor.cpu.Parallel;
import mma4j.tensor.cpu.Simd;
import org.junit.jupiter.api.Test;

/** Same seed and same thread count give bitwise-identical results, with the default split threshold. */
class DeterminismTest {

    /** A pipeline touching every kernel family, on tensors big enough to be split over threads. */
    private static List<float[]> pipeline(long seed) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, 256, 384);
        Tensor w = Tensor.randn(g, 384, 96).mul(0.05f);
        Tensor b = Tensor.rand(g, 96);
        Tensor h = x.matmul(w).add(b).relu();                 // gemm + broadcast add + unary
        Tensor p = h.softmax(1);                              // row softmax
        Tensor q = h.t().logSoftmax(0);                       // softmax through a transposed view
        Tensor v = h.var(new int[] {0}, false, true);         // leading-axis reduction
        Tensor s = x.square().sum(new int[] {1}, true);       // trailing-axis reduction
        Tensor m = x.permute(1, 0).mean(new int[] {1}, false); // reduction of a permuted view
        Tensor all = x.exp().sum();                            // whole-tensor reduction
        Tensor am = h.argmax(1, false);
        Tensor t = x.clone();
        t.addInPlace(x.t().contiguous().t().mul(0.25f), -2f); // in place
        Tensor wh = Tensor.where(x.gt(0f), x, x.mul(0.01f));
        List<float[]> out = new ArrayList<>();
        for (Tensor r : new Tensor[] {h, p, q, v, s, m, all, am, t, wh}) out.add(r.toArray());
        return out;
    }

    @Test
    void sameSeedSameThreadsSameBits() {
        int threads = Parallel.threads();
        boolean simd = Simd.enabled();
        // The jobs must be large enough to be split, or this test would prove nothing.
        assertTrue(256L * 384 >= 2 * Parallel.GRAIN && Parallel.grain() == Parallel.GRAIN);
        try {
            for (boolean vec : new boolean[] {true, false}) {
                Simd.setEnabled(vec);
                for (int t : new int[] {1, 2}) {
                    Parallel.setThreads(t);
                    List<float[]> a = pipeline(2024), b = pipeline(2024);
                    for (int i = 0; i < a.size(); i++) {
                        float[] x = a.get(i), y = b.get(i);
                        assertEquals(x.length, y.length);
                        for (int j = 0; j < x.length; j++) {
                            assertEquals(Float.floatToRawIntBits(x[j]), Float.floatToRawIntBits(y[j]),
                                    "result " + i + " element " + j + " differs between runs with " + t + " threads, simd " + vec);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(threads);
            Simd.setEnabled(simd);
        }
    }

    @Test
    void reductionsAndSoftmaxDoNotEvenDependOnTheThreadCount() {
        // Blocks are cut by shape alone and combined in order, so 1, 2 and 3 threads agree to the bit.
        Generator g = new Generator(9);
        Tensor x = Tensor.randn(g, 64, 2048), tall = Tensor.randn(g, 50_000, 5);
        int threads = Parallel.threads();
        List<float[]> first = null;
        try {
            for (int t : new int[] {1, 2, 3}) {
                Parallel.setThreads(t);
                List<float[]> r = List.of(x.sum().toArray(), x.sum(new int[] {0}, false).toArray(), x.sum(new int[] {1}, false).toArray(),
                        tall.sum(new int[] {0}, false).toArray(), x.t().sum(new int[] {1}, false).toArray(),
                        x.var(new int[] {0}, false, true).toArray(), x.softmax(0).toArray(), x.logSoftmax(1).toArray());
                if (first == null) first = r;
                for (int i = 0; i < r.size(); i++) {
                    assertTrue(java.util.Arrays.equals(first.get(i), r.get(i)), "result " + i + " with " + t + " threads");
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void differentSeedsDiffer() {
        // Guards the test above against a pipeline that ignores its input.
        List<float[]> a = pipeline(1), b = pipeline(2);
        for (int i = 0; i < a.size(); i++) {
            if (i == 7) continue; // argmax of similar data may agree
            assertTrue(!java.util.Arrays.equals(a.get(i), b.get(i)), "result " + i + " should depend on the seed");
        }
    }
}
