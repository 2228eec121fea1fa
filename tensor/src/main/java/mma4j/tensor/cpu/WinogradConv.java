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
 * multiply-adds, all of them in {@link Gemm}. It pays with many channels (128 and more), where the
 * transforms (a few adds per value, per tile and channel) are small next to the products, which
 * grow with channels in times channels out; above all on VGG's 4x4 maps, too small for the direct
 * kernel's 32-wide blocks.
 *
 * <p>The input gradient is the same convolution of gy with the weights flipped and transposed,
 * whose transform is the weights' own, transposed, at mirrored positions. The weight gradient runs
 * in the transformed domain too: {@code dM = A dY A^T} per (filter, tile),
 * {@code dU[pos] = dM[pos] @ V[pos]^T}, then {@code dg = G^T dU G}.
 *
 * <p>The transforms are plain scalar loops. On 512x512x4 at batch 32 they took about a third of
 * the forward's ~9 ms (weights 1.1-1.5 ms, mostly moving U's 16 MiB; inputs 0.8; outputs 0.6),
 * the 16 products the rest; vector transforms are left for later. Every value is computed by one
 * fixed sequence of operations (each product by one serial {@link Gemm} call, whichever thread
 * takes it), so the results are bitwise independent of the thread count. F(2x2, 3x3) differs from direct
 * convolution by rounding only (its transforms have entries 0, +-1/2, +-1).
 */
final class WinogradConv {
    /** Positions of a transformed 4x4 tile: one product each. */
    static final int POS = 16;
    /** Fewest input and output channels for which {@link #applies} (at 64 it measured no faster; docs/BENCHMARKS.md). */
    static final int MIN_CHANNELS = 128;
    /**
     * Tiles per chunk of the batch (whole images, at least one): the products' width, as
     * {@link Conv#COLS} is im2col's. Chunks bound V and M; their cut depends on the shape only.
     */
    static final int CHUNK_TILES = 512;
    /** Position (i, j) of a 4x4 tile goes to (p(i), p(j)), p swapping 0 and 3 (see {@link #backwardInput}). */
    private static final int[] SWAPPED = {15, 13, 14, 12, 7, 5, 6, 4, 11, 9, 10, 8, 3, 1, 2, 0};

    private WinogradConv() {}

    /** Whether the transform works for this convolution: 3x3, stride 1, padding 1. */
    static boolean fits(Conv.Geometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.pad() == 1;
    }

    /**
     * Whether Conv should use it: {@link #fits}, at least {@link #MIN_CHANNELS} channels in and
     * out, maps of at least 4x4. Measured (A/B, 2 threads, batch 32) 0.6-0.85x the time of the
     * other paths from 128x128 channels on 4x4 to 32x32 maps; on 2x2 maps (three quarters of
     * each input tile is padding) and at 64 channels it was no faster.
     */
    static boolean applies(Conv.Geometry g) {
        return fits(g) && g.h() >= 4 && g.w() >= 4 && g.c() >= MIN_CHANNELS && g.f() >= MIN_CHANNELS;
    }

    // ------------------------------------------------------------------ the three passes

    /** y = conv(x, w) + bias (bias may be null). */
    static void forward(Conv.Geometry g, float[] x, int xo, float[] w, int wo, float[] bias, int bo, float[] y, int yo) {
        ConvWorkspace ws = ConvWorkspace.get();
        float[] u = weights(w, wo, g.f(), g.c(), ws.winogradWeights(POS * ConvWorkspace.planeStride(g.f() * g.c())));
        convolve(g, u, false, x, xo, bias, bo, y, yo, ws);
    }

    /**
     * gx = the convolution of gy with the weights flipped and transposed, W'[c, f] = W[f, c] turned
     * by 180 degrees. G J = P G (J reverses 3 entries, P swaps entries 0 and 3 of 4), so the
     * transform of a turned filter is the filter's own with rows and columns 0 and 3 swapped:
     * U'[pos] = U[{@link #SWAPPED}[pos]]^T.
     */
    static void backwardInput(Conv.Geometry g, float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo) {
        ConvWorkspace ws = ConvWorkspace.get();
        float[] u = weights(w, wo, g.f(), g.c(), ws.winogradWeights(POS * ConvWorkspace.planeStride(g.f() * g.c())));
        convolve(g, u, true, gy, gyo, null, 0, gx, gxo, ws);
    }

    /** gw = dL/dw (overwritten, as {@link Conv#backwardWeight} does); gb (may be null) = the sums of gy per filter. */
    static void backwardWeight(Conv.Geometry g, float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, float[] gb, int gbo) {
        ConvWorkspace ws = ConvWorkspace.get();
        int f = g.f(), c = g.c(), hw = g.h() * g.w(), per = chunkImages(g), most = new Tiling(per, g.h(), g.w()).count();
        int vPlane = ConvWorkspace.planeStride(c * most), mPlane = ConvWorkspace.planeStride(f * most), uPlane = ConvWorkspace.planeStride(f * c);
        float[] v = ws.winogradInputs(POS * vPlane), dm = ws.winogradProducts(POS * mPlane), du = ws.winogradWeights(POS * uPlane);
        for (int i0 = 0; i0 < g.n(); i0 += per) {
            Tiling t = new Tiling(Math.min(per, g.n() - i0), g.h(), g.w());
            int tiles = t.count();
            float beta = i0 == 0 ? 0f : 1f;
            inputs(t, c, x, xo + i0 * c * hw, v, vPlane);
            outputGrads(t, f, gy, gyo + i0 * f * hw, dm, mPlane);
            // dU[pos] [F x C] (+)= dM[pos] [F x tiles] @ V[pos]^T, chunk after chunk
            products(pos -> Gemm.sgemm(f, c, tiles, dm, pos * mPlane, tiles, 1, v, pos * vPlane, 1, tiles,
                    beta, du, pos * uPlane, c));
        }
        weightGrads(du, f, c, gw, gwo, uPlane);
        if (gb != null) Conv.biasGrads(g, gy, gyo, gb, gbo);
    }

    // ------------------------------------------------------------------ shared steps

    /** The 2x2 output tiles of n images of h x w (the last row and column cut off when odd): tile t = (image * th + ty) * tw + tx. */
    record Tiling(int n, int h, int w) {
        int th() { return (h + 1) / 2; }
        int tw() { return (w + 1) / 2; }
        int count() { return n * th() * tw(); }
    }

    /** Images per chunk: about {@link #CHUNK_TILES} tiles. */
    static int chunkImages(Conv.Geometry g) {
        return Math.max(1, Math.min(g.n(), CHUNK_TILES / new Tiling(1, g.h(), g.w()).count()));
    }

    /**
     * out = the convolution of in with transformed weights u [16][F x C], plus bias: [N, F, H, W]
     * from [N, C, H, W], or, {@code transposed}, [N, C, H, W] from [N, F, H, W]
     * with the weights flipped and transposed (see {@link #backwardInput}).
     */
    private static void convolve(Conv.Geometry g, float[] u, boolean transposed, float[] in, int io,
                                 float[] bias, int bo, float[] out, int oo, ConvWorkspace ws) {
        int rows = transposed ? g.c() : g.f(), channels = transposed ? g.f() : g.c(), hw = g.h() * g.w();
        int per = chunkImages(g), most = new Tiling(per, g.h(), g.w()).count();
        // A = U[pos] [F x C], or U[SWAPPED[pos]]^T [C x F]
        int aRs = transposed ? 1 : channels, aCs = transposed ? rows : 1;
        int uPlane = ConvWorkspace.planeStride(g.f() * g.c()), vPlane = ConvWorkspace.planeStride(channels * most), mPlane = ConvWorkspace.planeStride(rows * most);
        float[] v = ws.winogradInputs(POS * vPlane), m = ws.winogradProducts(POS * mPlane);
        for (int i0 = 0; i0 < g.n(); i0 += per) {
            Tiling t = new Tiling(Math.min(per, g.n() - i0), g.h(), g.w());
            int tiles = t.count();
            inputs(t, channels, in, io + i0 * channels * hw, v, vPlane);
            // M[pos] [rows x tiles] = U[pos] [rows x channels] @ V[pos] [channels x tiles]
            products(pos -> Gemm.sgemm(rows, tiles, channels, u, (transposed ? SWAPPED[pos] : pos) * uPlane, aRs, aCs,
                    v, pos * vPlane, tiles, 1, 0f, m, pos * mPlane, tiles));
            outputs(t, m, mPlane, rows, bias, bo, out, oo + i0 * rows * hw);
        }
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
     * u[pos][r, k] = (G g G^T)[pos] for the filter g = w[r, k] ([f, c, 3, 3] from wo). The input
     * gradient reads these transposed, through the GEMM's strides: writing a transposed copy here
     * measured slower (3.9 ms instead of 1.4 on 512 x 512; the packing of a transposed A costs less).
     */
    static float[] weights(float[] w, int wo, int f, int c, float[] u) {
        int plane = ConvWorkspace.planeStride(f * c);
        Parallel.forRange(f, 64L * c, (f0, f1) -> {
            for (int q = f0 * c; q < f1 * c; q++) filter(w, wo + q * 9, u, q, plane);
        });
        return u;
    }

    /** u[pos] at d (planes a plane apart) = (G g G^T)[pos] for the 3x3 filter g at w[s]. */
    private static void filter(float[] w, int s, float[] u, int d, int plane) {
        float g00 = w[s], g01 = w[s + 1], g02 = w[s + 2], g10 = w[s + 3], g11 = w[s + 4], g12 = w[s + 5];
        float g20 = w[s + 6], g21 = w[s + 7], g22 = w[s + 8];
        // G g, row by row: g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2; then each row times G^T
        filterRow(g00, g01, g02, u, d, plane);
        filterRow(0.5f * (g00 + g10 + g20), 0.5f * (g01 + g11 + g21), 0.5f * (g02 + g12 + g22), u, d + 4 * plane, plane);
        filterRow(0.5f * (g00 - g10 + g20), 0.5f * (g01 - g11 + g21), 0.5f * (g02 - g12 + g22), u, d + 8 * plane, plane);
        filterRow(g20, g21, g22, u, d + 12 * plane, plane);
    }

    /** One row (x0, x1, x2) of G g times G^T: x0, (x0 + x1 + x2) / 2, (x0 - x1 + x2) / 2, x2, a plane apart. */
    private static void filterRow(float x0, float x1, float x2, float[] u, int o, int plane) {
        u[o] = x0;
        u[o + plane] = 0.5f * (x0 + x1 + x2);
        u[o + 2 * plane] = 0.5f * (x0 - x1 + x2);
        u[o + 3 * plane] = x2;
    }

    /**
     * v[pos][k, t] = (B^T d B)[pos] for the 4x4 input tile d of channel k and tile t (rows 2ty-1 ..
     * 2ty+2, columns 2tx-1 .. 2tx+2, zero outside the map). Each plane is first copied with a zero
     * border (one row and column before, one or two after) so the tiles read it without checks.
     */
    static void inputs(Tiling t, int channels, float[] in, int io, float[] v, int plane) {
        int n = t.n(), h = t.h(), w = t.w(), th = t.th(), tw = t.tw(), tiles = t.count();
        int ph = 2 * th + 2, pw = 2 * tw + 2;
        // units channel-major, so each thread writes runs of consecutive tiles in every plane of v
        Parallel.forRange(channels * n, 40L * h * w, (a, b) -> {
            float[] p = ConvWorkspace.get().padded(ph * pw);
            java.util.Arrays.fill(p, 0, ph * pw, 0f);
            for (int unit = a; unit < b; unit++) {
                int k = unit / n, img = unit % n, src = io + (img * channels + k) * h * w;
                // a loop, not System.arraycopy: rows of 2..8 floats, where the call costs more than the copy
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p[(y + 1) * pw + 1 + x] = in[src + y * w + x];
                for (int ty = 0; ty < th; ty++) {
                    for (int tx = 0; tx < tw; tx++) {
                        int s = 2 * ty * pw + 2 * tx, o = k * tiles + (img * th + ty) * tw + tx;
                        float d00 = p[s], d01 = p[s + 1], d02 = p[s + 2], d03 = p[s + 3];
                        s += pw;
                        float d10 = p[s], d11 = p[s + 1], d12 = p[s + 2], d13 = p[s + 3];
                        s += pw;
                        float d20 = p[s], d21 = p[s + 1], d22 = p[s + 2], d23 = p[s + 3];
                        s += pw;
                        float d30 = p[s], d31 = p[s + 1], d32 = p[s + 2], d33 = p[s + 3];
                        // B^T d, row by row: d0 - d2, d1 + d2, d2 - d1, d1 - d3; then each row times B
                        inputRow(d00 - d20, d01 - d21, d02 - d22, d03 - d23, v, o, plane);
                        inputRow(d10 + d20, d11 + d21, d12 + d22, d13 + d23, v, o + 4 * plane, plane);
                        inputRow(d20 - d10, d21 - d11, d22 - d12, d23 - d13, v, o + 8 * plane, plane);
                        inputRow(d10 - d30, d11 - d31, d12 - d32, d13 - d33, v, o + 12 * plane, plane);
                    }
                }
            }
        });
    }

    /** One row (x0, x1, x2, x3) of B^T d times B: x0 - x2, x1 + x2, x2 - x1, x1 - x3, a plane apart. */
    private static void inputRow(float x0, float x1, float x2, float x3, float[] v, int o, int plane) {
        v[o] = x0 - x2;
        v[o + plane] = x1 + x2;
        v[o + 2 * plane] = x2 - x1;
        v[o + 3 * plane] = x1 - x3;
    }

    /** out[n, r] = A^T M[.][r, t] A (+ bias[r]) for every 2x2 output tile t, the parts inside the map. */
    static void outputs(Tiling t, float[] m, int plane, int rows, float[] bias, int bo, float[] out, int oo) {
        int n = t.n(), h = t.h(), w = t.w(), th = t.th(), tw = t.tw(), tiles = t.count();
        // units row-major, so each thread reads runs of consecutive tiles in every plane of m
        Parallel.forRange(rows * n, 40L * h * w, (a, b) -> {
            for (int unit = a; unit < b; unit++) {
                int r = unit / n, img = unit % n, dst = oo + (img * rows + r) * h * w;
                float add = bias == null ? 0f : bias[bo + r];
                for (int ty = 0; ty < th; ty++) {
                    for (int tx = 0; tx < tw; tx++) {
                        int s = r * tiles + (img * th + ty) * tw + tx;
                        float m00 = m[s], m01 = m[s + plane], m02 = m[s + 2 * plane], m03 = m[s + 3 * plane];
                        s += 4 * plane;
                        float m10 = m[s], m11 = m[s + plane], m12 = m[s + 2 * plane], m13 = m[s + 3 * plane];
                        s += 4 * plane;
                        float m20 = m[s], m21 = m[s + plane], m22 = m[s + 2 * plane], m23 = m[s + 3 * plane];
                        s += 4 * plane;
                        float m30 = m[s], m31 = m[s + plane], m32 = m[s + 2 * plane], m33 = m[s + 3 * plane];
                        // A^T M, row by row: m0 + m1 + m2, m1 - m2 - m3; then each row times A
                        float s00 = m00 + m10 + m20, s01 = m01 + m11 + m21, s02 = m02 + m12 + m22, s03 = m03 + m13 + m23;
                        float s10 = m10 - m20 - m30, s11 = m11 - m21 - m31, s12 = m12 - m22 - m32, s13 = m13 - m23 - m33;
                        int y = 2 * ty, x = 2 * tx, o = dst + y * w + x;
                        boolean right = x + 1 < w;
                        out[o] = s00 + s01 + s02 + add;
                        if (right) out[o + 1] = s01 - s02 - s03 + add;
                        if (y + 1 < h) {
                            out[o + w] = s10 + s11 + s12 + add;
                            if (right) out[o + w + 1] = s11 - s12 - s13 + add;
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
    static void outputGrads(Tiling t, int f, float[] gy, int gyo, float[] dm, int plane) {
        int n = t.n(), h = t.h(), w = t.w(), th = t.th(), tw = t.tw(), tiles = t.count();
        Parallel.forRange(f * n, 40L * h * w, (a, b) -> {
            for (int unit = a; unit < b; unit++) {
                int r = unit / n, img = unit % n, src = gyo + (img * f + r) * h * w;
                for (int ty = 0; ty < th; ty++) {
                    for (int tx = 0; tx < tw; tx++) {
                        int y0 = 2 * ty, x0 = 2 * tx, o = r * tiles + (img * th + ty) * tw + tx;
                        boolean down = y0 + 1 < h, right = x0 + 1 < w;
                        float g00 = gy[src + y0 * w + x0], g01 = right ? gy[src + y0 * w + x0 + 1] : 0f;
                        float g10 = down ? gy[src + (y0 + 1) * w + x0] : 0f, g11 = down && right ? gy[src + (y0 + 1) * w + x0 + 1] : 0f;
                        // A dY, row by row: g0, g0 + g1, g0 - g1, -g1; then each row times A^T
                        gradRow(g00, g01, dm, o, plane);
                        gradRow(g00 + g10, g01 + g11, dm, o + 4 * plane, plane);
                        gradRow(g00 - g10, g01 - g11, dm, o + 8 * plane, plane);
                        gradRow(-g10, -g11, dm, o + 12 * plane, plane);
                    }
                }
            }
        });
    }

    /** One row (a, b) of A dY times A^T: a, a + b, a - b, -b, a plane apart. */
    private static void gradRow(float a, float b, float[] dm, int o, int plane) {
        dm[o] = a;
        dm[o + plane] = a + b;
        dm[o + 2 * plane] = a - b;
        dm[o + 3 * plane] = -b;
    }

    /** gw[r, k] = G^T dU[.][r, k] G, the 3x3 weight gradient of filter r, channel k. */
    static void weightGrads(float[] du, int f, int c, float[] gw, int gwo, int plane) {
        Parallel.forRange(f, 64L * c, (f0, f1) -> {
            for (int q = f0 * c; q < f1 * c; q++) {
                float x00 = du[q], x01 = du[q + plane], x02 = du[q + 2 * plane], x03 = du[q + 3 * plane];
                int s = q + 4 * plane;
                float x10 = du[s], x11 = du[s + plane], x12 = du[s + 2 * plane], x13 = du[s + 3 * plane];
                s += 4 * plane;
                float x20 = du[s], x21 = du[s + plane], x22 = du[s + 2 * plane], x23 = du[s + 3 * plane];
                s += 4 * plane;
                float x30 = du[s], x31 = du[s + plane], x32 = du[s + 2 * plane], x33 = du[s + 3 * plane];
                // G^T dU, row by row: x0 + (x1 + x2) / 2, (x1 - x2) / 2, (x1 + x2) / 2 + x3; then each row times G
                int d = gwo + q * 9;
                weightRow(x00 + 0.5f * (x10 + x20), x01 + 0.5f * (x11 + x21), x02 + 0.5f * (x12 + x22), x03 + 0.5f * (x13 + x23), gw, d);
                weightRow(0.5f * (x10 - x20), 0.5f * (x11 - x21), 0.5f * (x12 - x22), 0.5f * (x13 - x23), gw, d + 3);
                weightRow(0.5f * (x10 + x20) + x30, 0.5f * (x11 + x21) + x31, 0.5f * (x12 + x22) + x32, 0.5f * (x13 + x23) + x33, gw, d + 6);
            }
        });
    }

    /** One row (x0, x1, x2, x3) of G^T dU times G: x0 + (x1 + x2) / 2, (x1 - x2) / 2, (x1 + x2) / 2 + x3. */
    private static void weightRow(float x0, float x1, float x2, float x3, float[] gw, int o) {
        gw[o] = x0 + 0.5f * (x1 + x2);
        gw[o + 1] = 0.5f * (x1 - x2);
        gw[o + 2] = 0.5f * (x1 + x2) + x3;
    }
}
