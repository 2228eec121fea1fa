package mma4j.tensor;

import static mma4j.tensor.TensorTesting.address;
import static mma4j.tensor.TensorTesting.assertBadInput;
import static mma4j.tensor.TensorTesting.assertSameBits;
import static mma4j.tensor.TensorTesting.at;
import static mma4j.tensor.TensorTesting.describe;
import static mma4j.tensor.TensorTesting.numel;
import static mma4j.tensor.TensorTesting.randomPermutation;
import static mma4j.tensor.TensorTesting.randomShape;
import static mma4j.tensor.TensorTesting.randomSize;
import static mma4j.tensor.TensorTesting.randomTensor;
import static mma4j.tensor.TensorTesting.unravel;
import static mma4j.tensor.TensorTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Views share storage and copy nothing; each is checked element by element against the strides. */
class ViewTest {

    private static Tensor arange(int... shape) {
        return Tensor.arange(numel(shape)).view(shape);
    }

    /** Writes a marker through the view at its last element and finds it in the base at the expected place. */
    private static void assertAliases(Tensor base, Tensor view, int[] viewIdx, int[] baseIdx) {
        assertSame(base.storage(), view.storage(), "a view shares its base's storage");
        int v0 = base.version();
        view.set(-12345f, viewIdx);
        assertEquals(-12345f, base.get(baseIdx), "write through the view shows in the base");
        assertTrue(base.version() > v0, "a write through a view bumps the shared version");
    }

    // ------------------------------------------------------------ view / reshape

    @Test
    void strideOfOneAxisMatchesStrides() {
        Tensor t = Tensor.zeros(2, 3, 4).permute(2, 0, 1);
        assertArrayEquals(new int[] {1, 12, 4}, t.strides());
        assertEquals(1, t.stride(0));
        assertEquals(4, t.stride(-1));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> t.stride(3));
        assertEquals("stride: axis 3 out of range for shape [4, 2, 3] (rank 3)", e.getMessage());
    }

    @Test
    void viewOfContiguousKeepsRowMajorOrderAndAliases() {
        Tensor x = arange(2, 3, 4);
        Tensor v = x.view(4, -1);
        assertArrayEquals(new int[] {4, 6}, v.shape());
        assertArrayEquals(new int[] {6, 1}, v.strides());
        assertSameBits(values(x), values(v), "view(4,-1)");
        assertAliases(x, v, new int[] {3, 5}, new int[] {1, 2, 3});
        assertArrayEquals(new int[] {24}, x.view(-1).shape());
        assertArrayEquals(new int[] {}, Tensor.scalar(3f).view().shape());
        assertArrayEquals(new int[] {1, 1}, Tensor.scalar(3f).view(1, -1).shape());
        assertEquals(3f, Tensor.vector(3f).view().item());
    }

    @Test
    void viewOfTransposeFollowsAtenStrideRule() {
        Tensor t = arange(3, 4).t(); // shape [4,3], strides [1,4]
        // Splitting a dimension is always possible: torch gives strides (2, 1, 4).
        Tensor split = t.view(2, 2, 3);
        assertArrayEquals(new int[] {2, 1, 4}, split.strides());
        assertSameBits(values(t), values(split), "split view");
        // Merging the two transposed dimensions is not.
        assertBadInput(() -> t.view(12), "view", "[4, 3]", "[12]");
        assertBadInput(() -> t.view(3, 4), "view", "[4, 3]", "[3, 4]");
        // reshape copies instead, with the same row-major values.
        Tensor r = t.reshape(12);
        assertNotSame(t.storage(), r.storage());
        assertSameBits(values(t), values(r), "reshape copies");
        // A narrowed tensor can merge its kept leading dims only when they stay evenly spaced.
        Tensor n = arange(4, 5).narrow(1, 1, 3); // strides [5,1], shape [4,3]
        assertBadInput(() -> n.view(12), "view");
        Tensor rows = arange(4, 5).narrow(0, 1, 2); // rows 1..2 are still contiguous
        assertArrayEquals(new int[] {10}, rows.view(10).shape());
        assertEquals(5, rows.view(10).offset());
        assertSameBits(values(rows), values(rows.view(10)), "narrowed rows view");
    }

    @Test
    void viewMergesExpandedDimsWhenTheyStayLinear() {
        Tensor e = Tensor.scalar(7f).expand(2, 3);
        Tensor v = e.view(6);
        assertArrayEquals(new int[] {0}, v.strides());
        Tensor e2 = arange(1, 4).expand(3, 4); // strides [0,1]
        assertArrayEquals(new int[] {0, 2, 1}, e2.view(3, 2, 2).strides());
        assertBadInput(() -> e2.view(12), "view");
    }

    /**
     * The view rule against brute force: a view exists iff the address of every element is an
     * affine function of the new multi-index. Derive those strides from unit steps and check
     * every element; view must succeed exactly when they work, and reshape must always give the
     * same values.
     */
    @Property(tries = 400)
    void viewExistsExactlyWhenTheAddressesAreAffine(@ForAll Random rnd) {
        int[] shape = randomShape(rnd, 4, true);
        Tensor x = randomTensor(rnd, shape, true);
        int n = numel(shape);
        int[] ns = randomFactorization(rnd, n, shape);
        int[] bruteStrides = bruteForceStrides(x, ns);
        String what = describe(x) + " as " + Arrays.toString(ns);
        Tensor r = x.reshape(ns);
        assertArrayEquals(ns, r.shape(), what);
        assertSameBits(values(x), values(r), "reshape " + what);
        if (bruteStrides == null) {
            assertBadInput(() -> x.view(ns), "view", Arrays.toString(shape));
            return;
        }
        Tensor v = x.view(ns);
        assertSame(x.storage(), v.storage(), what);
        assertSame(x.storage(), r.storage(), "reshape should not copy when a view exists: " + what);
        for (int i = 0; i < n; i++) {
            assertEquals(address(x, unravel(i, shape)), address(v, unravel(i, ns)), "address of element " + i + " in " + what);
        }
    }

    /** Splits n into a random shape of rank 0..4 (only rank >= 1 when n != 1); sometimes reuses the input shape. */
    private static int[] randomFactorization(Random rnd, int n, int[] like) {
        if (rnd.nextInt(6) == 0) return like.clone();
        if (n == 0) {
            int[] s = randomShape(rnd, 3, false);
            int[] out = Arrays.copyOf(s, s.length + 1);
            out[rnd.nextInt(out.length)] = 0;
            return out;
        }
        List<Integer> dims = new ArrayList<>();
        int rest = n;
        for (int p = 2; p <= rest; p++) {
            while (rest % p == 0) {
                dims.add(p);
                rest /= p;
            }
        }
        // Randomly group prime factors and sprinkle size-1 dims.
        List<Integer> out = new ArrayList<>();
        int acc = 1;
        for (int d : dims) {
            acc *= d;
            if (rnd.nextBoolean()) {
                out.add(acc);
                acc = 1;
            }
        }
        if (acc != 1 || out.isEmpty()) out.add(acc);
        int ones = rnd.nextInt(3);
        for (int i = 0; i < ones; i++) out.add(rnd.nextInt(out.size() + 1), 1);
        if (n == 1 && rnd.nextBoolean()) out.clear();
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] bruteForceStrides(Tensor x, int[] ns) {
        int n = numel(ns);
        int[] st = new int[ns.length];
        if (n == 0) return st;
        int base = address(x, unravel(0, x.shape()));
        int unit = 1;
        for (int d = ns.length - 1; d >= 0; d--) {
            st[d] = ns[d] > 1 ? address(x, unravel(unit, x.shape())) - base : 0;
            unit *= ns[d];
        }
        for (int i = 0; i < n; i++) {
            int[] idx = unravel(i, ns);
            int a = base;
            for (int d = 0; d < ns.length; d++) a += idx[d] * st[d];
            if (a != address(x, unravel(i, x.shape()))) return null;
        }
        return st;
    }

    @Test
    void viewOfEmptyTensor() {
        Tensor e = Tensor.zeros(0, 3);
        assertArrayEquals(new int[] {3, 0, 5}, e.view(3, 0, 5).shape());
        assertArrayEquals(new int[] {0}, e.view(-1).shape());
        assertBadInput(() -> e.view(-1, 0), "view", "[-1, 0]");
        assertArrayEquals(new int[] {2, 0}, e.view(2, -1).shape(), "-1 is 0 when the known sizes are not 0, as in PyTorch");
        assertEquals(0, e.narrow(1, 1, 0).view(0).numel());
    }

    // ------------------------------------------------------------ permute, transpose, narrow, select

    @Property(tries = 200)
    void permuteReadsThroughTheOrder(@ForAll Random rnd) {
        int[] shape = randomShape(rnd, 4, true);
        Tensor x = randomTensor(rnd, shape, true);
        int[] perm = randomPermutation(rnd, shape.length);
        Tensor p = x.permute(perm);
        assertSame(x.storage(), p.storage());
        for (int i = 0; i < p.numel(); i++) {
            int[] pi = unravel(i, p.shape());
            int[] xi = new int[shape.length];
            for (int d = 0; d < perm.length; d++) xi[perm[d]] = pi[d];
            assertEquals(address(x, xi), address(p, pi), describe(x) + " permute " + Arrays.toString(perm));
        }
        // Negative axes mean the same thing.
        int[] neg = perm.clone();
        for (int i = 0; i < neg.length; i++) if (rnd.nextBoolean()) neg[i] -= shape.length;
        assertArrayEquals(p.strides(), x.permute(neg).strides());
    }

    @Test
    void transposeSwapsTwoAxesAndAliases() {
        Tensor x = arange(2, 3, 4);
        Tensor t = x.transpose(0, -1);
        assertArrayEquals(new int[] {4, 3, 2}, t.shape());
        assertArrayEquals(new int[] {1, 4, 12}, t.strides());
        assertEquals(x.get(1, 2, 3), t.get(3, 2, 1));
        assertFalse(t.isContiguous());
        assertAliases(x, t, new int[] {3, 0, 1}, new int[] {1, 0, 3});
        Tensor m = arange(3, 5);
        assertArrayEquals(new int[] {5, 3}, m.t().shape());
        assertSameBits(values(m), values(m.t().t()), "t().t()");
        assertBadInput(() -> x.t(), "t", "[2, 3, 4]");
    }

    @Test
    void narrowSliceAndSelect() {
        Tensor x = arange(4, 5);
        Tensor n = x.narrow(1, 2, 3);
        assertArrayEquals(new int[] {4, 3}, n.shape());
        assertEquals(2, n.offset());
        assertEquals(x.get(3, 4), n.get(3, 2));
        assertAliases(x, n, new int[] {1, 1}, new int[] {1, 3});
        assertSameBits(values(n), values(x.slice(1, 2, 5)), "slice = narrow");
        assertEquals(0, x.narrow(0, 4, 0).numel());

        Tensor s = x.select(0, 2);
        assertArrayEquals(new int[] {5}, s.shape());
        assertEquals(10, s.offset());
        assertSameBits(new float[] {10, 11, 12, 13, 14}, values(s), "select row");
        Tensor c = x.select(-1, 4);
        assertArrayEquals(new float[] {4, 9, 14, 19}, values(c));
        assertAliases(x, c, new int[] {2}, new int[] {2, 4});
        assertArrayEquals(new float[] {15, 16, 17, 18, 19}, values(x.select(0, -1)), "negative index counts from the end");
        assertEquals(7f, x.select(0, 1).select(0, 2).item());
        assertArrayEquals(new int[] {}, x.select(0, 1).select(0, 2).shape());
    }

    @Test
    void steppedSlice() {
        Tensor x = arange(4, 7);
        Tensor s = x.slice(1, 1, 7, 2); // columns 1, 3, 5
        assertArrayEquals(new int[] {4, 3}, s.shape());
        assertArrayEquals(new int[] {7, 2}, s.strides());
        assertArrayEquals(new float[] {1, 3, 5, 8, 10, 12, 15, 17, 19, 22, 24, 26}, values(s));
        assertAliases(x, s, new int[] {2, 1}, new int[] {2, 3});
        assertArrayEquals(new int[] {2, 7}, x.slice(0, 0, 4, 3).shape(), "rows 0 and 3");
        assertArrayEquals(new int[] {4, 0}, x.slice(1, 7, 7, 2).shape());
        assertArrayEquals(new float[] {0, 3, 6}, values(x.slice(-1, 0, 7, 3).select(0, 0)));
        assertBadInput(() -> x.slice(1, 0, 7, 0), "slice", "step 0", "[4, 7]");
        assertBadInput(() -> x.slice(1, 0, 8, 2), "slice", "end 8", "[4, 7]");
        assertBadInput(() -> x.slice(1, 3, 2, 1), "slice", "[4, 7]");
    }

    @Property(tries = 200)
    void narrowAndSelectMatchIndexArithmetic(@ForAll Random rnd) {
        int[] shape = randomShape(rnd, 4, true);
        if (shape.length == 0) return;
        Tensor x = randomTensor(rnd, shape, true);
        int axis = rnd.nextInt(shape.length);
        int start = rnd.nextInt(shape[axis] + 1), len = rnd.nextInt(shape[axis] - start + 1);
        Tensor n = x.narrow(axis - (rnd.nextBoolean() ? shape.length : 0), start, len);
        assertEquals(len, n.size(axis));
        for (int i = 0; i < n.numel(); i++) {
            int[] idx = unravel(i, n.shape());
            int[] xi = idx.clone();
            xi[axis] += start;
            assertEquals(at(x, xi), at(n, idx));
        }
        int step = 1 + rnd.nextInt(3);
        Tensor sl = x.slice(axis, start, start + len, step);
        assertEquals((len + step - 1) / step, sl.size(axis));
        for (int i = 0; i < sl.numel(); i++) {
            int[] idx = unravel(i, sl.shape());
            int[] xi = idx.clone();
            xi[axis] = start + idx[axis] * step;
            assertEquals(at(x, xi), at(sl, idx), "slice step " + step);
        }
        if (shape[axis] == 0) return;
        int k = rnd.nextInt(shape[axis]);
        Tensor s = x.select(axis, k);
        assertEquals(shape.length - 1, s.dim());
        for (int i = 0; i < s.numel(); i++) {
            int[] idx = unravel(i, s.shape());
            int[] xi = new int[shape.length];
            for (int d = 0, j = 0; d < shape.length; d++) xi[d] = d == axis ? k : idx[j++];
            assertEquals(at(x, xi), at(s, idx));
        }
    }

    // ------------------------------------------------------------ expand, squeeze, unsqueeze, flatten

    @Test
    void expandBroadcastsWithZeroStrides() {
        Tensor col = arange(3, 1);
        Tensor e = col.expand(2, 3, 4);
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        for (int b = 0; b < 2; b++) for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals(i, e.get(b, i, j));
        assertArrayEquals(new int[] {3, 5}, col.expand(-1, 5).shape());
        assertArrayEquals(new int[] {3, 0}, col.expand(3, 0).shape(), "size 1 expands to 0");
        assertSame(col.storage(), e.storage());
        col.set(9f, 1, 0);
        assertEquals(9f, e.get(1, 1, 3), "expand reads the base live");
        assertBadInput(() -> col.expand(4, 4), "expand", "[3, 1]", "[4, 4]");
        assertBadInput(() -> col.expand(3), "expand", "[3, 1]", "[3]");
        assertBadInput(() -> col.expand(3, -2), "expand", "[3, -2]");
        assertBadInput(() -> col.expand(-1, 3, 1), "expand", "[-1, 3, 1]");
    }

    @Test
    void squeezeAndUnsqueeze() {
        Tensor x = arange(1, 3, 1, 2);
        assertArrayEquals(new int[] {3, 2}, x.squeeze().shape());
        assertArrayEquals(new int[] {3, 1, 2}, x.squeeze(0).shape());
        assertArrayEquals(new int[] {1, 3, 2}, x.squeeze(-2).shape());
        assertSame(x, x.squeeze(1), "squeezing a dim that is not 1 is a no-op, as in PyTorch");
        assertSameBits(values(x), values(x.squeeze()), "squeeze keeps values");
        assertAliases(x, x.squeeze(), new int[] {2, 1}, new int[] {0, 2, 0, 1});

        Tensor v = Tensor.arange(6).view(2, 3);
        assertArrayEquals(new int[] {1, 2, 3}, v.unsqueeze(0).shape());
        assertArrayEquals(new int[] {2, 1, 3}, v.unsqueeze(1).shape());
        assertArrayEquals(new int[] {2, 3, 1}, v.unsqueeze(2).shape());
        assertArrayEquals(new int[] {2, 3, 1}, v.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {2, 1, 3}, v.unsqueeze(-2).shape());
        assertTrue(v.unsqueeze(2).isContiguous());
        assertTrue(v.unsqueeze(0).isContiguous());
        assertSameBits(values(v), values(v.t().unsqueeze(1).squeeze(1).t()), "unsqueeze/squeeze round trip");
        assertArrayEquals(new int[] {1}, Tensor.scalar(1f).unsqueeze(0).shape());
        assertBadInput(() -> v.unsqueeze(3), "unsqueeze", "[2, 3]");
        assertBadInput(() -> v.unsqueeze(-4), "unsqueeze", "[2, 3]");
    }

    @Test
    void flattenMergesARangeOfDims() {
        Tensor x = arange(2, 3, 4, 5);
        assertArrayEquals(new int[] {2, 60}, x.flatten(1, -1).shape());
        assertArrayEquals(new int[] {6, 4, 5}, x.flatten(0, 1).shape());
        assertArrayEquals(new int[] {120}, x.flatten(0, 3).shape());
        assertSame(x.storage(), x.flatten(1, 2).storage(), "flattening a contiguous tensor is a view");
        Tensor p = x.permute(0, 2, 1, 3);
        Tensor f = p.flatten(1, 2);
        assertArrayEquals(new int[] {2, 12, 5}, f.shape());
        assertSameBits(values(p), values(f), "flatten of a permuted tensor copies in row-major order");
        assertArrayEquals(new int[] {1}, Tensor.scalar(4f).flatten(0, -1).shape(), "a 0-d tensor flattens to [1]");
        assertArrayEquals(new int[] {0, 20}, Tensor.zeros(0, 4, 5).flatten(1, 2).shape());
        assertBadInput(() -> x.flatten(2, 1), "flatten", "[2, 3, 4, 5]");
        assertBadInput(() -> x.flatten(0, 4), "flatten", "[2, 3, 4, 5]");
    }

    // ------------------------------------------------------------ contiguous, copy

    @Property(tries = 200)
    void contiguousCopiesOnlyWhenNeeded(@ForAll Random rnd) {
        int[] shape = randomShape(rnd, 4, true);
        Tensor x = randomTensor(rnd, shape, true);
        Tensor c = x.contiguous();
        assertTrue(c.isContiguous());
        assertSameBits(values(x), values(c), describe(x));
        if (x.isContiguous()) assertSame(x, c);
        else assertNotSame(x.storage(), c.storage());
        Tensor copy = x.copy();
        assertNotSame(x.storage(), copy.storage());
        assertSameBits(values(x), copy.toArray(), "toArray is row-major");
        assertArrayEquals(values(x), x.toArray());
    }

    @Test
    void isContiguousIgnoresSizeOneStridesAndEmptyTensors() {
        Tensor x = arange(3, 1, 4).permute(1, 0, 2); // size-1 dim moved: still dense
        assertTrue(x.isContiguous());
        assertTrue(Tensor.zeros(3, 4).narrow(1, 1, 0).isContiguous(), "a tensor with no elements is contiguous");
        assertFalse(arange(3, 4).t().isContiguous());
        assertFalse(arange(3, 4).narrow(1, 0, 2).isContiguous());
    }

    @Test
    void randomSizesCoverTheCorners() {
        // The generators above must reach sizes 0 and 1 and a vector-length row, or the properties prove little.
        Random rnd = new Random(1);
        boolean zero = false, one = false, big = false;
        for (int i = 0; i < 500; i++) {
            int s = randomSize(rnd, true);
            zero |= s == 0;
            one |= s == 1;
            big |= s > 16;
        }
        assertTrue(zero && one && big);
    }
}
