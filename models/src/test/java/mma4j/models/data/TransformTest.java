package mma4j.models.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import mma4j.tensor.Generator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TransformTest {
    static Image image(int c, int h, int w, float... values) {
        return new Image(values, c, h, w);
    }

    /** Values 1, 2, 3, ... so every output pixel tells where it came from. */
    static Image counting(int c, int h, int w) {
        float[] d = new float[c * h * w];
        for (int i = 0; i < d.length; i++) d[i] = i + 1;
        return new Image(d, c, h, w);
    }

    /** The obvious way: build the zero-padded image, then copy the window out of it. */
    static float[] padThenCrop(Image in, int padding, int top, int left, int outH, int outW) {
        int c = in.channels(), h = in.height(), w = in.width(), ph = h + 2 * padding, pw = w + 2 * padding;
        float[] padded = new float[c * ph * pw];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) padded[(ch * ph + y + padding) * pw + x + padding] = in.data()[(ch * h + y) * w + x];
        float[] out = new float[c * outH * outW];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < outH; y++)
                for (int x = 0; x < outW; x++) out[(ch * outH + y) * outW + x] = padded[(ch * ph + y + top) * pw + x + left];
        return out;
    }

    @Test
    void cropKnownValues() {
        // [1 2; 3 4], output (y, x) = input (y + dy, x + dx), zero outside
        assertArrayEquals(new float[] {0, 0, 0, 1}, RandomCrop.crop(image(1, 2, 2, 1, 2, 3, 4), -1, -1, 2, 2).data());
        assertArrayEquals(new float[] {4, 0, 0, 0}, RandomCrop.crop(image(1, 2, 2, 1, 2, 3, 4), 1, 1, 2, 2).data());
        assertArrayEquals(new float[] {2, 0, 4, 0}, RandomCrop.crop(image(1, 2, 2, 1, 2, 3, 4), 0, 1, 2, 2).data());
        assertArrayEquals(new float[] {0, 0, 1, 2}, RandomCrop.crop(image(1, 2, 2, 1, 2, 3, 4), -1, 0, 2, 2).data());
        assertArrayEquals(new float[] {0, 0, 0, 0}, RandomCrop.crop(image(1, 2, 2, 1, 2, 3, 4), 0, 5, 2, 2).data());
        // two channels, a smaller window
        // two channels [1 2; 3 4] and [5 6; 7 8], a 1x1 window
        assertArrayEquals(new float[] {1, 5}, RandomCrop.crop(counting(2, 2, 2), 0, 0, 1, 1).data());
        assertArrayEquals(new float[] {4, 8}, RandomCrop.crop(counting(2, 2, 2), 1, 1, 1, 1).data());
        assertArrayEquals(new float[] {0, 3, 0, 7}, RandomCrop.crop(counting(2, 2, 2), 1, -1, 1, 2).data());
    }

    /** Every offset, in place (same size) and not (smaller window), against pad-then-crop. */
    @Property(tries = 300)
    void cropMatchesPadThenCrop(@ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 1, max = 7) int h,
                                @ForAll @IntRange(min = 1, max = 7) int w, @ForAll @IntRange(min = 0, max = 4) int padding,
                                @ForAll @IntRange(min = 0, max = 100) int topPick, @ForAll @IntRange(min = 0, max = 100) int leftPick,
                                @ForAll boolean sameSize) {
        int outH = sameSize ? h : 1 + topPick % (h + 2 * padding), outW = sameSize ? w : 1 + leftPick % (w + 2 * padding);
        int top = topPick % (h + 2 * padding - outH + 1), left = leftPick % (w + 2 * padding - outW + 1);
        Image in = counting(c, h, w);
        float[] want = padThenCrop(in, padding, top, left, outH, outW);
        Image out = RandomCrop.crop(in, top - padding, left - padding, outH, outW);
        assertArrayEquals(want, out.data());
        assertEquals(outH, out.height());
        assertEquals(outW, out.width());
    }

    @Test
    void randomCropDrawsTopThenLeftFromTheGenerator() {
        for (long seed = 0; seed < 50; seed++) {
            Generator twin = new Generator(seed);
            int top = twin.nextInt(9), left = twin.nextInt(9);
            Image in = counting(3, 32, 32);
            float[] want = padThenCrop(in, 4, top, left, 32, 32);
            Generator g = new Generator(seed);
            assertArrayEquals(want, new RandomCrop(32, 4).apply(in, g).data());
            assertArrayEquals(twin.state(), g.state(), "exactly two draws");
        }
    }

    @Test
    void randomCropReachesEveryOffset() {
        Set<Integer> seen = new HashSet<>();
        Image probe = counting(1, 32, 32);
        for (long seed = 0; seed < 3000 && seen.size() < 81; seed++) {
            Image out = new RandomCrop(32, 4).apply(new Image(probe.data().clone(), 1, 32, 32), new Generator(seed));
            // The pixel at output (4, 4) comes from input (top, left); its value says which.
            int v = (int) out.data()[4 * 32 + 4] - 1;
            seen.add(v);
            assertTrue(v >= 0 && v / 32 <= 8 && v % 32 <= 8, "offset out of range: " + v);
        }
        assertEquals(81, seen.size(), "all 9 x 9 windows of a 40 x 40 padded image");
    }

    @Test
    void randomCropRejectsAWindowThatDoesNotFit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomCrop(12, 1).apply(counting(1, 8, 8), new Generator(0)));
        assertTrue(e.getMessage().contains("12x12") && e.getMessage().contains("8x8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(4, -1));
    }

    @Test
    void flipKnownValues() {
        Image img = counting(2, 2, 3); // rows [1 2 3] [4 5 6] / [7 8 9] [10 11 12]
        RandomHorizontalFlip.flip(img);
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, img.data());
    }

    @Test
    void flipFollowsOneDrawPerImage() {
        int flipped = 0;
        for (long seed = 0; seed < 200; seed++) {
            Generator twin = new Generator(seed);
            boolean expectFlip = twin.nextDouble() < 0.5;
            Generator g = new Generator(seed);
            float[] out = new RandomHorizontalFlip().apply(counting(1, 1, 4), g).data();
            assertArrayEquals(expectFlip ? new float[] {4, 3, 2, 1} : new float[] {1, 2, 3, 4}, out);
            assertArrayEquals(twin.state(), g.state(), "exactly one draw");
            if (expectFlip) flipped++;
        }
        assertTrue(flipped > 70 && flipped < 130, "about half flipped: " + flipped);
        Generator g = new Generator(1);
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(new float[] {1, 2}, new RandomHorizontalFlip(0).apply(counting(1, 1, 2), g).data());
            assertArrayEquals(new float[] {2, 1}, new RandomHorizontalFlip(1).apply(counting(1, 1, 2), g).data());
        }
        assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5));
    }

    @Test
    void normalizeKnownValues() {
        Image img = image(2, 1, 2, 0f, 1f, 0.5f, 0.25f);
        new Normalize(new float[] {0.5f, 0.25f}, new float[] {0.25f, 0.5f}).apply(img, new Generator(0));
        assertArrayEquals(new float[] {-2f, 2f, 0.5f, 0f}, img.data());
        // bitwise (x - mean) / std in float, as torchvision's sub_ then div_
        float x = 37 / 255f, m = 0.4914f, s = 0.2470f;
        Image one = image(1, 1, 1, x);
        new Normalize(new float[] {m}, new float[] {s}).apply(one, null);
        assertEquals(Float.floatToIntBits((x - m) / s), Float.floatToIntBits(one.data()[0]));
    }

    @Test
    void normalizeRejectsBadStatsAndShapes() {
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0.5f}, new float[] {0f}));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0.5f, 0.5f}, new float[] {1f}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Normalize(new float[] {0.5f}, new float[] {1f}).apply(counting(3, 2, 2), null));
        assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
    }

    @Test
    void composeAppliesInOrderAndReportsTheShape() {
        Transform t = Transform.compose(new RandomCrop(3, 2, 0), new Normalize(new float[] {1}, new float[] {2}));
        assertArrayEquals(new int[] {1, 3, 2}, t.outputShape(1, 5, 5));
        assertArrayEquals(new int[] {1, 4, 4}, Transform.identity().outputShape(1, 4, 4));
        // Normalize after crop: the zero padding becomes (0 - 1) / 2
        Image out = Transform.compose(new RandomCrop(1, 1, 1), new Normalize(new float[] {1}, new float[] {2}))
                .apply(image(1, 1, 1, 5f), new Generator(3));
        Generator twin = new Generator(3);
        boolean centre = twin.nextInt(3) == 1 & twin.nextInt(3) == 1;
        assertEquals(centre ? 2f : -0.5f, out.data()[0]);
    }

    @Test
    void sameSeedSameAugmentationDifferentSeedOtherwise() {
        Transform t = Datasets.trainTransform("cifar10");
        float[] src = new float[3 * 32 * 32];
        for (int i = 0; i < src.length; i++) src[i] = (i * 7919 % 256) / 255f;
        float[] a = t.apply(new Image(src.clone(), 3, 32, 32), new Generator(42)).data();
        float[] b = t.apply(new Image(src.clone(), 3, 32, 32), new Generator(42)).data();
        assertArrayEquals(a, b);
        boolean anyDiffers = false;
        for (long s = 43; s < 48 && !anyDiffers; s++) {
            anyDiffers = !Arrays.equals(a, t.apply(new Image(src.clone(), 3, 32, 32), new Generator(s)).data());
        }
        assertTrue(anyDiffers);
    }
}
