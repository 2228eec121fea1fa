package mma4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The decisions the host makes before a launch, which need no GPU to check. */
class HostPlanTest {

    @Test
    void largeOutputsAreNotSplit() {
        assertEquals(1, GemmOps.splits(4096, 4096, 4096, 1, 1, 132));
        assertEquals(1, GemmOps.splits(64, 64, 64, 1, 1000, 132));  // a big batch fills the GPU
    }

    @Test
    void smallOutputsWithDeepReductionsAreSplitWithinBounds() {
        // A conv weight gradient: 64 x 576 outputs, 128 images of 1024 pixels each to sum.
        int s = GemmOps.splits(64, 576, 1024, 128, 1, 132);
        assertTrue(s > 1 && s <= 64, "splits " + s);
        long tiles = (long) GemmOps.ceil(64, 64) * GemmOps.ceil(576, 64);
        assertTrue(tiles * s >= 2 * 132 || s == 64, "should fill two waves: " + tiles * s);
        // Every slice keeps at least 4 k-steps of work.
        assertEquals(1, GemmOps.splits(8, 8, 16, 1, 1, 132));
        assertEquals(2, GemmOps.splits(8, 8, 128, 1, 1, 132));
        // Workspace bound: huge outputs never get more partials than fit.
        int big = GemmOps.splits(1 << 13, 1 << 12, 1 << 20, 1, 1, 100000);
        assertTrue((long) big * (1 << 13) * (1 << 12) <= GemmOps.workspaceFloats || big == 1);
    }

    @Test
    void nearestCosineSplitsLeaveNoSliceEmpty() {
        for (int n = 2; n < 3000; n += 37) {
            int s = NearestCosineOps.splits(n, 132);
            int colTiles = GemmOps.ceil(n, 64), per = GemmOps.ceil(colTiles, s);
            assertTrue(s >= 1 && s <= colTiles, "n " + n + " splits " + s);
            assertTrue((s - 1) * per < colTiles, "last slice empty for n " + n);
            assertTrue(s * per >= colTiles, "tiles uncovered for n " + n);
        }
    }

    @Test
    void incomingListsAreTheInverseOfNearestInAscendingOrder() {
        Generator g = new Generator(3);
        for (int trial = 0; trial < 50; trial++) {
            int n = 2 + g.nextInt(40);
            float[] nearest = new float[n];
            for (int i = 0; i < n; i++) {
                int j = g.nextInt(n - 1);
                nearest[i] = j >= i ? j + 1 : j;
            }
            NearestCosineOps.Incoming in = NearestCosineOps.incoming(nearest);
            assertEquals(0, in.start()[0]);
            assertEquals(n, in.start()[n]);
            for (int r = 0; r < n; r++) {
                int prev = -1, count = 0;
                for (int t = in.start()[r]; t < in.start()[r + 1]; t++) {
                    int i = in.list()[t];
                    assertEquals(r, (int) nearest[i]);
                    assertTrue(i > prev, "ascending");
                    prev = i;
                    count++;
                }
                int expected = 0;
                for (float f : nearest) if ((int) f == r) expected++;
                assertEquals(expected, count);
            }
        }
    }

    @Test
    void invalidNearestIndicesAreNamed() {
        IllegalArgumentException self = assertThrows(IllegalArgumentException.class, () -> NearestCosineOps.incoming(new float[] {1, 1}));
        assertTrue(self.getMessage().contains("nearest[1] = 1.0"), self.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NearestCosineOps.incoming(new float[] {2, 0}));
        assertThrows(IllegalArgumentException.class, () -> NearestCosineOps.incoming(new float[] {0.5f, 0}));
    }

    @Test
    void allocatorRoundsToSharedSizes() {
        assertEquals(512, CudaAllocator.roundUp(4));
        assertEquals(512, CudaAllocator.roundUp(512));
        assertEquals(1024, CudaAllocator.roundUp(513));
        assertEquals(2L << 20, CudaAllocator.roundUp((1L << 20) + 1));
        assertEquals(4L << 20, CudaAllocator.roundUp((2L << 20) + 1));
    }

    @Test
    void reductionSplitSeparatesKeptAndReducedAxes() {
        Tensor x = Tensor.zeros(2, 3, 4, 5).permute(0, 2, 1, 3);  // [2,4,3,5], strides [60,5,20,1]
        Tensor out = Tensor.zeros(1, 4, 3, 1);
        ReduceOps.Split s = ReduceOps.split(x, out, ReduceOps.mask(4, 0, 3));
        assertEquals(12, s.rows().numel);
        assertEquals(10, s.reduced().numel);
        // Kept axes 1 and 2: strides 5 and 20 in x (not mergeable), 3 and 1 in out.
        assertArrayEquals(new int[] {4, 3}, s.rows().shape);
        assertArrayEquals(new int[] {5, 20}, s.rows().strides[0]);
        assertArrayEquals(new int[] {3, 1}, s.rows().strides[1]);
        assertArrayEquals(new int[] {2, 5}, s.reduced().shape);
        assertArrayEquals(new int[] {60, 1}, s.reduced().strides[0]);
        // Axes laid out back to back merge: kept {0,2} of the same view are rows of stride 20.
        ReduceOps.Split merged = ReduceOps.split(x, Tensor.zeros(2, 1, 3, 1), ReduceOps.mask(4, 1, 3));
        assertArrayEquals(new int[] {6}, merged.rows().shape);
        assertArrayEquals(new int[] {20}, merged.rows().strides[0]);
        assertArrayEquals(new int[] {20}, merged.reduced().shape);
        assertEquals(32, ReduceOps.blockFor(1));
        assertEquals(64, ReduceOps.blockFor(33));
        assertEquals(256, ReduceOps.blockFor(100000));
    }
}
