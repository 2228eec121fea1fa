package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked heart of {@link PackedGemm}: one MR x NR block of C from a packed A
 * micro-panel (kc x MR, MR values per k step) and a packed B micro-panel (kc x NR, NR values per
 * k step). Each k step broadcasts MR values of A and multiplies them into two vectors of B: an
 * outer product accumulated into MR*2 vector registers, with no lane reduction anywhere.
 *
 * <p>Every element of C is summed in the same order, p = 0..kc-1, by one fused multiply-add each,
 * whether its block is full or an edge block (merged with the same arithmetic, a vector or a
 * scalar at a time), so the result does not depend on how C is split between threads.
 */
final class MicroKernel {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /** Rows of C per block: one broadcast each per k step. */
    static final int MR = 8;
    /** Columns of C per block: two vectors. */
    static final int NR = 2 * L;

    private MicroKernel() {}

    /**
     * C[0..mr, 0..nr) = beta*C + Ap*Bp over kc steps (beta 0 ignores C, so NaNs there do not leak).
     * {@code tile} (MR*NR floats, per thread) receives the accumulators before they are merged into C.
     */
    static void run(int kc, float[] ap, int ao, float[] bp, int bo,
                    float[] c, int co, int ldc, int mr, int nr, float beta, float[] tile) {
        run(kc, ap, ao, MR, bp, bo, c, co, ldc, mr, nr, beta, tile);
    }

    /**
     * The same with the MR values of A for step p at {@code ap[ao + p*as]}: as = MR for a packed
     * A micro-panel, as = NR to read A's rows straight out of a packed B panel (a symmetric
     * product A A^T, where packed B holds A's rows too).
     */
    static void run(int kc, float[] ap, int ao, int as, float[] bp, int bo,
                    float[] c, int co, int ldc, int mr, int nr, float beta, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++) {
            int b = bo + p * NR, a = ao + p * as;
            FloatVector b0 = FloatVector.fromArray(F, bp, b);
            FloatVector b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x = FloatVector.broadcast(F, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // Spill the block to the scratch tile and merge from there: passing 16 vectors to a helper
        // would exceed C2's inlining budget and box them.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        if (mr == MR && nr == NR) mergeFull(tile, c, co, ldc, beta);
        else merge(tile, c, co, ldc, mr, nr, beta);
    }

    /** C block = beta*C + tile, a vector at a time. */
    private static void mergeFull(float[] tile, float[] c, int co, int ldc, float beta) {
        FloatVector vb = FloatVector.broadcast(F, beta);
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < NR; j += L) {
                int o = co + r * ldc + j;
                FloatVector t = FloatVector.fromArray(F, tile, r * NR + j);
                if (beta == 0f) t.intoArray(c, o);
                else if (beta == 1f) FloatVector.fromArray(F, c, o).add(t).intoArray(c, o);
                else FloatVector.fromArray(F, c, o).fma(vb, t).intoArray(c, o);
            }
        }
    }

    /** The scalar twin of {@link #mergeFull} for the valid part of an edge block. */
    private static void merge(float[] tile, float[] c, int co, int ldc, int mr, int nr, float beta) {
        for (int r = 0; r < mr; r++) {
            int o = co + r * ldc, t = r * NR;
            for (int j = 0; j < nr; j++) c[o + j] = combine(beta, c[o + j], tile[t + j]);
        }
    }

    /** beta*c + acc exactly as the vector store rounds it. */
    static float combine(float beta, float c, float acc) {
        if (beta == 0f) return acc;
        if (beta == 1f) return c + acc;
        return Math.fma(c, beta, acc);
    }
}
