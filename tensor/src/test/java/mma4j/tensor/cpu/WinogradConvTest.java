package mma4j.tensor.cpu;

import static mma4j.tensor.cpu.NnTestSupport.withSimd;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mma4j.tensor.cpu.ConvTest.Case;
import mma4j.tensor.cpu.ConvTest.Data;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * WinogradConv's three passes, called directly (so that small shapes, which Conv sends elsewhere,
 * exercise it), against ConvTest's direct-loop reference in double.
 *
 * <p>Tolerance: ConvTest's, {@code 1e-5 * (sum of |terms|) + 1e-6} per element. F(2x2, 3x3)
 * adds and subtracts a few inputs (and filter taps) before it multiplies and a tile's 16 products
 * after, so each term carries a few more roundings than in the direct sum: a constant factor,
 * not one that grows with the size. The worst error seen in these tests was below
 * 2e-6 * (sum of |terms|) (the weight gradient), so the bound has a margin of 5.
 */
class WinogradConvTest {
    static float[][] run(Case c, Data d) {
        return ConvPathHarness.run(ConvPathHarness.WINOGRAD, c, d);
    }

    private static void assertMatchesReference(Case c, float[][] got) {
        ConvPathHarness.assertMatchesReference("winograd", c, got);
    }

    @Property(tries = 60)
    void randomShapesMatchTheDirectLoop(@ForAll @IntRange(min = 1, max = 4) int n,
                                        @ForAll @IntRange(min = 1, max = 40) int c,
                                        @ForAll @IntRange(min = 1, max = 40) int f,
                                        @ForAll @IntRange(min = 1, max = 9) int h,
                                        @ForAll @IntRange(min = 1, max = 9) int w,
                                        @ForAll boolean bias, @ForAll boolean simd) {
        Case k = new Case(n, c, f, h, w, 3, 1, 1, bias);
        assertMatchesReference(k, withSimd(simd, () -> run(k, Data.of(k))));
    }

    static final List<Case> CASES = List.of(
            new Case(1, 8, 8, 4, 4, 3, 1, 1, true),      // batch 1
            new Case(3, 17, 33, 4, 4, 3, 1, 1, true),    // odd batch, channels not multiples of 16
            new Case(5, 40, 24, 2, 2, 3, 1, 1, false),   // 2x2 maps: one tile per image
            new Case(2, 20, 36, 5, 7, 3, 1, 1, true),    // odd sizes: partial tiles at the bottom and right
            new Case(4, 32, 32, 8, 8, 3, 1, 1, true),
            new Case(1, 3, 5, 1, 1, 3, 1, 1, true),      // 1x1 maps
            new Case(5, 5, 6, 32, 32, 3, 1, 1, true),    // chunks of CHUNK_TILES: 2 + 2 + 1 images
            new Case(3, 2, 3, 33, 31, 3, 1, 1, true));   // one image per chunk, odd sizes

    @Example
    void chosenShapesMatchTheDirectLoopWithAndWithoutSimd() {
        ConvPathHarness.assertCasesMatchReference("winograd", ConvPathHarness.WINOGRAD, CASES);
    }

    @Example
    void resultsDoNotDependOnTheThreadCount() {
        ConvPathHarness.assertThreadIndependent("winograd", ConvPathHarness.WINOGRAD, CASES);
    }

    @Example
    void appliesToManyChannelsOnMapsOfAtLeast4x4Only() {
        assertTrue(WinogradConv.applies(ConvPathHarness.geometry(32, 512, 512, 4, 3, 1, 1)));
        assertTrue(WinogradConv.applies(ConvPathHarness.geometry(32, 256, 256, 8, 3, 1, 1)));
        assertTrue(WinogradConv.applies(ConvPathHarness.geometry(32, 128, 128, 16, 3, 1, 1)));
        assertFalse(WinogradConv.applies(ConvPathHarness.geometry(32, 512, 512, 2, 3, 1, 1)), "2x2 maps");
        assertFalse(WinogradConv.applies(ConvPathHarness.geometry(32, 512, 512, 4, 3, 2, 1)), "stride 2");
        assertFalse(WinogradConv.applies(ConvPathHarness.geometry(32, 512, 512, 4, 1, 1, 0)), "1x1");
        assertFalse(WinogradConv.applies(ConvPathHarness.geometry(32, 512, 512, 6, 3, 1, 0)), "padding 0");
        assertFalse(WinogradConv.applies(ConvPathHarness.geometry(32, 64, 64, 8, 3, 1, 1)), "64 channels");
        assertFalse(WinogradConv.applies(ConvPathHarness.geometry(32, 3, 128, 32, 3, 1, 1)), "3 input channels");
    }

    @Example
    void convUsesItWhereItAppliesAndTheSwitchTurnsItOff() {
        ConvPathHarness.assertConvUsesIt("winograd", ConvPathHarness.WINOGRAD, new Case(3, WinogradConv.MIN_CHANNELS, WinogradConv.MIN_CHANNELS, 4, 5, 3, 1, 1, true), Conv.winograd, on -> Conv.winograd = on);
    }
}
