package mma4j.tensor.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 convolutions with stride 1 and padding 1 (the bulk of a CIFAR ResNet) without a column
 * matrix: {@code out = W @ col} where the kernel loads its B vectors straight from the image.
 *
 * <p>Output position q = oy*W + ox reads, for kernel offset (ki, kj), pixel q + (ki-1)*W + kj-1.
 * Each image is copied once with a zero row above and below every plane (and a margin at both
 * ends), so that read is q + ki*W + kj - 1 in the copy, contiguous in q for any width; only the
 * left and right edges remain, and those depend on kj alone: lanes with ox = 0 read nothing for
 * kj = 0, lanes with ox = W-1 nothing for kj = 2. A block of NR consecutive output positions thus
 * takes, per k step, two masked vector loads from the copy, with four masks fixed per block.
 * The weights are packed once per call in {@link MicroKernel}'s A layout (MR rows per panel),
 * in blocks of {@link #CB} channels so that a panel stays in L1 while the blocks of B stream.
 *
 * <p>Every output element is the sum over channel blocks (in order) of the same kernel's
 * k-ordered FMAs, whichever thread computes it, so the result is bitwise independent of the
 * thread count. The input gradient of such a convolution is the same convolution of the output
 * gradient with the weights flipped and transposed ({@link #backwardInput}).
 */
final class DirectConv {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final int MR = MicroKernel.MR, NR = MicroKernel.NR;
    /** Channels per k block: a weight panel of MR x 9*CB floats is 9 KiB. */
    static final int CB = 32;

    private DirectConv() {}

    /** Whether the direct path serves this convolution: 3x3, stride 1, padding 1, maps of at least NR positions. */
    static boolean applies(Conv.Geometry g) {
        return Simd.enabled() && g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.pad() == 1 && g.h() * g.w() >= NR;
    }

    /** Floats {@link Packed#of} needs for rows x channels*9 weights. */
    static int packedSize(int rows, int channels) {
        return PackedGemm.ceilDiv(rows, MR) * MR * channels * 9;
    }

    /** The weights [rows, C*9] (row-major from wo) as MR-row panels, channel block by channel block, in ap. */
    record Packed(float[] ap, int rows, int channels) {
        /** Start of channel block cb's panels: each block holds ceil(rows/MR) panels of MR x 9*(block channels). */
        int blockOffset(int cb) {
            return rowsPadded() * 9 * cb * CB;
        }

        int rowsPadded() {
            return PackedGemm.ceilDiv(rows, MR) * MR;
        }

        static Packed of(float[] w, int wo, int rows, int channels, float[] ap) {
            int rp = PackedGemm.ceilDiv(rows, MR) * MR, k = channels * 9;
            for (int c0 = 0; c0 < channels; c0 += CB) {
                int kc = Math.min(CB, channels - c0) * 9;
                GemmPacking.packA(w, wo + c0 * 9, k, 1, rows, kc, ap, rp * 9 * c0);
            }
            return new Packed(ap, rows, channels);
        }
    }

    /** dst[c, f, i, j] = w[f, c, 2-i, 2-j] (3x3 weights [F, C] from wo): the input gradient's weights. */
    static float[] flip(float[] w, int wo, int f, int c, float[] dst) {
        for (int r = 0; r < f; r++) {
            for (int ch = 0; ch < c; ch++) {
                int s = wo + (r * c + ch) * 9, d = (ch * f + r) * 9;
                for (int e = 0; e < 9; e++) dst[d + e] = w[s + 8 - e];
            }
        }
        return dst;
    }

    /**
     * out[n, 0..rows, :] (+)= packed weights applied to images x[n] (C planes of H x W from xo):
     * the forward convolution, or (with flipped weights) the input gradient.
     */
    static void run(Packed a, float[] x, int xo, int n, int h, int w, float[] bias, int bo, float[] out, int oo) {
        int c = a.channels(), rows = a.rows(), hw = h * w, tiles = PackedGemm.ceilDiv(hw, NR);
        // Units: whole images, or bands of tiles when the batch is too small to keep the threads busy.
        int split = n >= 4 * Parallel.threads() ? 1 : Math.min(tiles, PackedGemm.ceilDiv(4 * Parallel.threads(), n));
        int units = n * split;
        boolean[] lanes = edges(tiles, w);
        AtomicInteger next = new AtomicInteger();
        Parallel.forRange(Math.min(Parallel.threads(), units), (long) units * rows * c * 9 * hw / split, (from, to) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            int plane = (h + 2) * w;
            float[] xp = ws.padded(L + c * plane + 2 * NR + L);
            float[] tile = ws.tile();
            int lastImage = -1;
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int img = u / split, part = u % split;
                int t0 = (int) ((long) tiles * part / split), t1 = (int) ((long) tiles * (part + 1) / split);
                if (img != lastImage) {
                    copyWithRows(x, xo + img * c * hw, c, h, w, xp, L);
                    lastImage = img;
                }
                int yo = oo + img * rows * hw;
                if (bias != null) {
                    for (int r = 0; r < rows; r++) Arrays.fill(out, yo + r * hw + t0 * NR, yo + r * hw + Math.min(hw, t1 * NR), bias[bo + r]);
                }
                for (int c0 = 0; c0 < c; c0 += CB) {
                    int cn = Math.min(CB, c - c0), kc = 9 * cn, bo0 = a.blockOffset(c0 / CB);
                    float beta = bias != null || c0 > 0 ? 1f : 0f;
                    for (int i = 0; i < rows; i += MR) {
                        int mr = Math.min(MR, rows - i), ao = bo0 + i * kc;
                        for (int t = t0; t < t1; t++) {
                            int q0 = t * NR, nr = Math.min(NR, hw - q0);
                            block(cn, a.ap(), ao, xp, L + c0 * plane + q0, plane, w, lanes, 2 * NR * t,
                                    out, yo + i * hw + q0, hw, mr, nr, beta, tile);
                        }
                    }
                }
            }
        });
    }

    /**
     * The edge masks of each block t of NR output positions, from 2*NR*t: NR lanes saying ox != 0
     * (kj = 0 reads a pixel there), then NR saying ox != W-1 (kj = 2 does).
     */
    private static boolean[] edges(int tiles, int w) {
        boolean[] lanes = new boolean[2 * NR * tiles];
        for (int t = 0; t < tiles; t++) {
            for (int l = 0; l < NR; l++) {
                int ox = (t * NR + l) % w;
                lanes[2 * NR * t + l] = ox != 0;
                lanes[2 * NR * t + NR + l] = ox != w - 1;
            }
        }
        return lanes;
    }

    /** Copies C planes of H x W into dst from off, each with a zero row above and below (planes of (H+2) x W), zeroing the margins. */
    static void copyWithRows(float[] x, int xo, int c, int h, int w, float[] dst, int off) {
        int hw = h * w, plane = (h + 2) * w;
        Arrays.fill(dst, 0, off, 0f);
        for (int ch = 0; ch < c; ch++) {
            int d = off + ch * plane;
            Arrays.fill(dst, d, d + w, 0f);
            Im2col.copy(x, xo + ch * hw, dst, d + w, hw);
            Arrays.fill(dst, d + w + hw, d + plane, 0f);
        }
        Arrays.fill(dst, off + c * plane, dst.length, 0f);
    }

    /**
     * C[0..mr, 0..nr) = beta*C + sum over cn channels and 3x3 offsets of A panel (from ao, MR
     * values per k step) times the shifted image rows at xp[xo + ch*plane + ki*W + kj - 1 ..]
     * (two vectors, masked at the left edge for kj = 0 and at the right edge for kj = 2, see {@link #edges}).
     */
    private static void block(int cn, float[] ap, int ao, float[] xp, int xo, int plane, int w, boolean[] lanes, int lo,
                              float[] c, int co, int ldc, int mr, int nr, float beta, float[] tile) {
        VectorMask<Float> l0 = VectorMask.fromArray(F, lanes, lo), l1 = VectorMask.fromArray(F, lanes, lo + L);
        VectorMask<Float> r0 = VectorMask.fromArray(F, lanes, lo + NR), r1 = VectorMask.fromArray(F, lanes, lo + NR + L);
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        int a = ao;
        FloatVector b0, b1, x;
        for (int ch = 0; ch < cn; ch++) {
            for (int ki = 0; ki < 3; ki++) {
                int b = xo + ch * plane + ki * w;
                // kj = 0: reads b - 1, nothing at the left edge
                b0 = FloatVector.fromArray(F, xp, b - 1, l0);
                b1 = FloatVector.fromArray(F, xp, b - 1 + L, l1);
                x = FloatVector.broadcast(F, ap[a]);
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
                a += MR;
                // kj = 1
                b0 = FloatVector.fromArray(F, xp, b);
                b1 = FloatVector.fromArray(F, xp, b + L);
                x = FloatVector.broadcast(F, ap[a]);
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
                a += MR;
                // kj = 2: reads b + 1, nothing at the right edge
                b0 = FloatVector.fromArray(F, xp, b + 1, r0);
                b1 = FloatVector.fromArray(F, xp, b + 1 + L, r1);
                x = FloatVector.broadcast(F, ap[a]);
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
                a += MR;
            }
        }
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
        merge(tile, c, co, ldc, mr, nr, beta);
    }

    /** C block = beta*C + tile (beta 0 or 1), a vector at a time where the block is full. */
    private static void merge(float[] tile, float[] c, int co, int ldc, int mr, int nr, float beta) {
        for (int r = 0; r < mr; r++) {
            int o = co + r * ldc, t = r * NR, j = 0;
            if (nr == NR) {
                for (; j < NR; j += L) {
                    FloatVector v = FloatVector.fromArray(F, tile, t + j);
                    if (beta != 0f) v = FloatVector.fromArray(F, c, o + j).add(v);
                    v.intoArray(c, o + j);
                }
            }
            for (; j < nr; j++) c[o + j] = beta == 0f ? tile[t + j] : c[o + j] + tile[t + j];
        }
    }
}
