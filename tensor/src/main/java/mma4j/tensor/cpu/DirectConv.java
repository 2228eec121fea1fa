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
 * takes, per k step, two vector loads from the copy, with zeros blended into the edge lanes
 * ({@link #edges}). The weights are packed once per call in {@link MicroKernel}'s A layout (MR
 * rows per panel), in blocks of {@link #CB} channels so that a panel stays in L1 while B streams.
 * The input gradient of such a convolution is the same convolution of the output gradient with
 * the weights flipped and transposed ({@link #flip}); the weight gradient has its own kernel
 * ({@link #weightGrad}).
 *
 * <p>Every output element is the sum over channel blocks (in order) of the same kernel's
 * k-ordered FMAs, whichever thread computes it, so the result is bitwise independent of the
 * thread count.
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

    /**
     * Whether {@link #run} serves a convolution with this many output channels: at least a whole
     * panel of MR (the input gradient of a 3-channel first layer measured faster by im2col).
     */
    static boolean applies(Conv.Geometry g, int outChannels) {
        return applies(g) && outChannels >= MR;
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
        boolean[][] lanes = edges(tiles, w);
        AtomicInteger next = new AtomicInteger();
        Parallel.forRange(Math.min(Parallel.threads(), units), (long) units * rows * c * 9 * hw / split, (from, to) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            int plane = (h + 2) * w;
            int size = L + c * plane + 2 * NR + L;
            float[] xp = ws.padded(size);
            float[] tile = ws.tile();
            int lastImage = -1;
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int img = u / split, part = u % split;
                int t0 = (int) ((long) tiles * part / split), t1 = (int) ((long) tiles * (part + 1) / split);
                if (img != lastImage) {
                    copyWithRows(x, xo + img * c * hw, c, h, w, xp, 0, L, size);
                    lastImage = img;
                }
                int yo = oo + img * rows * hw;
                for (int c0 = 0; c0 < c; c0 += CB) {
                    int cn = Math.min(CB, c - c0), kc = 9 * cn, bo0 = a.blockOffset(c0 / CB);
                    // the first channel block writes its sums plus the bias, later ones add theirs
                    float beta = c0 > 0 ? 1f : 0f;
                    for (int i = 0; i < rows; i += MR) {
                        int mr = Math.min(MR, rows - i), ao = bo0 + i * kc;
                        for (int t = t0; t < t1; t++) {
                            int q0 = t * NR, nr = Math.min(NR, hw - q0);
                            block(cn, a.ap(), ao, xp, L + c0 * plane + q0, plane, w, lanes, q0,
                                    out, yo + i * hw + q0, hw, mr, nr, beta, bias, bo + i, tile);
                        }
                    }
                }
            }
        });
    }

    /**
     * The edge masks of output positions [0, tiles*NR): {@code [0]}: ox = 0 (kj = 0 reads nothing
     * there); {@code [1]}: ox = W-1 (kj = 2 reads nothing). The kernels load whole vectors and blend
     * zeros into these lanes rather than use masked loads: a masked load's out-of-range branch, once
     * some other kernel has taken it, makes C2 compile the slow form everywhere (measured 2.5x slower).
     */
    private static boolean[][] edges(int tiles, int w) {
        boolean[][] lanes = new boolean[2][tiles * NR];
        for (int q = 0; q < tiles * NR; q++) {
            lanes[0][q] = q % w == 0;
            lanes[1][q] = q % w == w - 1;
        }
        return lanes;
    }

    /** Copies C planes of H x W into dst[start, start+size) after a margin, each with a zero row above and below (planes of (H+2) x W), zeroing the rest. */
    static void copyWithRows(float[] x, int xo, int c, int h, int w, float[] dst, int start, int margin, int size) {
        int hw = h * w, plane = (h + 2) * w, off = start + margin;
        Arrays.fill(dst, start, off, 0f);
        for (int ch = 0; ch < c; ch++) {
            int d = off + ch * plane;
            Arrays.fill(dst, d, d + w, 0f);
            Im2col.copy(x, xo + ch * hw, dst, d + w, hw);
            Arrays.fill(dst, d + w + hw, d + plane, 0f);
        }
        Arrays.fill(dst, off + c * plane, start + size, 0f);
    }

    /**
     * C[0..mr, 0..nr) = beta*C + sum over cn channels and 3x3 offsets of A panel (from ao, MR
     * values per k step) times the shifted image rows at xp[xo + ch*plane + ki*W + kj - 1 ..]
     * (two vectors, zero at the left edge for kj = 0 and at the right edge for kj = 2, see {@link #edges}).
     */
    private static void block(int cn, float[] ap, int ao, float[] xp, int xo, int plane, int w, boolean[][] lanes, int q0,
                              float[] c, int co, int ldc, int mr, int nr, float beta, float[] bias, int bo, float[] tile) {
        VectorMask<Float> l0 = VectorMask.fromArray(F, lanes[0], q0), l1 = VectorMask.fromArray(F, lanes[0], q0 + L);
        VectorMask<Float> r0 = VectorMask.fromArray(F, lanes[1], q0), r1 = VectorMask.fromArray(F, lanes[1], q0 + L);
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        int a = ao;
        FloatVector b0, b1, x;
        for (int ch = 0; ch < cn; ch++) {
            for (int ki = 0; ki < 3; ki++) {
                int b = xo + ch * plane + ki * w;
                // kj = 0: reads b - 1, nothing at the left edge
                b0 = FloatVector.fromArray(F, xp, b - 1).blend(z, l0);
                b1 = FloatVector.fromArray(F, xp, b - 1 + L).blend(z, l1);
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
                b0 = FloatVector.fromArray(F, xp, b + 1).blend(z, r0);
                b1 = FloatVector.fromArray(F, xp, b + 1 + L).blend(z, r1);
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
        merge(tile, c, co, ldc, mr, nr, beta, bias, bo);
    }

    /**
     * C block = C + tile (beta 1) or tile + bias[bo + row] (beta 0; no bias when bias is null), a
     * vector at a time where the block is full.
     */
    private static void merge(float[] tile, float[] c, int co, int ldc, int mr, int nr, float beta, float[] bias, int bo) {
        for (int r = 0; r < mr; r++) {
            int o = co + r * ldc, t = r * NR, j = 0;
            float add = beta == 0f && bias != null ? bias[bo + r] : 0f;
            if (nr == NR) {
                FloatVector b = FloatVector.broadcast(F, add);
                for (; j < NR; j += L) {
                    FloatVector v = FloatVector.fromArray(F, tile, t + j);
                    v = beta != 0f ? FloatVector.fromArray(F, c, o + j).add(v) : v.add(b);
                    v.intoArray(c, o + j);
                }
            }
            for (; j < nr; j++) c[o + j] = beta != 0f ? c[o + j] + tile[t + j] : tile[t + j] + add;
        }
    }

    /**
     * Whether {@link #weightGrad} serves this convolution: {@link #applies}, filters in whole
     * vectors, maps of at least 256 positions (16x16; on 8x8 maps the extra position per row
     * wastes too much, and im2col + GEMM measured faster), at most 64 channels in and out (at
     * 128 x 128 channels on 16x16 maps im2col + GEMM measured ~20% faster); or 8 to 15 filters,
     * padded to one vector, on any map and channel count (DenseNet-40-12's 12-filter layers:
     * 1.6-4x faster than im2col + GEMM, docs/BENCHMARKS.md).
     */
    static boolean appliesToWeightGrad(Conv.Geometry g) {
        if (!applies(g)) return false;
        // Fewer filters than a vector (DenseNet's growth of 12): padded to one vector. im2col's
        // column matrix (9x the input) is then written, packed and read for a GEMM of only f rows.
        if (g.f() < L) return g.f() >= MR;
        return g.f() % L == 0 && g.h() * g.w() >= 256 && g.c() <= 64 && g.f() <= 64;
    }

    /**
     * The weight gradient gW[f, c, ki, kj] = sum over images and positions q of gy[f, q] times
     * the pixel q reads through (ki, kj), in {@code units} fixed runs of images: run u sums images
     * [n*u/units, n*(u+1)/units) into part[u] from partOff[u] (and the bias gradient into pb[u]),
     * whichever thread takes it. Computed as gW^T[e, f] for blocks of 8 rows e = (c, ki, kj) x NR
     * filters, as {@link MicroKernel} does it: per output position, two vectors of gy^T (gy
     * transposed per image to [position, filter]) times 8 broadcast pixels read from a
     * zero-bordered copy of x (16 rows x one vector when F is not a multiple of NR). With lanes
     * along the filters no lane sums are needed.
     */
    static void weightGrad(float[] x, int xo, float[] gy, int gyo, int n, int c, int h, int w, int f, int units,
                           float[][] part, int[] partOff, double[][] pb) {
        // rows of W+1 in the bordered copy (see border) and in gy^T: one extra position per row
        // filters padded to whole vectors (zeros in gy^T; the padded results are not stored)
        int fp = PackedGemm.ceilDiv(f, L) * L;
        int hw = h * w, wp = w + 1, plane = (h + 2) * wp + 1, xStride = c * plane, positions = h * wp, gStride = positions * fp, ckk = c * 9;
        // blocks of 8 rows x NR filters, or (filters in whole vectors only) 16 rows x L filters
        boolean wide = fp % NR == 0;
        int fw = wide ? NR : L, rows = wide ? 8 : 16;
        // offsets of each row e = (c, ki, kj) in the bordered copy, padded to whole blocks with row 0's (results unused)
        int ckkPad = PackedGemm.ceilDiv(ckk, rows) * rows;
        int[] offs = new int[ckkPad];
        for (int e = 0; e < ckk; e++) offs[e] = (e / 9) * plane + (e % 9 / 3) * wp + e % 3;
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(Parallel.threads(), units);
        Parallel.forRange(workers, (long) f * ckk * hw * n / workers, (from, to) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] acc = ws.col(fp * ckkPad);
            int[] o = new int[rows];
            // one image at a time (its bordered copy and gy^T stay in L2), its sums added to the run's
            float[] xp = ws.padded(xStride + wp), gt = ws.block(gStride);
            // the extra position of the last row reads one float past the image: zero
            Arrays.fill(xp, xStride, xStride + wp, 0f);
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int i0 = (int) ((long) n * u / units), i1 = (int) ((long) n * (u + 1) / units);
                float[] dst = part[u];
                int d0 = partOff[u];
                for (int k = i0; k < i1; k++) {
                    border(x, xo + k * c * hw, c, h, w, xp, 0);
                    transposeRows(gy, gyo + k * f * hw, f, fp, h, w, gt, 0);
                    // block (fb, e0) keeps its accumulators at acc[(fb*ckkPad + e0*fw)..], carried over the run's images
                    for (int fb = 0; fb < fp; fb += fw) {
                        for (int e0 = 0; e0 < ckk; e0 += rows) {
                            System.arraycopy(offs, e0, o, 0, rows);
                            int at = fb * ckkPad + e0 * fw;
                            if (wide) filterBlock(gt, fb, fp, xp, o, positions, acc, at, k == i0);
                            else filterBlock16(gt, fb, fp, xp, o, positions, acc, at, k == i0);
                        }
                    }
                    if (pb[u].length > 0) for (int r = 0; r < f; r++) pb[u][r] += Im2col.sum(gy, gyo + (k * f + r) * hw, hw);
                }
                for (int fb = 0; fb < f; fb += fw) {
                    for (int e = 0; e < ckk; e++) {
                        int at = fb * ckkPad + e / rows * rows * fw + e % rows * fw;
                        for (int j = 0; j < fw && fb + j < f; j++) dst[d0 + (fb + j) * ckk + e] = acc[at + j];
                    }
                }
            }
        });
    }

    /**
     * dst[(oy*(W+1) + ox)*FP + f] = gy[f, oy, ox] (an [F, H, W] image from go), zero for ox = W
     * and for the padding filters F..FP-1.
     */
    private static void transposeRows(float[] gy, int go, int f, int fp, int h, int w, float[] dst, int off) {
        int wp = w + 1;
        for (int oy = 0; oy < h; oy++) {
            int d = off + oy * wp * fp;
            if (fp == f) {
                GemmPacking.copyRowMajor(gy, go + oy * w, 1, h * w, w, f, dst, d);
            } else {
                for (int ox = 0; ox < w; ox++) {
                    int dd = d + ox * fp;
                    for (int j = 0; j < f; j++) dst[dd + j] = gy[go + j * h * w + oy * w + ox];
                    Arrays.fill(dst, dd + f, dd + fp, 0f);
                }
            }
            Arrays.fill(dst, d + w * fp, d + wp * fp, 0f);
        }
    }

    /**
     * Copies C planes of H x W into dst from off as planes of (H+2) x (W+1) + 1: pixel (y, x) at
     * (y+1)*(W+1) + x + 1, the rest zero. Column 0 of each row is the zero both to the left of its
     * row and to the right of the row above, so output position oy*(W+1) + ox reads its window
     * pixel (ki, kj) at (oy+ki)*(W+1) + ox + kj with no test, at the cost of one extra position per row.
     */
    private static void border(float[] x, int xo, int c, int h, int w, float[] dst, int off) {
        int wp = w + 1, plane = (h + 2) * wp + 1;
        for (int ch = 0; ch < c; ch++) {
            int base = off + ch * plane;
            Arrays.fill(dst, base, base + wp + 1, 0f);
            for (int y = 0; y < h; y++) {
                int d = base + (y + 1) * wp + 1;
                Im2col.copy(x, xo + (ch * h + y) * w, dst, d, w);
                dst[d + w] = 0f;
            }
            Arrays.fill(dst, base + (h + 1) * wp + 1, base + plane, 0f);
        }
    }

    /**
     * acc[at + r*NR + j] (+)= sum over positions p = oy*(W+1) + ox of xp[p + offs[r]] times
     * gt[go + p*ld + j], for 8 rows r and NR filters j (first: start from zero). The positions run
     * over whole rows of the bordered copy, one counted loop (short loops per row measured half as
     * fast): gt is zero at the extra position of each row.
     */
    private static void filterBlock(float[] gt, int go, int ld, float[] xp, int[] offs, int positions, float[] acc, int at, boolean first) {
        FloatVector c00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 0 * NR);
        FloatVector c01 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 0 * NR + L);
        FloatVector c10 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 1 * NR);
        FloatVector c11 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 1 * NR + L);
        FloatVector c20 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 2 * NR);
        FloatVector c21 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 2 * NR + L);
        FloatVector c30 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 3 * NR);
        FloatVector c31 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 3 * NR + L);
        FloatVector c40 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 4 * NR);
        FloatVector c41 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 4 * NR + L);
        FloatVector c50 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 5 * NR);
        FloatVector c51 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 5 * NR + L);
        FloatVector c60 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 6 * NR);
        FloatVector c61 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 6 * NR + L);
        FloatVector c70 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 7 * NR);
        FloatVector c71 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 7 * NR + L);
        int o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4], o5 = offs[5], o6 = offs[6], o7 = offs[7];
        for (int p = 0; p < positions; p++) {
            int gq = go + p * ld;
            FloatVector b0 = FloatVector.fromArray(F, gt, gq), b1 = FloatVector.fromArray(F, gt, gq + L), x;
            x = FloatVector.broadcast(F, xp[p + o0]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, xp[p + o1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, xp[p + o2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, xp[p + o3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, xp[p + o4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, xp[p + o5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, xp[p + o6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, xp[p + o7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(acc, at + 0 * NR);
        c01.intoArray(acc, at + 0 * NR + L);
        c10.intoArray(acc, at + 1 * NR);
        c11.intoArray(acc, at + 1 * NR + L);
        c20.intoArray(acc, at + 2 * NR);
        c21.intoArray(acc, at + 2 * NR + L);
        c30.intoArray(acc, at + 3 * NR);
        c31.intoArray(acc, at + 3 * NR + L);
        c40.intoArray(acc, at + 4 * NR);
        c41.intoArray(acc, at + 4 * NR + L);
        c50.intoArray(acc, at + 5 * NR);
        c51.intoArray(acc, at + 5 * NR + L);
        c60.intoArray(acc, at + 6 * NR);
        c61.intoArray(acc, at + 6 * NR + L);
        c70.intoArray(acc, at + 7 * NR);
        c71.intoArray(acc, at + 7 * NR + L);
    }

    /** {@link #filterBlock} for 16 rows x one vector of filters: acc[at + r*L + j]. */
    private static void filterBlock16(float[] gt, int go, int ld, float[] xp, int[] offs, int positions, float[] acc, int at, boolean first) {
        FloatVector c0 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 0 * L);
        FloatVector c1 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 1 * L);
        FloatVector c2 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 2 * L);
        FloatVector c3 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 3 * L);
        FloatVector c4 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 4 * L);
        FloatVector c5 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 5 * L);
        FloatVector c6 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 6 * L);
        FloatVector c7 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 7 * L);
        FloatVector c8 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 8 * L);
        FloatVector c9 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 9 * L);
        FloatVector c10 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 10 * L);
        FloatVector c11 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 11 * L);
        FloatVector c12 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 12 * L);
        FloatVector c13 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 13 * L);
        FloatVector c14 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 14 * L);
        FloatVector c15 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at + 15 * L);
        int o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3];
        int o4 = offs[4], o5 = offs[5], o6 = offs[6], o7 = offs[7];
        int o8 = offs[8], o9 = offs[9], o10 = offs[10], o11 = offs[11];
        int o12 = offs[12], o13 = offs[13], o14 = offs[14], o15 = offs[15];
        for (int p = 0; p < positions; p++) {
            FloatVector b = FloatVector.fromArray(F, gt, go + p * ld);
            c0 = FloatVector.broadcast(F, xp[p + o0]).fma(b, c0);
            c1 = FloatVector.broadcast(F, xp[p + o1]).fma(b, c1);
            c2 = FloatVector.broadcast(F, xp[p + o2]).fma(b, c2);
            c3 = FloatVector.broadcast(F, xp[p + o3]).fma(b, c3);
            c4 = FloatVector.broadcast(F, xp[p + o4]).fma(b, c4);
            c5 = FloatVector.broadcast(F, xp[p + o5]).fma(b, c5);
            c6 = FloatVector.broadcast(F, xp[p + o6]).fma(b, c6);
            c7 = FloatVector.broadcast(F, xp[p + o7]).fma(b, c7);
            c8 = FloatVector.broadcast(F, xp[p + o8]).fma(b, c8);
            c9 = FloatVector.broadcast(F, xp[p + o9]).fma(b, c9);
            c10 = FloatVector.broadcast(F, xp[p + o10]).fma(b, c10);
            c11 = FloatVector.broadcast(F, xp[p + o11]).fma(b, c11);
            c12 = FloatVector.broadcast(F, xp[p + o12]).fma(b, c12);
            c13 = FloatVector.broadcast(F, xp[p + o13]).fma(b, c13);
            c14 = FloatVector.broadcast(F, xp[p + o14]).fma(b, c14);
            c15 = FloatVector.broadcast(F, xp[p + o15]).fma(b, c15);
        }
        c0.intoArray(acc, at + 0 * L);
        c1.intoArray(acc, at + 1 * L);
        c2.intoArray(acc, at + 2 * L);
        c3.intoArray(acc, at + 3 * L);
        c4.intoArray(acc, at + 4 * L);
        c5.intoArray(acc, at + 5 * L);
        c6.intoArray(acc, at + 6 * L);
        c7.intoArray(acc, at + 7 * L);
        c8.intoArray(acc, at + 8 * L);
        c9.intoArray(acc, at + 9 * L);
        c10.intoArray(acc, at + 10 * L);
        c11.intoArray(acc, at + 11 * L);
        c12.intoArray(acc, at + 12 * L);
        c13.intoArray(acc, at + 13 * L);
        c14.intoArray(acc, at + 14 * L);
        c15.intoArray(acc, at + 15 * L);
    }
}
