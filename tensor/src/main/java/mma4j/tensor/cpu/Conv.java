package mma4j.tensor.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import mma4j.tensor.Tensor;

/**
 * 2-d convolution (NCHW, weight [F, C, kh, kw]) as im2col + GEMM, forward and both backwards.
 *
 * <p>The GEMM wants wide matrices, so the batch is cut into column blocks of about
 * {@link #COLS} output positions: a band of output rows of one image when maps are big, several
 * whole images side by side when they are small (a 4x4 map has 16 positions; 32 images of it
 * make one 512-column product). A <em>group</em> is one image (cut into row bands) or a run of
 * small images (one block). Worker threads take groups from a shared counter; each reuses its
 * own {@link ConvWorkspace} buffers and runs its GEMMs serially. When there is a single group
 * (batch 1, or small maps where one group holds the whole batch), the GEMM and the per-image
 * copies are parallel inside instead.
 *
 * <p>Per block: forward is {@code out = W [F x CKK] @ col [CKK x cols]}; the input gradient is
 * {@code col = W^T @ gy} folded back by col2im; the weight gradient is
 * {@code gW += gy [F x cols] @ col^T}, summed over a fixed cut of the groups into runs and then
 * over the runs in order. Since Gemm's results do not depend on the thread count either, every
 * output is bitwise the same for any number of threads. {@link Im2col} moves the data.
 *
 * <p>3x3 stride-1 padding-1 layers go elsewhere first: to {@link WinogradConv} with many channels
 * on maps of 4x4 and up, else to {@link DirectConv} where it applies.
 */
final class Conv {
    /** Target columns of one GEMM (system property mma4j.conv.cols, for tuning). */
    static final int COLS = Math.max(1, Integer.getInteger("mma4j.conv.cols", 512));
    /**
     * Runs of groups the weight gradient is summed in: enough for the threads to balance (a
     * few per core), few enough that the partial sums stay cheap to keep and add.
     */
    static final int WEIGHT_GRAD_UNITS = 8;
    /** Whether {@link DirectConv} serves the shapes it can (system property mma4j.conv.direct, for A/B runs). */
    static volatile boolean direct = Boolean.parseBoolean(System.getProperty("mma4j.conv.direct", "true"));
    /** Whether {@link WinogradConv} serves the shapes it applies to (system property mma4j.conv.winograd, for A/B runs). */
    static volatile boolean winograd = Boolean.parseBoolean(System.getProperty("mma4j.conv.winograd", "true"));
    /** Whether {@link TapConv} serves 3x3 layers on maps of at most 2x2 (system property mma4j.conv.taps, for A/B runs). */
    static volatile boolean taps = Boolean.parseBoolean(System.getProperty("mma4j.conv.taps", "true"));

    private Conv() {}

    record Geometry(int n, int c, int h, int w, int f, int kh, int kw, int stride, int pad, int oh, int ow) {
        int ckk() { return c * kh * kw; }
        int ohw() { return oh * ow; }
        int chw() { return c * h * w; }
        int hp() { return h + 2 * pad; }
        int wp() { return w + 2 * pad; }
        int paddedSize() { return c * hp() * wp(); }
    }

    static Geometry geometry(Tensor x, Tensor w, int stride, int pad) {
        int[] xs = x.shape(), ws = w.shape();
        int oh = (xs[2] + 2 * pad - ws[2]) / stride + 1, ow = (xs[3] + 2 * pad - ws[3]) / stride + 1;
        return new Geometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride, pad, oh, ow);
    }

    /**
     * The cut of a batch: {@code groups} groups, group i holding images [first(i), first(i+1));
     * a one-image group is processed in bands of {@code rows} output rows.
     */
    record Plan(Geometry g, int groups, int rows, Im2col.Shifts shifts) {
        static Plan of(Geometry g) {
            int ohw = g.ohw();
            Im2col.Shifts shifts = Im2col.shifted(g) ? Im2col.Shifts.of(g) : null;
            if (ohw >= COLS || g.n() == 1) return new Plan(g, g.n(), Math.max(1, Math.min(g.oh(), COLS / g.ow())), shifts);
            int perGroup = Math.min(g.n(), (COLS + ohw - 1) / ohw);
            return new Plan(g, (g.n() + perGroup - 1) / perGroup, g.oh(), shifts);
        }

        int first(int group) {
            return (int) ((long) g.n() * group / groups);
        }

        /** Most columns of one block: a band of one image, or the largest group. */
        int maxCols() {
            int maxImages = (g.n() + groups - 1) / groups;
            return maxImages == 1 ? rows * g.ow() : maxImages * g.ohw();
        }

    }

    @FunctionalInterface
    private interface GroupBody {
        /** Processes images [i0, i1), a group of unit {@code unit}; {@code firstInUnit} marks the unit's first group. */
        void run(int unit, int i0, int i1, boolean firstInUnit);
    }

    /**
     * Runs body over every group. Groups are cut into {@code units} contiguous runs, and threads
     * take runs from a shared counter, so a core that other processes slow down simply takes
     * fewer. Which groups form a unit depends only on the shape, never on the thread count or
     * the schedule: a per-unit partial sum is therefore reproducible bit for bit.
     */
    private static void forEachGroup(Plan p, int units, GroupBody body) {
        AtomicInteger next = new AtomicInteger();
        Parallel.forEach(Math.min(Parallel.threads(), units), t -> {
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int g0 = (int) ((long) p.groups * u / units), g1 = (int) ((long) p.groups * (u + 1) / units);
                for (int gi = g0; gi < g1; gi++) body.run(u, p.first(gi), p.first(gi + 1), gi == g0);
            }
        });
    }

    /** Whether im2col reads x and col2im adds into gx directly (no padded copy): the shift and table paths, or no padding. */
    private static boolean direct(Plan p) {
        return p.shifts != null || Im2col.narrow(p.g) || p.g.pad() == 0;
    }

    /** Padded copy of the image at xOff in this thread's workspace, or null when im2col reads x itself. */
    private static float[] padded(Plan p, float[] xd, int xOff, ConvWorkspace ws) {
        if (direct(p)) return null;
        float[] copy = ws.padded(p.g.paddedSize());
        Im2col.pad(xd, xOff, p.g, copy);
        return copy;
    }

    /** The narrow-map table of output rows [oy0, oy1), when that path applies (not same-size, narrow). */
    private static Im2col.Table table(Plan p, int oy0, int oy1) {
        return p.shifts == null && Im2col.narrow(p.g) ? Im2col.Table.of(p.g, oy0, oy1) : null;
    }

    /** Columns of output rows [oy0, oy1) of the image at xOff ({@code pad}: its padded copy, or null). */
    private static void toColumns(Plan p, float[] xd, int xOff, float[] pad, int oy0, int oy1, Im2col.Table t,
                                  float[] col, int colOff, int ld) {
        Geometry g = p.g;
        if (p.shifts != null) Im2col.im2col(xd, xOff, 1, g, p.shifts, oy0 * g.ow(), oy1 * g.ow(), col, colOff, ld);
        else if (t != null) Im2col.im2col(xd, xOff, 1, g, t, col, colOff, ld);
        else if (pad != null) Im2col.im2col(pad, 0, g, oy0, oy1, col, colOff, ld);
        else Im2col.im2col(xd, xOff, g, oy0, oy1, col, colOff, ld);
    }

    /** Adds columns of output rows [oy0, oy1) back into acc: gx itself when direct(p), else a padded image. */
    private static void fromColumns(Plan p, float[] col, int colOff, int ld, int oy0, int oy1, float[] acc, int accOff) {
        Geometry g = p.g;
        if (p.shifts != null) Im2col.col2im(col, colOff, ld, 1, g, p.shifts, oy0 * g.ow(), oy1 * g.ow(), acc, accOff);
        else if (Im2col.narrow(g)) Im2col.col2im(col, colOff, ld, 1, (oy1 - oy0) * g.ow(), g, Im2col.Inverse.of(g, oy0, oy1), acc, accOff, true);
        else Im2col.col2im(col, colOff, ld, g, oy0, oy1, acc, accOff);
    }

    /** Column matrix of images [i0, i1), whole maps side by side: image k at column k*OHW. */
    private static void im2colImages(Plan p, float[] xd, int xo, int i0, int i1, float[] col, int ld) {
        Geometry g = p.g;
        Im2col.Table t = table(p, 0, g.oh());
        Parallel.forRange(i1 - i0, (long) g.ckk() * g.ohw(), (a, b) -> {
            if (p.shifts != null) {
                Im2col.im2col(xd, xo + (i0 + a) * g.chw(), b - a, g, p.shifts, 0, g.ohw(), col, a * g.ohw(), ld);
                return;
            }
            if (t != null) {
                Im2col.im2col(xd, xo + (i0 + a) * g.chw(), b - a, g, t, col, a * g.ohw(), ld);
                return;
            }
            ConvWorkspace mine = ConvWorkspace.get();
            for (int k = a; k < b; k++) {
                int xOff = xo + (i0 + k) * g.chw();
                toColumns(p, xd, xOff, padded(p, xd, xOff, mine), 0, g.oh(), null, col, k * g.ohw(), ld);
            }
        });
    }

    /** blk[f, k*OHW + q] = t[i0 + k, f, q]: images [i0, i1) of an [N, F, OHW] tensor side by side. */
    private static void gatherImages(float[] t, int to, Geometry g, int i0, int i1, float[] blk, int ld) {
        int ohw = g.ohw(), fo = g.f() * ohw;
        Parallel.forRange(i1 - i0, fo, (a, b) -> {
            for (int k = a; k < b; k++) {
                for (int f = 0; f < g.f(); f++) Im2col.copy(t, to + (i0 + k) * fo + f * ohw, blk, f * ld + k * ohw, ohw);
            }
        });
    }

    // ------------------------------------------------------------------ forward

    static void forward(Tensor x, Tensor w, Tensor bias, int stride, int pad, Tensor out) {
        Geometry g = geometry(x, w, stride, pad);
        float[] xd = x.array(), wd = w.array(), od = out.array(), bd = bias == null ? null : bias.array();
        int xo = x.offset(), wo = w.offset(), oo = out.offset(), bo = bias == null ? 0 : bias.offset();
        if (winograd && WinogradConv.applies(g)) {
            WinogradConv.forward(g, xd, xo, wd, wo, bd, bo, od, oo);
            return;
        }
        if (taps && TapConv.applies(g)) {
            TapConv.forward(g, xd, xo, wd, wo, bd, bo, od, oo);
            return;
        }
        if (direct && DirectConv.applies(g, g.f())) {
            DirectConv.Packed a = DirectConv.Packed.of(wd, wo, g.f(), g.c(), ConvWorkspace.get().weights(DirectConv.packedSize(g.f(), g.c())));
            DirectConv.run(a, xd, xo, g.n(), g.h(), g.w(), bd, bo, od, oo);
            return;
        }
        Plan p = Plan.of(g);
        int f = g.f(), ckk = g.ckk(), ohw = g.ohw(), ow = g.ow();
        forEachGroup(p, p.groups, (unit, i0, i1, firstInUnit) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] col = ws.col(ckk * p.maxCols());
            if (i1 - i0 == 1) {
                int xOff = xo + i0 * g.chw();
                float[] xp = padded(p, xd, xOff, ws);
                for (int oy0 = 0; oy0 < g.oh(); oy0 += p.rows) {
                    int oy1 = Math.min(g.oh(), oy0 + p.rows), cols = (oy1 - oy0) * ow;
                    toColumns(p, xd, xOff, xp, oy0, oy1, table(p, oy0, oy1), col, 0, cols);
                    int yo = oo + i0 * f * ohw + oy0 * ow;
                    if (bd != null) for (int r = 0; r < f; r++) Arrays.fill(od, yo + r * ohw, yo + r * ohw + cols, bd[bo + r]);
                    Gemm.sgemm(f, cols, ckk, wd, wo, ckk, 1, col, 0, cols, 1, bd != null ? 1f : 0f, od, yo, ohw);
                }
            } else {
                int cols = (i1 - i0) * ohw;
                float[] blk = ws.block(f * cols);
                im2colImages(p, xd, xo, i0, i1, col, cols);
                Gemm.sgemm(f, cols, ckk, wd, wo, ckk, 1, col, 0, cols, 1, 0f, blk, 0, cols);
                // scatter the [F x images*OHW] block back to NCHW, adding the bias on the way
                Parallel.forRange(i1 - i0, (long) f * ohw, (a, b) -> {
                    for (int k = a; k < b; k++) {
                        for (int r = 0; r < f; r++) {
                            int dst = oo + ((i0 + k) * f + r) * ohw, src = r * cols + k * ohw;
                            if (bd == null) Im2col.copy(blk, src, od, dst, ohw);
                            else {
                                float bv = bd[bo + r];
                                for (int q = 0; q < ohw; q++) od[dst + q] = blk[src + q] + bv;
                            }
                        }
                    }
                });
            }
        });
    }

    // ------------------------------------------------------------------ gradient w.r.t. input

    /** dst [cols x rows] = src [rows x cols] (from offset so), in 16 x 16 tiles. */
    static float[] transpose(float[] src, int so, int rows, int cols, float[] dst) {
        for (int r0 = 0; r0 < rows; r0 += 16) {
            for (int c0 = 0; c0 < cols; c0 += 16) {
                int r1 = Math.min(rows, r0 + 16), c1 = Math.min(cols, c0 + 16);
                for (int r = r0; r < r1; r++) for (int c = c0; c < c1; c++) dst[c * rows + r] = src[so + r * cols + c];
            }
        }
        return dst;
    }

    static void backwardInput(Tensor gy, Tensor w, int stride, int pad, Tensor gx) {
        Geometry g = geometry(gx, w, stride, pad);
        float[] gyd = gy.array(), gxd = gx.array();
        int gyo = gy.offset(), gxo = gx.offset();
        if (winograd && WinogradConv.applies(g)) {
            WinogradConv.backwardInput(g, gyd, gyo, w.array(), w.offset(), gxd, gxo);
            return;
        }
        if (taps && TapConv.applies(g)) {
            TapConv.backwardInput(g, gyd, gyo, w.array(), w.offset(), gxd, gxo);
            return;
        }
        if (direct && DirectConv.applies(g, g.c())) {
            // the same convolution of gy with the weights flipped and transposed: W'[c, f, i, j] = W[f, c, 2-i, 2-j]
            ConvWorkspace ws = ConvWorkspace.get();
            float[] flipped = DirectConv.flip(w.array(), w.offset(), g.f(), g.c(), ws.block(g.f() * g.ckk()));
            DirectConv.Packed a = DirectConv.Packed.of(flipped, 0, g.c(), g.f(), ws.weights(DirectConv.packedSize(g.c(), g.f())));
            DirectConv.run(a, gyd, gyo, g.n(), g.h(), g.w(), null, 0, gxd, gxo);
            return;
        }
        Plan p = Plan.of(g);
        int f = g.f(), ckk = g.ckk(), ohw = g.ohw(), ow = g.ow();
        // A = W^T. With several GEMM calls a contiguous copy pays for itself (measured ~5% on the
        // 64- and 128-channel layers); a single call packs the strided view once anyway.
        boolean copyT = p.groups > 1;
        float[] wd = copyT ? transpose(w.array(), w.offset(), f, ckk, ConvWorkspace.get().weights(f * ckk)) : w.array();
        int wo = copyT ? 0 : w.offset(), aRs = copyT ? f : 1, aCs = copyT ? 1 : ckk;
        forEachGroup(p, p.groups, (unit, i0, i1, firstInUnit) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] col = ws.col(ckk * p.maxCols());
            if (i1 - i0 == 1) {
                int gxOff = gxo + i0 * g.chw();
                // accumulate into gx itself, or into a padded image that is copied out at the end
                boolean direct = direct(p);
                float[] acc = direct ? gxd : ws.padded(g.paddedSize());
                int ao = direct ? gxOff : 0;
                Arrays.fill(acc, ao, ao + (direct ? g.chw() : g.paddedSize()), 0f);
                for (int oy0 = 0; oy0 < g.oh(); oy0 += p.rows) {
                    int oy1 = Math.min(g.oh(), oy0 + p.rows), cols = (oy1 - oy0) * ow;
                    Gemm.sgemm(ckk, cols, f, wd, wo, aRs, aCs, gyd, gyo + i0 * f * ohw + oy0 * ow, ohw, 1, 0f, col, 0, cols);
                    fromColumns(p, col, 0, cols, oy0, oy1, acc, ao);
                }
                if (!direct) Im2col.unpad(acc, g, gxd, gxOff);
            } else {
                int cols = (i1 - i0) * ohw;
                float[] blk = ws.block(f * cols);
                gatherImages(gyd, gyo, g, i0, i1, blk, cols);
                Gemm.sgemm(ckk, cols, f, wd, wo, aRs, aCs, blk, 0, cols, 1, 0f, col, 0, cols);
                boolean narrow = p.shifts == null && Im2col.narrow(g), direct = direct(p);
                Im2col.Inverse inv = narrow ? Im2col.Inverse.of(g, 0, g.oh()) : null;
                Parallel.forRange(i1 - i0, (long) ckk * ohw, (a, b) -> {
                    if (p.shifts != null) {
                        int at = gxo + (i0 + a) * g.chw();
                        Arrays.fill(gxd, at, at + (b - a) * g.chw(), 0f);
                        Im2col.col2im(col, a * ohw, cols, b - a, g, p.shifts, 0, ohw, gxd, at);
                        return;
                    }
                    if (narrow) {
                        // whole maps: every pixel's sum is complete, so write it (no zeroing)
                        Im2col.col2im(col, a * ohw, cols, b - a, ohw, g, inv, gxd, gxo + (i0 + a) * g.chw(), false);
                        return;
                    }
                    ConvWorkspace mine = ConvWorkspace.get();
                    for (int k = a; k < b; k++) {
                        int gxOff = gxo + (i0 + k) * g.chw();
                        float[] acc = direct ? gxd : mine.padded(g.paddedSize());
                        int ao = direct ? gxOff : 0;
                        Arrays.fill(acc, ao, ao + (direct ? g.chw() : g.paddedSize()), 0f);
                        fromColumns(p, col, k * ohw, cols, 0, g.oh(), acc, ao);
                        if (!direct) Im2col.unpad(acc, g, gxd, gxOff);
                    }
                });
            }
        });
    }

    // ------------------------------------------------------------------ gradient w.r.t. weight and bias

    /**
     * gb[r] = the sum of gy over images and positions of filter r, in double, in a fixed order
     * (for WinogradConv and TapConv, which form no column matrix to sum it alongside).
     */
    static void biasGrads(Geometry g, float[] gy, int gyo, float[] gb, int gbo) {
        int n = g.n(), f = g.f(), hw = g.h() * g.w();
        Parallel.forRange(f, (long) n * hw, (f0, f1) -> {
            for (int r = f0; r < f1; r++) {
                double s = 0;
                for (int img = 0; img < n; img++) s += Im2col.sum(gy, gyo + (img * f + r) * hw, hw);
                gb[gbo + r] = (float) s;
            }
        });
    }

    static void backwardWeight(Tensor x, Tensor gy, int stride, int pad, Tensor gw, Tensor gb) {
        Geometry g = geometry(x, gw, stride, pad);
        if (winograd && WinogradConv.applies(g)) {
            WinogradConv.backwardWeight(g, x.array(), x.offset(), gy.array(), gy.offset(), gw.array(), gw.offset(),
                    gb == null ? null : gb.array(), gb == null ? 0 : gb.offset());
            return;
        }
        if (taps && TapConv.applies(g)) {
            TapConv.backwardWeight(g, x.array(), x.offset(), gy.array(), gy.offset(), gw.array(), gw.offset(),
                    gb == null ? null : gb.array(), gb == null ? 0 : gb.offset());
            return;
        }
        Plan p = Plan.of(g);
        float[] xd = x.array(), gyd = gy.array(), gwd = gw.array();
        int xo = x.offset(), gyo = gy.offset(), gwo = gw.offset();
        int f = g.f(), ckk = g.ckk(), ohw = g.ohw(), ow = g.ow();
        boolean directPath = direct && DirectConv.appliesToWeightGrad(g);
        // Groups (images, for the direct path) are summed in a fixed number of units (runs of
        // groups), each into its own partial (unit 0 straight into gw), added in unit order below:
        // the result does not depend on the thread count or on which thread took which unit.
        int units = Math.min(directPath ? g.n() : p.groups, WEIGHT_GRAD_UNITS);
        float[][] part = ConvWorkspace.get().partials(units, f * ckk);
        part[0] = gwd;
        double[][] partBias = new double[units][gb == null ? 0 : f];
        if (directPath) {
            int[] partOff = new int[units];
            partOff[0] = gwo;
            DirectConv.weightGrad(xd, xo, gyd, gyo, g.n(), g.c(), g.h(), g.w(), f, units, part, partOff, partBias);
        } else forEachGroup(p, units, (unit, i0, i1, firstInUnit) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] tgt = part[unit], col = ws.col(ckk * p.maxCols());
            int to = unit == 0 ? gwo : 0;
            double[] pb = partBias[unit];
            if (i1 - i0 == 1) {
                int xOff = xo + i0 * g.chw();
                float[] xp = padded(p, xd, xOff, ws);
                for (int oy0 = 0; oy0 < g.oh(); oy0 += p.rows) {
                    int oy1 = Math.min(g.oh(), oy0 + p.rows), cols = (oy1 - oy0) * ow;
                    toColumns(p, xd, xOff, xp, oy0, oy1, table(p, oy0, oy1), col, 0, cols);
                    int a = gyo + i0 * f * ohw + oy0 * ow;
                    float beta = firstInUnit && oy0 == 0 ? 0f : 1f;
                    Gemm.sgemm(f, ckk, cols, gyd, a, ohw, 1, col, 0, 1, cols, beta, tgt, to, ckk);
                    if (gb != null) for (int r = 0; r < f; r++) pb[r] += Im2col.sum(gyd, a + r * ohw, cols);
                }
            } else {
                int cols = (i1 - i0) * ohw;
                float[] blk = ws.block(f * cols);
                im2colImages(p, xd, xo, i0, i1, col, cols);
                gatherImages(gyd, gyo, g, i0, i1, blk, cols);
                float beta = firstInUnit ? 0f : 1f;
                Gemm.sgemm(f, ckk, cols, blk, 0, cols, 1, col, 0, 1, cols, beta, tgt, to, ckk);
                if (gb != null) for (int r = 0; r < f; r++) pb[r] += Im2col.sum(blk, r * cols, cols);
            }
        });
        if (units > 1) {
            Parallel.forRange(f * ckk, units, (a, b) -> {
                for (int u = 1; u < units; u++) Im2col.add(part[u], a, gwd, gwo + a, b - a);
            });
        }
        if (gb != null) {
            float[] gbd = gb.array();
            for (int r = 0; r < f; r++) {
                double s = 0;
                for (int u = 0; u < units; u++) s += partBias[u][r];
                gbd[gb.offset() + r] = (float) s;
            }
        }
    }
}
