package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The large-matrix path of {@link Gemm}: BLIS-style cache blocking around {@link MicroKernel}.
 *
 * <pre>
 * for jc in n step NC            B block (kc x nc) packed, stays in L3
 *   for pc in k step KC          pack B(pc.., jc..) into NR-wide micro-panels
 *     for ic in m step MC        pack A(ic.., pc..) into MR-tall micro-panels, stays in L2
 *       for jr in nc step NR     one B micro-panel, stays in L1
 *         for ir in mc step MR   micro-kernel: MR x NR block of C
 * </pre>
 *
 * Packing reads A and B through their strides once per block, so transposed operands cost
 * nothing extra in the kernel. Each thread takes a contiguous range of MR-row (or NR-column)
 * strips of C and runs the loops above on it with its own packing buffers; since every element
 * of C is computed the same way whoever computes it, the result is bitwise independent of the
 * number of threads.
 */
final class PackedGemm {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final int MR = MicroKernel.MR, NR = MicroKernel.NR;
    /** k-depth of a block: a kc x NR micro-panel of B must fit in L1 next to A's stream. */
    static final int KC = Integer.getInteger("mma4j.gemm.kc", 128);
    /** Rows of A packed at once (multiple of MR): mc x kc floats live in L2. */
    static final int MC = Integer.getInteger("mma4j.gemm.mc", 128) / MR * MR;
    /** Columns of B packed at once (multiple of NR): kc x nc floats live in L3. */
    static final int NC = Integer.getInteger("mma4j.gemm.nc", 2048) / NR * NR;

    /** Block sizes and loop order; one default, others for tuning experiments. */
    record Blocking(int kc, int mc, int nc, boolean aInL1) {}

    static final Blocking DEFAULT = new Blocking(KC, MC, NC, Boolean.getBoolean("mma4j.gemm.ainl1"));
    /** Per-thread packing buffers, allocated once at their largest size. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];

        void ensure(Blocking bl) {
            if (a.length < bl.mc() * bl.kc()) a = new float[bl.mc() * bl.kc()];
            if (b.length < bl.kc() * bl.nc()) b = new float[bl.kc() * bl.nc()];
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private PackedGemm() {}

    static void multiply(int m, int n, int k,
                         float[] a, int aOff, int aRs, int aCs,
                         float[] b, int bOff, int bRs, int bCs,
                         float beta, float[] c, int cOff, int ldc) {
        multiply(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc, DEFAULT);
    }

    static void multiply(int m, int n, int k,
                         float[] a, int aOff, int aRs, int aCs,
                         float[] b, int bOff, int bRs, int bCs,
                         float beta, float[] c, int cOff, int ldc, Blocking bl) {
        boolean byRows = m >= n;
        int units = byRows ? ceilDiv(m, MR) : ceilDiv(n, NR);
        long work = (long) (byRows ? MR * n : NR * m) * k;
        Parallel.forRange(units, work, (from, to) -> {
            if (byRows) {
                block(from * MR, Math.min(m, to * MR), 0, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc, bl);
            } else {
                block(0, m, from * NR, Math.min(n, to * NR), k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc, bl);
            }
        });
    }

    /** C[i0..i1, j0..j1) on the calling thread. */
    private static void block(int i0, int i1, int j0, int j1, int k,
                              float[] a, int aOff, int aRs, int aCs,
                              float[] b, int bOff, int bRs, int bCs,
                              float beta, float[] c, int cOff, int ldc, Blocking bl) {
        int KC = bl.kc(), MC = bl.mc(), NC = bl.nc();
        boolean A_IN_L1 = bl.aInL1();
        Buffers buf = BUFFERS.get();
        buf.ensure(bl);
        float[] ap = buf.a, bp = buf.b, tile = buf.tile;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float blockBeta = pc == 0 ? beta : 1f;
                packB(b, bOff + pc * bRs + jc * bCs, bRs, bCs, kc, nc, bp);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(a, aOff + ic * aRs + pc * aCs, aRs, aCs, mc, kc, ap);
                    if (A_IN_L1) {
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            for (int jr = 0; jr < nc; jr += NR) {
                                int nr = Math.min(NR, nc - jr);
                                MicroKernel.run(kc, ap, ir * kc, bp, jr * kc,
                                        c, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, blockBeta, tile);
                            }
                        }
                    } else
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bo = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            MicroKernel.run(kc, ap, ir * kc, bp, bo,
                                    c, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, blockBeta, tile);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs A[0..mc, 0..kc) (from {@code off} with strides rs, cs) as MR-tall micro-panels:
     * panel q holds, for each p, rows q*MR..q*MR+MR-1 side by side; missing rows are zeros.
     */
    static void packA(float[] a, int off, int rs, int cs, int mc, int kc, float[] ap) {
        for (int i = 0; i < mc; i += MR) {
            int mr = Math.min(MR, mc - i), base = i * kc;
            if (cs == 1) {
                // Row-major A: walk each row contiguously, write with stride MR.
                for (int r = 0; r < mr; r++) {
                    int src = off + (i + r) * rs, dst = base + r;
                    for (int p = 0; p < kc; p++) ap[dst + p * MR] = a[src + p];
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = off + i * rs + p * cs, dst = base + p * MR;
                    for (int r = 0; r < mr; r++) ap[dst + r] = a[src + r * rs];
                }
            }
            for (int r = mr; r < MR; r++) {
                for (int p = 0; p < kc; p++) ap[base + p * MR + r] = 0f;
            }
        }
    }

    /**
     * Packs B[0..kc, 0..nc) as NR-wide micro-panels: panel q holds, for each p, columns
     * q*NR..q*NR+NR-1 side by side; missing columns are zeros.
     */
    static void packB(float[] b, int off, int rs, int cs, int kc, int nc, float[] bp) {
        for (int j = 0; j < nc; j += NR) {
            int nr = Math.min(NR, nc - j), base = j * kc;
            if (cs == 1 && nr == NR) {
                // Row-major B, full panel: two vector copies per k step.
                for (int p = 0; p < kc; p++) {
                    int src = off + p * rs + j, dst = base + p * NR;
                    FloatVector.fromArray(F, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(F, b, src + L).intoArray(bp, dst + L);
                }
                continue;
            }
            if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    int src = off + p * rs + j, dst = base + p * NR;
                    for (int jj = 0; jj < nr; jj++) bp[dst + jj] = b[src + jj];
                }
            } else {
                // Column-contiguous B (a transposed view): walk each column, write with stride NR.
                for (int jj = 0; jj < nr; jj++) {
                    int src = off + (j + jj) * cs, dst = base + jj;
                    for (int p = 0; p < kc; p++) bp[dst + p * NR] = b[src + p * rs];
                }
            }
            for (int p = 0; p < kc; p++) {
                for (int jj = nr; jj < NR; jj++) bp[base + p * NR + jj] = 0f;
            }
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
