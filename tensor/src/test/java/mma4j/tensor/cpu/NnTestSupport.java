package mma4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.function.Supplier;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/** Shared helpers of the conv, pooling and batch-norm tests: views, switches, comparisons. */
final class NnTestSupport {
    private NnTestSupport() {}

    /** How a test input is laid out in memory; the logical values are the same in each. */
    enum Layout {
        CONTIGUOUS,
        /** A permuted view: the storage holds the axes in reverse order. */
        PERMUTED,
        /** A narrowed view into a bigger tensor, so no axis has its natural stride. */
        NARROWED
    }

    static float[] randn(Generator g, int n, float scale, float shift) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) g.nextGaussian() * scale + shift;
        return d;
    }

    /** A tensor of the given layout whose logical (row-major) values are {@code values}. */
    static Tensor as(Layout layout, float[] values, int... shape) {
        Tensor dense = Tensor.of(values, shape);
        int r = shape.length;
        return switch (layout) {
            case CONTIGUOUS -> dense;
            case PERMUTED -> {
                if (r == 1) yield Tensor.of(interleave(values), shape[0], 2).select(1, 1); // stride 2
                int[] rev = new int[r];
                for (int i = 0; i < r; i++) rev[i] = r - 1 - i;
                Tensor v = dense.permute(rev).contiguous().permute(rev);
                // With size-1 axes the permuted copy can be contiguous again: narrow instead.
                yield v.isContiguous() ? as(Layout.NARROWED, values, shape) : v;
            }
            case NARROWED -> {
                int[] big = shape.clone();
                for (int i = 0; i < r; i++) big[i] += 3;
                Tensor v = Tensor.full(Float.NaN, big);
                for (int i = 0; i < r; i++) v = v.narrow(i, 1 + (i % 2), shape[i]);
                v.copyFrom(dense);
                yield v;
            }
        };
    }

    private static float[] interleave(float[] v) {
        float[] d = new float[2 * v.length];
        Arrays.fill(d, Float.NaN);
        for (int i = 0; i < v.length; i++) d[2 * i + 1] = v[i];
        return d;
    }

    /** Runs body with the SIMD path switched as asked, restoring the switch afterwards. */
    static <T> T withSimd(boolean on, Supplier<T> body) {
        boolean was = Simd.enabled();
        Simd.setEnabled(on);
        try {
            return body.get();
        } finally {
            Simd.setEnabled(was);
        }
    }

    /** Runs body with a fixed worker-thread count, restoring the previous count afterwards. */
    static <T> T withThreads(int threads, Supplier<T> body) {
        int was = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            return body.get();
        } finally {
            Parallel.setThreads(was);
        }
    }

    /**
     * Asserts |got - want| <= tol[i] for each element (NaN must match NaN), naming the first
     * failing element by its multi-index.
     */
    static void assertClose(String what, int[] shape, double[] want, double[] tol, float[] got) {
        if (got.length != want.length) fail(what + ": " + got.length + " values, expected " + want.length);
        for (int i = 0; i < want.length; i++) {
            boolean ok = Double.isNaN(want[i]) ? Float.isNaN(got[i]) : got[i] == want[i] || Math.abs(got[i] - want[i]) <= tol[i];
            if (!ok) {
                fail(what + ": at " + Arrays.toString(index(shape, i)) + " got " + got[i] + ", expected " + want[i] + " +- " + tol[i]);
            }
        }
    }

    /** Relative tolerance against a per-element magnitude (e.g. the sum of |terms| of a dot product). */
    static double[] tolerance(double[] magnitude, double rel, double abs) {
        double[] t = new double[magnitude.length];
        for (int i = 0; i < t.length; i++) t[i] = rel * magnitude[i] + abs;
        return t;
    }

    static void assertBitwiseEqual(String what, float[] a, float[] b) {
        if (a.length != b.length) fail(what + ": lengths " + a.length + " and " + b.length);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                fail(what + ": runs differ at flat index " + i + ": " + a[i] + " vs " + b[i]);
            }
        }
    }

    static int[] index(int[] shape, int flat) {
        int[] ix = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            ix[d] = flat % shape[d];
            flat /= shape[d];
        }
        return ix;
    }
}
