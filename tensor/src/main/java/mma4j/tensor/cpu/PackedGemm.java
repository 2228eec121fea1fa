package mma4j.tensor.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The large-matrix path of {@link Gemm}: cache blocking around {@link MicroKernel}.
 *
 * <pre>
 * for each super-block of B (up to SK x SC)    packed once into NR-wide micro-panels, all threads in parallel
 *   for each unit (rows r0..r1, columns c0..c1) taken by whichever thread is free
 *     for pc in k step KC
 *       pack A(r0.., pc..) into MR-tall micro-panels        (per thread)
 *       for jc in c0..c1 step NC                          B block (kc x nc) stays in L2
 *         for ir in rows step MR                          one A micro-panel (kc x MR) stays in L1 ...
 *           for jr in jc..jc+nc step NR                   ... while B micro-panels stream past: MR x NR of C
 * </pre>
 *
 * The A micro-panel (the side the kernel broadcasts from, MR scalar loads per k step) stays in
 * L1 and B (two vector loads per k step) streams from L2; C is walked along its rows, which the
 * hardware prefetchers follow. On this Zen 4 machine this order measured 20-25% faster than
 * BLIS's classic one (B micro-panel in L1), see docs/BENCHMARKS.md.
 *
 * <p>Packing ({@link GemmPacking}) reads A and B through their strides, so transposed operands
 * cost nothing extra in the kernel. B is packed once per call (not once per thread) and shared read-only; threads then
 * take row/column units from a shared counter, which keeps both cores busy when one of them is
 * interrupted. Every element of C is computed the same way (same KC blocks, same order, same
 * kernel) whichever thread takes its unit, so the result is bitwise identical for any thread
 * count and any schedule.
 */
final class PackedGemm {
    private static final int MR = MicroKernel.MR, NR = MicroKernel.NR;

    /**
     * Block sizes: k-depth kc, at most mc rows per unit, nc columns of B per L2 block, and the
     * shared packed-B super-block of sk x sc (multiples of kc and nc) that bounds its buffer.
     */
    record Blocking(int kc, int mc, int nc, int sk, int sc) {
        Blocking {
            if (kc < 1 || mc < MR || mc % MR != 0 || nc < NR || nc % NR != 0 || sk < kc || sk % kc != 0
                    || sc < nc || sc % nc != 0) {
                throw new IllegalArgumentException("PackedGemm: bad blocking kc=" + kc + " mc=" + mc + " nc=" + nc
                        + " sk=" + sk + " sc=" + sc);
            }
        }
    }

    /**
     * kc = 256: an A micro-panel is 8 KiB (L1 is 32 KiB) and C is read and written once per 256
     * k steps. nc = 512: a packed B block is 512 KiB (L2 is 1 MiB). The shared B super-block is
     * at most 1024 x 2048 floats (8 MiB, in L3).
     */
    static final Blocking DEFAULT = new Blocking(256, 256, 512, 1024, 2048);

    /** NR-wide panels of B packed per counter step. */
    private static final int PACK_GROUP = 4;

    /** Per-thread buffers, grown on demand and kept: packed A, the tile, and (on the calling thread) packed B. */
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
        multiply(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc, bl, false);
    }

    /**
     * With {@code upper}, only the MR x NR tiles of C that reach the diagonal or lie above it are
     * computed (for symmetric products such as A A^T); tiles wholly below it are not touched.
     * Computed elements are the same bits as without it.
     */
    static void multiply(int m, int n, int k,
                         float[] a, int aOff, int aRs, int aCs,
                         float[] b, int bOff, int bRs, int bCs,
                         float beta, float[] c, int cOff, int ldc, Blocking bl, boolean upper) {
        Buffers own = BUFFERS.get();
        for (int jcs = 0; jcs < n; jcs += bl.sc()) {
            int ncs = Math.min(bl.sc(), n - jcs);
            for (int pcs = 0; pcs < k; pcs += bl.sk()) {
                int kcs = Math.min(bl.sk(), k - pcs);
                int panels = ceilDiv(ncs, NR);
                if (own.b.length < kcs * panels * NR) own.b = new float[kcs * panels * NR];
                float[] bp = own.b;
                int bOffS = bOff + pcs * bRs + jcs * bCs;
                // Groups of panels from a counter, like the compute units below.
                int groups = ceilDiv(panels, PACK_GROUP);
                AtomicInteger nextGroup = new AtomicInteger();
                int packers = Math.min(Parallel.threads(), groups);
                Parallel.forRange(packers, (long) panels * NR * kcs / packers, (from, to) -> {
                    for (int g; (g = nextGroup.getAndIncrement()) < groups; ) {
                        packPanels(b, bOffS, bRs, bCs, kcs, ncs, g * PACK_GROUP, Math.min(panels, (g + 1) * PACK_GROUP), bl.kc(), bp);
                    }
                });
                float blockBeta = pcs == 0 ? beta : 1f;
                // A A^T with every row of A among B's packed columns: A's micro-panels are read
                // from packed B in place, so A is never packed (one pass over it less).
                boolean aInB = upper && NR % MR == 0 && ncs == m && a == b && aOff == bOff && aRs == bCs && aCs == bRs;
                compute(m, ncs, kcs, a, aOff + pcs * aCs, aRs, aCs, bp, blockBeta, c, cOff + jcs, ldc, bl, upper ? jcs : -1, aInB);
            }
        }
    }

    /**
     * C[0..m, 0..n) of one super-block (B already packed in bp), split into units for the pool.
     * {@code diagonalShift} >= 0: upper-only mode, this block's column 0 is column diagonalShift of C.
     */
    private static void compute(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] bp,
                                float beta, float[] c, int cOff, int ldc, Blocking bl, int diagonalShift, boolean aInB) {
        int threads = Parallel.threads();
        // About four units per thread for balance; split columns too when rows are few.
        int rows = Math.min(bl.mc(), Math.max(MR, ceilDiv(ceilDiv(m, 4 * threads), MR) * MR));
        int rowUnits = ceilDiv(m, rows);
        int colSplit = rowUnits >= 2 * threads ? 1 : Math.min(ceilDiv(n, NR), ceilDiv(4 * threads, rowUnits));
        int cols = ceilDiv(ceilDiv(n, colSplit), NR) * NR;
        int colUnits = ceilDiv(n, cols);
        int units = rowUnits * colUnits;
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(threads, units);
        Parallel.forRange(workers, (long) m * n / workers * k, (from, to) -> {
            Buffers buf = BUFFERS.get();
            int aSize = rows * Math.min(bl.kc(), k);
            if (!aInB && buf.a.length < aSize) buf.a = new float[aSize];
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int r0 = (u / colUnits) * rows, c0 = (u % colUnits) * cols, c1 = Math.min(n, c0 + cols);
                if (diagonalShift >= 0 && diagonalShift + c1 <= r0) continue; // wholly below the diagonal
                unit(r0, Math.min(m, r0 + rows), c0, c1, n, k,
                        a, aOff, aRs, aCs, bp, beta, c, cOff, ldc, bl, buf, diagonalShift, aInB);
            }
        });
    }

    /**
     * C[i0..i1, j0..j1) on the calling thread; bp holds the packed super-block (k x n). With
     * {@code aInB}, row i of A is column i of packed B (MR divides NR, so a row strip never
     * straddles two panels).
     */
    private static void unit(int i0, int i1, int j0, int j1, int n, int k,
                             float[] a, int aOff, int aRs, int aCs, float[] bp,
                             float beta, float[] c, int cOff, int ldc, Blocking bl, Buffers buf, int diagonalShift, boolean aInB) {
        float[] ap = aInB ? bp : buf.a, tile = buf.tile;
        int mc = i1 - i0, nPad = ceilDiv(n, NR) * NR, as = aInB ? NR : MR;
        for (int pc = 0; pc < k; pc += bl.kc()) {
            int kc = Math.min(bl.kc(), k - pc);
            float blockBeta = pc == 0 ? beta : 1f;
            if (!aInB) GemmPacking.packA(a, aOff + i0 * aRs + pc * aCs, aRs, aCs, mc, kc, ap);
            int bBlock = pc * nPad; // packed panels of this kc block start here
            for (int jc = j0; jc < j1; jc += bl.nc()) {
                int jEnd = Math.min(j1, jc + bl.nc());
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    int co = cOff + (i0 + ir) * ldc;
                    for (int jr = jc; jr < jEnd; jr += NR) {
                        int nr = Math.min(NR, jEnd - jr);
                        if (diagonalShift >= 0 && diagonalShift + jr + nr <= i0 + ir) continue; // tile below the diagonal
                        int ao = aInB ? bBlock + (i0 + ir) / NR * NR * kc + (i0 + ir) % NR : ir * kc;
                        MicroKernel.run(kc, ap, ao, as, bp, bBlock + jr * kc, c, co + jr, ldc, mr, nr, blockBeta, tile);
                    }
                }
            }
        }
    }

    /**
     * Packs NR-wide panels [from, to) of B[0..k, 0..n) for every kc block: the block starting at
     * k step pc occupies bp[pc*nPad ..], its panel q at offset q*NR*kc within it.
     */
    private static void packPanels(float[] b, int off, int rs, int cs, int k, int n, int from, int to,
                                   int kcBlock, float[] bp) {
        int nPad = ceilDiv(n, NR) * NR;
        for (int pc = 0; pc < k; pc += kcBlock) {
            int kc = Math.min(kcBlock, k - pc);
            int j0 = from * NR, j1 = Math.min(n, to * NR);
            GemmPacking.packB(b, off + pc * rs + j0 * cs, rs, cs, kc, j1 - j0, bp, pc * nPad + j0 * kc);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
