package mma4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The host half of every strided kernel: merging, packing, and the offsets a kernel will compute. */
class LayoutTest {

    /** What layout_offsets in common.cuh computes, in Java. */
    static long[] offsets(Layout l, long idx) {
        long[] off = new long[l.offsets.length];
        for (int k = 0; k < off.length; k++) off[k] = l.offsets[k];
        for (int d = l.rank() - 1; d >= 0; d--) {
            long i = idx % l.shape[d];
            idx /= l.shape[d];
            for (int k = 0; k < off.length; k++) off[k] += i * l.strides[k][d];
        }
        return off;
    }

    /** Offset of the row-major element idx of a view, straight from its shape and strides. */
    static long direct(Tensor t, long idx) {
        int[] s = t.shape(), st = t.strides();
        long o = t.offset();
        for (int d = s.length - 1; d >= 0; d--) {
            o += (idx % s[d]) * st[d];
            idx /= s[d];
        }
        return o;
    }

    @Test
    void contiguousTensorsBecomeOneDimension() {
        Tensor a = Tensor.zeros(3, 4, 5), b = Tensor.zeros(3, 4, 5);
        Layout l = Layout.of(a, b);
        assertArrayEquals(new int[] {60}, l.shape);
        assertArrayEquals(new int[] {1}, l.strides[0]);
        assertEquals(60, l.numel);
    }

    @Test
    void transposeAndBroadcastKeepTheirDimensions() {
        Tensor t = Tensor.zeros(4, 6).t();               // [6,4] strides [1,6]
        Tensor bias = Tensor.zeros(4).expand(6, 4);      // strides [0,1]
        Layout l = Layout.of(t, bias);
        assertArrayEquals(new int[] {6, 4}, l.shape);
        assertArrayEquals(new int[] {1, 6}, l.strides[0]);
        assertArrayEquals(new int[] {0, 1}, l.strides[1]);
    }

    @Test
    void mergedOffsetsEqualDirectOffsetsForRandomViews() {
        Generator g = new Generator(7);
        for (int trial = 0; trial < 200; trial++) {
            int rank = 1 + g.nextInt(5);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) shape[d] = 1 + g.nextInt(4);
            Tensor base = Tensor.zeros(shape);
            Tensor v = base.permute(g.permutation(rank));
            if (g.nextInt(2) == 0 && v.size(0) > 1) v = v.narrow(0, 1, v.size(0) - 1);
            Tensor other = Tensor.zeros(v.shape());
            Layout l = Layout.of(v, other);
            assertTrue(l.rank() <= rank);
            for (long i = 0; i < v.numel(); i++) {
                long[] off = offsets(l, i);
                assertEquals(direct(v, i), off[0], "view " + l);
                assertEquals(i, off[1]);
            }
        }
    }

    @Test
    void packedStructPutsEachFieldWhereTheKernelReadsIt() {
        Tensor a = Tensor.zeros(5, 7).t().narrow(0, 2, 3);  // [3,5], strides [1,7], offset 2
        Layout l = Layout.of(a, Tensor.zeros(3, 5));
        int[] p = l.packed();
        assertEquals(Layout.PACKED_INTS, p.length);
        assertEquals(45, p.length);
        assertEquals(2, p[0]);
        assertEquals(3, p[1]);
        assertEquals(5, p[2]);
        assertEquals(1, p[1 + 8]);
        assertEquals(7, p[1 + 8 + 1]);
        assertEquals(5, p[1 + 8 + 8]);
        assertEquals(1, p[1 + 8 + 8 + 1]);
        assertEquals(2, p[1 + 8 + 32]);
        assertEquals(0, p[1 + 8 + 32 + 1]);
    }

    @Test
    void singleElementsHaveRankZero() {
        Layout l = Layout.of(Tensor.zeros(1, 1, 1).narrow(1, 0, 1));
        assertEquals(0, l.rank());
        assertEquals(1, l.numel);
    }

    @Test
    void tooManyDimensionsAfterMergingIsAClearError() {
        // Nine dims of size 2, every other one reversed in order by a permutation: nothing merges.
        Tensor t = Tensor.zeros(2, 2, 2, 2, 2, 2, 2, 2, 2).permute(8, 7, 6, 5, 4, 3, 2, 1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layout.of(t));
        assertTrue(e.getMessage().contains("contiguous()"), e.getMessage());
    }

    @Test
    void shapeMismatchIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Layout.of(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
    }
}
