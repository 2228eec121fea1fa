package mma4j.cuda;

import java.util.Arrays;
import mma4j.tensor.Tensor;

/**
 * Up to four equally shaped strided operands, packed as the {@code Layout} struct of
 * common.cuh. Size-1 dimensions are dropped and dimensions that are back to back in every
 * operand are merged (as the CPU's Strided does), so a contiguous tensor becomes one
 * dimension of stride 1 and the kernel's index arithmetic is a single division.
 */
final class Layout {
    static final int MAX_RANK = 8;
    static final int MAX_OPERANDS = 4;
    /** Ints in the packed struct: rank, shape, strides per operand, offsets. */
    static final int PACKED_INTS = 1 + MAX_RANK + MAX_OPERANDS * MAX_RANK + MAX_OPERANDS;

    final int[] shape;
    final int[][] strides;
    final int[] offsets;
    final long numel;

    private Layout(int[] shape, int[][] strides, int[] offsets, long numel) {
        this.shape = shape;
        this.strides = strides;
        this.offsets = offsets;
        this.numel = numel;
    }

    /** The tensors (all of one shape) walked in lock step, with their view offsets. */
    static Layout of(Tensor... ts) {
        int[][] st = new int[ts.length][];
        int[] off = new int[ts.length];
        for (int i = 0; i < ts.length; i++) {
            if (!Arrays.equals(ts[i].shape(), ts[0].shape())) {
                throw new IllegalArgumentException("cuda layout: operand shapes differ, " + Arrays.toString(ts[0].shape()) + " and " + Arrays.toString(ts[i].shape()));
            }
            st[i] = ts[i].strides();
            off[i] = ts[i].offset();
        }
        return of(ts[0].shape(), st, off);
    }

    /** As {@link #of(Tensor...)} for explicit shape, per-operand strides and offsets. */
    static Layout of(int[] shape, int[][] strides, int[] offsets) {
        int k = strides.length;
        if (k < 1 || k > MAX_OPERANDS) throw new IllegalArgumentException("cuda layout: " + k + " operands, expected 1.." + MAX_OPERANDS);
        long numel = 1;
        for (int d : shape) numel *= d;
        int n = 0;
        int[] ms = new int[shape.length];
        int[][] mst = new int[k][shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (n > 0) {
                boolean merge = true;
                for (int i = 0; i < k; i++) {
                    if ((long) mst[i][n - 1] != (long) strides[i][d] * shape[d]) {
                        merge = false;
                        break;
                    }
                }
                if (merge) {
                    ms[n - 1] *= shape[d];
                    for (int i = 0; i < k; i++) mst[i][n - 1] = strides[i][d];
                    continue;
                }
            }
            ms[n] = shape[d];
            for (int i = 0; i < k; i++) mst[i][n] = strides[i][d];
            n++;
        }
        if (n > MAX_RANK) {
            throw new IllegalArgumentException("cuda: a view of shape " + Arrays.toString(shape) + " still has " + n
                    + " dimensions after merging, more than the kernels' " + MAX_RANK + "; make it contiguous() first");
        }
        int[][] outStrides = new int[k][];
        for (int i = 0; i < k; i++) outStrides[i] = Arrays.copyOf(mst[i], n);
        return new Layout(Arrays.copyOf(ms, n), outStrides, offsets.clone(), numel);
    }

    int rank() {
        return shape.length;
    }

    /** The struct's 45 ints; rank 0 (a single element) walks no dimensions. */
    int[] packed() {
        int[] p = new int[PACKED_INTS];
        p[0] = shape.length;
        for (int d = 0; d < shape.length; d++) p[1 + d] = shape[d];
        for (int i = 0; i < strides.length; i++) {
            for (int d = 0; d < shape.length; d++) p[1 + MAX_RANK + i * MAX_RANK + d] = strides[i][d];
        }
        for (int i = 0; i < offsets.length; i++) p[1 + MAX_RANK + MAX_OPERANDS * MAX_RANK + i] = offsets[i];
        return p;
    }

    @Override
    public String toString() {
        return "Layout(shape=" + Arrays.toString(shape) + ", strides=" + Arrays.deepToString(strides) + ", offsets=" + Arrays.toString(offsets) + ")";
    }
}
