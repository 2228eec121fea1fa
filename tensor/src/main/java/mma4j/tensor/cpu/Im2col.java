package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The data movement of convolution: an image to its column matrix (im2col) and back (col2im).
 *
 * <p>Both work on a zero-bordered copy of the image ({@link #pad}), so that no window needs a
 * bounds check: row {@code (c, ki, kj)} of the column matrix holds, for each output position
 * (oy, ox), the padded pixel {@code (oy*stride + ki, ox*stride + kj)} of channel c. With stride 1
 * that is a run of OW contiguous pixels per output row, copied (or added back) with the vector
 * species; narrow maps (OW below one vector, e.g. 4x4 or 2x2) go through a table of window
 * offsets instead, one loop per matrix row.
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

    /** Offsets of the window origins of output rows oy0..oy1 relative to the first, in a padded plane; null when rows are copied whole. */
    static int[] windowTable(Conv.Geometry g, int rows) {
        int ow = g.ow(), s = g.stride(), wp = g.wp();
        if (ow >= F.length()) return null;
        int[] t = new int[rows * ow];
        for (int r = 0; r < rows; r++) for (int ox = 0; ox < ow; ox++) t[r * ow + ox] = r * s * wp + ox * s;
        return t;
    }

    /**
     * Column matrix of output rows oy0..oy1 of one padded image {@code src[srcOff..]} (planes of
     * hp x wp): row (c, ki, kj) goes to {@code col[colOff + row*ld ..]}, (oy1-oy0)*OW values.
     */
    static void im2col(float[] src, int srcOff, Conv.Geometry g, int oy0, int oy1, int[] table,
                       float[] col, int colOff, int ld) {
        int wp = g.wp(), plane = g.hp() * wp, s = g.stride(), ow = g.ow(), kh = g.kh(), kw = g.kw();
        int rows = oy1 - oy0, cols = rows * ow;
        for (int c = 0; c < g.c(); c++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int d = colOff + ((c * kh + ki) * kw + kj) * ld;
                    int base = srcOff + c * plane + (oy0 * s + ki) * wp + kj;
                    if (table != null) {
                        for (int q = 0; q < cols; q++) col[d + q] = src[base + table[q]];
                    } else if (s == 1) {
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

    /** The adjoint of {@link #im2col}: adds each column-matrix value to the padded pixel it was read from. */
    static void col2im(float[] col, int colOff, int ld, Conv.Geometry g, int oy0, int oy1, int[] table,
                       float[] dst, int dstOff) {
        int wp = g.wp(), plane = g.hp() * wp, s = g.stride(), ow = g.ow(), kh = g.kh(), kw = g.kw();
        int rows = oy1 - oy0, cols = rows * ow;
        for (int c = 0; c < g.c(); c++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int d = colOff + ((c * kh + ki) * kw + kj) * ld;
                    int base = dstOff + c * plane + (oy0 * s + ki) * wp + kj;
                    if (table != null) {
                        for (int q = 0; q < cols; q++) dst[base + table[q]] += col[d + q];
                    } else if (s == 1) {
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
