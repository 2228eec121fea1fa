package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packing for {@link PackedGemm}: copies blocks of A and B, read through any strides, into the
 * contiguous micro-panel order the {@link MicroKernel} streams. Contiguous rows are plain vector
 * copies; the two layouts that need a transpose (row-major A, column-contiguous B, as in
 * {@code x @ W^T}) use in-register transposes built from two-vector lane selects when vectors
 * hold 16 floats, and a scalar loop otherwise (and for ragged edges).
 */
final class GemmPacking {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final int MR = MicroKernel.MR, NR = MicroKernel.NR;
    /** The transposes below are written for 16 lanes and 8-row A panels. */
    private static final boolean TRANSPOSES = L == 16 && MR == 8;
    /** Select indexes interleaving the low (high) halves of two vectors: a0 b0 a1 b1 ... */
    private static final FloatVector INTERLEAVE_LO, INTERLEAVE_HI;

    static {
        float[] lo = new float[L], hi = new float[L];
        for (int j = 0; j < L / 2; j++) {
            lo[2 * j] = j;
            lo[2 * j + 1] = L + j;
            hi[2 * j] = L / 2 + j;
            hi[2 * j + 1] = L + L / 2 + j;
        }
        INTERLEAVE_LO = FloatVector.fromArray(F, lo, 0);
        INTERLEAVE_HI = FloatVector.fromArray(F, hi, 0);
    }

    private GemmPacking() {}

    /**
     * Packs A[0..mc, 0..kc) (from {@code off} with strides rs, cs) as MR-tall micro-panels:
     * panel q holds, for each p, rows q*MR..q*MR+MR-1 side by side; missing rows are zeros.
     */
    static void packA(float[] a, int off, int rs, int cs, int mc, int kc, float[] ap) {
        packA(a, off, rs, cs, mc, kc, ap, 0);
    }

    /** {@link #packA} into ap from apOff. */
    static void packA(float[] a, int off, int rs, int cs, int mc, int kc, float[] ap, int apOff) {
        for (int i = 0; i < mc; i += MR) {
            int mr = Math.min(MR, mc - i), base = apOff + i * kc;
            if (cs == 1) {
                int p = 0;
                if (TRANSPOSES && mr == MR) {
                    for (; p + L <= kc; p += L) panel8x16(a, off + i * rs + p, rs, ap, base + p * MR);
                }
                // Row-major A, the rest: walk each row contiguously, write with stride MR.
                for (int r = 0; r < mr; r++) {
                    int src = off + (i + r) * rs, dst = base + r;
                    for (int q = p; q < kc; q++) ap[dst + q * MR] = a[src + q];
                }
            } else if (rs == 1 && mr == MR) {
                // Column-major A (a transposed operand): each k step's MR values are contiguous.
                for (int p = 0; p < kc; p++) System.arraycopy(a, off + i + p * cs, ap, base + p * MR, MR);
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
     * Packs B[0..kc, 0..nc) into bp from {@code bpOff} as NR-wide micro-panels: panel q holds, for
     * each p, columns q*NR..q*NR+NR-1 side by side; missing columns are zeros.
     */
    static void packB(float[] b, int off, int rs, int cs, int kc, int nc, float[] bp, int bpOff) {
        for (int j = 0; j < nc; j += NR) {
            int nr = Math.min(NR, nc - j), base = bpOff + j * kc;
            if (cs == 1 && nr == NR) {
                // Row-major B, full panel: vector copies.
                for (int p = 0; p < kc; p++) {
                    int src = off + p * rs + j, dst = base + p * NR;
                    for (int v = 0; v < NR; v += L) FloatVector.fromArray(F, b, src + v).intoArray(bp, dst + v);
                }
                continue;
            }
            int p = 0;
            if (cs == 1) {
                for (; p < kc; p++) {
                    int src = off + p * rs + j, dst = base + p * NR;
                    for (int jj = 0; jj < nr; jj++) bp[dst + jj] = b[src + jj];
                }
            } else {
                if (TRANSPOSES && rs == 1 && nr == NR) {
                    // Column-contiguous B (a transposed view), full panel: 16 x 16 transposes.
                    for (; p + L <= kc; p += L) {
                        for (int h = 0; h < NR; h += L) transpose16(b, off + (j + h) * cs + p, cs, bp, base + p * NR + h, NR);
                    }
                }
                // The rest: walk each column, write with stride NR.
                for (int jj = 0; jj < nr; jj++) {
                    int src = off + (j + jj) * cs, dst = base + jj;
                    for (int q = p; q < kc; q++) bp[dst + q * NR] = b[src + q * rs];
                }
            }
            for (int q = 0; q < kc; q++) {
                for (int jj = nr; jj < NR; jj++) bp[base + q * NR + jj] = 0f;
            }
        }
    }

    /**
     * Copies the rows x cols matrix src[off + i*rs + j*cs] into dst as row-major (dst[i*cols + j]),
     * with 16 x 16 transposes when it is stored column by column (rs = 1).
     */
    static void copyRowMajor(float[] src, int off, int rs, int cs, int rows, int cols, float[] dst) {
        copyRowMajor(src, off, rs, cs, rows, cols, dst, 0);
    }

    /** {@link #copyRowMajor} into dst from dOff. */
    static void copyRowMajor(float[] src, int off, int rs, int cs, int rows, int cols, float[] dst, int dOff) {
        int i0 = 0;
        if (TRANSPOSES && rs == 1) {
            for (; i0 + L <= rows; i0 += L) {
                int j = 0;
                for (; j + L <= cols; j += L) transpose16(src, off + i0 + j * cs, cs, dst, dOff + i0 * cols + j, cols);
                for (int i = i0; i < i0 + L; i++) {
                    for (int q = j; q < cols; q++) dst[dOff + i * cols + q] = src[off + i + q * cs];
                }
            }
        }
        for (int i = i0; i < rows; i++) {
            for (int j = 0; j < cols; j++) dst[dOff + i * cols + j] = src[off + i * rs + j * cs];
        }
    }

    /**
     * One A micro-panel slice: rows r = 0..7 of 16 k steps (src[srcOff + r*srcStride + p]) into
     * the packed order dst[dstOff + p*8 + r]. Three rounds of the same interleave (vector i with
     * vector i+4) turn (row, p) into (p / 2, (p % 2)*8 + row).
     */
    private static void panel8x16(float[] src, int srcOff, int srcStride, float[] dst, int dstOff) {
        FloatVector lo = INTERLEAVE_LO, hi = INTERLEAVE_HI;
        FloatVector x0 = FloatVector.fromArray(F, src, srcOff + 0 * srcStride);
        FloatVector x1 = FloatVector.fromArray(F, src, srcOff + 1 * srcStride);
        FloatVector x2 = FloatVector.fromArray(F, src, srcOff + 2 * srcStride);
        FloatVector x3 = FloatVector.fromArray(F, src, srcOff + 3 * srcStride);
        FloatVector x4 = FloatVector.fromArray(F, src, srcOff + 4 * srcStride);
        FloatVector x5 = FloatVector.fromArray(F, src, srcOff + 5 * srcStride);
        FloatVector x6 = FloatVector.fromArray(F, src, srcOff + 6 * srcStride);
        FloatVector x7 = FloatVector.fromArray(F, src, srcOff + 7 * srcStride);
        FloatVector a0 = lo.selectFrom(x0, x4), a1 = hi.selectFrom(x0, x4);
        FloatVector a2 = lo.selectFrom(x1, x5), a3 = hi.selectFrom(x1, x5);
        FloatVector a4 = lo.selectFrom(x2, x6), a5 = hi.selectFrom(x2, x6);
        FloatVector a6 = lo.selectFrom(x3, x7), a7 = hi.selectFrom(x3, x7);
        FloatVector b0 = lo.selectFrom(a0, a4), b1 = hi.selectFrom(a0, a4);
        FloatVector b2 = lo.selectFrom(a1, a5), b3 = hi.selectFrom(a1, a5);
        FloatVector b4 = lo.selectFrom(a2, a6), b5 = hi.selectFrom(a2, a6);
        FloatVector b6 = lo.selectFrom(a3, a7), b7 = hi.selectFrom(a3, a7);
        FloatVector c0 = lo.selectFrom(b0, b4), c1 = hi.selectFrom(b0, b4);
        FloatVector c2 = lo.selectFrom(b1, b5), c3 = hi.selectFrom(b1, b5);
        FloatVector c4 = lo.selectFrom(b2, b6), c5 = hi.selectFrom(b2, b6);
        FloatVector c6 = lo.selectFrom(b3, b7), c7 = hi.selectFrom(b3, b7);
        c0.intoArray(dst, dstOff + 0);
        c1.intoArray(dst, dstOff + 16);
        c2.intoArray(dst, dstOff + 32);
        c3.intoArray(dst, dstOff + 48);
        c4.intoArray(dst, dstOff + 64);
        c5.intoArray(dst, dstOff + 80);
        c6.intoArray(dst, dstOff + 96);
        c7.intoArray(dst, dstOff + 112);
    }

    /**
     * dst[dstOff + r*dstStride + c] = src[srcOff + c*srcStride + r] for a 16 x 16 block. Four
     * rounds interleave vector i with vector i+8; each round rotates the (vector, lane) index bits
     * by one, so after four the vector index and the lane index have swapped.
     */
    private static void transpose16(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride) {
        FloatVector lo = INTERLEAVE_LO, hi = INTERLEAVE_HI;
        FloatVector x0 = FloatVector.fromArray(F, src, srcOff + 0 * srcStride);
        FloatVector x1 = FloatVector.fromArray(F, src, srcOff + 1 * srcStride);
        FloatVector x2 = FloatVector.fromArray(F, src, srcOff + 2 * srcStride);
        FloatVector x3 = FloatVector.fromArray(F, src, srcOff + 3 * srcStride);
        FloatVector x4 = FloatVector.fromArray(F, src, srcOff + 4 * srcStride);
        FloatVector x5 = FloatVector.fromArray(F, src, srcOff + 5 * srcStride);
        FloatVector x6 = FloatVector.fromArray(F, src, srcOff + 6 * srcStride);
        FloatVector x7 = FloatVector.fromArray(F, src, srcOff + 7 * srcStride);
        FloatVector x8 = FloatVector.fromArray(F, src, srcOff + 8 * srcStride);
        FloatVector x9 = FloatVector.fromArray(F, src, srcOff + 9 * srcStride);
        FloatVector x10 = FloatVector.fromArray(F, src, srcOff + 10 * srcStride);
        FloatVector x11 = FloatVector.fromArray(F, src, srcOff + 11 * srcStride);
        FloatVector x12 = FloatVector.fromArray(F, src, srcOff + 12 * srcStride);
        FloatVector x13 = FloatVector.fromArray(F, src, srcOff + 13 * srcStride);
        FloatVector x14 = FloatVector.fromArray(F, src, srcOff + 14 * srcStride);
        FloatVector x15 = FloatVector.fromArray(F, src, srcOff + 15 * srcStride);
        FloatVector a0 = lo.selectFrom(x0, x8), a1 = hi.selectFrom(x0, x8);
        FloatVector a2 = lo.selectFrom(x1, x9), a3 = hi.selectFrom(x1, x9);
        FloatVector a4 = lo.selectFrom(x2, x10), a5 = hi.selectFrom(x2, x10);
        FloatVector a6 = lo.selectFrom(x3, x11), a7 = hi.selectFrom(x3, x11);
        FloatVector a8 = lo.selectFrom(x4, x12), a9 = hi.selectFrom(x4, x12);
        FloatVector a10 = lo.selectFrom(x5, x13), a11 = hi.selectFrom(x5, x13);
        FloatVector a12 = lo.selectFrom(x6, x14), a13 = hi.selectFrom(x6, x14);
        FloatVector a14 = lo.selectFrom(x7, x15), a15 = hi.selectFrom(x7, x15);
        FloatVector b0 = lo.selectFrom(a0, a8), b1 = hi.selectFrom(a0, a8);
        FloatVector b2 = lo.selectFrom(a1, a9), b3 = hi.selectFrom(a1, a9);
        FloatVector b4 = lo.selectFrom(a2, a10), b5 = hi.selectFrom(a2, a10);
        FloatVector b6 = lo.selectFrom(a3, a11), b7 = hi.selectFrom(a3, a11);
        FloatVector b8 = lo.selectFrom(a4, a12), b9 = hi.selectFrom(a4, a12);
        FloatVector b10 = lo.selectFrom(a5, a13), b11 = hi.selectFrom(a5, a13);
        FloatVector b12 = lo.selectFrom(a6, a14), b13 = hi.selectFrom(a6, a14);
        FloatVector b14 = lo.selectFrom(a7, a15), b15 = hi.selectFrom(a7, a15);
        FloatVector c0 = lo.selectFrom(b0, b8), c1 = hi.selectFrom(b0, b8);
        FloatVector c2 = lo.selectFrom(b1, b9), c3 = hi.selectFrom(b1, b9);
        FloatVector c4 = lo.selectFrom(b2, b10), c5 = hi.selectFrom(b2, b10);
        FloatVector c6 = lo.selectFrom(b3, b11), c7 = hi.selectFrom(b3, b11);
        FloatVector c8 = lo.selectFrom(b4, b12), c9 = hi.selectFrom(b4, b12);
        FloatVector c10 = lo.selectFrom(b5, b13), c11 = hi.selectFrom(b5, b13);
        FloatVector c12 = lo.selectFrom(b6, b14), c13 = hi.selectFrom(b6, b14);
        FloatVector c14 = lo.selectFrom(b7, b15), c15 = hi.selectFrom(b7, b15);
        FloatVector d0 = lo.selectFrom(c0, c8), d1 = hi.selectFrom(c0, c8);
        FloatVector d2 = lo.selectFrom(c1, c9), d3 = hi.selectFrom(c1, c9);
        FloatVector d4 = lo.selectFrom(c2, c10), d5 = hi.selectFrom(c2, c10);
        FloatVector d6 = lo.selectFrom(c3, c11), d7 = hi.selectFrom(c3, c11);
        FloatVector d8 = lo.selectFrom(c4, c12), d9 = hi.selectFrom(c4, c12);
        FloatVector d10 = lo.selectFrom(c5, c13), d11 = hi.selectFrom(c5, c13);
        FloatVector d12 = lo.selectFrom(c6, c14), d13 = hi.selectFrom(c6, c14);
        FloatVector d14 = lo.selectFrom(c7, c15), d15 = hi.selectFrom(c7, c15);
        d0.intoArray(dst, dstOff + 0 * dstStride);
        d1.intoArray(dst, dstOff + 1 * dstStride);
        d2.intoArray(dst, dstOff + 2 * dstStride);
        d3.intoArray(dst, dstOff + 3 * dstStride);
        d4.intoArray(dst, dstOff + 4 * dstStride);
        d5.intoArray(dst, dstOff + 5 * dstStride);
        d6.intoArray(dst, dstOff + 6 * dstStride);
        d7.intoArray(dst, dstOff + 7 * dstStride);
        d8.intoArray(dst, dstOff + 8 * dstStride);
        d9.intoArray(dst, dstOff + 9 * dstStride);
        d10.intoArray(dst, dstOff + 10 * dstStride);
        d11.intoArray(dst, dstOff + 11 * dstStride);
        d12.intoArray(dst, dstOff + 12 * dstStride);
        d13.intoArray(dst, dstOff + 13 * dstStride);
        d14.intoArray(dst, dstOff + 14 * dstStride);
        d15.intoArray(dst, dstOff + 15 * dstStride);
    }
}
