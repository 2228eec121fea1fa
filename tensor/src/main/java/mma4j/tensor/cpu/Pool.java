package mma4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import mma4j.tensor.Tensor;

/**
 * Max and average pooling over NCHW planes, parallel over planes.
 *
 * <p>Each output row is built in k*k passes, one per window offset (ky, kx): the pass touches
 * the output columns whose window has that pixel inside the image, so padding needs no checks
 * in the loop and the columns go in vectors (contiguous loads for stride 1, gathers otherwise).
 * Passes run in row-major window order, which gives PyTorch's tie rule for max pooling: the
 * first maximum wins, and a NaN, once met, stays.
 */
final class Pool {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private Pool() {}

    /** Pooling geometry of one call: input plane h x w, output plane oh x ow. */
    private record Window(int h, int w, int oh, int ow, int k, int s, int p) {
        int firstRow(int oy) { return Math.max(0, p - oy * s); }
        int endRow(int oy) { return Math.min(k, h + p - oy * s); }
        /** First output column whose window pixel kx lies inside the image. */
        int lo(int kx) { return Math.max(0, Math.ceilDiv(p - kx, s)); }
        int hi(int kx) { return Math.min(ow, Math.floorDiv(w - 1 + p - kx, s) + 1); }
    }

    /** Lane offsets {0, s, 2s, ...} of a strided gather. */
    private static int[] strideMap(int s) {
        int[] m = new int[L];
        for (int i = 0; i < L; i++) m[i] = i * s;
        return m;
    }

    private static FloatVector load(float[] a, int off, int s, int[] map) {
        return s == 1 ? FloatVector.fromArray(F, a, off) : FloatVector.fromArray(F, a, off, map, 0);
    }

    static void maxForward(Tensor x, int k, int s, int p, Tensor out, Tensor indices) {
        int[] xs = x.shape(), os = out.shape();
        Window win = new Window(xs[2], xs[3], os[2], os[3], k, s, p);
        int planes = xs[0] * xs[1], h = win.h, w = win.w, oh = win.oh, ow = win.ow;
        float[] xd = x.array(), od = out.array(), id = indices.array();
        int xo = x.offset(), oo = out.offset(), io = indices.offset();
        int[] map = strideMap(s);
        FloatVector lanes = FloatVector.zero(F).addIndex(s);
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = xo + pl * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int orow = oo + (pl * oh + oy) * ow, irow = io + (pl * oh + oy) * ow;
                    Arrays.fill(od, orow, orow + ow, Float.NEGATIVE_INFINITY);
                    Arrays.fill(id, irow, irow + ow, -1f);
                    for (int ky = win.firstRow(oy); ky < win.endRow(oy); ky++) {
                        int iy = oy * s - p + ky, rowBase = xb + iy * w;
                        for (int kx = 0; kx < k; kx++) {
                            int shift = kx - p, hi = win.hi(kx), ox = win.lo(kx);
                            if (Simd.enabled()) {
                                for (; ox + L <= hi; ox += L) {
                                    FloatVector v = load(xd, rowBase + ox * s + shift, s, map);
                                    FloatVector best = FloatVector.fromArray(F, od, orow + ox);
                                    FloatVector bi = FloatVector.fromArray(F, id, irow + ox);
                                    VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                                            .or(bi.compare(VectorOperators.LT, 0f))
                                            .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                                    best.blend(v, take).intoArray(od, orow + ox);
                                    bi.blend(lanes.add((float) (iy * w + ox * s + shift)), take).intoArray(id, irow + ox);
                                }
                            }
                            for (; ox < hi; ox++) {
                                float v = xd[rowBase + ox * s + shift], best = od[orow + ox];
                                if (v > best || id[irow + ox] < 0 || Float.isNaN(v) && !Float.isNaN(best)) {
                                    od[orow + ox] = v;
                                    id[irow + ox] = iy * w + ox * s + shift;
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    static void maxBackward(Tensor gy, Tensor indices, Tensor gx) {
        int[] gs = gy.shape(), xs = gx.shape();
        int planes = gs[0] * gs[1], ohw = gs[2] * gs[3], hw = xs[2] * xs[3];
        float[] g = gy.array(), id = indices.array(), gxd = gx.array();
        int go = gy.offset(), io = indices.offset(), xo = gx.offset();
        Parallel.forRange(planes, ohw + hw, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = xo + pl * hw;
                Arrays.fill(gxd, xb, xb + hw, 0f);
                // A scatter to data-dependent places: scalar (windows may share their maximum).
                for (int i = 0; i < ohw; i++) {
                    int src = pl * ohw + i;
                    gxd[xb + (int) id[io + src]] += g[go + src];
                }
            }
        });
    }

    static void avgForward(Tensor x, int k, int s, int p, Tensor out) {
        int[] xs = x.shape(), os = out.shape();
        Window win = new Window(xs[2], xs[3], os[2], os[3], k, s, p);
        int planes = xs[0] * xs[1], h = win.h, w = win.w, oh = win.oh, ow = win.ow;
        float[] xd = x.array(), od = out.array();
        int xo = x.offset(), oo = out.offset();
        float inv = 1f / (k * k);
        int[] map = strideMap(s);
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = xo + pl * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int orow = oo + (pl * oh + oy) * ow;
                    Arrays.fill(od, orow, orow + ow, 0f);
                    for (int ky = win.firstRow(oy); ky < win.endRow(oy); ky++) {
                        int rowBase = xb + (oy * s - p + ky) * w;
                        for (int kx = 0; kx < k; kx++) {
                            int shift = kx - p, hi = win.hi(kx), ox = win.lo(kx);
                            if (Simd.enabled()) {
                                for (; ox + L <= hi; ox += L) {
                                    FloatVector.fromArray(F, od, orow + ox).add(load(xd, rowBase + ox * s + shift, s, map)).intoArray(od, orow + ox);
                                }
                            }
                            for (; ox < hi; ox++) od[orow + ox] += xd[rowBase + ox * s + shift];
                        }
                    }
                    // zero padding counts in the divisor (count_include_pad=True)
                    int ox = 0;
                    if (Simd.enabled()) {
                        for (; ox + L <= ow; ox += L) FloatVector.fromArray(F, od, orow + ox).mul(inv).intoArray(od, orow + ox);
                    }
                    for (; ox < ow; ox++) od[orow + ox] *= inv;
                }
            }
        });
    }

    static void avgBackward(Tensor gy, int k, int s, int p, Tensor gx) {
        int[] gs = gy.shape(), xs = gx.shape();
        Window win = new Window(xs[2], xs[3], gs[2], gs[3], k, s, p);
        int planes = gs[0] * gs[1], h = win.h, w = win.w, oh = win.oh, ow = win.ow;
        float[] g = gy.array(), gxd = gx.array();
        int go = gy.offset(), xo = gx.offset();
        float inv = 1f / (k * k);
        int[] map = strideMap(s);
        Parallel.forRange(planes, (long) oh * ow * k * k + h * w, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = xo + pl * h * w;
                Arrays.fill(gxd, xb, xb + h * w, 0f);
                for (int oy = 0; oy < oh; oy++) {
                    int grow = go + (pl * oh + oy) * ow;
                    for (int ky = win.firstRow(oy); ky < win.endRow(oy); ky++) {
                        int rowBase = xb + (oy * s - p + ky) * w;
                        for (int kx = 0; kx < k; kx++) {
                            int shift = kx - p, hi = win.hi(kx), ox = win.lo(kx);
                            if (Simd.enabled()) {
                                // lanes hit distinct pixels (distinct ox), so a gather-add-scatter is safe
                                for (; ox + L <= hi; ox += L) {
                                    int at = rowBase + ox * s + shift;
                                    FloatVector v = load(gxd, at, s, map).add(FloatVector.fromArray(F, g, grow + ox).mul(inv));
                                    if (s == 1) v.intoArray(gxd, at);
                                    else v.intoArray(gxd, at, map, 0);
                                }
                            }
                            for (; ox < hi; ox++) gxd[rowBase + ox * s + shift] += g[grow + ox] * inv;
                        }
                    }
                }
            }
        });
    }
}
