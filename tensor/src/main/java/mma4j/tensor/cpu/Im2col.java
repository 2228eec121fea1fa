package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The data movement of convolution: an image to its column matrix (im2col) and back (col2im).
 *
 * <p>Row {@code (c, ki, kj)} of the column matrix holds, for each output position (oy, ox), the
 * pixel {@code (oy*stride - pad + ki, ox*stride - pad + kj)} of channel c, or 0 outside the image.
 * Three ways to move it, picked by geometry:
 * <ul>
 * <li>{@link Shifts}: stride-1 "same" convolutions on maps up to two vectors wide (16x16, 8x8,
 *     4x4 ... on AVX-512). A row of the matrix is then the whole image plane read at one offset,
 *     with the pixels outside the image masked: contiguous masked loads both ways.
 * <li>Padded rows: other wide maps work on a zero-bordered copy of the image ({@link #pad}), so
 *     that no window needs a bounds check; with stride 1 each output row is a run of OW contiguous
 *     pixels, copied (or added back) with the vector species.
 * <li>{@link Table}: other narrow maps (strided, unusual padding) gather through a table of
 *     source offsets, and come back by gathering, for each pixel, the values read from it
 *     ({@link Inverse}).
 * </ul>
 */
final class Im2col {
    private static final VectorSpecies<Float> F = Simd.F;

    private Im2col() {}

    /** Copies image {@code x[xOff..]} (C planes of H x W) into {@code dst} with a zero border of width pad. */
    static void pad(float[] x, int xOff, Conv.Geometry g, float[] dst) {
        int h = g.h(), w = g.w(), p = g.pad(), wp = g.wp(), plane = g.hp() * wp;
        for (int c = 0; c < g.c(); c++) {
            int base = c * plane;
            java.util.Arrays.fill(dst, base, base + p * wp + p, 0f);
            for (int y = 0; y < h; y++) {
                int d = base + (y + p) * wp + p;
                copy(x, xOff + (c * h + y) * w, dst, d, w);
                // right border of this row and left border of the next one
                java.util.Arrays.fill(dst, d + w, d + w + 2 * p, 0f);
            }
            java.util.Arrays.fill(dst, base + (h + p) * wp + p, base + plane, 0f);
        }
    }

    /** Copies the interior of a padded image (see {@link #pad}) out to {@code x[xOff..]}. */
    static void unpad(float[] src, Conv.Geometry g, float[] x, int xOff) {
        int h = g.h(), w = g.w(), p = g.pad(), wp = g.wp(), plane = g.hp() * wp;
        for (int c = 0; c < g.c(); c++) {
            for (int y = 0; y < h; y++) copy(src, c * plane + (y + p) * wp + p, x, xOff + (c * h + y) * w, w);
        }
    }

    /**
     * The shift path ({@link Shifts}) serves stride-1 convolutions whose output map is the input
     * map (3x3 with padding 1, 1x1 without) when rows are short; from two vectors per row on,
     * padded row copies measured ~10% faster (32x32 maps), below that the shift path 5-12%
     * faster (16x16, 8x8, 4x4 maps).
     */
    static boolean shifted(Conv.Geometry g) {
        return g.stride() == 1 && g.oh() == g.h() && g.ow() == g.w() && g.ow() < 2 * F.length();
    }

    /**
     * For {@link #shifted} convolutions, row (c, ki, kj) of the column matrix is the image plane read
     * at a fixed offset {@code shift[e] = (ki - pad)*W + (kj - pad)}: output position q reads
     * pixel q + shift[e], unless that window pixel lies outside the image ({@code in[e*HW + q]}
     * false). Conversely pixel i feeds output i - shift[e] when {@code back[e*HW + i]}. So both
     * directions are contiguous masked loads, whatever the width of the map: no padded copy, no
     * gathers.
     */
    record Shifts(int[] shift, boolean[] in, boolean[] back) {
        static Shifts of(Conv.Geometry g) {
            int h = g.h(), w = g.w(), hw = h * w, p = g.pad(), kk = g.kh() * g.kw();
            int[] shift = new int[kk];
            boolean[] in = new boolean[kk * hw], back = new boolean[kk * hw];
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int e = ki * g.kw() + kj, dy = ki - p, dx = kj - p;
                    shift[e] = dy * w + dx;
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            in[e * hw + y * w + x] = y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w;
                            back[e * hw + y * w + x] = y - dy >= 0 && y - dy < h && x - dx >= 0 && x - dx < w;
                        }
                    }
                }
            }
            return new Shifts(shift, in, back);
        }
    }

    /**
     * Columns q in [q0, q1) (flat output positions) of {@code images} consecutive images from
     * {@code x[xOff..]}; image k's columns start at {@code colOff + k*(q1-q0)}.
     */
    static void im2col(float[] x, int xOff, int images, Conv.Geometry g, Shifts t, int q0, int q1,
                       float[] col, int colOff, int ld) {
        int kk = g.kh() * g.kw(), hw = g.h() * g.w(), chw = g.chw(), cols = q1 - q0;
        boolean[] in = t.in;
        for (int c = 0; c < g.c(); c++) {
            for (int e = 0; e < kk; e++) {
                int sh = t.shift[e], te = e * hw;
                for (int k = 0; k < images; k++) {
                    int src = xOff + k * chw + c * hw + sh, d = colOff + (c * kk + e) * ld + k * cols - q0, q = q0;
                    if (Simd.enabled()) {
                        for (; q + F.length() <= q1; q += F.length()) {
                            FloatVector.fromArray(F, x, src + q, VectorMask.fromArray(F, in, te + q)).intoArray(col, d + q);
                        }
                    }
                    for (; q < q1; q++) col[d + q] = in[te + q] ? x[src + q] : 0f;
                }
            }
        }
    }

    /**
     * The adjoint of the shifted {@link #im2col}: adds columns q in [q0, q1) into the images at
     * {@code x[xOff..]} (which hold zeros or earlier bands), one contiguous masked add per matrix row.
     */
    static void col2im(float[] col, int colOff, int ld, int images, Conv.Geometry g, Shifts t, int q0, int q1,
                       float[] x, int xOff) {
        int kk = g.kh() * g.kw(), hw = g.h() * g.w(), chw = g.chw(), cols = q1 - q0;
        boolean[] back = t.back;
        for (int c = 0; c < g.c(); c++) {
            for (int k = 0; k < images; k++) {
                int base = xOff + k * chw + c * hw;
                for (int e = 0; e < kk; e++) {
                    int sh = t.shift[e], te = e * hw, d = colOff + (c * kk + e) * ld + k * cols - q0 - sh;
                    int i = Math.max(0, q0 + sh), hi = Math.min(hw, q1 + sh);
                    if (Simd.enabled()) {
                        for (; i + F.length() <= hi; i += F.length()) {
                            FloatVector v = FloatVector.fromArray(F, col, d + i, VectorMask.fromArray(F, back, te + i));
                            FloatVector.fromArray(F, x, base + i).add(v).intoArray(x, base + i);
                        }
                    }
                    for (; i < hi; i++) if (back[te + i]) x[base + i] += col[d + i];
                }
            }
        }
    }

    /** Maps narrower than a vector (8x8, 4x4, 2x2 on AVX-512) take the table path. */
    static boolean narrow(Conv.Geometry g) {
        return g.ow() < F.length();
    }

    /**
     * For narrow maps: where each (kernel offset e, output position q) of output rows oy0..oy1
     * reads in an unpadded plane, {@code src[e*cols + q]}, and whether it is inside the image
     * ({@code inside}; outside it reads 0 and its src is 0, a safe index).
     */
    record Table(int cols, int[] src, boolean[] inside) {
        static Table of(Conv.Geometry g, int oy0, int oy1) {
            int ow = g.ow(), s = g.stride(), p = g.pad(), cols = (oy1 - oy0) * ow, kk = g.kh() * g.kw();
            int[] src = new int[kk * cols];
            boolean[] inside = new boolean[kk * cols];
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int e = (ki * g.kw() + kj) * cols;
                    for (int oy = oy0; oy < oy1; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int iy = oy * s - p + ki, ix = ox * s - p + kj, q = e + (oy - oy0) * ow + ox;
                            inside[q] = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                            src[q] = inside[q] ? iy * g.w() + ix : 0;
                        }
                    }
                }
            }
            return new Table(cols, src, inside);
        }
    }

    /**
     * Column matrix of narrow maps straight from unpadded images, by masked gathers: {@code images}
     * consecutive images from {@code x[xOff..]}, image k's columns at {@code colOff + k*cols}.
     * Channel-outer, so that each matrix row is written in one sweep.
     */
    static void im2col(float[] x, int xOff, int images, Conv.Geometry g, Table t, float[] col, int colOff, int ld) {
        int kk = g.kh() * g.kw(), hw = g.h() * g.w(), chw = g.chw(), cols = t.cols;
        int[] src = t.src;
        boolean[] inside = t.inside;
        for (int c = 0; c < g.c(); c++) {
            for (int e = 0; e < kk; e++) {
                int te = e * cols;
                for (int k = 0; k < images; k++) {
                    int base = xOff + k * chw + c * hw, d = colOff + (c * kk + e) * ld + k * cols, q = 0;
                    if (Simd.enabled()) {
                        for (; q + F.length() <= cols; q += F.length()) {
                            VectorMask<Float> in = VectorMask.fromArray(F, inside, te + q);
                            FloatVector.fromArray(F, x, base, src, te + q, in).intoArray(col, d + q);
                        }
                    }
                    for (; q < cols; q++) col[d + q] = inside[te + q] ? x[base + src[te + q]] : 0f;
                }
            }
        }
    }

    /**
     * The adjoint for narrow maps, as gathers: for each input pixel i and kernel offset e, which
     * output position q of rows oy0..oy1 read it ({@code src[e*hw + i]}), if any ({@code inside}).
     */
    record Inverse(int[] src, boolean[] inside) {
        static Inverse of(Conv.Geometry g, int oy0, int oy1) {
            int hw = g.h() * g.w(), kk = g.kh() * g.kw(), s = g.stride(), p = g.pad();
            int[] src = new int[kk * hw];
            boolean[] inside = new boolean[kk * hw];
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int e = (ki * g.kw() + kj) * hw;
                    for (int iy = 0; iy < g.h(); iy++) {
                        for (int ix = 0; ix < g.w(); ix++) {
                            int ty = iy + p - ki, tx = ix + p - kj, oy = ty / s, ox = tx / s, i = e + iy * g.w() + ix;
                            inside[i] = ty >= 0 && tx >= 0 && ty % s == 0 && tx % s == 0 && oy >= oy0 && oy < oy1 && ox < g.ow();
                            src[i] = inside[i] ? (oy - oy0) * g.ow() + ox : 0;
                        }
                    }
                }
            }
            return new Inverse(src, inside);
        }
    }

    /**
     * The adjoint of the narrow-map {@link #im2col}: each pixel of {@code x[xOff..]} gets the sum
     * of the column-matrix values read from it, by masked gathers (no scatter: masked scatters
     * measured 3-4x slower). {@code images} consecutive images as in the narrow {@link #im2col}
     * ({@code cols} columns each); {@code add}: add to x (when several bands of rows touch a
     * pixel) rather than overwrite it.
     */
    static void col2im(float[] col, int colOff, int ld, int images, int cols, Conv.Geometry g, Inverse t,
                       float[] x, int xOff, boolean add) {
        int kk = g.kh() * g.kw(), hw = g.h() * g.w(), chw = g.chw();
        int[] src = t.src;
        boolean[] inside = t.inside;
        // channel-outer: the kk rows of a channel are read for all images while they are in cache
        for (int c = 0; c < g.c(); c++) {
            for (int k = 0; k < images; k++) {
                int base = xOff + k * chw + c * hw, d = colOff + c * kk * ld + k * cols, i = 0;
                if (Simd.enabled()) {
                    for (; i + F.length() <= hw; i += F.length()) {
                        FloatVector acc = add ? FloatVector.fromArray(F, x, base + i) : FloatVector.zero(F);
                        for (int e = 0; e < kk; e++) {
                            VectorMask<Float> in = VectorMask.fromArray(F, inside, e * hw + i);
                            acc = acc.add(FloatVector.fromArray(F, col, d + e * ld, src, e * hw + i, in));
                        }
                        acc.intoArray(x, base + i);
                    }
                }
                for (; i < hw; i++) {
                    float acc = add ? x[base + i] : 0f;
                    for (int e = 0; e < kk; e++) if (inside[e * hw + i]) acc += col[d + e * ld + src[e * hw + i]];
                    x[base + i] = acc;
                }
            }
        }
    }

    /**
     * Column matrix of output rows oy0..oy1 of one padded image {@code src[srcOff..]} (planes of
     * hp x wp): row (c, ki, kj) goes to {@code col[colOff + row*ld ..]}, (oy1-oy0)*OW values.
     */
    static void im2col(float[] src, int srcOff, Conv.Geometry g, int oy0, int oy1, float[] col, int colOff, int ld) {
        int wp = g.wp(), plane = g.hp() * wp, s = g.stride(), ow = g.ow(), kh = g.kh(), kw = g.kw();
        int rows = oy1 - oy0;
        for (int c = 0; c < g.c(); c++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int d = colOff + ((c * kh + ki) * kw + kj) * ld;
                    int base = srcOff + c * plane + (oy0 * s + ki) * wp + kj;
                    if (s == 1) {
                        for (int r = 0; r < rows; r++, d += ow) copy(src, base + r * wp, col, d, ow);
                    } else {
                        for (int r = 0; r < rows; r++, d += ow) {
                            int sp = base + r * s * wp;
                            for (int ox = 0; ox < ow; ox++) col[d + ox] = src[sp + ox * s];
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of the padded {@link #im2col}: adds each value to the padded pixel it was read from. */
    static void col2im(float[] col, int colOff, int ld, Conv.Geometry g, int oy0, int oy1, float[] dst, int dstOff) {
        int wp = g.wp(), plane = g.hp() * wp, s = g.stride(), ow = g.ow(), kh = g.kh(), kw = g.kw();
        int rows = oy1 - oy0;
        for (int c = 0; c < g.c(); c++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int d = colOff + ((c * kh + ki) * kw + kj) * ld;
                    int base = dstOff + c * plane + (oy0 * s + ki) * wp + kj;
                    if (s == 1) {
                        for (int r = 0; r < rows; r++, d += ow) add(col, d, dst, base + r * wp, ow);
                    } else {
                        for (int r = 0; r < rows; r++, d += ow) {
                            int sp = base + r * s * wp;
                            for (int ox = 0; ox < ow; ox++) dst[sp + ox * s] += col[d + ox];
                        }
                    }
                }
            }
        }
    }

    /** dst[d..d+n) = src[s..s+n). */
    static void copy(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(n); i < bound; i += F.length()) FloatVector.fromArray(F, src, s + i).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] = src[s + i];
    }

    /** dst[d..d+n) += src[s..s+n). */
    static void add(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                FloatVector.fromArray(F, dst, d + i).add(FloatVector.fromArray(F, src, s + i)).intoArray(dst, d + i);
            }
        }
        for (; i < n; i++) dst[d + i] += src[s + i];
    }

    /** Sum of a[o..o+n), lanes first and then lane by lane in a fixed order (bitwise reproducible). */
    static float sum(float[] a, int o, int n) {
        int i = 0;
        float s = 0f;
        if (Simd.enabled() && n >= F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += F.length()) acc = acc.add(FloatVector.fromArray(F, a, o + i));
            for (int l = 0; l < F.length(); l++) s += acc.lane(l);
        }
        for (; i < n; i++) s += a[o + i];
        return s;
    }
}
