package mma4j.tensor.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * 3x3 convolutions with stride 1 and padding 1 by Winograd's minimal filtering F(2x2, 3x3)
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each 2x2 block of
 * outputs is computed from the 4x4 block of inputs around it with 16 multiplications instead of 36,
 *
 * <pre>
 *   Y = A^T [ (G g G^T) (.) (B^T d B) ] A          (.) elementwise, g the 3x3 filter, d the 4x4 tile
 *
 *   B^T = | 1  0 -1  0 |     G = | 1     0    0   |     A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |         | 1/2  1/2  1/2  |           | 0  1 -1 -1 |
 *         | 0 -1  1  0 |         | 1/2 -1/2  1/2  |
 *         | 0  1  0 -1 |         | 0     0    1   |
 * </pre>
 *
 * Summed over input channels, the elementwise products become 16 matrix products, one per
 * position of the 4x4 transformed tile: {@code M[pos] = U[pos] [F x C] @ V[pos] [C x tiles]}, with
 * tiles (stride 2, zero outside the map) taken over the whole batch. Why: 2.25x fewer
 * multiply-adds, all of them in {@link Gemm}. It pays on small maps with many channels (VGG's
 * 4x4 layers), where the direct kernel cannot fill its 32-wide blocks and im2col + GEMM does all
 * 9 multiply-adds per tap; the transforms (a few adds per value) are a small share there.
 *
 * <p>The input gradient is the same convolution of gy with the weights flipped and transposed
 * ({@link DirectConv#flip}'s layout, folded into the weight transform). The weight gradient runs
 * in the transformed domain too: {@code dM = A dY A^T} per (filter, tile),
 * {@code dU[pos] = dM[pos] @ V[pos]^T}, then {@code dg = G^T dU G}.
 *
 * <p>The transforms are plain scalar loops: measured on 512x512x4 at batch 32 they are about
 * a tenth of the time, the 16 products the rest. Every value is computed by one fixed sequence of
 * operations (each product by one serial {@link Gemm} call, whichever thread takes it), so
 * the results are bitwise independent of the thread count. F(2x2, 3x3) differs from direct
 * convolution by rounding only (its transforms have entries 0, +-1/2, +-1).
 */
final class WinogradConv {
    /** Positions of a transformed 4x4 tile: one product each. */
    static final int POS = 16;
    /** Fewest input and output channels for which {@link #applies} (measured, see docs/BENCHMARKS.md). */
    static final int MIN_CHANNELS = 256;

    private WinogradConv() {}

    /** Whether the transform works for this convolution: 3x3, stride 1, padding 1. */
    static boolean fits(Conv.Geometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.pad() == 1;
    }

    /** Whether Conv should use it: {@link #fits}, small maps (4x4 and below) and many channels, where it measured faster. */
    static boolean applies(Conv.Geometry g) {
        return fits(g) && g.h() <= 4 && g.w() <= 4 && g.c() >= MIN_CHANNELS && g.f() >= MIN_CHANNELS;
    }

    // ------------------------------------------------------------------ the three passes

    /** y = conv(x, w) + bias (bias may be null). */
    static void forward(Conv.Geometry g, float[] x, int xo, float[] w, int wo, float[] bias, int bo, float[] y, int yo) {
        ConvWorkspace ws = ConvWorkspace.get();
        float[] u = weights(w, wo, g.f(), g.c(), false, ws.winogradWeights(POS * g.f() * g.c()));
        convolve(g, u, g.f(), g.c(), x, xo, bias, bo, y, yo, ws);
    }

    /** gx = the convolution of gy with the flipped, transposed weights. */
    static void backwardInput(Conv.Geometry g, float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo) {
        ConvWorkspace ws = ConvWorkspace.get();
        float[] u = weights(w, wo, g.f(), g.c(), true, ws.winogradWeights(POS * g.f() * g.c()));
        convolve(g, u, g.c(), g.f(), gy, gyo, null, 0, gx, gxo, ws);
    }

    /** gw = dL/dw (overwritten, as {@link Conv#backwardWeight} does); gb (may be null) = the sums of gy per filter. */
    static void backwardWeight(Conv.Geometry g, float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, float[] gb, int gbo) {
        ConvWorkspace ws = ConvWorkspace.get();
        int f = g.f(), c = g.c(), tiles = tiles(g);
        float[] v = inputs(g, c, x, xo, ws.winogradInputs(POS * c * tiles));
        float[] dm = outputGrads(g, gy, gyo, ws.winogradProducts(POS * f * tiles));
        float[] du = ws.winogradWeights(POS * f * c);
        // dU[pos] [F x C] = dM[pos] [F x tiles] @ V[pos]^T
        products(pos -> Gemm.sgemm(f, c, tiles, dm, pos * f * tiles, tiles, 1, v, pos * c * tiles, 1, tiles,
                0f, du, pos * f * c, c));
        weightGrads(du, f, c, gw, gwo);
        if (gb != null) biasGrads(g, gy, gyo, gb, gbo);
    }

    // ------------------------------------------------------------------ shared steps

    /** Tiles over the whole batch: N * ceil(H/2) * ceil(W/2); tile t = (n * th + ty) * tw + tx. */
    static int tiles(Conv.Geometry g) {
        return g.n() * ((g.h() + 1) / 2) * ((g.w() + 1) / 2);
    }

    /**
     * out [N, rows, H, W] = the convolution of in [N, channels, H, W] with transformed weights
     * u [16][rows x channels], plus bias.
     */
    private static void convolve(Conv.Geometry g, float[] u, int rows, int channels, float[] in, int io,
                                 float[] bias, int bo, float[] out, int oo, ConvWorkspace ws) {
        int tiles = tiles(g);
        float[] v = inputs(g, channels, in, io, ws.winogradInputs(POS * channels * tiles));
        float[] m = ws.winogradProducts(POS * rows * tiles);
        // M[pos] [rows x tiles] = U[pos] [rows x channels] @ V[pos] [channels x tiles]
        products(pos -> Gemm.sgemm(rows, tiles, channels, u, pos * rows * channels, channels, 1,
                v, pos * channels * tiles, tiles, 1, 0f, m, pos * rows * tiles, tiles));
        outputs(g, m, rows, bias, bo, out, oo);
    }

    /**
     * Runs the 16 products, threads taking positions from a counter; each product is one serial
     * GEMM (nested parallel calls run inline), so its result does not depend on who computes it.
     */
    private static void products(java.util.function.IntConsumer product) {
        AtomicInteger next = new AtomicInteger();
        Parallel.forEach(Math.min(Parallel.threads(), POS), t -> {
            for (int pos; (pos = next.getAndIncrement()) < POS; ) product.accept(pos);
        });
    }

    // ------------------------------------------------------------------ transforms

    /**
     * u[pos][r, k] = (G g G^T)[pos] for the filter g = w[r, k] (rows = f, columns = c), or, when
     * {@code flipped}, for g = w[k, r] turned by 180 degrees (rows = c, columns = f): the input
     * gradient's weights, as {@link DirectConv#flip} lays them out.
     */
    static float[] weights(float[] w, int wo, int f, int c, boolean flipped, float[] u) {
        int rows = flipped ? c : f, cols = flipped ? f : c, plane = rows * cols;
        Parallel.forRange(f, 64L * c, (f0, f1) -> {
            float[] t = new float[12];
            for (int r = f0; r < f1; r++) {
                for (int k = 0; k < c; k++) {
                    int s = wo + (r * c + k) * 9, d = flipped ? k * cols + r : r * cols + k;
                    // G g: 4 x 3, column by column
                    for (int j = 0; j < 3; j++) {
                        float g0 = tap(w, s, flipped, j), g1 = tap(w, s, flipped, 3 + j), g2 = tap(w, s, flipped, 6 + j);
                        t[j] = g0;
                        t[3 + j] = 0.5f * (g0 + g1 + g2);
                        t[6 + j] = 0.5f * (g0 - g1 + g2);
                        t[9 + j] = g2;
                    }
                    // (G g) G^T: 4 x 4, row by row
                    for (int i = 0; i < 4; i++) {
                        float a = t[3 * i], b = t[3 * i + 1], e = t[3 * i + 2];
                        int o = d + 4 * i * plane;
                        u[o] = a;
                        u[o + plane] = 0.5f * (a + b + e);
                        u[o + 2 * plane] = 0.5f * (a - b + e);
                        u[o + 3 * plane] = e;
                    }
                }
            }
        });
        return u;
    }

    private static float tap(float[] w, int s, boolean flipped, int e) {
        return w[s + (flipped ? 8 - e : e)];
    }

    /**
     * v[pos][k, t] = (B^T d B)[pos] for the 4x4 input tile d of channel k and tile t (rows 2ty-1 ..
     * 2ty+2, columns 2tx-1 .. 2tx+2, zero outside the map). Each plane is first copied with a zero
     * border (one row and column before, one or two after) so the tiles read it without checks.
     */
    static float[] inputs(Conv.Geometry g, int channels, float[] in, int io, float[] v) {
        int n = g.n(), h = g.h(), w = g.w(), th = (h + 1) / 2, tw = (w + 1) / 2, tiles = n * th * tw;
        int ph = 2 * th + 2, pw = 2 * tw + 2, plane = channels * tiles;
        Parallel.forRange(n * channels, 40L * h * w, (a, b) -> {
            float[] p = ConvWorkspace.get().padded(ph * pw), r = new float[16];
            java.util.Arrays.fill(p, 0, ph * pw, 0f);
            for (int unit = a; unit < b; unit++) {
                int img = unit / channels, k = unit % channels, src = io + unit * h * w;
                for (int y = 0; y < h; y++) System.arraycopy(in, src + y * w, p, (y + 1) * pw + 1, w);
                for (int ty = 0; ty < th; ty++) {
                    for (int tx = 0; tx < tw; tx++) {
                        int s = 2 * ty * pw + 2 * tx, d = k * tiles + (img * th + ty) * tw + tx;
                        // B^T d, column by column
                        for (int j = 0; j < 4; j++) {
                            float d0 = p[s + j], d1 = p[s + pw + j], d2 = p[s + 2 * pw + j], d3 = p[s + 3 * pw + j];
                            r[j] = d0 - d2;
                            r[4 + j] = d1 + d2;
                            r[8 + j] = d2 - d1;
                            r[12 + j] = d1 - d3;
                        }
                        // (B^T d) B, row by row
                        for (int i = 0; i < 4; i++) {
                            float r0 = r[4 * i], r1 = r[4 * i + 1], r2 = r[4 * i + 2], r3 = r[4 * i + 3];
                            int o = d + 4 * i * plane;
                            v[o] = r0 - r2;
                            v[o + plane] = r1 + r2;
                            v[o + 2 * plane] = r2 - r1;
                            v[o + 3 * plane] = r1 - r3;
                        }
                    }
                }
            }
        });
        return v;
    }

    /** out[n, r] = A^T M[.][r, t] A (+ bias[r]) for every 2x2 output tile t, the parts inside the map. */
    static void outputs(Conv.Geometry g, float[] m, int rows, float[] bias, int bo, float[] out, int oo) {
        int n = g.n(), h = g.h(), w = g.w(), th = (h + 1) / 2, tw = (w + 1) / 2, tiles = n * th * tw, plane = rows * tiles;
        Parallel.forRange(n * rows, 40L * h * w, (a, b) -> {
            float[] s = new float[8];
            for (int unit = a; unit < b; unit++) {
                int img = unit / rows, r = unit % rows, dst = oo + unit * h * w;
                float add = bias == null ? 0f : bias[bo + r];
                for (int ty = 0; ty < th; ty++) {
                    for (int tx = 0; tx < tw; tx++) {
                        int src = r * tiles + (img * th + ty) * tw + tx;
                        // A^T M, column by column
                        for (int j = 0; j < 4; j++) {
                            float m0 = m[src + j * plane], m1 = m[src + (4 + j) * plane];
                            float m2 = m[src + (8 + j) * plane], m3 = m[src + (12 + j) * plane];
                            s[j] = m0 + m1 + m2;
                            s[4 + j] = m1 - m2 - m3;
                        }
                        // (A^T M) A, row by row
                        for (int i = 0; i < 2 && 2 * ty + i < h; i++) {
                            float s0 = s[4 * i], s1 = s[4 * i + 1], s2 = s[4 * i + 2], s3 = s[4 * i + 3];
                            int o = dst + (2 * ty + i) * w + 2 * tx;
                            out[o] = s0 + s1 + s2 + add;
                            if (2 * tx + 1 < w) out[o + 1] = s1 - s2 - s3 + add;
                        }
                    }
                }
            }
        });
    }

    /**
     * dm[pos][f, t] = (A dY A^T)[pos] for the 2x2 output-gradient tile dY of filter f and tile t
     * (zero outside the map): the output transform's transpose, the gradient of M.
     */
    static float[] outputGrads(Conv.Geometry g, float[] gy, int gyo, float[] dm) {
        int n = g.n(), f = g.f(), h = g.h(), w = g.w(), th = (h + 1) / 2, tw = (w + 1) / 2, tiles = n * th * tw, plane = f * tiles;
        Parallel.forRange(n * f, 40L * h * w, (a, b) -> {
            for (int unit = a; unit < b; unit++) {
                int img = unit / f, r = unit % f, src = gyo + unit * h * w;
                for (int ty = 0; ty < th; ty++) {
                    for (int tx = 0; tx < tw; tx++) {
                        int y0 = 2 * ty, x0 = 2 * tx, o = r * tiles + (img * th + ty) * tw + tx;
                        boolean down = y0 + 1 < h, right = x0 + 1 < w;
                        float g00 = gy[src + y0 * w + x0], g01 = right ? gy[src + y0 * w + x0 + 1] : 0f;
                        float g10 = down ? gy[src + (y0 + 1) * w + x0] : 0f, g11 = down && right ? gy[src + (y0 + 1) * w + x0 + 1] : 0f;
                        // A dY: rows g0, g0 + g1, g0 - g1, -g1; then each row (a, b) -> (a, a + b, a - b, -b)
                        row(dm, o, plane, g00, g01);
                        row(dm, o + 4 * plane, plane, g00 + g10, g01 + g11);
                        row(dm, o + 8 * plane, plane, g00 - g10, g01 - g11);
                        row(dm, o + 12 * plane, plane, -g10, -g11);
                    }
                }
            }
        });
        return dm;
    }

    private static void row(float[] dm, int o, int plane, float a, float b) {
        dm[o] = a;
        dm[o + plane] = a + b;
        dm[o + 2 * plane] = a - b;
        dm[o + 3 * plane] = -b;
    }

    /** gw[r, k] = G^T dU[.][r, k] G, the 3x3 weight gradient of filter r, channel k. */
    static void weightGrads(float[] du, int f, int c, float[] gw, int gwo) {
        int plane = f * c;
        Parallel.forRange(f, 64L * c, (f0, f1) -> {
            float[] t = new float[12];
            for (int r = f0; r < f1; r++) {
                for (int k = 0; k < c; k++) {
                    int s = r * c + k, d = gwo + s * 9;
                    // G^T dU: 3 x 4, column by column
                    for (int j = 0; j < 4; j++) {
                        float x0 = du[s + j * plane], x1 = du[s + (4 + j) * plane], x2 = du[s + (8 + j) * plane], x3 = du[s + (12 + j) * plane];
                        t[j] = x0 + 0.5f * (x1 + x2);
                        t[4 + j] = 0.5f * (x1 - x2);
                        t[8 + j] = 0.5f * (x1 + x2) + x3;
                    }
                    // (G^T dU) G: 3 x 3, row by row
                    for (int i = 0; i < 3; i++) {
                        float r0 = t[4 * i], r1 = t[4 * i + 1], r2 = t[4 * i + 2], r3 = t[4 * i + 3];
                        gw[d + 3 * i] = r0 + 0.5f * (r1 + r2);
                        gw[d + 3 * i + 1] = 0.5f * (r1 - r2);
                        gw[d + 3 * i + 2] = 0.5f * (r1 + r2) + r3;
                    }
                }
            }
        });
    }

    /** gb[r] = the sum of gy over images and positions of filter r, in double, in a fixed order. */
    static void biasGrads(Conv.Geometry g, float[] gy, int gyo, float[] gb, int gbo) {
        int n = g.n(), f = g.f(), hw = g.h() * g.w();
        Parallel.forRange(f, (long) n * hw, (f0, f1) -> {
            for (int r = f0; r < f1; r++) {
                double s = 0;
                for (int img = 0; img < n; img++) s += Im2col.sum(gy, gyo + (img * f + r) * hw, hw);
                gb[gbo + r] = (float) s;
            }
        });
    }
}
