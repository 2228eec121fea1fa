package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import mma4j.tensor.ReduceOp;
import mma4j.tensor.Tensor;

/**
 * Reductions, arg-reductions and softmax. Every reduction is brought to one of two layouts:
 * reduce the contiguous tail of each row, or reduce leading rows into one output row.
 */
final class Reduce {
    private static final VectorSpecies<Float> F = Simd.F;

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
        int inner = outer == 0 ? 0 : x.numel() / Math.max(outer, 1);
        float[] od = out.array();
        if (x.numel() == 0) {
            java.util.Arrays.fill(od, out.offset(), out.offset() + outer, 0f); // sum of nothing; max/min rejected earlier
            return;
        }
        if (x.isContiguous() && isPrefix(axes) && axes.length < x.dim()) {
            columnReduce(op, x.array(), x.offset(), inner(x, axes), outer, od, out.offset());
            return;
        }
        Tensor p = keptFirst(x, axes).contiguous();
        float[] xd = p.array();
        int base = p.offset();
        Parallel.forRange(outer, inner, (from, to) -> {
            for (int r = from; r < to; r++) od[out.offset() + r] = rowReduce(op, xd, base + r * inner, inner);
        });
    }

    private static boolean isPrefix(int[] axes) {
        for (int i = 0; i < axes.length; i++) if (axes[i] != i) return false;
        return true;
    }

    private static int inner(Tensor x, int[] axes) {
        int n = 1;
        for (int a : axes) n *= x.size(a);
        return n;
    }

    /** out[j] = reduce over i of x[i*cols + j], i < rows: e.g. a bias gradient summed over the batch. */
    private static void columnReduce(ReduceOp op, float[] x, int xo, int rows, int cols, float[] out, int oo) {
        Parallel.forRange(cols, rows, (from, to) -> {
            for (int j = from; j < to; j++) out[oo + j] = x[xo + j];
            for (int i = 1; i < rows; i++) {
                int ri = xo + i * cols;
                int j = from;
                if (Simd.enabled()) {
                    int bound = from + F.loopBound(to - from);
                    for (; j < bound; j += F.length()) {
                        FloatVector acc = FloatVector.fromArray(F, out, oo + j);
                        FloatVector v = FloatVector.fromArray(F, x, ri + j);
                        (switch (op) {
                            case SUM -> acc.add(v);
                            case MAX -> acc.max(v);
                            case MIN -> acc.min(v);
                        }).intoArray(out, oo + j);
                    }
                }
                for (; j < to; j++) out[oo + j] = combine(op, out[oo + j], x[ri + j]);
            }
        });
    }

    private static float combine(ReduceOp op, float acc, float v) {
        return switch (op) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    static float rowReduce(ReduceOp op, float[] x, int off, int n) {
        int i = 0;
        float acc;
        if (Simd.enabled() && n >= F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, off);
            int bound = F.loopBound(n);
            for (i = F.length(); i < bound; i += F.length()) {
                FloatVector w = FloatVector.fromArray(F, x, off + i);
                v = switch (op) {
                    case SUM -> v.add(w);
                    case MAX -> v.max(w);
                    case MIN -> v.min(w);
                };
            }
            acc = switch (op) {
                // Lanes added left to right: reduceLanes(ADD) may change its order once C2 compiles it,
                // which broke "same seed => bitwise same losses" between a cold and a warm run.
                case SUM -> {
                    float[] lanes = v.toArray();
                    float s = lanes[0];
                    for (int k = 1; k < lanes.length; k++) s += lanes[k];
                    yield s;
                }
                case MAX -> v.reduceLanes(VectorOperators.MAX);
                case MIN -> v.reduceLanes(VectorOperators.MIN);
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
                for (int i = 1; i < n; i++) {
                    float v = xd[off + i];
                    // NaN counts as the extreme, as in PyTorch; the first index wins ties.
                    if (Float.isNaN(bv)) break;
                    if (Float.isNaN(v) || (max ? v > bv : v < bv)) {
                        bv = v;
                        best = i;
                    }
                }
                od[oo + r] = best;
            }
        });
    }

    static void softmax(Tensor x, int axis, boolean log, Tensor out) {
        int last = x.dim() - 1;
        boolean direct = axis == last && x.isContiguous();
        Tensor p = direct ? x : x.transpose(axis, last).contiguous();
        Tensor o = direct ? out : Tensor.empty(p.shape());
        int n = x.dim() == 0 ? 1 : x.size(axis);
        int rows = n == 0 ? 0 : x.numel() / n;
        float[] xd = p.array(), od = o.array();
        int xo = p.offset(), oo = o.offset();
        Parallel.forRange(rows, 8L * n, (from, to) -> {
            for (int r = from; r < to; r++) softmaxRow(xd, xo + r * n, od, oo + r * n, n, log);
        });
        if (!direct) out.transpose(axis, last).copyFrom(o);
    }

    /** Max-shifted softmax in double accumulation, so a row of large logits never overflows. */
    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[xo + i]);
        if (m == Float.NEGATIVE_INFINITY) m = 0f;
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(x[xo + i] - m);
        if (log) {
            float ls = (float) Math.log(s);
            for (int i = 0; i < n; i++) out[oo + i] = x[xo + i] - m - ls;
        } else {
            double inv = 1.0 / s;
            for (int i = 0; i < n; i++) out[oo + i] = (float) (Math.exp(x[xo + i] - m) * inv);
        }
    }
}
