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

    /** Select indexes of the even (odd) lanes of two concatenated vectors: a0 a2 ... b0 b2 ... (a1 a3 ... b1 b3 ...). */
    private static final FloatVector EVEN, ODD;

    static {
        float[] even = new float[L], odd = new float[L];
        for (int j = 0; j < L; j++) {
            even[j] = 2 * j;
            odd[j] = 2 * j + 1;
        }
        EVEN = FloatVector.fromArray(F, even, 0);
        ODD = FloatVector.fromArray(F, odd, 0);
    }

    private DirectConv() {}

    /**
     * totals[i] = the sum of the L lanes of v[i*L ..] for i < count (v is overwritten; it must
     * hold count rounded up to a multiple of L vectors): groups of L vectors are summed by a
     * fixed tree of pairwise lane sums, each round merging vectors a, b into
     * (a0+a1, a2+a3, ..., b0+b1, ...), until one vector holds the group's L totals in order.
     */
    static void laneSums(float[] v, int count, float[] totals) {
        int groups = PackedGemm.ceilDiv(count, L);
        Arrays.fill(v, count * L, groups * L * L, 0f);
        for (int g = 0; g < groups; g++) {
            int base = g * L * L;
            for (int n = L; n > 1; n /= 2) {
                for (int i = 0; i < n / 2; i++) {
                    FloatVector a = FloatVector.fromArray(F, v, base + 2 * i * L), b = FloatVector.fromArray(F, v, base + (2 * i + 1) * L);
                    EVEN.selectFrom(a, b).add(ODD.selectFrom(a, b)).intoArray(v, base + i * L);
                }
            }
            FloatVector.fromArray(F, v, base).intoArray(totals, g * L);
        }
    }

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
                            block(cn, a.ap(), ao, xp, L + c0 * plane + q0, plane, w, lanes, q0,
                                    out, yo + i * hw + q0, hw, mr, nr, beta, tile);
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
     * (two vectors, masked at the left edge for kj = 0 and at the right edge for kj = 2, see {@link #edges}).
     */
    private static void block(int cn, float[] ap, int ao, float[] xp, int xo, int plane, int w, boolean[][] lanes, int q0,
                              float[] c, int co, int ldc, int mr, int nr, float beta, float[] tile) {
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

    /**
     * Whether a direct weight gradient serves this convolution: {@link #applies}, and either
     * {@link #byFilters} or maps of at least 1024 positions in whole vectors for {@link #weightGrad}
     * (on smaller maps its lane sums cost more than the column matrix saves; 8x8 maps measured
     * slower both ways than im2col + GEMM).
     */
    static boolean appliesToWeightGrad(Conv.Geometry g) {
        return applies(g) && (byFilters(g) || g.h() * g.w() >= 1024 && g.h() * g.w() % L == 0);
    }

    /**
     * Weight gradient gW[f, c, ki, kj] = sum over images and positions q of gy[f, q] * (pixel of
     * x that q reads through (ki, kj)), in {@code units} fixed runs of images: run u sums images
     * [n*u/units, n*(u+1)/units) into part[u] from partOff[u] (and the bias gradient into pb[u]),
     * whichever thread takes it. A block of 8 filters x the 3 offsets of one kernel row keeps 24
     * vector accumulators over all the run's positions (lanes along q) and sums their lanes once,
     * in a fixed order, at the end.
     */
    static void weightGrad(float[] x, int xo, float[] gy, int gyo, int n, int c, int h, int w, int f, int units,
                           float[][] part, int[] partOff, double[][] pb) {
        int hw = h * w, plane = (h + 2) * w, stride = L + c * plane + 2 * NR + L;
        boolean[][] lanes = edges(PackedGemm.ceilDiv(hw, NR), w);
        AtomicInteger next = new AtomicInteger();
        Parallel.forRange(Math.min(Parallel.threads(), units), (long) f * c * 9 * hw * n / Math.min(Parallel.threads(), units), (from, to) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] sums = ws.sums(32 * L), totals = new float[32];
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int i0 = (int) ((long) n * u / units), i1 = (int) ((long) n * (u + 1) / units), images = i1 - i0;
                float[] xp = ws.padded(images * stride);
                for (int k = 0; k < images; k++) copyWithRows(x, xo + (i0 + k) * c * hw, c, h, w, xp, k * stride, L, stride);
                float[] dst = part[u];
                int d0 = partOff[u];
                for (int fb = 0; fb < f; fb += MR) {
                    int mr = Math.min(MR, f - fb);
                    for (int ch = 0; ch < c; ch++) {
                        for (int ki = 0; ki < 3; ki++) {
                            rowBlock(xp, L + ch * plane + ki * w, stride, gy, gyo + (i0 * f + fb) * hw, f * hw, hw, mr, images, hw, lanes, sums);
                            laneSums(sums, 24, totals);
                            for (int r = 0; r < mr; r++) {
                                for (int kj = 0; kj < 3; kj++) dst[d0 + (fb + r) * c * 9 + ch * 9 + ki * 3 + kj] = totals[r * 3 + kj];
                            }
                        }
                    }
                }
                if (pb[u].length > 0) {
                    for (int k = i0; k < i1; k++) for (int r = 0; r < f; r++) pb[u][r] += Im2col.sum(gy, gyo + (k * f + r) * hw, hw);
                }
            }
        });
    }

    /**
     * sums[(r*3 + kj)*L ..] = lane sums over images k and positions q of gy[go + k*gStride + r*rowStride + q]
     * times xp[xo + k*stride + q + kj - 1] (edge-masked): 8 filter rows (rows mr.. repeat row 0 and are ignored).
     */
    private static void rowBlock(float[] xp, int xo, int stride, float[] gy, int go, int gStride, int rowStride, int mr,
                                 int images, int hw, boolean[][] lanes, float[] sums) {
        int g0 = 0, g1 = mr > 1 ? rowStride : 0, g2 = mr > 2 ? 2 * rowStride : 0, g3 = mr > 3 ? 3 * rowStride : 0;
        int g4 = mr > 4 ? 4 * rowStride : 0, g5 = mr > 5 ? 5 * rowStride : 0, g6 = mr > 6 ? 6 * rowStride : 0, g7 = mr > 7 ? 7 * rowStride : 0;
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z;
        FloatVector a10 = z, a11 = z, a12 = z;
        FloatVector a20 = z, a21 = z, a22 = z;
        FloatVector a30 = z, a31 = z, a32 = z;
        FloatVector a40 = z, a41 = z, a42 = z;
        FloatVector a50 = z, a51 = z, a52 = z;
        FloatVector a60 = z, a61 = z, a62 = z;
        FloatVector a70 = z, a71 = z, a72 = z;
        for (int k = 0; k < images; k++) {
            int xb = xo + k * stride, gb = go + k * gStride;
            for (int q = 0; q < hw; q += L) {
                VectorMask<Float> left = VectorMask.fromArray(F, lanes[0], q), right = VectorMask.fromArray(F, lanes[1], q);
                FloatVector x0 = FloatVector.fromArray(F, xp, xb + q - 1).blend(z, left);
                FloatVector x1 = FloatVector.fromArray(F, xp, xb + q);
                FloatVector x2 = FloatVector.fromArray(F, xp, xb + q + 1).blend(z, right);
                FloatVector y;
                y = FloatVector.fromArray(F, gy, gb + g0 + q);
                a00 = y.fma(x0, a00);
                a01 = y.fma(x1, a01);
                a02 = y.fma(x2, a02);
                y = FloatVector.fromArray(F, gy, gb + g1 + q);
                a10 = y.fma(x0, a10);
                a11 = y.fma(x1, a11);
                a12 = y.fma(x2, a12);
                y = FloatVector.fromArray(F, gy, gb + g2 + q);
                a20 = y.fma(x0, a20);
                a21 = y.fma(x1, a21);
                a22 = y.fma(x2, a22);
                y = FloatVector.fromArray(F, gy, gb + g3 + q);
                a30 = y.fma(x0, a30);
                a31 = y.fma(x1, a31);
                a32 = y.fma(x2, a32);
                y = FloatVector.fromArray(F, gy, gb + g4 + q);
                a40 = y.fma(x0, a40);
                a41 = y.fma(x1, a41);
                a42 = y.fma(x2, a42);
                y = FloatVector.fromArray(F, gy, gb + g5 + q);
                a50 = y.fma(x0, a50);
                a51 = y.fma(x1, a51);
                a52 = y.fma(x2, a52);
                y = FloatVector.fromArray(F, gy, gb + g6 + q);
                a60 = y.fma(x0, a60);
                a61 = y.fma(x1, a61);
                a62 = y.fma(x2, a62);
                y = FloatVector.fromArray(F, gy, gb + g7 + q);
                a70 = y.fma(x0, a70);
                a71 = y.fma(x1, a71);
                a72 = y.fma(x2, a72);
            }
        }
        a00.intoArray(sums, 0* L);
        a01.intoArray(sums, 1* L);
        a02.intoArray(sums, 2* L);
        a10.intoArray(sums, 3* L);
        a11.intoArray(sums, 4* L);
        a12.intoArray(sums, 5* L);
        a20.intoArray(sums, 6* L);
        a21.intoArray(sums, 7* L);
        a22.intoArray(sums, 8* L);
        a30.intoArray(sums, 9* L);
        a31.intoArray(sums, 10* L);
        a32.intoArray(sums, 11* L);
        a40.intoArray(sums, 12* L);
        a41.intoArray(sums, 13* L);
        a42.intoArray(sums, 14* L);
        a50.intoArray(sums, 15* L);
        a51.intoArray(sums, 16* L);
        a52.intoArray(sums, 17* L);
        a60.intoArray(sums, 18* L);
        a61.intoArray(sums, 19* L);
        a62.intoArray(sums, 20* L);
        a70.intoArray(sums, 21* L);
        a71.intoArray(sums, 22* L);
        a72.intoArray(sums, 23* L);
    }

    /**
     * Whether the weight gradient goes by {@link #weightGradByFilters}: whole blocks of NR filters,
     * on maps of 256 to 1023 positions (16x16): smaller maps waste too much on the two extra
     * columns per row, larger ones do better with {@link #weightGrad}.
     */
    static boolean byFilters(Conv.Geometry g) {
        int hw = g.h() * g.w();
        return g.f() % NR == 0 && hw >= 256 && hw < 1024;
    }

    /**
     * The weight gradient with lanes along the filters: gW^T[e, f] for blocks of 8 rows e = (c,
     * ki, kj) x NR filters, as {@link MicroKernel} does it: per output position, two vectors of
     * gy^T (gy transposed per image to [position, filter]) times 8 broadcast pixels read from a
     * zero-bordered copy of x. No lane sums; runs of images and their partials as in {@link #weightGrad}.
     */
    static void weightGradByFilters(float[] x, int xo, float[] gy, int gyo, int n, int c, int h, int w, int f, int units,
                                    float[][] part, int[] partOff, double[][] pb) {
        int hw = h * w, wp = w + 2, plane = (h + 2) * wp, xStride = c * plane, gStride = h * wp * f, ckk = c * 9;
        // offsets of each row e = (c, ki, kj) in the bordered copy, padded with copies of row 0 to whole blocks of 8
        int[] offs = new int[PackedGemm.ceilDiv(ckk, 8) * 8];
        for (int e = 0; e < ckk; e++) offs[e] = (e / 9) * plane + (e % 9 / 3) * wp + e % 3;
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(Parallel.threads(), units);
        Parallel.forRange(workers, (long) f * ckk * hw * n / workers, (from, to) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] tile = ws.tile();
            int[] o8 = new int[8];
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int i0 = (int) ((long) n * u / units), i1 = (int) ((long) n * (u + 1) / units), images = i1 - i0;
                // the extra columns of the last rows read up to W+2 floats past the last image: zeros
                float[] xp = ws.padded(images * xStride + wp), gt = ws.block(images * gStride);
                Arrays.fill(xp, images * xStride, images * xStride + wp, 0f);
                for (int k = 0; k < images; k++) {
                    border(x, xo + (i0 + k) * c * hw, c, h, w, xp, k * xStride);
                    transposeRows(gy, gyo + (i0 + k) * f * hw, f, h, w, gt, k * gStride);
                }
                float[] dst = part[u];
                int d0 = partOff[u];
                for (int fb = 0; fb < f; fb += NR) {
                    for (int e0 = 0; e0 < ckk; e0 += 8) {
                        System.arraycopy(offs, e0, o8, 0, 8);
                        filterBlock(gt, fb, gStride, f, xp, 0, xStride, o8, h, w, wp, images, tile);
                        for (int r = 0; r < Math.min(8, ckk - e0); r++) {
                            for (int j = 0; j < NR; j++) dst[d0 + (fb + j) * ckk + e0 + r] = tile[r * NR + j];
                        }
                    }
                }
                if (pb[u].length > 0) {
                    for (int k = i0; k < i1; k++) for (int r = 0; r < f; r++) pb[u][r] += Im2col.sum(gy, gyo + (k * f + r) * hw, hw);
                }
            }
        });
    }

    /** dst[(oy*(W+2) + ox)*F + f] = gy[f, oy, ox] (an [F, H, W] image from go), zero for ox >= W. */
    private static void transposeRows(float[] gy, int go, int f, int h, int w, float[] dst, int off) {
        int wp = w + 2;
        for (int oy = 0; oy < h; oy++) {
            int d = off + oy * wp * f;
            GemmPacking.copyRowMajor(gy, go + oy * w, 1, h * w, w, f, dst, d);
            Arrays.fill(dst, d + w * f, d + wp * f, 0f);
        }
    }

    /** Copies C planes of H x W into dst from off as planes of (H+2) x (W+2) with a zero border. */
    private static void border(float[] x, int xo, int c, int h, int w, float[] dst, int off) {
        int wp = w + 2, plane = (h + 2) * wp;
        for (int ch = 0; ch < c; ch++) {
            int base = off + ch * plane;
            Arrays.fill(dst, base, base + wp + 1, 0f);
            for (int y = 0; y < h; y++) {
                int d = base + (y + 1) * wp + 1;
                Im2col.copy(x, xo + (ch * h + y) * w, dst, d, w);
                dst[d + w] = 0f;
                dst[d + w + 1] = 0f;
            }
            Arrays.fill(dst, base + (h + 1) * wp + 1, base + plane, 0f);
        }
    }

    /**
     * tile[r*NR + j] = sum over images k and positions p = oy*(W+2) + ox of xp[xo + k*xStride + p + offs[r]]
     * times gt[go + k*gStride + p*ld + j], for 8 rows r and NR filters j. The positions run over
     * whole rows of the bordered copy, one counted loop: gt is zero in the two extra columns.
     */
    static void filterBlock(float[] gt, int go, int gStride, int ld, float[] xp, int xo, int xStride, int[] offs,
                                    int h, int w, int wp, int images, float[] tile) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        int o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4], o5 = offs[5], o6 = offs[6], o7 = offs[7];
        int positions = h * wp;
        for (int k = 0; k < images; k++) {
            int gb = go + k * gStride, xb = xo + k * xStride;
            for (int p = 0; p < positions; p++) {
                    int gq = gb + p * ld, xq = xb + p;
                    FloatVector b0 = FloatVector.fromArray(F, gt, gq), b1 = FloatVector.fromArray(F, gt, gq + L), x;
                    x = FloatVector.broadcast(F, xp[xq + o0]);
                    c00 = x.fma(b0, c00);
                    c01 = x.fma(b1, c01);
                    x = FloatVector.broadcast(F, xp[xq + o1]);
                    c10 = x.fma(b0, c10);
                    c11 = x.fma(b1, c11);
                    x = FloatVector.broadcast(F, xp[xq + o2]);
                    c20 = x.fma(b0, c20);
                    c21 = x.fma(b1, c21);
                    x = FloatVector.broadcast(F, xp[xq + o3]);
                    c30 = x.fma(b0, c30);
                    c31 = x.fma(b1, c31);
                    x = FloatVector.broadcast(F, xp[xq + o4]);
                    c40 = x.fma(b0, c40);
                    c41 = x.fma(b1, c41);
                    x = FloatVector.broadcast(F, xp[xq + o5]);
                    c50 = x.fma(b0, c50);
                    c51 = x.fma(b1, c51);
                    x = FloatVector.broadcast(F, xp[xq + o6]);
                    c60 = x.fma(b0, c60);
                    c61 = x.fma(b1, c61);
                    x = FloatVector.broadcast(F, xp[xq + o7]);
                    c70 = x.fma(b0, c70);
                    c71 = x.fma(b1, c71);
            }
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
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
    }
}
