package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The data movement of convolution: an image to its column matrix (im2col) and back (col2im).
 *
 * <p>Row {@code (c, ki, kj)} of the column matrix holds, for each output position (oy, ox), the
 * pixel {@code (oy*stride - pad + ki, ox*stride - pad + kj)} of channel c, or 0 outside the image.
 * Wide maps work on a zero-bordered copy of the image ({@link #pad}), so that no window needs a
 * bounds check: with stride 1 each output row is then a run of OW contiguous pixels, copied (or
 * added back) with the vector species. Maps narrower than a vector (e.g. 4x4 or 2x2) would copy
 * runs of a few floats, so they use a {@link Table} of source offsets instead: one masked gather
 * per vector of output positions, straight from the unpadded image (and a scalar loop back).
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

    /** Column matrix of a narrow map straight from the unpadded image {@code x[xOff..]}: masked gathers. */
    static void im2col(float[] x, int xOff, Conv.Geometry g, Table t, float[] col, int colOff, int ld) {
        int kk = g.kh() * g.kw(), hw = g.h() * g.w(), cols = t.cols;
        int[] src = t.src;
        boolean[] inside = t.inside;
        for (int c = 0; c < g.c(); c++) {
            int base = xOff + c * hw;
            for (int e = 0; e < kk; e++) {
                int d = colOff + (c * kk + e) * ld, te = e * cols, q = 0;
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

    /**
     * The adjoint for narrow maps: adds the column matrix into the unpadded image {@code x[xOff..]}.
     * Scalar on purpose: masked scatters measured 3-4x slower than this loop (4x4 maps, AVX-512).
     */
    static void col2im(float[] col, int colOff, int ld, Conv.Geometry g, Table t, float[] x, int xOff) {
        int kk = g.kh() * g.kw(), hw = g.h() * g.w(), cols = t.cols;
        int[] src = t.src;
        boolean[] inside = t.inside;
        for (int c = 0; c < g.c(); c++) {
            int base = xOff + c * hw;
            for (int e = 0; e < kk; e++) {
                int d = colOff + (c * kk + e) * ld, te = e * cols;
                for (int q = 0; q < cols; q++) if (inside[te + q]) x[base + src[te + q]] += col[d + q];
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
