package mma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import mma4j.tensor.cpu.Parallel;
import mma4j.tensor.cpu.Simd;
import org.junit.jupiter.api.function.Executable;

/**
 * Test support: a plain scalar reader that walks shape, strides and offset by hand (so it
 * shares no code with the kernels), random shapes and random memory layouts, and a runner
 * that repeats a check with SIMD on and off and with 1 and 2 threads.
 */
public final class TensorTesting {
    private TensorTesting() {}

    // ------------------------------------------------------------ the scalar reference reader

    /** Row-major multi-index of a linear position. */
    public static int[] unravel(int linear, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = linear % shape[d];
            linear /= shape[d];
        }
        return idx;
    }

    /** Position in the backing array of the element at idx. */
    public static int address(Tensor t, int[] idx) {
        int[] st = t.strides();
        int a = t.offset();
        for (int d = 0; d < idx.length; d++) a += idx[d] * st[d];
        return a;
    }

    public static float at(Tensor t, int... idx) {
        return t.array()[address(t, idx)];
    }

    /** The elements in row-major order, read one by one through the strides. */
    public static float[] values(Tensor t) {
        int[] shape = t.shape();
        int n = 1;
        for (int d : shape) n *= d;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = at(t, unravel(i, shape));
        return out;
    }

    public static double[] doubles(Tensor t) {
        float[] v = values(t);
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    // ------------------------------------------------------------ comparisons

    /** Bitwise equality, except that every NaN equals every other NaN (payloads differ between paths). */
    public static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    /** |expected - actual| <= tol[i] elementwise; NaNs and infinities must match exactly. */
    public static void assertClose(double[] expected, float[] actual, double[] tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                if (Double.compare((float) e, (float) a) != 0 && !(Double.isNaN(e) && Double.isNaN(a))) {
                    fail(what + ": element " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            if (!(Math.abs(e - a) <= tol[i])) fail(what + ": element " + i + " expected " + e + " +- " + tol[i] + " but was " + a);
        }
    }

    public static void assertClose(double[] expected, float[] actual, double relTol, String what) {
        double[] tol = new double[expected.length];
        for (int i = 0; i < tol.length; i++) tol[i] = relTol * Math.max(1, Math.abs(expected[i]));
        assertClose(expected, actual, tol, what);
    }

    /** Asserts an IllegalArgumentException whose message contains every fragment (op name, shapes). */
    public static IllegalArgumentException assertBadInput(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
        return e;
    }

    public static String str(int... shape) {
        return Arrays.toString(shape);
    }

    // ------------------------------------------------------------ random shapes and layouts

    /** A size for one dimension: mostly small and odd, sometimes 1, sometimes 0 when allowed. */
    public static int randomSize(Random rnd, boolean allowEmpty) {
        int r = rnd.nextInt(20);
        if (r == 0 && allowEmpty) return 0;
        if (r < 5) return 1;
        if (r < 17) return 2 + rnd.nextInt(6);
        return 8 + rnd.nextInt(30); // long enough for a vector body plus a tail
    }

    public static int[] randomShape(Random rnd, int maxRank, boolean allowEmpty) {
        int[] s = new int[rnd.nextInt(maxRank + 1)];
        for (int i = 0; i < s.length; i++) s[i] = randomSize(rnd, allowEmpty && rnd.nextInt(3) == 0);
        return s;
    }

    /** Random floats, mostly in [-4, 4), with a few exact ties. */
    public static float randomValue(Random rnd) {
        return rnd.nextInt(10) == 0 ? rnd.nextInt(5) - 2 : (float) (rnd.nextDouble() * 8 - 4);
    }

    /** Values that stress IEEE corners: signed zeros, infinities, NaN, tiny and huge. */
    public static final float[] SPECIAL = {0f, -0f, 1f, -1f, 0.5f, -0.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f, 88.7f, -103f, 1e6f};

    public static float randomValueWithSpecials(Random rnd) {
        return rnd.nextInt(8) == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : randomValue(rnd);
    }

    public interface ValueSource {
        float next(Random rnd);
    }

    public enum Layout { CONTIGUOUS, OFFSET, PERMUTED, NARROWED, EXPANDED, PERMUTED_NARROWED }

    /** A tensor of the given shape whose memory is laid out in a random way; garbage fills unused storage. */
    public static Tensor randomTensor(Random rnd, int[] shape, boolean allowExpanded, ValueSource values) {
        Layout[] all = Layout.values();
        Layout l;
        do {
            l = all[rnd.nextInt(all.length)];
        } while (l == Layout.EXPANDED && !allowExpanded);
        return tensorWithLayout(rnd, shape, l, values);
    }

    public static Tensor randomTensor(Random rnd, int[] shape, boolean allowExpanded) {
        return randomTensor(rnd, shape, allowExpanded, TensorTesting::randomValue);
    }

    public static Tensor tensorWithLayout(Random rnd, int[] shape, Layout l, ValueSource values) {
        int rank = shape.length;
        switch (l) {
            case CONTIGUOUS -> {
                return filled(rnd, shape.clone(), values);
            }
            case OFFSET -> {
                int n = numel(shape), off = 1 + rnd.nextInt(5);
                Tensor flat = filled(rnd, new int[] {n + off + rnd.nextInt(3)}, values);
                return flat.narrow(0, off, n).view(shape);
            }
            case PERMUTED -> {
                int[] perm = randomPermutation(rnd, rank);
                int[] baseShape = new int[rank];
                for (int i = 0; i < rank; i++) baseShape[perm[i]] = shape[i];
                // base.permute(perm) has shape[i] = baseShape[perm[i]]
                return filled(rnd, baseShape, values).permute(perm);
            }
            case NARROWED -> {
                return narrowedFrom(rnd, shape, values, null);
            }
            case PERMUTED_NARROWED -> {
                return narrowedFrom(rnd, shape, values, randomPermutation(rnd, rank));
            }
            case EXPANDED -> {
                int[] small = shape.clone();
                boolean any = false;
                for (int i = 0; i < rank; i++) {
                    if (rnd.nextBoolean()) {
                        small[i] = 1;
                        any = true;
                    }
                }
                int lead = any || rank == 0 ? 0 : rnd.nextInt(rank + 1);
                Tensor base = tensorWithLayout(rnd, Arrays.copyOfRange(small, lead, rank), Layout.values()[rnd.nextInt(4)], values);
                return base.expand(shape);
            }
            default -> throw new IllegalStateException(l.toString());
        }
    }

    private static Tensor narrowedFrom(Random rnd, int[] shape, ValueSource values, int[] perm) {
        int rank = shape.length;
        int[] big = new int[rank], start = new int[rank];
        for (int i = 0; i < rank; i++) {
            int extra = rnd.nextInt(3);
            big[i] = shape[i] + extra;
            start[i] = extra == 0 ? 0 : rnd.nextInt(extra + 1);
        }
        Tensor t;
        if (perm == null) {
            t = filled(rnd, big, values);
        } else {
            int[] baseShape = new int[rank];
            for (int i = 0; i < rank; i++) baseShape[perm[i]] = big[i];
            t = filled(rnd, baseShape, values).permute(perm);
        }
        for (int i = 0; i < rank; i++) t = t.narrow(i, start[i], shape[i]);
        return t;
    }

    public static int[] randomPermutation(Random rnd, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int x = p[i];
            p[i] = p[j];
            p[j] = x;
        }
        return p;
    }

    private static Tensor filled(Random rnd, int[] shape, ValueSource values) {
        float[] d = new float[numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = values.next(rnd);
        return Tensor.wrap(d, shape);
    }

    /** A shape that broadcasts with s: some trailing dims kept, some set to 1, some leading ones added or dropped. */
    public static int[] broadcastPartner(Random rnd, int[] s) {
        int drop = s.length == 0 ? 0 : rnd.nextInt(s.length + 1);
        int add = drop == 0 && rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(2) : 0;
        int[] out = new int[s.length - drop + add];
        for (int i = 0; i < add; i++) out[i] = rnd.nextBoolean() ? 1 : randomSize(rnd, false);
        for (int i = drop; i < s.length; i++) out[add + i - drop] = rnd.nextInt(3) == 0 ? 1 : s[i];
        return out;
    }

    /** A shape that broadcasts to exactly {@code out}: leading dims dropped, some dims set to 1. */
    public static int[] broadcastsTo(Random rnd, int[] out) {
        int drop = out.length == 0 ? 0 : rnd.nextInt(out.length + 1);
        int[] s = Arrays.copyOfRange(out, drop, out.length);
        for (int i = 0; i < s.length; i++) if (rnd.nextInt(3) == 0) s[i] = 1;
        return s;
    }

    // ------------------------------------------------------------ kernel modes

    /** One configuration of the CPU kernels. */
    public record Mode(boolean simd, int threads) {
        @Override
        public String toString() {
            return (simd ? "simd" : "scalar") + "/" + threads + "t";
        }
    }

    public static final Mode[] MODES = {new Mode(true, 1), new Mode(true, 2), new Mode(false, 1), new Mode(false, 2)};

    public interface ModeBody {
        void run(Mode mode) throws Exception;
    }

    /**
     * Runs the body in every mode; the split threshold is lowered to 1 so that even tiny tensors
     * take the multi-threaded path with its chunk edges. Settings are restored afterwards.
     */
    public static void inEveryMode(ModeBody body) {
        boolean simd = Simd.enabled();
        int threads = Parallel.threads();
        long grain = Parallel.grain();
        try {
            Parallel.setGrain(1);
            for (Mode m : MODES) {
                Simd.setEnabled(m.simd());
                Parallel.setThreads(m.threads());
                try {
                    body.run(m);
                } catch (AssertionError e) {
                    throw new AssertionError("[" + m + "] " + e.getMessage(), e);
                } catch (Exception e) {
                    throw new AssertionError("[" + m + "] " + e, e);
                }
            }
        } finally {
            Simd.setEnabled(simd);
            Parallel.setThreads(threads);
            Parallel.setGrain(grain);
        }
    }

    public static String describe(Tensor t) {
        return "shape " + str(t.shape()) + " strides " + str(t.strides()) + " offset " + t.offset();
    }
}
