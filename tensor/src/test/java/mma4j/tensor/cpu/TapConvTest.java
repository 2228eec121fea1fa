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
 * TapConv's three passes, called directly (so that few channels, which Conv sends elsewhere,
 * exercise it), against ConvTest's direct-loop reference in double, with ConvTest's tolerance
 * {@code 1e-5 * (sum of |terms|) + 1e-6} per element: the same products as the direct sum,
 * summed per tap and then over taps.
 */
class TapConvTest {
    static float[][] run(Case c, Data d) {
        return ConvPathHarness.run(ConvPathHarness.TAPS, c, d);
    }

    private static void assertMatchesReference(Case c, float[][] got) {
        ConvPathHarness.assertMatchesReference("taps", c, got);
    }

    @Property(tries = 60)
    void randomShapesMatchTheDirectLoop(@ForAll @IntRange(min = 1, max = 4) int n,
                                        @ForAll @IntRange(min = 1, max = 40) int c,
                                        @ForAll @IntRange(min = 1, max = 40) int f,
                                        @ForAll @IntRange(min = 1, max = 2) int h,
                                        @ForAll @IntRange(min = 1, max = 2) int w,
                                        @ForAll boolean bias, @ForAll boolean simd) {
        Case k = new Case(n, c, f, h, w, 3, 1, 1, bias);
        assertMatchesReference(k, withSimd(simd, () -> run(k, Data.of(k))));
    }

    static final List<Case> CASES = List.of(
            new Case(1, 8, 8, 2, 2, 3, 1, 1, true),      // batch 1
            new Case(3, 17, 33, 2, 2, 3, 1, 1, true),    // odd batch, channels not multiples of 16
            new Case(5, 40, 24, 2, 2, 3, 1, 1, false),
            new Case(2, 20, 36, 1, 2, 3, 1, 1, true),    // 1x2: three taps meet the map
            new Case(4, 9, 7, 2, 1, 3, 1, 1, true),      // 2x1
            new Case(3, 5, 6, 1, 1, 3, 1, 1, true),      // 1x1: only the centre tap
            new Case(6, 128, 130, 2, 2, 3, 1, 1, true)); // the smallest channel counts Conv sends here

    @Example
    void chosenShapesMatchTheDirectLoopWithAndWithoutSimd() {
        ConvPathHarness.assertCasesMatchReference("taps", ConvPathHarness.TAPS, CASES);
    }

    @Example
    void resultsDoNotDependOnTheThreadCount() {
        ConvPathHarness.assertThreadIndependent("taps", ConvPathHarness.TAPS, CASES);
    }

    @Example
    void appliesTo3x3LayersOnMapsOfAtMost2x2WithManyChannels() {
        assertTrue(TapConv.applies(ConvPathHarness.geometry(32, 512, 512, 2, 3, 1, 1)));
        assertTrue(TapConv.applies(ConvPathHarness.geometry(32, 128, 128, 1, 3, 1, 1)));
        assertFalse(TapConv.applies(ConvPathHarness.geometry(32, 512, 512, 4, 3, 1, 1)), "4x4 maps");
        assertFalse(TapConv.applies(ConvPathHarness.geometry(32, 512, 512, 2, 1, 1, 0)), "1x1 kernel");
        assertFalse(TapConv.applies(ConvPathHarness.geometry(32, 512, 512, 2, 3, 2, 1)), "stride 2");
        assertFalse(TapConv.applies(ConvPathHarness.geometry(32, 64, 512, 2, 3, 1, 1)), "64 input channels");
    }

    @Example
    void eachTapJoinsTheOutputAndInputPositionsItConnects() {
        int[][] p = TapConv.pairs(2, 2);
        int total = 0;
        for (int[] t : p) total += t.length / 2;
        org.junit.jupiter.api.Assertions.assertEquals(16, total, "2x2: every output meets every input once");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2, 3, 3}, p[4], "the centre tap joins each position to itself");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 0}, p[0], "tap (0, 0) joins output (1, 1) to input (0, 0) only");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {}, TapConv.pairs(1, 1)[0], "a corner tap never meets a 1x1 map");
    }

    @Example
    void convUsesItWhereItAppliesAndTheSwitchTurnsItOff() {
        ConvPathHarness.assertConvUsesIt("taps", ConvPathHarness.TAPS, new Case(3, TapConv.MIN_CHANNELS, TapConv.MIN_CHANNELS + 3, 2, 2, 3, 1, 1, true), Conv.taps, on -> Conv.taps = on);
    }
}
