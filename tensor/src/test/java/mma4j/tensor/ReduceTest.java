package mma4j.tensor;

import static mma4j.tensor.TensorTesting.assertBadInput;
import static mma4j.tensor.TensorTesting.assertClose;
import static mma4j.tensor.TensorTesting.assertSameBits;
import static mma4j.tensor.TensorTesting.at;
import static mma4j.tensor.TensorTesting.describe;
import static mma4j.tensor.TensorTesting.inEveryMode;
import static mma4j.tensor.TensorTesting.numel;
import static mma4j.tensor.TensorTesting.randomShape;
import static mma4j.tensor.TensorTesting.randomTensor;
import static mma4j.tensor.TensorTesting.unravel;
import static mma4j.tensor.TensorTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Reductions over any axes, arg-reductions, variance and softmax against double-precision references. */
class ReduceTest {
    private static final double EPS = 0x1p-24;

    /** Groups the elements of x by output position of a reduction over the given axes (keepDims shape). */
    private static List<List<Float>> groups(Tensor x, boolean[] reduced) {
        int[] s = x.shape();
        int[] ks = s.clone();
        for (int d = 0; d < s.length; d++) if (reduced[d]) ks[d] = 1;
        List<List<Float>> g = new ArrayList<>();
        for (int i = 0; i < numel(ks); i++) g.add(new ArrayList<>());
        for (int i = 0; i < x.numel(); i++) {
            int[] idx = unravel(i, s);
            int o = 0;
            for (int d = 0; d < s.length; d++) o = o * ks[d] + (reduced[d] ? 0 : idx[d]);
            g.get(o).add(at(x, idx));
        }
        return g;
    }

    private static int[] keptShape(int[] s, boolean[] reduced, boolean keepDims) {
        List<Integer> out = new ArrayList<>();
        for (int d = 0; d < s.length; d++) {
            if (!reduced[d]) out.add(s[d]);
            else if (keepDims) out.add(1);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A random subset of axes, as the caller might write it: unsorted, sometimes negative, sometimes null (= all). */
    private static int[] randomAxes(Random rnd, int rank, boolean[] reduced) {
        if (rank == 0 || rnd.nextInt(8) == 0) {
            Arrays.fill(reduced, true);
            return rnd.nextBoolean() ? null : new int[0];
        }
        List<Integer> axes = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            if (rnd.nextBoolean()) {
                reduced[d] = true;
                axes.add(rnd.nextBoolean() ? d : d - rank);
            }
        }
        if (axes.isEmpty()) {
            int d = rnd.nextInt(rank);
            reduced[d] = true;
            axes.add(d);
        }
        java.util.Collections.shuffle(axes, rnd);
        return axes.stream().mapToInt(Integer::intValue).toArray();
    }

    @Property(tries = 150)
    void sumMeanMaxMinOverAnyAxes(@ForAll Random rnd) {
        int[] s = randomShape(rnd, 4, true);
        Tensor x = randomTensor(rnd, s, true);
        boolean[] reduced = new boolean[s.length];
        int[] axes = randomAxes(rnd, s.length, reduced);
        boolean keep = rnd.nextBoolean();
        List<List<Float>> g = groups(x, reduced);
        int n = g.size();
        double[] sum = new double[n], sumTol = new double[n], mean = new double[n], meanTol = new double[n];
        float[] max = new float[n], min = new float[n];
        boolean emptyReduction = false;
        for (int i = 0; i < n; i++) {
            List<Float> v = g.get(i);
            double abs = 0;
            float mx = Float.NEGATIVE_INFINITY, mn = Float.POSITIVE_INFINITY;
            for (float f : v) {
                sum[i] += f;
                abs += Math.abs(f);
                mx = Math.max(mx, f);
                mn = Math.min(mn, f);
            }
            // Float summation in any order: |error| <= (count-1) * eps * sum|x| (first order).
            sumTol[i] = (v.size() + 1) * EPS * abs * 1.01;
            mean[i] = v.isEmpty() ? Double.NaN : sum[i] / v.size();
            meanTol[i] = v.isEmpty() ? 0 : sumTol[i] / v.size() + 2 * EPS * Math.abs(mean[i]);
            max[i] = mx;
            min[i] = mn;
        }
        for (int d = 0; d < s.length; d++) emptyReduction |= reduced[d] && s[d] == 0; // PyTorch rejects these even when the output is empty
        int[] outShape = keptShape(s, reduced, keep);
        boolean anyEmpty = emptyReduction;
        String what = describe(x) + " axes " + Arrays.toString(axes) + " keepDims " + keep;
        inEveryMode(mode -> {
            Tensor ts = x.sum(axes, keep);
            assertArrayEquals(outShape, ts.shape(), what);
            assertClose(sum, values(ts), sumTol, "sum " + what);
            Tensor tm = x.mean(axes, keep);
            assertArrayEquals(outShape, tm.shape(), what);
            assertClose(mean, values(tm), meanTol, "mean " + what);
            if (!anyEmpty) {
                assertSameBits(max, values(x.max(axes, keep)), "max " + what);
                assertSameBits(min, values(x.min(axes, keep)), "min " + what);
            } else {
                assertBadInput(() -> x.max(axes, keep), "max", Arrays.toString(s));
                assertBadInput(() -> x.min(axes, keep), "min", Arrays.toString(s));
            }
        });
    }

    @Test
    void wholeTensorReductionsGiveZeroDimTensors() {
        Tensor x = Tensor.arange(1, 11, 1).view(2, 5);
        inEveryMode(mode -> {
            assertArrayEquals(new int[] {}, x.sum().shape());
            assertEquals(55f, x.sum().item());
            assertEquals(5.5f, x.mean().item());
            assertEquals(10f, x.max().item());
            assertEquals(1f, x.min().item());
            assertArrayEquals(new float[] {15f, 40f}, x.sum(1).toArray());
            assertArrayEquals(new float[] {7f, 9f, 11f, 13f, 15f}, x.sum(-2).toArray());
            assertEquals(3f, Tensor.scalar(3f).sum().item());
            assertEquals(0f, Tensor.zeros(0, 3).sum().item(), "sum of nothing is 0");
            assertTrue(Float.isNaN(Tensor.zeros(0).mean().item()), "mean of nothing is NaN, as in PyTorch");
            assertArrayEquals(new float[] {0f, 0f, 0f}, Tensor.zeros(0, 3).sum(0).toArray());
            assertArrayEquals(new int[] {0}, Tensor.zeros(0, 3).max(new int[] {1}, false).shape());
        });
    }

    @Test
    void maxAndMinPropagateNaN() {
        for (int n : new int[] {1, 5, 40}) {
            float[] v = new float[n * 3];
            for (int i = 0; i < v.length; i++) v[i] = i % 7;
            v[n + n / 2] = Float.NaN; // in the middle of row 1
            Tensor x = Tensor.of(v, 3, n);
            inEveryMode(mode -> {
                float[] mx = x.max(new int[] {1}, false).toArray(), mn = x.min(new int[] {1}, false).toArray();
                assertTrue(!Float.isNaN(mx[0]) && Float.isNaN(mx[1]) && !Float.isNaN(mx[2]), Arrays.toString(mx));
                assertTrue(Float.isNaN(mn[1]), Arrays.toString(mn));
                assertTrue(Float.isNaN(x.max().item()));
                assertTrue(Float.isNaN(x.t().min(new int[] {0}, false).toArray()[1]));
                assertTrue(Float.isNaN(x.max(new int[] {0}, false).toArray()[n / 2]));
            });
        }
    }

    @Test
    void longSumsStayAccurate() {
        // 1M values of 0.1 summed along a leading axis and a trailing axis, single and multi-threaded.
        Tensor x = Tensor.full(0.1f, 1000, 1000);
        double exact = 1000 * (double) 0.1f;
        inEveryMode(mode -> {
            for (float v : x.sum(new int[] {0}, false).toArray()) assertEquals(exact, v, 1000 * 1000 * EPS * 0.1);
            for (float v : x.sum(new int[] {1}, false).toArray()) assertEquals(exact, v, 1000 * 1000 * EPS * 0.1);
            assertEquals(1000 * exact, x.sum().item(), 1e6 * 1e6 * EPS * 0.1);
        });
    }

    @Test
    void longRowsAndTallColumnsTakeTheBlockedPaths() {
        // Shapes past the block size (2^14), odd so that blocks and vectors leave tails.
        Random rnd = new Random(11);
        int[][] shapes = {{3, 40_001}, {40_001, 3}, {5, 7_001, 3}, {33_333}, {2, 1_100, 17}, {3, 20_001, 4}, {7, 3, 1, 2_001}};
        int[][] axes = {{1}, {0}, {0, 1}, {0}, {0, 2}, {1}, {0, 2, 3}};
        for (int c = 0; c < 2 * shapes.length; c++) {
            int[] s = shapes[c / 2], ax = axes[c / 2];
            // Each shape dense (the no-copy paths) and in a random layout (the copying path).
            Tensor x = c % 2 == 0 ? TensorTesting.tensorWithLayout(rnd, s, TensorTesting.Layout.CONTIGUOUS, TensorTesting::randomValue)
                    : randomTensor(rnd, s, false);
            boolean[] reduced = new boolean[s.length];
            for (int a : ax) reduced[a] = true;
            List<List<Float>> g = groups(x, reduced);
            double[] sum = new double[g.size()], tol = new double[g.size()];
            float[] max = new float[g.size()], min = new float[g.size()];
            for (int i = 0; i < g.size(); i++) {
                double abs = 0;
                max[i] = Float.NEGATIVE_INFINITY;
                min[i] = Float.POSITIVE_INFINITY;
                for (float f : g.get(i)) {
                    sum[i] += f;
                    abs += Math.abs(f);
                    max[i] = Math.max(max[i], f);
                    min[i] = Math.min(min[i], f);
                }
                tol[i] = (g.get(i).size() + 1) * EPS * abs;
            }
            String what = describe(x) + " axes " + Arrays.toString(ax);
            inEveryMode(mode -> {
                assertClose(sum, values(x.sum(ax, false)), tol, "sum " + what);
                assertSameBits(max, values(x.max(ax, false)), "max " + what);
                assertSameBits(min, values(x.min(ax, false)), "min " + what);
            });
        }
    }

    // ------------------------------------------------------------ var

    @Property(tries = 120)
    void varianceBiasedAndUnbiased(@ForAll Random rnd) {
        int[] s = randomShape(rnd, 4, true);
        Tensor x = randomTensor(rnd, s, true);
        boolean[] reduced = new boolean[s.length];
        int[] axes = randomAxes(rnd, s.length, reduced);
        boolean keep = rnd.nextBoolean(), unbiased = rnd.nextBoolean();
        List<List<Float>> g = groups(x, reduced);
        double[] var = new double[g.size()], tol = new double[g.size()];
        for (int i = 0; i < g.size(); i++) {
            List<Float> v = g.get(i);
            int denom = unbiased ? v.size() - 1 : v.size();
            double m = 0, ss = 0, sq = 0;
            for (float f : v) m += f;
            m /= Math.max(1, v.size());
            for (float f : v) {
                ss += (f - m) * (f - m);
                sq += (double) f * f;
            }
            var[i] = denom <= 0 ? Double.NaN : ss / denom;
            // Float mean, squares and sums: error grows with count * eps * sum of squares.
            tol[i] = denom <= 0 ? 0 : (v.size() + 4) * 4 * EPS * sq / denom;
        }
        String what = describe(x) + " axes " + Arrays.toString(axes) + " keepDims " + keep + " unbiased " + unbiased;
        inEveryMode(mode -> {
            Tensor tv = x.var(axes, keep, unbiased);
            assertArrayEquals(keptShape(s, reduced, keep), tv.shape(), what);
            assertClose(var, values(tv), tol, "var " + what);
        });
    }

    @Test
    void varianceOfKnownValues() {
        Tensor x = Tensor.vector(1f, 2f, 3f, 4f);
        assertEquals(1.25f, x.var(null, false, false).item(), 1e-6);
        assertEquals(5f / 3f, x.var(null, false, true).item(), 1e-6);
        assertTrue(Float.isNaN(Tensor.vector(5f).var(null, false, true).item()), "unbiased variance of one value is NaN");
        assertEquals(0f, Tensor.vector(5f).var(null, false, false).item());
    }

    // ------------------------------------------------------------ argmax, argmin

    @Property(tries = 150)
    void argmaxAndArgminTakeTheFirstExtreme(@ForAll Random rnd) {
        int[] s = randomShape(rnd, 4, true);
        if (s.length == 0) s = new int[] {1 + rnd.nextInt(40)};
        int axis = rnd.nextInt(s.length);
        if (s[axis] == 0) s[axis] = 3;
        // Few distinct values so that ties are common; sometimes a NaN.
        Tensor x = randomTensor(rnd, s, true, r -> r.nextInt(40) == 0 ? Float.NaN : r.nextInt(4));
        boolean keep = rnd.nextBoolean();
        boolean[] reduced = new boolean[s.length];
        reduced[axis] = true;
        int[] ks = s.clone();
        ks[axis] = 1;
        float[] amax = new float[numel(ks)], amin = new float[numel(ks)];
        for (int o = 0; o < amax.length; o++) {
            int[] idx = unravel(o, ks);
            int bi = 0, si = 0;
            float bv = Float.NaN, sv = Float.NaN;
            for (int k = 0; k < s[axis]; k++) {
                idx[axis] = k;
                float v = at(x, idx);
                if (k == 0) {
                    bv = sv = v;
                    continue;
                }
                if (!Float.isNaN(bv) && (Float.isNaN(v) || v > bv)) {
                    bv = v;
                    bi = k;
                }
                if (!Float.isNaN(sv) && (Float.isNaN(v) || v < sv)) {
                    sv = v;
                    si = k;
                }
            }
            amax[o] = bi;
            amin[o] = si;
        }
        int[] fs = s;
        int negAxis = rnd.nextBoolean() ? axis : axis - s.length;
        String what = describe(x) + " axis " + negAxis;
        inEveryMode(mode -> {
            Tensor a = x.argmax(negAxis, keep), b = x.argmin(negAxis, keep);
            assertArrayEquals(keptShape(fs, reduced, keep), a.shape(), what);
            assertSameBits(amax, values(a), "argmax " + what);
            assertSameBits(amin, values(b), "argmin " + what);
        });
    }

    @Test
    void argmaxTiesAndErrors() {
        Tensor x = Tensor.vector(1f, 3f, 3f, 0f, 3f);
        assertEquals(1f, x.argmax(0, false).item(), "first index wins a tie");
        assertEquals(3f, x.argmin(0, false).item());
        assertEquals(2f, Tensor.vector(1f, 2f, Float.NaN, 7f, Float.NaN).argmax(0, false).item(), "NaN counts as the max");
        assertArrayEquals(new int[] {0}, Tensor.zeros(0, 4).argmax(1, false).shape());
        assertBadInput(() -> Tensor.zeros(3, 0).argmax(1, false), "argmax", "[3, 0]");
        assertBadInput(() -> Tensor.zeros(3, 2).argmin(2, false), "argmin", "[3, 2]");
    }

    // ------------------------------------------------------------ softmax

    @Property(tries = 150)
    void softmaxAndLogSoftmaxAlongAnyAxis(@ForAll Random rnd) {
        int[] s = randomShape(rnd, 4, true);
        if (s.length == 0) s = new int[] {1 + rnd.nextInt(40)};
        int axis = rnd.nextInt(s.length);
        float scale = new float[] {1f, 30f, 1e4f, 1e30f}[rnd.nextInt(4)];
        Tensor x = randomTensor(rnd, s, true, r -> r.nextInt(30) == 0 ? Float.NEGATIVE_INFINITY : TensorTesting.randomValue(r) * scale);
        int[] ks = s.clone();
        ks[axis] = 1;
        double[] sm = new double[numel(s)], lsm = new double[sm.length], lsmTol = new double[sm.length], smTol = new double[sm.length];
        for (int o = 0; o < numel(ks); o++) {
            int[] idx = unravel(o, ks);
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < s[axis]; k++) {
                idx[axis] = k;
                m = Math.max(m, at(x, idx));
            }
            double sum = 0;
            for (int k = 0; k < s[axis]; k++) {
                idx[axis] = k;
                sum += Math.exp(at(x, idx) - m);
            }
            for (int k = 0; k < s[axis]; k++) {
                idx[axis] = k;
                int lin = 0;
                for (int d = 0; d < s.length; d++) lin = lin * s[d] + idx[d];
                double v = at(x, idx);
                if (m == Double.NEGATIVE_INFINITY) { // a row of -inf: 0/0, as in PyTorch
                    sm[lin] = lsm[lin] = Double.NaN;
                    continue;
                }
                sm[lin] = Math.exp(v - m) / sum;
                // x - max is rounded to float (as in PyTorch), which exp turns into a relative error.
                smTol[lin] = sm[lin] == 0 ? 1e-38 : sm[lin] * (2 * EPS * Math.abs(v - m) + (s[axis] + 8) * 2 * EPS) + 1e-38;
                lsm[lin] = v - m - Math.log(sum);
                lsmTol[lin] = 4 * EPS * (Math.abs(v) + Math.abs(m) + Math.log(sum) + 1);
            }
        }
        int negAxis = rnd.nextBoolean() ? axis : axis - s.length;
        String what = describe(x) + " axis " + negAxis;
        inEveryMode(mode -> {
            Tensor p = x.softmax(negAxis), lp = x.logSoftmax(negAxis);
            assertArrayEquals(x.shape(), p.shape());
            assertClose(sm, values(p), smTol, "softmax " + what);
            assertClose(lsm, values(lp), lsmTol, "logSoftmax " + what);
        });
    }

    @Test
    void softmaxSpecialRows() {
        Tensor x = Tensor.of(new float[] {
            1e30f, 1e30f, -1e30f, 0f,                                     // huge logits: no overflow
            Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY, 0f,      // -inf gets exactly 0
            Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
            -1e30f, -1e30f, -1e30f, -1e30f}, 4, 4);
        inEveryMode(mode -> {
            float[] p = x.softmax(1).toArray(), lp = x.logSoftmax(-1).toArray();
            assertArrayEquals(new float[] {0.5f, 0.5f, 0f, 0f}, Arrays.copyOfRange(p, 0, 4));
            assertArrayEquals(new float[] {0f, 0.5f, 0f, 0.5f}, Arrays.copyOfRange(p, 4, 8));
            for (int i = 8; i < 12; i++) assertTrue(Float.isNaN(p[i]) && Float.isNaN(lp[i]), "a row of -inf is NaN, as in PyTorch");
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, Arrays.copyOfRange(p, 12, 16));
            float ln2 = (float) Math.log(2);
            assertArrayEquals(new float[] {-ln2, -ln2, -2e30f, -1e30f}, Arrays.copyOfRange(lp, 0, 4), 1e-6f);
            assertEquals(Float.NEGATIVE_INFINITY, lp[4]);
            assertEquals(-ln2, lp[5], 1e-6f);
            assertArrayEquals(new int[] {2, 0}, Tensor.zeros(2, 0).softmax(1).shape());
            assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 3).logSoftmax(1).shape());
        });
        assertBadInput(() -> x.softmax(2), "softmax", "[4, 4]");
        assertBadInput(() -> x.logSoftmax(-3), "logSoftmax", "[4, 4]");
    }

    // ------------------------------------------------------------ errors

    @Test
    void reductionErrorsNameTheOpAndShape() {
        Tensor x = Tensor.zeros(2, 3);
        assertBadInput(() -> x.sum(new int[] {2}, false), "sum", "[2, 3]");
        assertBadInput(() -> x.sum(new int[] {-3}, false), "sum", "[2, 3]");
        assertBadInput(() -> x.sum(new int[] {1, -1}, false), "sum", "[2, 3]");
        assertBadInput(() -> x.mean(new int[] {5}, true), "mean", "[2, 3]");
        assertBadInput(() -> x.max(new int[] {2}, true), "max", "[2, 3]");
        assertBadInput(() -> x.min(new int[] {-4}, true), "min", "[2, 3]");
        assertBadInput(() -> x.var(new int[] {2}, true, true), "var", "[2, 3]");
        assertBadInput(() -> x.argmax(2, true), "argmax", "[2, 3]");
        assertBadInput(() -> Tensor.zeros(2, 0).max(new int[] {1}, false), "max", "[2, 0]");
        assertBadInput(() -> Tensor.zeros(0).min(), "min", "[0]");
    }
}
