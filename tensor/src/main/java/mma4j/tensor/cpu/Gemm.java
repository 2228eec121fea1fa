package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply on arrays with arbitrary strides:
 * {@code C = beta*C + A*B} where A(i,p) = a[aOff + i*aRs + p*aCs], B(p,j) = b[bOff + p*bRs + j*bCs]
 * and C(i,j) = c[cOff + i*ldc + j]. Transposed operands are just swapped strides.
 * With beta = 0, C is only written (NaNs already there do not leak into the result).
 *
 * <p>Paths, picked by shape (never by thread count): tiny products, and every product when
 * {@link Simd#enabled()} is off, run a plain loop; fewer than {@link MicroKernel#MR} rows with
 * contiguous B rows stream B past registers of C; other products with few rows or fewer
 * columns than a vector run dot products; everything else runs the packed, register-blocked
 * {@link PackedGemm}. Each path computes every element of C in a fixed order, so results are
 * bitwise reproducible and do not depend on the thread count.
 */
public final class Gemm {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /** Below this many multiply-adds the plain loop beats any setup. */
    static final long TINY = 4096;
    /** Column block of the streaming path: four vectors of C kept in registers. */
    private static final int SB = 4 * L;

    private Gemm() {}

    public static void sgemm(int m, int n, int k,
                             float[] a, int aOff, int aRs, int aCs,
                             float[] b, int bOff, int bRs, int bCs,
                             float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) return;
        checkExtent("C", c, cOff, m, ldc, n, 1);
        if (m > 1 && ldc < n) throw new IllegalArgumentException("sgemm: ldc=" + ldc + " < n=" + n);
        if (k > 0) {
            checkExtent("A", a, aOff, m, aRs, k, aCs);
            checkExtent("B", b, bOff, k, bRs, n, bCs);
        }
        if (k == 0) {
            scale(m, n, beta, c, cOff, ldc);
        } else if (!Simd.enabled() || (long) m * n * k <= TINY) {
            reference(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        } else if (m < MicroKernel.MR && bCs == 1 && n >= L) {
            streamRows(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, beta, c, cOff, ldc);
        } else if (m < MicroKernel.MR || n < L) {
            dots(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        } else {
            PackedGemm.multiply(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        }
    }

    /**
     * The symmetric product C = A A^T of an [n x k] A (row i at a[aOff + i*aRs], stride aCs along
     * it), computed on and above the diagonal only: about half the work of {@link #sgemm}. Every
     * element with j >= i equals sgemm's bit for bit; below the diagonal, elements are
     * unspecified (register tiles that cross the diagonal write some of them).
     */
    public static void syrkUpper(int n, int k, float[] a, int aOff, int aRs, int aCs, float[] c, int cOff, int ldc) {
        if (n < 0 || k < 0) throw new IllegalArgumentException("syrkUpper: negative size n=" + n + " k=" + k);
        if (n >= MicroKernel.MR && n >= L && k > 0 && Simd.enabled() && (long) n * n * k > TINY) {
            checkExtent("C", c, cOff, n, ldc, n, 1);
            if (n > 1 && ldc < n) throw new IllegalArgumentException("syrkUpper: ldc=" + ldc + " < n=" + n);
            checkExtent("A", a, aOff, n, aRs, k, aCs);
            PackedGemm.multiply(n, n, k, a, aOff, aRs, aCs, a, aOff, aCs, aRs, 0f, c, cOff, ldc, PackedGemm.DEFAULT, true);
        } else {
            sgemm(n, n, k, a, aOff, aRs, aCs, a, aOff, aCs, aRs, 0f, c, cOff, ldc);
        }
    }

    /** Fails loudly (naming the operand) if a rows x cols view with these strides leaves its array. */
    private static void checkExtent(String name, float[] x, int off, int rows, int rs, int cols, int cs) {
        long lo = off + Math.min(0L, (long) (rows - 1) * rs) + Math.min(0L, (long) (cols - 1) * cs);
        long hi = off + Math.max(0L, (long) (rows - 1) * rs) + Math.max(0L, (long) (cols - 1) * cs);
        if (x == null || lo < 0 || hi >= x.length) {
            throw new IllegalArgumentException("sgemm: " + name + " view " + rows + "x" + cols + " offset " + off
                    + " strides (" + rs + ", " + cs + ") reaches [" + lo + ", " + hi + "] outside array of length "
                    + (x == null ? "null" : x.length));
        }
    }

    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int o = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[o + j] = beta == 0f ? 0f : c[o + j] * beta;
        }
    }

    /** The plain loop: the scalar fallback and the path for tiny products. */
    static void reference(int m, int n, int k,
                          float[] a, int aOff, int aRs, int aCs,
                          float[] b, int bOff, int bRs, int bCs,
                          float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * aRs, ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * bCs;
                float s = 0f;
                for (int p = 0; p < k; p++) s = Math.fma(a[ai + p * aCs], b[bj + p * bRs], s);
                c[ci + j] = MicroKernel.combine(beta, c[ci + j], s);
            }
        }
    }

    /**
     * Few rows, B rows contiguous (e.g. a vector times a matrix): each row of C is built in blocks
     * of four vectors held in registers while a k x 4-vector slice of B streams past.
     */
    private static void streamRows(int m, int n, int k, float[] a, int aOff, int aRs, int aCs,
                                   float[] b, int bOff, int bRs, float beta, float[] c, int cOff, int ldc) {
        int blocks = (n + SB - 1) / SB;
        Parallel.forRange(blocks, (long) m * SB * k, (from, to) -> {
            // Rows innermost: the k x SB slice of B is read from memory once and from cache m-1 times.
            for (int jb = from; jb < to; jb++) {
                for (int i = 0; i < m; i++) {
                    streamBlock(jb * SB, Math.min(n, jb * SB + SB), k, a, aOff + i * aRs, aCs, b, bOff, bRs, beta, c, cOff + i * ldc);
                }
            }
        });
    }

    /** C(i, j0..j1) for one row i of A starting at ai; up to SB columns held in registers. */
    private static void streamBlock(int j0, int j1, int k, float[] a, int ai, int aCs, float[] b, int bOff, int bRs,
                                    float beta, float[] c, int ci) {
        int j = j0;
        if (j1 - j0 == SB) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < k; p++) {
                FloatVector x = FloatVector.broadcast(F, a[ai + p * aCs]);
                int bp = bOff + p * bRs + j0;
                s0 = x.fma(FloatVector.fromArray(F, b, bp), s0);
                s1 = x.fma(FloatVector.fromArray(F, b, bp + L), s1);
                s2 = x.fma(FloatVector.fromArray(F, b, bp + 2 * L), s2);
                s3 = x.fma(FloatVector.fromArray(F, b, bp + 3 * L), s3);
            }
            storeRow(s0, c, ci + j0, beta);
            storeRow(s1, c, ci + j0 + L, beta);
            storeRow(s2, c, ci + j0 + 2 * L, beta);
            storeRow(s3, c, ci + j0 + 3 * L, beta);
            return;
        }
        for (; j + L <= j1; j += L) {
            FloatVector s = FloatVector.zero(F);
            for (int p = 0; p < k; p++) {
                s = FloatVector.broadcast(F, a[ai + p * aCs]).fma(FloatVector.fromArray(F, b, bOff + p * bRs + j), s);
            }
            storeRow(s, c, ci + j, beta);
        }
        for (; j < j1; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s = Math.fma(a[ai + p * aCs], b[bOff + p * bRs + j], s);
            c[ci + j] = MicroKernel.combine(beta, c[ci + j], s);
        }
    }

    private static void storeRow(FloatVector s, float[] c, int o, float beta) {
        if (beta == 0f) {
            s.intoArray(c, o);
        } else if (beta == 1f) {
            FloatVector.fromArray(F, c, o).add(s).intoArray(c, o);
        } else {
            FloatVector.fromArray(F, c, o).fma(FloatVector.broadcast(F, beta), s).intoArray(c, o);
        }
    }

    /**
     * Few rows or few columns otherwise: each C(i,j) is a dot product of row i of A and column j
     * of B, made contiguous first if their strides are not 1. Up to four columns share each load
     * of A. Lanes are summed in a fixed order (not reduceLanes, whose order may change once the
     * JIT compiles it) to keep results reproducible.
     */
    private static void dots(int m, int n, int k,
                             float[] a, int aOff, int aRs, int aCs,
                             float[] b, int bOff, int bRs, int bCs,
                             float beta, float[] c, int cOff, int ldc) {
        float[] ar = a, bt = b;
        int arOff = aOff, arRs = aRs, btOff = bOff, btCs = bCs;
        if (aCs != 1 && k > 1) {
            ar = new float[m * k];
            GemmPacking.copyRowMajor(a, aOff, aRs, aCs, m, k, ar);
            arOff = 0;
            arRs = k;
        }
        if (bRs != 1 && k > 1) {
            bt = new float[n * k];
            GemmPacking.copyRowMajor(b, bOff, bCs, bRs, n, k, bt);
            btOff = 0;
            btCs = k;
        }
        final float[] A = ar, B = bt;
        final int AOff = arOff, ARs = arRs, BOff = btOff, BCs = btCs;
        int colBlocks = (n + 3) / 4;
        Parallel.forRange(m * colBlocks, 4L * k, (from, to) -> {
            float[] lanes = new float[4 * L];
            for (int u = from; u < to; u++) {
                int i = u / colBlocks, j0 = (u % colBlocks) * 4;
                dotBlock(i, j0, Math.min(4, n - j0), k, A, AOff + i * ARs, B, BOff, BCs, beta, c, cOff + i * ldc, lanes);
            }
        });
    }

    /** C(i, j0..j0+nj) for nj <= 4: one pass over row i of A shared by the nj columns of B. */
    private static void dotBlock(int i, int j0, int nj, int k, float[] a, int ai, float[] b, int bOff, int bCs,
                                 float beta, float[] c, int ci, float[] lanes) {
        // Missing columns (nj < 4) re-read column j0: harmless, their sums are not used.
        int b0 = bOff + j0 * bCs, b1 = nj > 1 ? b0 + bCs : b0, b2 = nj > 2 ? b0 + 2 * bCs : b0, b3 = nj > 3 ? b0 + 3 * bCs : b0;
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (int bound = F.loopBound(k); p < bound; p += L) {
            FloatVector x = FloatVector.fromArray(F, a, ai + p);
            s0 = x.fma(FloatVector.fromArray(F, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(F, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(F, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(F, b, b3 + p), s3);
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, L);
        s2.intoArray(lanes, 2 * L);
        s3.intoArray(lanes, 3 * L);
        for (int jj = 0; jj < nj; jj++) {
            float s = 0f;
            for (int l = 0; l < L; l++) s += lanes[jj * L + l];
            int bj = bOff + (j0 + jj) * bCs;
            for (int q = p; q < k; q++) s = Math.fma(a[ai + q], b[bj + q], s);
            c[ci + j0 + jj] = MicroKernel.combine(beta, c[ci + j0 + jj], s);
        }
    }
}
