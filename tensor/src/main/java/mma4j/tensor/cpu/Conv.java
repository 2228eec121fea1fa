package mma4j.tensor.cpu;

import java.util.Arrays;
import mma4j.tensor.Tensor;

/**
 * 2-d convolution as im2col + GEMM. Images of a batch are split over the worker threads; each
 * thread owns its column buffer, and weight gradients are summed over threads in a fixed order.
 */
final class Conv {
    private Conv() {}

    record Geometry(int n, int c, int h, int w, int f, int kh, int kw, int stride, int pad, int oh, int ow) {
        int ckk() { return c * kh * kw; }
        int ohw() { return oh * ow; }
    }

    static Geometry geometry(Tensor x, Tensor w, int stride, int pad) {
        int[] xs = x.shape(), ws = w.shape();
        int oh = (xs[2] + 2 * pad - ws[2]) / stride + 1, ow = (xs[3] + 2 * pad - ws[3]) / stride + 1;
        return new Geometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride, pad, oh, ow);
    }

    /** Column matrix [C*kh*kw, OH*OW] of one image (zeros where the window hangs over the padding). */
    static void im2col(float[] x, int xo, Geometry g, float[] col) {
        int ohw = g.ohw();
        for (int ch = 0; ch < g.c; ch++) {
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = ((ch * g.kh + ki) * g.kw + kj) * ohw;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = oy * g.stride - g.pad + ki;
                        int dst = row + oy * g.ow;
                        if (iy < 0 || iy >= g.h) {
                            Arrays.fill(col, dst, dst + g.ow, 0f);
                            continue;
                        }
                        int src = xo + (ch * g.h + iy) * g.w;
                        for (int ox = 0; ox < g.ow; ox++) {
                            int ix = ox * g.stride - g.pad + kj;
                            col[dst + ox] = ix >= 0 && ix < g.w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds a column matrix back into the image it was taken from. */
    static void col2im(float[] col, Geometry g, float[] x, int xo) {
        int ohw = g.ohw();
        for (int ch = 0; ch < g.c; ch++) {
            for (int ki = 0; ki < g.kh; ki++) {
                for (int kj = 0; kj < g.kw; kj++) {
                    int row = ((ch * g.kh + ki) * g.kw + kj) * ohw;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = oy * g.stride - g.pad + ki;
                        if (iy < 0 || iy >= g.h) continue;
                        int dst = xo + (ch * g.h + iy) * g.w, src = row + oy * g.ow;
                        for (int ox = 0; ox < g.ow; ox++) {
                            int ix = ox * g.stride - g.pad + kj;
                            if (ix >= 0 && ix < g.w) x[dst + ix] += col[src + ox];
                        }
                    }
                }
            }
        }
    }

    private static int chunks(int n) {
        return Math.max(1, Math.min(Parallel.threads(), n));
    }

    static void forward(Tensor x, Tensor w, Tensor bias, int stride, int pad, Tensor out) {
        Geometry g = geometry(x, w, stride, pad);
        float[] xd = x.array(), wd = w.array(), od = out.array();
        float[] bd = bias == null ? null : bias.array();
        int xo = x.offset(), wo = w.offset(), oo = out.offset(), bo = bias == null ? 0 : bias.offset();
        int chunks = chunks(g.n);
        Parallel.forEach(chunks, c -> {
            float[] col = new float[g.ckk() * g.ohw()];
            for (int img = g.n * c / chunks; img < g.n * (c + 1) / chunks; img++) {
                im2col(xd, xo + img * g.c * g.h * g.w, g, col);
                int yo = oo + img * g.f * g.ohw();
                Gemm.sgemm(g.f, g.ohw(), g.ckk(), wd, wo, g.ckk(), 1, col, 0, g.ohw(), 1, 0f, od, yo, g.ohw());
                if (bd != null) {
                    for (int f = 0; f < g.f; f++) {
                        float b = bd[bo + f];
                        int r = yo + f * g.ohw();
                        for (int i = 0; i < g.ohw(); i++) od[r + i] += b;
                    }
                }
            }
        });
    }

    static void backwardInput(Tensor gy, Tensor w, int stride, int pad, Tensor gx) {
        int[] xs = gx.shape();
        Geometry g = geometry(gx, w, stride, pad);
        float[] gyd = gy.array(), wd = w.array(), gxd = gx.array();
        int gyo = gy.offset(), wo = w.offset(), gxo = gx.offset();
        int imgSize = xs[1] * xs[2] * xs[3];
        Arrays.fill(gxd, gxo, gxo + g.n * imgSize, 0f);
        int chunks = chunks(g.n);
        Parallel.forEach(chunks, c -> {
            float[] col = new float[g.ckk() * g.ohw()];
            for (int img = g.n * c / chunks; img < g.n * (c + 1) / chunks; img++) {
                // col = W^T [ckk x f] @ gy[img] [f x ohw]
                Gemm.sgemm(g.ckk(), g.ohw(), g.f, wd, wo, 1, g.ckk(), gyd, gyo + img * g.f * g.ohw(), g.ohw(), 1, 0f, col, 0, g.ohw());
                col2im(col, g, gxd, gxo + img * imgSize);
            }
        });
    }

    static void backwardWeight(Tensor x, Tensor gy, int stride, int pad, Tensor gw, Tensor gb) {
        Geometry g = geometry(x, gw, stride, pad);
        float[] xd = x.array(), gyd = gy.array();
        int xo = x.offset(), gyo = gy.offset();
        int chunks = chunks(g.n);
        float[][] partial = new float[chunks][g.f * g.ckk()];
        float[][] partialB = gb == null ? null : new float[chunks][g.f];
        Parallel.forEach(chunks, c -> {
            float[] col = new float[g.ckk() * g.ohw()];
            for (int img = g.n * c / chunks; img < g.n * (c + 1) / chunks; img++) {
                im2col(xd, xo + img * g.c * g.h * g.w, g, col);
                int yo = gyo + img * g.f * g.ohw();
                // gw += gy[img] [f x ohw] @ col^T [ohw x ckk]
                Gemm.sgemm(g.f, g.ckk(), g.ohw(), gyd, yo, g.ohw(), 1, col, 0, 1, g.ohw(), 1f, partial[c], 0, g.ckk());
                if (partialB != null) {
                    for (int f = 0; f < g.f; f++) partialB[c][f] += Reduce.rowReduce(mma4j.tensor.ReduceOp.SUM, gyd, yo + f * g.ohw(), g.ohw());
                }
            }
        });
        sumInto(partial, gw);
        if (gb != null) sumInto(partialB, gb);
    }

    private static void sumInto(float[][] parts, Tensor dst) {
        float[] d = dst.array();
        int o = dst.offset(), len = parts[0].length;
        System.arraycopy(parts[0], 0, d, o, len);
        for (int c = 1; c < parts.length; c++) for (int i = 0; i < len; i++) d[o + i] += parts[c][i];
    }
}
