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
 * small images (one block). Groups are split over the worker threads in contiguous ranges; each
 * thread reuses its own {@link ConvWorkspace} buffers and runs its GEMMs serially. When there are
 * fewer groups than threads (batch 1, or one group holding the whole batch), groups run one
 * after another and the GEMM and the per-image copies are parallel inside instead.
 *
 * <p>Per block: forward is {@code out = W [F x CKK] @ col [CKK x cols]}; the input gradient is
 * {@code col = W^T @ gy} folded back by col2im; the weight gradient is
 * {@code gW += gy [F x cols] @ col^T}, summed over threads in a fixed order, so that the same
 * thread count always gives the same bits.
 */
final class Conv {
    /** Target columns of one GEMM (system property mma4j.conv.cols, for tuning). */
    static final int COLS = Math.max(1, Integer.getInteger("mma4j.conv.cols", 512));

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
    record Plan(Geometry g, int groups, int rows) {
        static Plan of(Geometry g) {
            int ohw = g.ohw();
            if (ohw >= COLS || g.n() == 1) return new Plan(g, g.n(), Math.max(1, Math.min(g.oh(), COLS / g.ow())));
            int perGroup = Math.min(g.n(), (COLS + ohw - 1) / ohw);
            return new Plan(g, (g.n() + perGroup - 1) / perGroup, g.oh());
        }

        int first(int group) {
            return (int) ((long) g.n() * group / groups);
        }

        /** Most columns of one block: a band of one image, or the largest group. */
        int maxCols() {
            int maxImages = (g.n() + groups - 1) / groups;
            return maxImages == 1 ? rows * g.ow() : maxImages * g.ohw();
        }

        /** Threads that take groups (1 = groups in turn, parallel inside). */
        int tasks() {
            return Math.min(Parallel.threads(), groups);
        }
    }

    @FunctionalInterface
    private interface GroupBody {
        /** Processes images [i0, i1) as task {@code task}; {@code firstInTask} marks the task's first group. */
        void run(int task, int i0, int i1, boolean firstInTask);
    }

    /**
     * Runs body over every group. With {@code balanced}, tasks take groups from a shared counter
     * (a core that other processes slow down takes fewer), which is safe when groups write
     * disjoint outputs; otherwise each task takes a fixed contiguous range (needed when a task
     * sums its groups into its own partial result).
     */
    private static void forEachGroup(Plan p, boolean balanced, GroupBody body) {
        int tasks = p.tasks();
        AtomicInteger next = new AtomicInteger();
        Parallel.forEach(tasks, t -> {
            if (balanced) {
                boolean first = true;
                for (int gi; (gi = next.getAndIncrement()) < p.groups; first = false) body.run(t, p.first(gi), p.first(gi + 1), first);
            } else {
                int g0 = (int) ((long) p.groups * t / tasks), g1 = (int) ((long) p.groups * (t + 1) / tasks);
                for (int gi = g0; gi < g1; gi++) body.run(t, p.first(gi), p.first(gi + 1), gi == g0);
            }
        });
    }

    /** Whether col2im can add straight into gx (no padded copy needed): narrow maps, or no padding. */
    private static boolean direct(Geometry g) {
        return Im2col.narrow(g) || g.pad() == 0;
    }

    /** Padded copy of the image at xOff in this thread's workspace, or null when im2col reads x itself. */
    private static float[] padded(float[] xd, int xOff, Geometry g, ConvWorkspace ws) {
        if (direct(g)) return null;
        float[] p = ws.padded(g.paddedSize());
        Im2col.pad(xd, xOff, g, p);
        return p;
    }

    /** The narrow-map table of output rows [oy0, oy1), or null for wide maps. */
    private static Im2col.Table table(Geometry g, int oy0, int oy1) {
        return Im2col.narrow(g) ? Im2col.Table.of(g, oy0, oy1) : null;
    }

    /** Columns of output rows [oy0, oy1) of the image at xOff ({@code pad}: its padded copy, or null). */
    private static void toColumns(float[] xd, int xOff, float[] pad, Geometry g, int oy0, int oy1, Im2col.Table t,
                                  float[] col, int colOff, int ld) {
        if (t != null) Im2col.im2col(xd, xOff, g, t, col, colOff, ld);
        else if (pad != null) Im2col.im2col(pad, 0, g, oy0, oy1, col, colOff, ld);
        else Im2col.im2col(xd, xOff, g, oy0, oy1, col, colOff, ld);
    }

    /** Adds columns of output rows [oy0, oy1) back into acc: gx itself when direct(g), else a padded image. */
    private static void fromColumns(float[] col, int colOff, int ld, Geometry g, int oy0, int oy1, Im2col.Table t,
                                    float[] acc, int accOff) {
        if (t != null) Im2col.col2im(col, colOff, ld, g, t, acc, accOff);
        else Im2col.col2im(col, colOff, ld, g, oy0, oy1, acc, accOff);
    }

    /** Column matrix of images [i0, i1), whole maps side by side: image k at column k*OHW. */
    private static void im2colImages(float[] xd, int xo, Geometry g, int i0, int i1, float[] col, int ld) {
        Im2col.Table t = table(g, 0, g.oh());
        Parallel.forRange(i1 - i0, (long) g.ckk() * g.ohw(), (a, b) -> {
            ConvWorkspace mine = ConvWorkspace.get();
            for (int k = a; k < b; k++) {
                int xOff = xo + (i0 + k) * g.chw();
                toColumns(xd, xOff, padded(xd, xOff, g, mine), g, 0, g.oh(), t, col, k * g.ohw(), ld);
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
        Plan p = Plan.of(g);
        float[] xd = x.array(), wd = w.array(), od = out.array(), bd = bias == null ? null : bias.array();
        int xo = x.offset(), wo = w.offset(), oo = out.offset(), bo = bias == null ? 0 : bias.offset();
        int f = g.f(), ckk = g.ckk(), ohw = g.ohw(), ow = g.ow();
        forEachGroup(p, true, (task, i0, i1, firstInTask) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] col = ws.col(ckk * p.maxCols());
            if (i1 - i0 == 1) {
                int xOff = xo + i0 * g.chw();
                float[] xp = padded(xd, xOff, g, ws);
                for (int oy0 = 0; oy0 < g.oh(); oy0 += p.rows) {
                    int oy1 = Math.min(g.oh(), oy0 + p.rows), cols = (oy1 - oy0) * ow;
                    toColumns(xd, xOff, xp, g, oy0, oy1, table(g, oy0, oy1), col, 0, cols);
                    int yo = oo + i0 * f * ohw + oy0 * ow;
                    if (bd != null) for (int r = 0; r < f; r++) Arrays.fill(od, yo + r * ohw, yo + r * ohw + cols, bd[bo + r]);
                    Gemm.sgemm(f, cols, ckk, wd, wo, ckk, 1, col, 0, cols, 1, bd != null ? 1f : 0f, od, yo, ohw);
                }
            } else {
                int cols = (i1 - i0) * ohw;
                float[] blk = ws.block(f * cols);
                im2colImages(xd, xo, g, i0, i1, col, cols);
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
        Plan p = Plan.of(g);
        float[] gyd = gy.array(), gxd = gx.array();
        int gyo = gy.offset(), gxo = gx.offset();
        int f = g.f(), ckk = g.ckk(), ohw = g.ohw(), ow = g.ow();
        // A = W^T. With several GEMM calls a contiguous copy pays for itself (measured ~5% on the
        // 64- and 128-channel layers); a single call packs the strided view once anyway.
        boolean copyT = p.groups > 1;
        float[] wd = copyT ? transpose(w.array(), w.offset(), f, ckk, ConvWorkspace.get().weights(f * ckk)) : w.array();
        int wo = copyT ? 0 : w.offset(), aRs = copyT ? f : 1, aCs = copyT ? 1 : ckk;
        forEachGroup(p, true, (task, i0, i1, firstInTask) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] col = ws.col(ckk * p.maxCols());
            if (i1 - i0 == 1) {
                int gxOff = gxo + i0 * g.chw();
                // accumulate into gx itself, or into a padded image that is copied out at the end
                boolean direct = direct(g);
                float[] acc = direct ? gxd : ws.padded(g.paddedSize());
                int ao = direct ? gxOff : 0;
                Arrays.fill(acc, ao, ao + (direct ? g.chw() : g.paddedSize()), 0f);
                for (int oy0 = 0; oy0 < g.oh(); oy0 += p.rows) {
                    int oy1 = Math.min(g.oh(), oy0 + p.rows), cols = (oy1 - oy0) * ow;
                    Gemm.sgemm(ckk, cols, f, wd, wo, aRs, aCs, gyd, gyo + i0 * f * ohw + oy0 * ow, ohw, 1, 0f, col, 0, cols);
                    fromColumns(col, 0, cols, g, oy0, oy1, table(g, oy0, oy1), acc, ao);
                }
                if (!direct) Im2col.unpad(acc, g, gxd, gxOff);
            } else {
                int cols = (i1 - i0) * ohw;
                float[] blk = ws.block(f * cols);
                gatherImages(gyd, gyo, g, i0, i1, blk, cols);
                Gemm.sgemm(ckk, cols, f, wd, wo, aRs, aCs, blk, 0, cols, 1, 0f, col, 0, cols);
                Im2col.Table t = table(g, 0, g.oh());
                boolean direct = direct(g);
                Parallel.forRange(i1 - i0, (long) ckk * ohw, (a, b) -> {
                    ConvWorkspace mine = ConvWorkspace.get();
                    for (int k = a; k < b; k++) {
                        int gxOff = gxo + (i0 + k) * g.chw();
                        float[] acc = direct ? gxd : mine.padded(g.paddedSize());
                        int ao = direct ? gxOff : 0;
                        Arrays.fill(acc, ao, ao + (direct ? g.chw() : g.paddedSize()), 0f);
                        fromColumns(col, k * ohw, cols, g, 0, g.oh(), t, acc, ao);
                        if (!direct) Im2col.unpad(acc, g, gxd, gxOff);
                    }
                });
            }
        });
    }

    // ------------------------------------------------------------------ gradient w.r.t. weight and bias

    static void backwardWeight(Tensor x, Tensor gy, int stride, int pad, Tensor gw, Tensor gb) {
        Geometry g = geometry(x, gw, stride, pad);
        Plan p = Plan.of(g);
        float[] xd = x.array(), gyd = gy.array(), gwd = gw.array();
        int xo = x.offset(), gyo = gy.offset(), gwo = gw.offset();
        int f = g.f(), ckk = g.ckk(), ohw = g.ohw(), ow = g.ow();
        int tasks = p.tasks();
        // Each task sums its groups into its own partial (task 0 straight into gw), added in task
        // order below. Partials are per task, not per thread: one pool thread may run two tasks.
        float[][] part = ConvWorkspace.get().partials(tasks, f * ckk);
        part[0] = gwd;
        double[][] partBias = new double[tasks][gb == null ? 0 : f];
        forEachGroup(p, false, (task, i0, i1, firstInTask) -> {
            ConvWorkspace ws = ConvWorkspace.get();
            float[] tgt = part[task], col = ws.col(ckk * p.maxCols());
            int to = task == 0 ? gwo : 0;
            double[] pb = partBias[task];
            if (i1 - i0 == 1) {
                int xOff = xo + i0 * g.chw();
                float[] xp = padded(xd, xOff, g, ws);
                for (int oy0 = 0; oy0 < g.oh(); oy0 += p.rows) {
                    int oy1 = Math.min(g.oh(), oy0 + p.rows), cols = (oy1 - oy0) * ow;
                    toColumns(xd, xOff, xp, g, oy0, oy1, table(g, oy0, oy1), col, 0, cols);
                    int a = gyo + i0 * f * ohw + oy0 * ow;
                    float beta = firstInTask && oy0 == 0 ? 0f : 1f;
                    Gemm.sgemm(f, ckk, cols, gyd, a, ohw, 1, col, 0, 1, cols, beta, tgt, to, ckk);
                    if (gb != null) for (int r = 0; r < f; r++) pb[r] += Im2col.sum(gyd, a + r * ohw, cols);
                }
            } else {
                int cols = (i1 - i0) * ohw;
                float[] blk = ws.block(f * cols);
                im2colImages(xd, xo, g, i0, i1, col, cols);
                gatherImages(gyd, gyo, g, i0, i1, blk, cols);
                float beta = firstInTask ? 0f : 1f;
                Gemm.sgemm(f, ckk, cols, blk, 0, cols, 1, col, 0, 1, cols, beta, tgt, to, ckk);
                if (gb != null) for (int r = 0; r < f; r++) pb[r] += Im2col.sum(blk, r * cols, cols);
            }
        });
        if (tasks > 1) {
            Parallel.forRange(f * ckk, tasks, (a, b) -> {
                for (int t = 1; t < tasks; t++) Im2col.add(part[t], a, gwd, gwo + a, b - a);
            });
        }
        if (gb != null) {
            float[] gbd = gb.array();
            for (int r = 0; r < f; r++) {
                double s = 0;
                for (int t = 0; t < tasks; t++) s += partBias[t][r];
                gbd[gb.offset() + r] = (float) s;
            }
        }
    }
}
