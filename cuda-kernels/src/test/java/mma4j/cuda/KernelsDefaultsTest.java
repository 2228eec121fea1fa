package mma4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import mma4j.tensor.Generator;
import mma4j.tensor.Kernels;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The composed defaults of the fused SPI ops (Kernels.nearestCosine, nearestCosineBackward,
 * sgdStep), run on the CPU against direct loops. They are the references the GPU kernels are
 * compared with in CudaParityTest, so they are checked here on every machine.
 */
class KernelsDefaultsTest {
    private static final Kernels CPU = Tensor.zeros(1).kernels();

    static Tensor normalizedRows(Generator g, int n, int d) {
        float[] w = new float[n * d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int p = 0; p < d; p++) {
                w[i * d + p] = (float) g.nextGaussian();
                s += w[i * d + p] * (double) w[i * d + p];
            }
            for (int p = 0; p < d; p++) w[i * d + p] /= (float) Math.sqrt(s);
        }
        return Tensor.wrap(w, n, d);
    }

    @Test
    void nearestCosineIsTheOffDiagonalRowMax() {
        Generator g = new Generator(11);
        for (int[] nd : new int[][] {{2, 1}, {5, 3}, {17, 8}, {40, 2}}) {
            int n = nd[0], d = nd[1];
            Tensor w = normalizedRows(g, n, d);
            float[] wa = w.toArray();
            Tensor maxCos = Tensor.zeros(n), nearest = Tensor.zeros(n);
            CPU.nearestCosine(w, maxCos, nearest);
            for (int i = 0; i < n; i++) {
                float best = Float.NEGATIVE_INFINITY;
                int bj = -1;
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    float dot = 0f;
                    for (int p = 0; p < d; p++) dot = Math.fma(wa[i * d + p], wa[j * d + p], dot);
                    if (dot > best) {
                        best = dot;
                        bj = j;
                    }
                }
                assertEquals(best, maxCos.get(i), 1e-5f, "row " + i);
                assertEquals(bj, (int) nearest.get(i), "row " + i);
            }
        }
    }

    @Test
    void tiesGoToTheFirstIndex() {
        // Rows 1, 2 and 3 are equal, so each of them has two neighbours at cosine 1.
        Tensor w = Tensor.of(new float[] {1, 0, 0, 1, 0, 1, 0, 1}, 4, 2);
        Tensor maxCos = Tensor.zeros(4), nearest = Tensor.zeros(4);
        CPU.nearestCosine(w, maxCos, nearest);
        assertArrayEquals(new float[] {0, 1, 1, 1}, maxCos.toArray());
        assertArrayEquals(new float[] {1, 2, 1, 1}, nearest.toArray());
    }

    @Test
    void nearestCosineBackwardIsTheGradientOfTheSelectedDots() {
        Generator g = new Generator(5);
        int n = 9, d = 4;
        Tensor w = normalizedRows(g, n, d);
        Tensor maxCos = Tensor.zeros(n), nearest = Tensor.zeros(n);
        CPU.nearestCosine(w, maxCos, nearest);
        Tensor up = Tensor.randn(g, n);
        Tensor gw = Tensor.zeros(n, d);
        CPU.nearestCosineBackward(w, nearest, up, gw);
        // Central differences of L(w) = sum_i up[i] * w_i . w_nearest[i] with nearest held fixed.
        float[] wa = w.toArray(), nn = nearest.toArray(), ua = up.toArray();
        for (int e = 0; e < n * d; e++) {
            double h = 1e-3, orig = wa[e];
            wa[e] = (float) (orig + h);
            double lp = loss(wa, nn, ua, n, d);
            wa[e] = (float) (orig - h);
            double lm = loss(wa, nn, ua, n, d);
            wa[e] = (float) orig;
            assertEquals((lp - lm) / (2 * h), gw.toArray()[e], 2e-3, "element " + e);
        }
    }

    private static double loss(float[] w, float[] nearest, float[] up, int n, int d) {
        double l = 0;
        for (int i = 0; i < n; i++) {
            int j = (int) nearest[i];
            double dot = 0;
            for (int p = 0; p < d; p++) dot += (double) w[i * d + p] * w[j * d + p];
            l += up[i] * dot;
        }
        return l;
    }

    @Test
    void sgdStepFollowsTorchOptimSgd() {
        float lr = 0.1f, m = 0.9f, damp = 0.25f, wd = 0.01f;
        for (boolean nesterov : new boolean[] {false, true}) {
            Tensor p = Tensor.vector(1f, -2f), grad = Tensor.vector(0.5f, 0.25f), buf = Tensor.zeros(2);
            float[] pe = {1f, -2f}, be = new float[2];
            for (int step = 0; step < 3; step++) {
                CPU.sgdStep(p, grad, buf, lr, m, nesterov ? 0f : damp, wd, nesterov, step == 0);
                for (int i = 0; i < 2; i++) {
                    float gi = grad.get(i) + pe[i] * wd;
                    be[i] = step == 0 ? gi : be[i] * m + (nesterov ? gi : gi * (1f - damp));
                    float upd = nesterov ? gi + be[i] * m : be[i];
                    pe[i] = pe[i] + upd * -lr;
                }
                assertArrayEquals(pe, p.toArray(), "nesterov " + nesterov + " step " + step);
                assertArrayEquals(be, buf.toArray());
            }
        }
        Tensor p = Tensor.vector(3f), grad = Tensor.vector(2f);
        CPU.sgdStep(p, grad, null, 0.5f, 0f, 0f, 0f, false, true);
        assertEquals(2f, p.get(0));
    }
}
