package mma4j.tensor.cpu;

import mma4j.tensor.Tensor;

/**
 * Walks several equally shaped strided views in lock step, one inner row at a time.
 * Dimensions that are laid out back to back in every operand are merged first, so that
 * contiguous tensors become a single long row that the SIMD row kernels can stream.
 */
final class Strided {
    final int[] shape;        // merged shape (at least 1-d)
    final int[][] strides;    // per operand, merged
    final int[] offsets;      // per operand base offset
    final int rows;           // number of inner rows
    final int rowLength;

    Strided(Tensor... ts) {
        int[] s = ts[0].shape();
        int k = ts.length;
        int[][] st = new int[k][];
        for (int i = 0; i < k; i++) st[i] = ts[i].strides();
        offsets = new int[k];
        for (int i = 0; i < k; i++) offsets[i] = ts[i].offset();
        // Drop size-1 dims, then merge neighbours that are contiguous in every operand.
        int n = 0;
        int[] ms = new int[Math.max(1, s.length)];
        int[][] mst = new int[k][Math.max(1, s.length)];
        for (int d = 0; d < s.length; d++) {
            if (s[d] == 1) continue;
            if (n > 0) {
                boolean merge = true;
                for (int i = 0; i < k; i++) if (mst[i][n - 1] != st[i][d] * s[d]) { merge = false; break; }
                if (merge) {
                    ms[n - 1] *= s[d];
                    for (int i = 0; i < k; i++) mst[i][n - 1] = st[i][d];
                    continue;
                }
            }
            ms[n] = s[d];
            for (int i = 0; i < k; i++) mst[i][n] = st[i][d];
            n++;
        }
        if (n == 0) {
            int total = 1;
            for (int d : s) total *= d;
            ms[0] = total; // 1 (all size-1) or 0 (an empty dim was dropped? no: size-0 dims are kept)
            n = 1;
            for (int i = 0; i < k; i++) mst[i][0] = 1;
        }
        shape = java.util.Arrays.copyOf(ms, n);
        strides = new int[k][];
        for (int i = 0; i < k; i++) strides[i] = java.util.Arrays.copyOf(mst[i], n);
        rowLength = shape[n - 1];
        int r = 1;
        for (int d = 0; d < n - 1; d++) r *= shape[d];
        rows = rowLength == 0 ? 0 : r;
    }

    int innerStride(int operand) {
        return strides[operand][shape.length - 1];
    }

    /** Offsets of each operand at the start of row {@code row}. */
    void rowOffsets(int row, int[] out) {
        for (int i = 0; i < offsets.length; i++) out[i] = offsets[i];
        int r = row;
        for (int d = shape.length - 2; d >= 0; d--) {
            int idx = r % shape[d];
            r /= shape[d];
            for (int i = 0; i < offsets.length; i++) out[i] += idx * strides[i][d];
        }
    }

    interface RowBody {
        void row(int[] offs, int length);
    }

    /** Calls body for every row, spreading rows (or pieces of one long row) over the pool. */
    void forEachRow(long workPerElement, RowBody body) {
        int k = offsets.length;
        if (rows == 1) {
            int len = rowLength;
            Parallel.forRange(len, workPerElement, (from, to) -> {
                int[] offs = new int[k];
                for (int i = 0; i < k; i++) offs[i] = offsets[i] + from * strides[i][shape.length - 1];
                body.row(offs, to - from);
            });
            return;
        }
        Parallel.forRange(rows, workPerElement * rowLength, (from, to) -> {
            int[] offs = new int[k];
            for (int r = from; r < to; r++) {
                rowOffsets(r, offs);
                body.row(offs, rowLength);
            }
        });
    }
}
