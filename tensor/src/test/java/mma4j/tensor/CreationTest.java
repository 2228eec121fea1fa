package mma4j.tensor;

import static mma4j.tensor.TensorTesting.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Factories, the seeded generator, and the small accessors. */
class CreationTest {

    @Test
    void constantFactories() {
        Tensor z = Tensor.zeros(2, 3);
        assertArrayEquals(new int[] {2, 3}, z.shape());
        assertArrayEquals(new int[] {3, 1}, z.strides());
        assertArrayEquals(new float[6], z.toArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toArray());
        assertArrayEquals(new float[] {2.5f, 2.5f}, Tensor.full(2.5f, 2, 1).toArray());
        assertEquals(4f, Tensor.scalar(4f).item());
        assertArrayEquals(new int[] {}, Tensor.scalar(4f).shape());
        assertEquals(1, Tensor.scalar(4f).numel());
        assertEquals(0, Tensor.zeros(3, 0).numel());
        assertArrayEquals(new float[0], Tensor.ones(0, 5).toArray());
        assertArrayEquals(new float[] {7, 7}, Tensor.ones(2).fillInPlace(7).toArray());
        Tensor x = Tensor.randn(new Generator(1), 3, 4);
        assertArrayEquals(new float[12], x.zerosLike().toArray());
        assertArrayEquals(x.shape(), x.emptyLike().shape());
    }

    @Test
    void wrapSharesAndOfCopies() {
        float[] d = {1, 2, 3, 4};
        Tensor w = Tensor.wrap(d, 2, 2), o = Tensor.of(d, 4);
        d[0] = 9;
        assertEquals(9f, w.get(0, 0), "wrap shares the array");
        assertEquals(1f, o.get(0), "of copies it");
        assertSame(d, w.array());
        assertArrayEquals(new float[] {5, 6}, Tensor.vector(5, 6).toArray());
        assertBadInput(() -> Tensor.wrap(d, 3), "wrap", "[3]");
        assertBadInput(() -> Tensor.of(d, 2, 3), "wrap", "[2, 3]");
    }

    @Test
    void arangeFollowsPyTorch() {
        assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toArray());
        assertArrayEquals(new float[0], Tensor.arange(0).toArray());
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1, 3, 0.5f).toArray());
        assertArrayEquals(new float[] {5, 3, 1}, Tensor.arange(5, 0, -2).toArray());
        assertArrayEquals(new float[] {0, 0.3f, 0.6f, 0.90000004f}, Tensor.arange(0, 1, 0.3f).toArray(), 1e-6f);
        assertEquals(0, Tensor.arange(2, 2, 1).numel());
        assertEquals(1_000_000f - 1, Tensor.arange(1_000_000).toArray()[999_999]);
        assertBadInput(() -> Tensor.arange(-1), "arange", "-1");
        assertBadInput(() -> Tensor.arange(0, 5, -1), "arange", "-1.0");
        assertBadInput(() -> Tensor.arange(0, 5, 0), "arange", "0.0");
        assertBadInput(() -> Tensor.arange(0, Float.POSITIVE_INFINITY, 1), "arange", "Infinity");
    }

    @Test
    void randomFactoriesAreSeededAndInRange() {
        Tensor a = Tensor.rand(new Generator(42), 1000), b = Tensor.rand(new Generator(42), 1000);
        assertArrayEquals(a.toArray(), b.toArray(), "same seed, same values");
        assertNotEquals(Arrays.toString(a.toArray()), Arrays.toString(Tensor.rand(new Generator(43), 1000).toArray()));
        for (float v : a.toArray()) assertTrue(v >= 0f && v < 1f, "rand in [0, 1): " + v);
        for (float v : Tensor.uniform(new Generator(1), -2f, 3f, 1000).toArray()) assertTrue(v >= -2f && v < 3f, "uniform: " + v);
        // randn: 10000 draws; mean within 5 standard errors of 0, variance within 10% of 1.
        float[] n = Tensor.randn(new Generator(7), 10_000).toArray();
        double m = 0, v = 0;
        for (float x : n) m += x;
        m /= n.length;
        for (float x : n) v += (x - m) * (x - m);
        v /= n.length - 1;
        assertEquals(0, m, 5 / Math.sqrt(n.length));
        assertEquals(1, v, 0.1);
        assertArrayEquals(Tensor.randn(new Generator(7), 10_000).toArray(), n);
        assertEquals(0, Tensor.randn(new Generator(7), 0, 3).numel());
    }

    @Test
    void generatorStateRestoresTheSameStream() {
        Generator g = new Generator(123);
        for (int i = 0; i < 7; i++) g.nextGaussian(); // odd count: a spare gaussian is pending
        long[] saved = g.state();
        float[] first = Tensor.randn(g, 33).toArray();
        int i1 = g.nextInt(1000);
        double d1 = g.nextDouble();
        int[] p1 = g.permutation(20);

        Generator h = new Generator(999);
        h.setState(saved);
        assertArrayEquals(first, Tensor.randn(h, 33).toArray(), "the pending spare gaussian is part of the state");
        assertEquals(i1, h.nextInt(1000));
        assertEquals(d1, h.nextDouble());
        assertArrayEquals(p1, h.permutation(20));
        g.setState(saved);
        assertArrayEquals(first, Tensor.randn(g, 33).toArray(), "restoring rewinds the same generator");
        assertBadInput(() -> h.setState(new long[5]), "Generator", "5");
    }

    @Test
    void generatorHelpers() {
        Generator g = new Generator(5);
        int[] counts = new int[7];
        for (int i = 0; i < 7000; i++) counts[g.nextInt(7)]++;
        for (int c : counts) assertTrue(c > 800 && c < 1200, Arrays.toString(counts));
        int[] p = g.permutation(50);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertNotEquals(Arrays.toString(sorted), Arrays.toString(p));
        assertEquals(0, g.permutation(0).length);
        assertBadInput(() -> g.nextInt(0), "nextInt", "0");
        assertNotEquals(new Generator(0).nextLong(), new Generator(1).nextLong());
    }

    @Test
    void accessorsAndItem() {
        Tensor x = Tensor.arange(6).view(2, 3);
        assertEquals(2, x.dim());
        assertEquals(3, x.size(-1));
        assertEquals(2, x.size(0));
        assertEquals(5f, x.get(1, 2));
        x.set(-1f, 0, 1);
        assertEquals(-1f, x.toArray()[1]);
        assertSame(x, x.cpu());
        assertSame(x, x.to(Device.CPU));
        assertEquals(Device.CPU, x.device());
        assertTrue(x.toString().contains("[2, 3]"));
        assertBadInput(() -> x.item(), "item", "[2, 3]");
        assertBadInput(() -> x.get(2, 0), "get", "[2, 3]");
        assertBadInput(() -> x.get(0), "get", "[2, 3]");
        assertBadInput(() -> x.set(1f, 0, 3), "set", "[2, 3]");
        assertBadInput(() -> x.size(2), "size", "[2, 3]");
        Tensor c = x.clone();
        c.set(100f, 0, 0);
        assertEquals(0f, x.get(0, 0), "clone shares nothing");
    }
}
