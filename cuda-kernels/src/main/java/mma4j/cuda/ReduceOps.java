package mma4j.cuda;

import static mma4j.cuda.Operands.base;
import static mma4j.cuda.Operands.device;

import mma4j.tensor.ReduceOp;
import mma4j.tensor.Tensor;

/** Reductions over axes, arg-max/min and softmax (reduce.cu). */
final class ReduceOps {
    /** Rows shorter than this are reduced by one thread each rather than one block each. */
    static final int THREAD_ROW_MAX = 32;

    private ReduceOps() {}

    /** x's dimensions split into the kept ones (rows: operand 0 x, operand 1 out) and the reduced ones. */
    record Split(Layout rows, Layout reduced) {}

    static Split split(Tensor x, Tensor out, boolean[] reducedAxes) {
        int rank = x.dim();
        int[] xs = x.shape(), xst = x.strides(), ost = out.strides();
        int kept = 0;
        for (boolean r : reducedAxes) if (!r) kept++;
        int[] ks = new int[kept], kx = new int[kept], ko = new int[kept];
        int[] rs = new int[rank - kept], rx = new int[rank - kept];
        for (int d = 0, a = 0, b = 0; d < rank; d++) {
            if (reducedAxes[d]) {
                rs[b] = xs[d];
                rx[b++] = xst[d];
            } else {
                ks[a] = xs[d];
                kx[a] = xst[d];
                ko[a++] = ost[d];
            }
        }
        return new Split(Layout.of(ks, new int[][] {kx, ko}, new int[] {x.offset(), out.offset()}),
                Layout.of(rs, new int[][] {rx}, new int[] {0}));
    }

    static boolean[] mask(int rank, int... axes) {
        boolean[] m = new boolean[rank];
        for (int a : axes) m[a] = true;
        return m;
    }

    /** Threads per block for rows of n elements: a whole number of warps, at most 256. */
    static int blockFor(long n) {
        return (int) Math.min(256, Math.max(32, (n + 31) / 32 * 32));
    }

    static void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        CudaDevice dev = device("reduce", x, out);
        Split s = split(x, out, mask(x.dim(), axes));
        long outer = s.rows().numel, inner = s.reduced().numel;
        if (outer == 0) return;
        if (inner == 0) {
            ElementwiseOps.fill(out, 0f);  // a sum of nothing; max/min of nothing is rejected by Tensor
            return;
        }
        Args args = new Args().layout(s.rows()).layout(s.reduced()).l(outer).l(inner).i(op.ordinal())
                .ptr(base("reduce", x)).ptr(base("reduce", out));
        // Many short rows (a bias gradient's column sums): one thread per row reads neighbouring
        // columns in neighbouring threads. Few long rows: a whole block per row.
        if (inner <= THREAD_ROW_MAX || (outer >= 32768 && inner <= 4096)) {
            dev.launch1d(Kernel.REDUCE_ROWS_THREAD, outer, args);
        } else {
            dev.launch(Kernel.REDUCE_ROWS_BLOCK, (int) Math.min(outer, 1 << 20), 1, 1, blockFor(inner), args);
        }
    }

    static void argReduce(boolean max, Tensor x, int axis, Tensor out) {
        CudaDevice dev = device("argReduce", x, out);
        Split s = split(x, out, mask(x.dim(), axis));
        long outer = s.rows().numel;
        int len = x.size(axis);
        if (outer == 0) return;
        dev.launch(Kernel.ARGREDUCE_ROWS, (int) Math.min(outer, 1 << 20), 1, 1, blockFor(len),
                new Args().layout(s.rows()).l(outer).i(len).i(x.strides()[axis]).i(max ? 1 : 0)
                        .ptr(base("argReduce", x)).ptr(base("argReduce", out)));
    }

    static void softmax(Tensor x, int axis, boolean log, Tensor out) {
        if (x.numel() == 0) return;
        CudaDevice dev = device("softmax", x, out);
        Tensor xv = x.dim() == 0 ? x.view(1) : x, ov = out.dim() == 0 ? out.view(1) : out;
        Split s = split(xv, ov, mask(xv.dim(), axis));
        long outer = s.rows().numel;
        int len = xv.size(axis);
        dev.launch(Kernel.SOFTMAX_ROWS, (int) Math.min(outer, 1 << 20), 1, 1, blockFor(len),
                new Args().layout(s.rows()).l(outer).i(len).i(xv.strides()[axis]).i(ov.strides()[axis]).i(log ? 1 : 0)
                        .ptr(base("softmax", x)).ptr(base("softmax", out)));
    }
}
