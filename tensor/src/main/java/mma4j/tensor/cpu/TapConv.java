package mma4j.tensor.cpu;

import java.util.Arrays;

/**
 * 3x3 convolutions with stride 1 and padding 1 on maps of at most 2x2 (VGG's last block), as one
 * GEMM per kernel tap over only the (output, input) position pairs that tap connects.
 *
 * <p>Why: on a 2x2 map each output sees the whole map through four of its nine taps; the other
 * five read padding. im2col multiplies those zeros too (36 products per output and channel pair
 * where 16 touch data); Winograd F(2x2, 3x3) also does 16 but measured no faster than im2col
 * there (its transforms of mostly-padding tiles). Here tap t = (kh, kw) joins output o = (i, j) to input
 * p = (i + kh - 1, j + kw - 1) wherever p lies in the map, so
 *
 * <pre>
 *   forward         y[:, o_k] += W_t [F x C] @ x[:, p_k]         for the pairs (o_k, p_k) of tap t
 *   input gradient  gx[:, p_k] += W_t^T [C x F] @ gy[:, o_k]
 *   weight gradient gW_t = gy[:, o_*] [F x P*N] @ x[:, p_*]^T [P*N x C]
 * </pre>
 *
 * with the P pairs' columns (all N images each) side by side: 9 products of P*N columns, 16 pairs
 * in all on a 2x2 map. The weights are first copied tap-major (W_t contiguous), so each product
 * packs a plain matrix, and images and gradients position-major ([HW, C, N]), so each pair's
 * columns are one contiguous run of N (gathering them straight from [N, C, HW] measured as slow
 * as the products). Every output element takes its taps in the order t = 0..8 and each product
 * is one {@link Gemm} call, so results do not depend on the thread count.
 */
final class TapConv {
    /**
     * Fewest input and output channels for which {@link #applies}: A/B at batch 32 took 0.70-0.75x
     * im2col's time at 128 to 512 channels and no less at 64 (docs/BENCHMARKS.md).
     */
    static final int MIN_CHANNELS = 128;

    private TapConv() {}

    /** 3x3, stride 1, padding 1, maps of at most 2x2, at least {@link #MIN_CHANNELS} channels in and out. */
    static boolean applies(Conv.Geometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.pad() == 1 && g.h() <= 2 && g.w() <= 2
                && g.c() >= MIN_CHANNELS && g.f() >= MIN_CHANNELS;
    }

    /** The (output, input) flat position pairs of each tap: {@code pairs[t][2k]} = o_k, {@code pairs[t][2k + 1]} = p_k. */
    static int[][] pairs(int h, int w) {
        int[][] pairs = new int[9][];
        for (int t = 0; t < 9; t++) {
            int dy = t / 3 - 1, dx = t % 3 - 1, count = 0;
            int[] tp = new int[2 * h * w];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int pi = i + dy, pj = j + dx;
                    if (pi < 0 || pi >= h || pj < 0 || pj >= w) continue;
                    tp[count++] = i * w + j;
                    tp[count++] = pi * w + pj;
                }
            }
            pairs[t] = Arrays.copyOf(tp, count);
        }
        return pairs;
    }

    /** y = conv(x, w) + bias (bias may be null). */
    static void forward(Conv.Geometry g, float[] x, int xo, float[] w, int wo, float[] bias, int bo, float[] y, int yo) {
        int n = g.n(), c = g.c(), f = g.f(), hw = g.h() * g.w(), plane = ConvWorkspace.planeStride(f * c);
        ConvWorkspace ws = ConvWorkspace.get();
        float[] wt = tapMajor(w, wo, f, c, ws.winogradWeights(9 * plane), plane);
        float[] xt = toPositionMajor(x, xo, n, c, hw, ws.winogradInputs(c * hw * n));
        // A = W_t [F x C] from the tap-major copy; inputs are a pair's side 1, outputs its side 0
        float[] yt = sumOverTaps(g, wt, plane, c, 1, xt, c, 1, f, 0, ws);
        fromPositionMajor(yt, n, f, hw, bias, bo, y, yo);
    }

    /** gx = dL/dx (overwritten) from gy and the weights. */
    static void backwardInput(Conv.Geometry g, float[] gy, int gyo, float[] w, int wo, float[] gx, int gxo) {
        int n = g.n(), c = g.c(), f = g.f(), hw = g.h() * g.w(), plane = ConvWorkspace.planeStride(f * c);
        ConvWorkspace ws = ConvWorkspace.get();
        float[] wt = tapMajor(w, wo, f, c, ws.winogradWeights(9 * plane), plane);
        float[] gyt = toPositionMajor(gy, gyo, n, f, hw, ws.winogradInputs(f * hw * n));
        // A = W_t^T: column-major through the strides of the tap-major copy; gy is side 0, gx side 1
        float[] gxt = sumOverTaps(g, wt, plane, 1, c, gyt, f, 0, c, 1, ws);
        fromPositionMajor(gxt, n, c, hw, null, 0, gx, gxo);
    }

    /**
     * The position-major sum over the nine taps t of A_t times the columns of {@code in} that tap
     * t connects, one GEMM per tap: A_t is read from the tap-major weights at t*plane with strides
     * (aRs, aCs); {@code inSide} / {@code outSide} say which position of each (output, input) pair
     * the columns read and the products add to. Returns outCh x positions in the workspace.
     */
    private static float[] sumOverTaps(Conv.Geometry g, float[] wt, int plane, int aRs, int aCs, float[] in, int inCh, int inSide,
                                       int outCh, int outSide, ConvWorkspace ws) {
        int n = g.n(), hw = g.h() * g.w();
        float[] out = ws.winogradProducts(outCh * hw * n), cols = ws.col(inCh * hw * n), r = ws.block(outCh * hw * n);
        Arrays.fill(out, 0, outCh * hw * n, 0f);
        int[][] pairs = pairs(g.h(), g.w());
        for (int t = 0; t < 9; t++) {
            int[] tp = pairs[t];
            int width = tp.length / 2 * n;
            if (width == 0) continue;
            columns(in, n, inCh, tp, inSide, cols);
            Gemm.sgemm(outCh, width, inCh, wt, t * plane, aRs, aCs, cols, 0, width, 1, 0f, r, 0, width);
            addColumns(r, n, outCh, tp, outSide, out);
        }
        return out;
    }

    /** gw = dL/dw (overwritten, as {@link Conv#backwardWeight} does); gb (may be null) = the sums of gy per filter. */
    static void backwardWeight(Conv.Geometry g, float[] x, int xo, float[] gy, int gyo, float[] gw, int gwo, float[] gb, int gbo) {
        int n = g.n(), c = g.c(), f = g.f(), hw = g.h() * g.w(), plane = ConvWorkspace.planeStride(f * c);
        ConvWorkspace ws = ConvWorkspace.get();
        float[] xt = toPositionMajor(x, xo, n, c, hw, ws.winogradInputs(c * hw * n));
        float[] gyt = toPositionMajor(gy, gyo, n, f, hw, ws.winogradProducts(f * hw * n));
        float[] xs = ws.col(c * hw * n), gs = ws.block(f * hw * n), gt = ws.winogradWeights(9 * plane);
        int[][] pairs = pairs(g.h(), g.w());
        for (int t = 0; t < 9; t++) {
            int[] tp = pairs[t];
            int width = tp.length / 2 * n;
            if (width == 0) {
                Arrays.fill(gt, t * plane, t * plane + f * c, 0f); // a tap that never meets the map
                continue;
            }
            columns(xt, n, c, tp, 1, xs);
            columns(gyt, n, f, tp, 0, gs);
            // gW_t [F x C] = gs [F x width] @ xs^T [width x C]
            Gemm.sgemm(f, c, width, gs, 0, width, 1, xs, 0, 1, width, 0f, gt, t * plane, c);
        }
        // back from tap-major: gw[r, k, t] = gt[t*plane + r*C + k]
        Parallel.forRange(f, 9L * c, (f0, f1) -> {
            for (int r = f0; r < f1; r++) {
                for (int k = 0; k < c; k++) {
                    int d = gwo + (r * c + k) * 9, s = r * c + k;
                    for (int t = 0; t < 9; t++) gw[d + t] = gt[t * plane + s];
                }
            }
        });
        if (gb != null) Conv.biasGrads(g, gy, gyo, gb, gbo);
    }

    /**
     * wt[t*plane + r*C + k] = w[r, k, t]: each tap's [F x C] matrix contiguous, planes a little
     * more than a power of two apart ({@link ConvWorkspace#planeStride}) so the nine streams do not
     * share cache sets.
     */
    static float[] tapMajor(float[] w, int wo, int f, int c, float[] wt, int plane) {
        Parallel.forRange(f, 9L * c, (f0, f1) -> {
            for (int r = f0; r < f1; r++) {
                for (int k = 0; k < c; k++) {
                    int s = wo + (r * c + k) * 9, d = r * c + k;
                    for (int t = 0; t < 9; t++) wt[t * plane + d] = w[s + t];
                }
            }
        });
        return wt;
    }

    /** t[pos][ch][img] = a[img][ch][pos]: [N, CH, HW] to position-major [HW, CH, N], whose rows of N are contiguous. */
    static float[] toPositionMajor(float[] a, int ao, int n, int channels, int hw, float[] t) {
        Parallel.forRange(channels, (long) n * hw, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                for (int img = 0; img < n; img++) {
                    int s = ao + (img * channels + ch) * hw;
                    for (int pos = 0; pos < hw; pos++) t[(pos * channels + ch) * n + img] = a[s + pos];
                }
            }
        });
        return t;
    }

    /** a[img][ch][pos] = t[pos][ch][img] (+ bias[ch] when bias is not null): back to [N, CH, HW]. */
    static void fromPositionMajor(float[] t, int n, int channels, int hw, float[] bias, int bo, float[] a, int ao) {
        Parallel.forRange(channels, (long) n * hw, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float add = bias == null ? 0f : bias[bo + ch];
                for (int img = 0; img < n; img++) {
                    int d = ao + (img * channels + ch) * hw;
                    for (int pos = 0; pos < hw; pos++) a[d + pos] = t[(pos * channels + ch) * n + img] + add;
                }
            }
        });
    }

    /**
     * dst[ch, k*N .. k*N + N) = t[pos_k][ch][0 .. N) for the pairs of one tap, pos_k = the pair's
     * output (side 0) or input (side 1) position: an [CH x P*N] matrix of contiguous runs.
     */
    private static void columns(float[] t, int n, int channels, int[] tp, int side, float[] dst) {
        int pairs = tp.length / 2, width = pairs * n;
        Parallel.forRange(channels, width, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                for (int k = 0; k < pairs; k++) System.arraycopy(t, (tp[2 * k + side] * channels + ch) * n, dst, ch * width + k * n, n);
            }
        });
    }

    /** t[pos_k][ch][0 .. N) += r[ch, k*N .. k*N + N): the adjoint of {@link #columns}. */
    private static void addColumns(float[] r, int n, int channels, int[] tp, int side, float[] t) {
        int pairs = tp.length / 2, width = pairs * n;
        Parallel.forRange(channels, width, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                for (int k = 0; k < pairs; k++) {
                    int d = (tp[2 * k + side] * channels + ch) * n, s = ch * width + k * n;
                    for (int img = 0; img < n; img++) t[d + img] += r[s + img];
                }
            }
        });
    }
}
