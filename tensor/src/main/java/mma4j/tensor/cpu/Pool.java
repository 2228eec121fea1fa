package mma4j.tensor.cpu;

import java.util.Arrays;
import mma4j.tensor.Tensor;

/** Max and average pooling over NCHW planes, parallel over planes. */
final class Pool {
    private Pool() {}

    static void maxForward(Tensor x, int k, int s, int p, Tensor out, Tensor indices) {
        int[] xs = x.shape(), os = out.shape();
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], oh = os[2], ow = os[3];
        float[] xd = x.array(), od = out.array(), id = indices.array();
        int xo = x.offset(), oo = out.offset(), io = indices.offset();
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = xo + pl * h * w, ob = pl * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int bi = -1;
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) continue;
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * s - p + kx;
                                if (ix < 0 || ix >= w) continue;
                                float v = xd[xb + iy * w + ix];
                                if (v > best || bi < 0 || Float.isNaN(v)) {
                                    best = v;
                                    bi = iy * w + ix;
                                    if (Float.isNaN(v)) break;
                                }
                            }
                        }
                        od[oo + ob + oy * ow + ox] = best;
                        id[io + ob + oy * ow + ox] = bi;
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
        Arrays.fill(gxd, xo, xo + planes * hw, 0f);
        Parallel.forRange(planes, ohw, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                for (int i = 0; i < ohw; i++) {
                    int src = pl * ohw + i;
                    gxd[xo + pl * hw + (int) id[io + src]] += g[go + src];
                }
            }
        });
    }

    static void avgForward(Tensor x, int k, int s, int p, Tensor out) {
        int[] xs = x.shape(), os = out.shape();
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], oh = os[2], ow = os[3];
        float[] xd = x.array(), od = out.array();
        int xo = x.offset(), oo = out.offset();
        float inv = 1f / (k * k);
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = xo + pl * h * w, ob = oo + pl * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float sum = 0f;
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) continue;
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * s - p + kx;
                                if (ix >= 0 && ix < w) sum += xd[xb + iy * w + ix];
                            }
                        }
                        od[ob + oy * ow + ox] = sum * inv;
                    }
                }
            }
        });
    }

    static void avgBackward(Tensor gy, int k, int s, int p, Tensor gx) {
        int[] gs = gy.shape(), xs = gx.shape();
        int planes = gs[0] * gs[1], oh = gs[2], ow = gs[3], h = xs[2], w = xs[3];
        float[] g = gy.array(), gxd = gx.array();
        int go = gy.offset(), xo = gx.offset();
        float inv = 1f / (k * k);
        Arrays.fill(gxd, xo, xo + planes * h * w, 0f);
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = xo + pl * h * w, gb = go + pl * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float v = g[gb + oy * ow + ox] * inv;
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) continue;
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * s - p + kx;
                                if (ix >= 0 && ix < w) gxd[xb + iy * w + ix] += v;
                            }
                        }
                    }
                }
            }
        });
    }
}
