package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import mma4j.tensor.ReduceOp;
import mma4j.tensor.Tensor;

/**
 * Reductions, arg-reductions and softmax. Every reduction is brought to one of two layouts:
 * reduce the contiguous tail of each row, or reduce leading rows into one output row.
 *
 * <p>Determinism: work is cut into blocks whose size depends only on the shape, each block is
 * summed in a fixed order, and partial results are combined in a fixed order. So results do not
 * even depend on the thread count. Lanes of a vector accumulator are added one by one
 * ({@link #sumLanes}), never with {@code reduceLanes(ADD)}, whose order may change when the JIT
 * recompiles a method; likewise exp goes through {@link Math#exp}, not the vector EXP operator.
 */
final class Reduce {
    private static final VectorSpecies<Float> F = Simd.F;
    /** Elements per independently summed block of a long row (and rows per block of a long column sum). */
    static final int BLOCK = 1 << 14;

    private Reduce() {}

    /** Permutes x so the kept axes come first and the reduced ones last. */
    private static Tensor keptFirst(Tensor x, int[] axes) {
        int rank = x.dim();
        boolean[] red = new boolean[rank];
        for (int a : axes) red[a] = true;
        int[] order = new int[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) if (!red[i]) order[k++] = i;
        for (int a : axes) order[k++] = a;
        return x.permute(order);
    }

    static void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        int outer = out.numel();
        float[] od = out.array();
        int oo = out.offset();
        if (outer == 0) return;
        if (x.numel() == 0) {
            java.util.Arrays.fill(od, oo, oo + outer, 0f); // sum of nothing; max/min were rejected by Tensor
            return;
        }
        int inner = x.numel() / outer;
        if (x.isContiguous() && reduceInPlace(op, x, axes, od, oo)) return;
        Tensor p = keptFirst(x, axes).contiguous();
        float[] xd = p.array();
        int base = p.offset();
        if (inner <= BLOCK) {
            Parallel.forRange(outer, inner, (from, to) -> {
                for (int r = from; r < to; r++) od[oo + r] = rowReduce(op, xd, base + r * inner, inner);
            });
            return;
        }
        // Long rows (e.g. a whole-tensor sum): fixed blocks in parallel, then each row's blocks in order.
        int blocks = (inner + BLOCK - 1) / BLOCK;
        float[] partial = new float[outer * blocks];
        Parallel.forRange(outer * blocks, BLOCK, (from, to) -> {
            for (int t = from; t < to; t++) {
                int r = t / blocks, b = t % blocks;
                int start = b * BLOCK, len = Math.min(BLOCK, inner - start);
                partial[t] = rowReduce(op, xd, base + r * inner + start, len);
            }
        });
        for (int r = 0; r < outer; r++) {
            float acc = partial[r * blocks];
            for (int b = 1; b < blocks; b++) acc = combine(op, acc, partial[r * blocks + b]);
            od[oo + r] = acc;
        }
    }

    /**
     * Reduces a contiguous x without copying when, after merging neighbouring dims of the same
     * kind (and dropping size-1 dims), it reads as [R, K] (leading rows), [K1, R, K2] (rows of
     * each outer slice) or [R1, K, R2] (a bias gradient [N, C, H*W] -> [C]). [K, R] and [R] are
     * already in row layout and take the general path without a copy. Returns false otherwise.
     */
    private static boolean reduceInPlace(ReduceOp op, Tensor x, int[] axes, float[] od, int oo) {
        int[] s = x.shape();
        boolean[] red = new boolean[s.length];
        for (int a : axes) red[a] = true;
        int[] size = new int[s.length];
        boolean[] kind = new boolean[s.length];
        int g = 0;
        for (int d = 0; d < s.length; d++) {
            if (s[d] == 1) continue;
            if (g > 0 && kind[g - 1] == red[d]) {
                size[g - 1] *= s[d];
            } else {
                size[g] = s[d];
                kind[g++] = red[d];
            }
        }
        float[] xd = x.array();
        int xo = x.offset();
        if (g == 2 && kind[0] && !kind[1]) {
            columnReduce(op, xd, xo, size[0], size[1], od, oo);
            return true;
        }
        if (g == 3 && !kind[0] && kind[1] && !kind[2]) {
            int slices = size[0], rows = size[1], cols = size[2];
            if (slices >= Parallel.threads()) {
                Parallel.forRange(slices, (long) rows * cols, (from, to) -> {
                    for (int a = from; a < to; a++) columnReduce(op, xd, xo + a * rows * cols, rows, cols, od, oo + a * cols);
                });
            } else {
                for (int a = 0; a < slices; a++) columnReduce(op, xd, xo + a * rows * cols, rows, cols, od, oo + a * cols);
            }
            return true;
        }
        if (g == 3 && kind[0] && !kind[1] && kind[2]) {
            int outerRuns = size[0], kept = size[1], run = size[2];
            Parallel.forRange(kept, (long) outerRuns * run, (from, to) -> {
                for (int k = from; k < to; k++) {
                    float acc = rowReduce(op, xd, xo + k * run, run);
                    for (int r = 1; r < outerRuns; r++) acc = combine(op, acc, rowReduce(op, xd, xo + (r * kept + k) * run, run));
                    od[oo + k] = acc;
                }
            });
            return true;
        }
        return false;
    }

    /**
     * out[j] = reduce over i of x[i*cols + j], i < rows: e.g. a bias gradient summed over the batch.
     * Vector over j, so each column is reduced in row order by both paths. Tall inputs are cut into
     * row blocks reduced in parallel and combined in block order.
     */
    private static void columnReduce(ReduceOp op, float[] x, int xo, int rows, int cols, float[] out, int oo) {
        // Wide outputs split well over columns; narrow ones (a few columns, many rows) by row blocks.
        int rowsPerBlock = BLOCK / Math.max(1, cols);
        int blocks = cols >= BLOCK / 16 ? 1 : (rows + rowsPerBlock - 1) / rowsPerBlock;
        if (blocks == 1) {
            Parallel.forRange(cols, rows, (from, to) -> columnBlock(op, x, xo, 0, rows, cols, from, to, out, oo));
            return;
        }
        float[] partial = new float[blocks * cols];
        Parallel.forRange(blocks, (long) rowsPerBlock * cols, (from, to) -> {
            for (int b = from; b < to; b++) {
                int r0 = b * rowsPerBlock, r1 = Math.min(rows, r0 + rowsPerBlock);
                columnBlock(op, x, xo, r0, r1, cols, 0, cols, partial, b * cols);
            }
        });
        System.arraycopy(partial, 0, out, oo, cols);
        for (int b = 1; b < blocks; b++) accumulateRow(op, partial, b * cols, out, oo, cols);
    }

    /** out[j] = reduce of rows r0..r1-1 of column j, for j in [from, to). */
    private static void columnBlock(ReduceOp op, float[] x, int xo, int r0, int r1, int cols, int from, int to, float[] out, int oo) {
        System.arraycopy(x, xo + r0 * cols + from, out, oo + from, to - from);
        for (int i = r0 + 1; i < r1; i++) {
            int ri = xo + i * cols;
            int j = from;
            if (Simd.enabled()) {
                int bound = from + F.loopBound(to - from);
                for (; j < bound; j += F.length()) {
                    FloatVector acc = FloatVector.fromArray(F, out, oo + j);
                    combine(op, acc, FloatVector.fromArray(F, x, ri + j)).intoArray(out, oo + j);
                }
            }
            for (; j < to; j++) out[oo + j] = combine(op, out[oo + j], x[ri + j]);
        }
    }

    /** out[j] = combine(out[j], src[j]) for j < n. */
    private static void accumulateRow(ReduceOp op, float[] src, int so, float[] out, int oo, int n) {
        int j = 0;
        if (Simd.enabled()) {
            int bound = F.loopBound(n);
            for (; j < bound; j += F.length()) {
                combine(op, FloatVector.fromArray(F, out, oo + j), FloatVector.fromArray(F, src, so + j)).intoArray(out, oo + j);
            }
        }
        for (; j < n; j++) out[oo + j] = combine(op, out[oo + j], src[so + j]);
    }

    private static float combine(ReduceOp op, float acc, float v) {
        return switch (op) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    private static FloatVector combine(ReduceOp op, FloatVector acc, FloatVector v) {
        return switch (op) {
            case SUM -> acc.add(v);
            case MAX -> acc.max(v);
            case MIN -> acc.min(v);
        };
    }

    /** Adds the lanes left to right: a fixed order, unlike reduceLanes(ADD). */
    static float sumLanes(FloatVector v) {
        float[] lanes = new float[F.length()];
        v.intoArray(lanes, 0);
        float s = lanes[0];
        for (int i = 1; i < lanes.length; i++) s += lanes[i];
        return s;
    }

    /** Reduces n contiguous floats (n >= 1). Four vector accumulators hide the add latency. */
    static float rowReduce(ReduceOp op, float[] x, int off, int n) {
        int i = 0;
        float acc;
        int l = F.length();
        if (Simd.enabled() && n >= l) {
            FloatVector v0 = FloatVector.fromArray(F, x, off);
            i = l;
            if (n >= 4 * l) {
                FloatVector v1 = FloatVector.fromArray(F, x, off + l);
                FloatVector v2 = FloatVector.fromArray(F, x, off + 2 * l);
                FloatVector v3 = FloatVector.fromArray(F, x, off + 3 * l);
                int bound4 = 4 * l * (n / (4 * l));
                for (i = 4 * l; i < bound4; i += 4 * l) {
                    v0 = combine(op, v0, FloatVector.fromArray(F, x, off + i));
                    v1 = combine(op, v1, FloatVector.fromArray(F, x, off + i + l));
                    v2 = combine(op, v2, FloatVector.fromArray(F, x, off + i + 2 * l));
                    v3 = combine(op, v3, FloatVector.fromArray(F, x, off + i + 3 * l));
                }
                v0 = combine(op, combine(op, v0, v1), combine(op, v2, v3));
            }
            int bound = F.loopBound(n);
            for (; i < bound; i += l) v0 = combine(op, v0, FloatVector.fromArray(F, x, off + i));
            acc = switch (op) {
                case SUM -> sumLanes(v0);
                case MAX -> v0.reduceLanes(jdk.incubator.vector.VectorOperators.MAX); // order-free
                case MIN -> v0.reduceLanes(jdk.incubator.vector.VectorOperators.MIN);
            };
        } else {
            acc = x[off];
            i = 1;
        }
        for (; i < n; i++) acc = combine(op, acc, x[off + i]);
        return acc;
    }

    static void argReduce(boolean max, Tensor x, int axis, Tensor out) {
        Tensor p = keptFirst(x, new int[] {axis}).contiguous();
        int n = x.size(axis), rows = out.numel();
        float[] xd = p.array(), od = out.array();
        int base = p.offset(), oo = out.offset();
        Parallel.forRange(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = base + r * n, best = 0;
                float bv = xd[off];
                for (int i = 1; i < n && !Float.isNaN(bv); i++) {
                    float v = xd[off + i];
                    // NaN counts as the extreme, as in PyTorch; the first index wins ties.
                    if (Float.isNaN(v) || (max ? v > bv : v < bv)) {
                        bv = v;
                        best = i;
                    }
                }
                od[oo + r] = best;
            }
        });
    }

    /**
     * Softmax along one axis of x seen as [outer, n, inner]. With inner == 1 each row is contiguous;
     * otherwise the n rows of each outer slice are combined as vectors over inner, so no transpose
     * is needed. Max-shifted, with the sum of exponentials accumulated in double.
     */
    static void softmax(Tensor x, int axis, boolean log, Tensor out) {
        if (x.numel() == 0) return;
        Tensor p = x.contiguous();
        int[] s = p.shape();
        int n = s.length == 0 ? 1 : s[axis], outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= s[d];
        for (int d = axis + 1; d < s.length; d++) inner *= s[d];
        float[] xd = p.array(), od = out.array();
        int xo = p.offset(), oo = out.offset();
        if (inner == 1) {
            Parallel.forRange(outer, 8L * n, (from, to) -> {
                for (int r = from; r < to; r++) softmaxRow(xd, xo + r * n, od, oo + r * n, n, log);
            });
            return;
        }
        int cols = inner;
        Parallel.forRange(outer, 8L * n * inner, (from, to) -> {
            float[] m = new float[cols];
            double[] sum = new double[cols];
            float[] scale = new float[cols];
            for (int a = from; a < to; a++) softmaxColumns(xd, xo + a * n * cols, od, oo + a * n * cols, n, cols, log, m, sum, scale);
        });
    }

    /** Max-shifted softmax of one contiguous row; a row of -inf gives NaN, as in PyTorch. */
    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) {
        float m = rowReduce(ReduceOp.MAX, x, xo, n);
        if (m == Float.NEGATIVE_INFINITY) m = 0f;
        double s = 0;
        if (log) {
            for (int i = 0; i < n; i++) s += Math.exp(x[xo + i] - m);
            float ls = (float) Math.log(s);
            // (x - m) first: it is exact near the max, so huge logits keep their small differences.
            for (int i = 0; i < n; i++) out[oo + i] = x[xo + i] - m - ls;
            return;
        }
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[xo + i] - m);
            out[oo + i] = e;
            s += e;
        }
        scaleRow(out, oo, n, (float) (1.0 / s));
    }

    private static void scaleRow(float[] out, int oo, int n, float k) {
        int i = 0;
        if (Simd.enabled()) {
            int bound = F.loopBound(n);
            for (; i < bound; i += F.length()) FloatVector.fromArray(F, out, oo + i).mul(k).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] *= k;
    }

    /** Softmax over the n rows of an [n, cols] block, column by column, vectorized over columns. */
    private static void softmaxColumns(float[] x, int xo, float[] out, int oo, int n, int cols, boolean log,
                                       float[] m, double[] sum, float[] scale) {
        System.arraycopy(x, xo, m, 0, cols);
        for (int k = 1; k < n; k++) accumulateRow(ReduceOp.MAX, x, xo + k * cols, m, 0, cols);
        for (int j = 0; j < cols; j++) if (m[j] == Float.NEGATIVE_INFINITY) m[j] = 0f;
        java.util.Arrays.fill(sum, 0.0);
        for (int k = 0; k < n; k++) {
            int r = k * cols;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x[xo + r + j] - m[j]);
                if (!log) out[oo + r + j] = e;
                sum[j] += e;
            }
        }
        if (log) {
            for (int j = 0; j < cols; j++) scale[j] = (float) Math.log(sum[j]);
            for (int k = 0; k < n; k++) {
                int r = k * cols;
                for (int j = 0; j < cols; j++) out[oo + r + j] = x[xo + r + j] - m[j] - scale[j];
            }
            return;
        }
        for (int j = 0; j < cols; j++) scale[j] = (float) (1.0 / sum[j]);
        for (int k = 0; k < n; k++) {
            int r = oo + k * cols, j = 0;
            if (Simd.enabled()) {
                int bound = F.loopBound(cols);
                for (; j < bound; j += F.length()) {
                    FloatVector.fromArray(F, out, r + j).mul(FloatVector.fromArray(F, scale, j)).intoArray(out, r + j);
                }
            }
            for (; j < cols; j++) out[r + j] *= scale[j];
        }
    }
}
