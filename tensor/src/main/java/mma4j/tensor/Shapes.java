package mma4j.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by every op: sizes, contiguous strides, broadcasting, axis checks. */
public final class Shapes {
    private Shapes() {}

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Number of elements; throws if any dimension is negative or the total overflows an int. */
    public static int numel(int[] shape) {
        return numel("numel", shape);
    }

    /** Like {@link #numel(int[])}, naming the op that was handed the shape in the error. */
    public static int numel(String op, int[] shape) {
        if (shape == null) throw new IllegalArgumentException(op + ": shape must not be null");
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative size in shape " + str(shape));
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": shape " + str(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** Row-major strides for a dense tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** Normalizes a possibly negative axis; the op name goes into the error. */
    public static int axis(String op, int axis, int rank, int[] shape) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": axis " + axis + " out of range for shape " + str(shape) + " (rank " + rank + ")");
        }
        return a;
    }

    /** Sorted, deduplicated, normalized axes; an empty array means all axes. */
    public static int[] axes(String op, int[] axes, int[] shape) {
        int rank = shape.length;
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[rank];
        for (int a : axes) {
            int n = axis(op, a, rank, shape);
            if (seen[n]) throw new IllegalArgumentException(op + ": axis " + a + " repeated in " + Arrays.toString(axes) + " for shape " + str(shape));
            seen[n] = true;
        }
        int[] out = new int[axes.length];
        int k = 0;
        for (int i = 0; i < rank; i++) if (seen[i]) out[k++] = i;
        return out;
    }

    /** NumPy/PyTorch broadcasting of two shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides that read {@code t} as if it had shape {@code target} (0 along broadcast dimensions). */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            if (i < lead) continue;
            int d = shape[i - lead];
            out[i] = d == 1 && target[i] != 1 ? 0 : strides[i - lead];
        }
        return out;
    }

    public static boolean equal(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }

    /** Output shape of a reduction over the given (normalized) axes. */
    public static int[] reduced(int[] shape, int[] axes, boolean keepDims) {
        boolean[] r = new boolean[shape.length];
        for (int a : axes) r[a] = true;
        int n = 0;
        for (int i = 0; i < shape.length; i++) if (!r[i] || keepDims) n++;
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!r[i]) out[k++] = shape[i];
            else if (keepDims) out[k++] = 1;
        }
        return out;
    }
}
