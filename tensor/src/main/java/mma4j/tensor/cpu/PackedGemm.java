package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The large-matrix path of {@link Gemm}: cache blocking around {@link MicroKernel}.
 *
 * <pre>
 * for ic in m step MC              A block (mc x kc) packed into MR-tall micro-panels (L3)
 *   for pc in k step KC            pack A(ic.., pc..)
 *     for jc in n step NC          pack B(pc.., jc..) into NR-wide micro-panels (L2)
 *       for ir in mc step MR       one A micro-panel, kc x MR, stays in L1 ...
 *         for jr in nc step NR     ... while the B micro-panels stream past: MR x NR block of C
 * </pre>
 *
 * The A micro-panel (the side the kernel broadcasts from, MR scalar loads per k step) stays in
 * L1 and B (two vector loads per k step) streams from L2; C is walked along its rows, which the
 * hardware prefetchers follow. This order measured 20-25% faster than BLIS's classic
 * (B micro-panel in L1) on this Zen 4 machine with these sizes (docs/BENCHMARKS.md).
 *
 * <p>Packing reads A and B through their strides, so transposed operands cost nothing extra in
 * the kernel. Each thread takes a contiguous range of MR-row (or NR-column) strips of C and runs
 * the loops above on it with its own packing buffers; since every element of C is computed the
 * same way whoever computes it, the result is bitwise independent of the number of threads.
 */
final class PackedGemm {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final int MR = MicroKernel.MR, NR = MicroKernel.NR;

    /** Block sizes: k-depth, rows of A and columns of B packed at once (multiples of MR and NR). */
    record Blocking(int kc, int mc, int nc) {
        Blocking {
            if (kc < 1 || mc < MR || mc % MR != 0 || nc < NR || nc % NR != 0) {
                throw new IllegalArgumentException("PackedGemm: bad blocking kc=" + kc + " mc=" + mc + " nc=" + nc);
            }
        }
    }

    /**
     * kc = 256: an A micro-panel is 8 KiB (L1 is 32 KiB) and the C block is read and written
     * once per 256 k steps. nc = 512: the packed B block is 512 KiB (L2 is 1 MiB). mc = 1024
     * rows: B is repacked rarely; the 1 MiB A block lives in L3.
     */
    static final Blocking DEFAULT = new Blocking(256, 1024, 512);

    /** Per-thread packing buffers, grown on demand and kept. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];
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
        // Split the longer side between threads: each thread packs its share of that operand
        // and all of the other (B packing is a cheap vector copy in the common layout).
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
        Buffers buf = BUFFERS.get();
        int kcMax = Math.min(bl.kc(), k);
        int aSize = Math.min(bl.mc(), ceilDiv(i1 - i0, MR) * MR) * kcMax;
        int bSize = Math.min(bl.nc(), ceilDiv(j1 - j0, NR) * NR) * kcMax;
        if (buf.a.length < aSize) buf.a = new float[aSize];
        if (buf.b.length < bSize) buf.b = new float[bSize];
        float[] ap = buf.a, bp = buf.b, tile = buf.tile;
        for (int ic = i0; ic < i1; ic += bl.mc()) {
            int mc = Math.min(bl.mc(), i1 - ic);
            for (int pc = 0; pc < k; pc += bl.kc()) {
                int kc = Math.min(bl.kc(), k - pc);
                float blockBeta = pc == 0 ? beta : 1f;
                packA(a, aOff + ic * aRs + pc * aCs, aRs, aCs, mc, kc, ap);
                for (int jc = j0; jc < j1; jc += bl.nc()) {
                    int nc = Math.min(bl.nc(), j1 - jc);
                    packB(b, bOff + pc * bRs + jc * bCs, bRs, bCs, kc, nc, bp);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = Math.min(MR, mc - ir);
                        int co = cOff + (ic + ir) * ldc + jc;
                        for (int jr = 0; jr < nc; jr += NR) {
                            MicroKernel.run(kc, ap, ir * kc, bp, jr * kc, c, co + jr, ldc,
                                    mr, Math.min(NR, nc - jr), blockBeta, tile);
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
