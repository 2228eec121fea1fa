package mma4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gemm against a double-precision triple loop, on shapes that reach every path (plain loop,
 * streaming rows, dot products, the packed kernel with edge blocks and several KC / MC / NC
 * blocks, also with tiny block sizes), every operand layout (row-major, transposed, arbitrary strides), offsets, padded ldc,
 * beta 0 / 1 / other, with the Vector API on and off; plus bitwise determinism across runs and
 * thread counts, and loud errors on bad views.
 */
class GemmTest {
    private static final int MR = MicroKernel.MR, NR = MicroKernel.NR;
    private static final float SENTINEL = -777.25f;

    /** How a rows x cols operand is laid out in its array. */
    enum Layout { ROW_MAJOR, COL_MAJOR, STRIDED }

    private int threads;
    private long grain;

    @BeforeEach
    void save() {
        threads = Parallel.threads();
        grain = Parallel.grain();
    }

    @AfterEach
    void restore() {
        Simd.setEnabled(true);
        Parallel.setThreads(threads);
        Parallel.setGrain(grain);
    }

    /** One operand: its array, offset and strides, filled with random values. */
    record Operand(float[] data, int off, int rs, int cs) {
        static Operand random(int rows, int cols, Layout layout, SplittableRandom rnd) {
            int off = rnd.nextInt(5);
            int rs, cs;
            switch (layout) {
                case ROW_MAJOR -> { cs = 1; rs = cols + rnd.nextInt(3); }
                case COL_MAJOR -> { rs = 1; cs = rows + rnd.nextInt(3); }
                default -> { cs = 2; rs = 2 * cols + 3; }
            }
            int extent = off + Math.max(0, rows - 1) * rs + Math.max(0, cols - 1) * cs + 1 + rnd.nextInt(4);
            float[] d = new float[extent];
            for (int i = 0; i < d.length; i++) d[i] = (float) (rnd.nextDouble() * 2 - 1);
            return new Operand(d, off, rs, cs);
        }

        double at(int r, int c) {
            return data[off + r * rs + c * cs];
        }
    }

    /** A full problem; {@link #run} calls sgemm on a fresh copy of C and checks it. */
    record Problem(int m, int n, int k, Operand a, Operand b, float beta, float[] c0, int cOff, int ldc) {
        static Problem random(int m, int n, int k, Layout la, Layout lb, float beta, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            Operand a = Operand.random(m, k, la, rnd), b = Operand.random(k, n, lb, rnd);
            int cOff = rnd.nextInt(4), ldc = Math.max(1, n + rnd.nextInt(3));
            float[] c0 = new float[cOff + m * ldc + 3];
            java.util.Arrays.fill(c0, SENTINEL);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    // beta = 0 must ignore C entirely, NaN included.
                    c0[cOff + i * ldc + j] = beta == 0f ? Float.NaN : (float) (rnd.nextDouble() * 2 - 1);
                }
            }
            return new Problem(m, n, k, a, b, beta, c0, cOff, ldc);
        }

        float[] compute() {
            float[] c = c0.clone();
            Gemm.sgemm(m, n, k, a.data(), a.off(), a.rs(), a.cs(), b.data(), b.off(), b.rs(), b.cs(), beta, c, cOff, ldc);
            return c;
        }

        void run() {
            check(compute());
        }

        void check(float[] c) {
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - cOff, i = Math.floorDiv(rel, ldc), j = Math.floorMod(rel, ldc);
                if (rel < 0 || i >= m || j >= n) {
                    assertEquals(SENTINEL, c[idx], "element " + idx + " outside the C view was written " + this);
                    continue;
                }
                double exact = 0, scale = 0;
                for (int p = 0; p < k; p++) {
                    exact += a.at(i, p) * b.at(p, j);
                    scale += Math.abs(a.at(i, p) * b.at(p, j));
                }
                if (beta != 0f) {
                    exact += beta * (double) c0[idx];
                    scale += Math.abs(beta * (double) c0[idx]);
                }
                // Float32 accumulation bound: a few ulps per term of the sum.
                double tol = 2.0 * (k + 2) * Math.ulp(1f) * scale + 1e-30;
                double got = c[idx];
                assertTrue(Math.abs(got - exact) <= tol,
                        "C(" + i + "," + j + ") = " + got + " expected " + exact + " (tol " + tol + ") " + this);
            }
        }

        @Override
        public String toString() {
            return "sgemm m=" + m + " n=" + n + " k=" + k + " A(rs=" + a.rs() + ",cs=" + a.cs() + ",off=" + a.off()
                    + ") B(rs=" + b.rs() + ",cs=" + b.cs() + ",off=" + b.off() + ") beta=" + beta + " cOff=" + cOff + " ldc=" + ldc
                    + " simd=" + Simd.enabled() + " threads=" + Parallel.threads();
        }
    }

    private static final float[] BETAS = {0f, 1f, -0.75f};

    /** Shapes chosen to reach each path and each edge of the packed kernel. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 5, 7}, {0, 4, 3}, {4, 0, 3}, {5, 6, 0}, {0, 0, 0}, // tiny and empty
            {1, 300, 40}, {5, 67, 33}, {7, 16, 100},                         // few rows (streaming rows)
            {60, 1, 90}, {40, 7, 70}, {3, 2, 900}, {2, 40, 60},              // few columns / general few rows (dots)
            {MR, NR, 64}, {2 * MR, 2 * NR, 1},                              // exact blocks
            {MR + 1, NR + 1, 9}, {37, 53, 61}, {64, 17, 33},                 // edge blocks in both directions
            {MR + 3, 2 * NR + 5, PackedGemm.DEFAULT.sk() + 7},              // several KC blocks, two B super-blocks
            {MR + 1, PackedGemm.DEFAULT.sc() + 37, 3},                       // several NC blocks, two B super-blocks
    };

    @ParameterizedTest(name = "simd={0}")
    @ValueSource(booleans = {true, false})
    void matchesDoubleReferenceOnAllPathsLayoutsAndBetas(boolean simd) {
        Simd.setEnabled(simd);
        long seed = 1;
        for (int[] s : SHAPES) {
            for (Layout la : Layout.values()) {
                for (Layout lb : Layout.values()) {
                    for (float beta : BETAS) {
                        Problem.random(s[0], s[1], s[2], la, lb, beta, seed++).run();
                    }
                }
            }
        }
    }

    @Test
    void packedPathMatchesReferenceAcrossBlockBoundaries() {
        // Small blockings put many unit / KC / NC / super-block boundaries (and edge blocks) inside small problems.
        PackedGemm.Blocking[] blockings = {
                new PackedGemm.Blocking(1, MR, NR, 2, 2 * NR), new PackedGemm.Blocking(5, 2 * MR, 2 * NR, 10, 4 * NR),
                new PackedGemm.Blocking(17, 3 * MR, 3 * NR, 17, 3 * NR)};
        int[][] shapes = {{37, 101, 45}, {MR * 6, NR * 6, 34}, {9, 33, 2}};
        long seed = 1000;
        for (PackedGemm.Blocking bl : blockings) {
            for (int[] s : shapes) {
                for (Layout la : Layout.values()) {
                    for (Layout lb : Layout.values()) {
                        for (float beta : BETAS) {
                            Problem p = Problem.random(s[0], s[1], s[2], la, lb, beta, seed++);
                            float[] c = p.c0().clone();
                            PackedGemm.multiply(p.m(), p.n(), p.k(), p.a().data(), p.a().off(), p.a().rs(), p.a().cs(),
                                    p.b().data(), p.b().off(), p.b().rs(), p.b().cs(), beta, c, p.cOff(), p.ldc(), bl);
                            p.check(c);
                        }
                    }
                }
            }
        }
    }

    @Property(tries = 150)
    void randomShapesMatchReference(@ForAll @IntRange(min = 0, max = 45) int m,
                                    @ForAll @IntRange(min = 0, max = 90) int n,
                                    @ForAll @IntRange(min = 0, max = 300) int k,
                                    @ForAll Layout la, @ForAll Layout lb,
                                    @ForAll @IntRange(min = 0, max = 2) int betaIndex,
                                    @ForAll boolean simd, @ForAll long seed) {
        Simd.setEnabled(simd);
        try {
            Problem.random(m, n, k, la, lb, BETAS[betaIndex], seed).run();
        } finally {
            Simd.setEnabled(true);
        }
    }

    @Test
    void bitwiseIdenticalAcrossRunsAndThreadCounts() {
        // Grain 1: even the small shapes are split over the threads.
        Parallel.setGrain(1);
        int[][] shapes = {{150, 170, 290}, {5, 400, 50}, {300, 6, 120}, {33, 2200, 20}, {20, 40, 30}};
        for (int[] s : shapes) {
            for (Layout la : Layout.values()) {
                Problem p = Problem.random(s[0], s[1], s[2], la, Layout.ROW_MAJOR, 0.5f, 42);
                Parallel.setThreads(2);
                float[] first = p.compute();
                assertArrayEquals(first, p.compute(), "second run differs: " + p);
                for (int t : new int[] {1, 3}) {
                    Parallel.setThreads(t);
                    assertArrayEquals(first, p.compute(), "threads=" + t + " differs from threads=2: " + p);
                }
            }
        }
    }

    /** syrkUpper equals sgemm(A, A^T) bit for bit on and above the diagonal, for any thread count, and leaves wholly-lower tiles alone. */
    @Test
    void syrkUpperMatchesTheFullProductOnAndAboveTheDiagonal() {
        // k > 1024 spans several packed-B super-blocks; n > 2048 several column super-blocks, where A is packed on its own
        int[][] shapes = {{512, 300}, {77, 129}, {40, 7}, {9, 1000}, {3, 5}, {600, 40}, {70, 2500}, {2100, 9}};
        for (int[] s : shapes) {
            int n = s[0], k = s[1];
            SplittableRandom rnd = new SplittableRandom(n * 31L + k);
            // A in a padded row-major buffer (row stride k + 3), so offsets and strides matter
            int lda = k + 3;
            float[] a = new float[2 + n * lda];
            for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
            float[] full = new float[n * n];
            Gemm.sgemm(n, n, k, a, 2, lda, 1, a, 2, 1, lda, 0f, full, 0, n);
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[] up = new float[n * n];
                java.util.Arrays.fill(up, Float.NaN);
                Gemm.syrkUpper(n, k, a, 2, lda, 1, up, 0, n);
                for (int i = 0; i < n; i++) {
                    for (int j = i; j < n; j++) {
                        assertEquals(Float.floatToRawIntBits(full[i * n + j]), Float.floatToRawIntBits(up[i * n + j]),
                                "n=" + n + " k=" + k + " threads=" + threads + ": C[" + i + "][" + j + "]");
                    }
                }
                if (n >= 512) {
                    // the bottom-left corner is far below the diagonal: never computed
                    assertTrue(Float.isNaN(up[(n - 1) * n]), "n=" + n + ": C[n-1][0] was written");
                }
            }
        }
    }

    @Test
    void worksWhenCalledFromWorkerThreads() {
        // Convolution calls sgemm from inside Parallel.forEach; the nested call must run inline.
        Parallel.setThreads(2);
        Problem[] ps = new Problem[4];
        for (int i = 0; i < ps.length; i++) ps[i] = Problem.random(70, 90, 130, Layout.ROW_MAJOR, Layout.COL_MAJOR, 0f, 7 + i);
        float[][] got = new float[ps.length][];
        Parallel.forEach(ps.length, i -> got[i] = ps[i].compute());
        for (int i = 0; i < ps.length; i++) assertArrayEquals(ps[i].compute(), got[i], "nested call differs: " + ps[i]);
        for (Problem p : ps) p.run();
    }

    @Test
    void rejectsBadSizesAndViews() {
        float[] a = new float[12], b = new float[12], c = new float[12];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(-1, 3, 4, a, 0, 4, 1, b, 0, 3, 1, 0f, c, 0, 3));
        assertTrue(e.getMessage().contains("m=-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(3, 3, 4, a, 1, 4, 1, b, 0, 3, 1, 0f, c, 0, 3));
        assertTrue(e.getMessage().contains("A view 3x4 offset 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(3, 4, 3, a, 0, 3, 1, b, 0, 5, 1, 0f, c, 0, 4));
        assertTrue(e.getMessage().contains("B view 3x4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(5, 3, 3, a, 0, 3, 1, b, 0, 3, 1, 0f, c, 0, 3));
        assertTrue(e.getMessage().contains("C view 5x3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(2, 3, 3, a, 0, 3, 1, b, 0, 3, 1, 0f, c, 0, 2));
        assertTrue(e.getMessage().contains("ldc=2"), e.getMessage());
    }
}
