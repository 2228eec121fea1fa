package mma4j.nn.schedule;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import mma4j.nn.Parameter;
import mma4j.nn.optim.SGD;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Each schedule on an SGD optimizer with lr 0.1; expected rates from the formulas in the
 * comments (PyTorch 1.13's schedulers give the same sequences to 1e-16).
 */
class ScheduleTest {
    static SGD sgd(double lr) {
        return new SGD(List.of(new Parameter(Tensor.zeros(1))), SGD.options(lr));
    }

    /** The learning rate at construction and after each of n - 1 steps. */
    static double[] sequence(Function<SGD, LRScheduler> make, int n) {
        SGD opt = sgd(0.1);
        LRScheduler s = make.apply(opt);
        double[] out = new double[n];
        out[0] = opt.paramGroups().get(0).lr();
        for (int i = 1; i < n; i++) {
            s.step();
            out[i] = opt.paramGroups().get(0).lr();
            assertEquals(out[i], s.lastLr()[0]);
            assertEquals(i, s.lastEpoch());
        }
        return out;
    }

    @Test
    void stepLR() {
        // 0.1 * 0.5^floor(epoch / 2)
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125}, sequence(o -> new StepLR(o, 2, 0.5), 7), 1e-15);
    }

    @Test
    void multiStepLR() {
        // 0.1 * 0.1^(milestones passed), milestones 2 and 4
        assertArrayEquals(new double[] {0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 0.001}, sequence(o -> new MultiStepLR(o, new int[] {4, 2}, 0.1), 7), 1e-15);
    }

    @Test
    void cosineAnnealingLR() {
        // 0.01 + 0.09 * (1 + cos(pi * epoch / 4)) / 2, T_max 4, eta_min 0.01; it climbs back after T_max
        double c = Math.cos(Math.PI / 4);
        double[] expected = {0.1, 0.01 + 0.045 * (1 + c), 0.055, 0.01 + 0.045 * (1 - c), 0.01, 0.01 + 0.045 * (1 - c), 0.055, 0.01 + 0.045 * (1 + c), 0.1};
        double[] got = sequence(o -> new CosineAnnealingLR(o, 4, 0.01), 9);
        assertArrayEquals(expected, got, 1e-15);
        assertEquals(0.1, got[0], 0.0, "epoch 0 is exactly the base rate");
    }

    @Test
    void linearWarmupWrapsAnotherSchedule() {
        // factor 0.25 + 0.75 * min(epoch, 2) / 2 times MultiStepLR([3]): 0.025, 0.0625, 0.1, then 0.01 from epoch 3
        // (PyTorch: ChainedScheduler([LinearLR(start_factor=0.25, total_iters=2), MultiStepLR([3])]))
        double[] got = sequence(o -> new LinearWarmup(o, new MultiStepLR(o, new int[] {3}), 2, 0.25), 6);
        assertArrayEquals(new double[] {0.025, 0.0625, 0.1, 0.01, 0.01, 0.01}, got, 1e-15);
        // Without an inner schedule it warms up to the base rate.
        assertArrayEquals(new double[] {0.05, 0.075, 0.1, 0.1}, sequence(o -> new LinearWarmup(o, null, 2, 0.5), 4), 1e-15);
    }

    @Test
    void warmupNeedsAFreshInnerSchedule() {
        SGD opt = sgd(0.1);
        StepLR inner = new StepLR(opt, 1);
        inner.step();
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(opt, inner, 2, 0.1));
    }

    @Test
    void reduceLROnPlateauMin() {
        // mode min, factor 0.5, patience 1, threshold 0.1 (rel), cooldown 1, min_lr 0.02
        SGD opt = sgd(0.1);
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(opt).factor(0.5).patience(1).threshold(0.1).cooldown(1).minLr(0.02).build();
        double[] metrics = {1.0, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8};
        // 1: best 1 | 2: 0.95 is not < 0.9, bad 1 | 3: bad 2 > 1 -> 0.05, cooldown 1 | 4: best 0.8, cooldown ends
        // 5: bad 1 | 6: bad 2 -> 0.025, cooldown 1 | 7: bad 1 but cooldown resets it | 8: bad 1 | 9: bad 2 -> max(0.0125, 0.02)
        // 10-12: at min_lr, no change
        double[] expected = {0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02};
        for (int i = 0; i < metrics.length; i++) {
            s.step(metrics[i]);
            assertEquals(expected[i], opt.paramGroups().get(0).lr(), 1e-15, "after metric " + (i + 1));
        }
        assertEquals(0.8, s.best());
    }

    @Test
    void reduceLROnPlateauMaxAbs() {
        // mode max, threshold 0.5 absolute, patience 0: 1.4 is not > 1.0 + 0.5 -> halve; 1.6 > 1.5 and 2.2 > 2.1 are better
        SGD opt = sgd(0.1);
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(opt).mode(ReduceLROnPlateau.Mode.MAX).factor(0.5).patience(0).threshold(0.5)
                .thresholdMode(ReduceLROnPlateau.ThresholdMode.ABS).build();
        double[] expected = {0.1, 0.05, 0.05, 0.05};
        double[] metrics = {1.0, 1.4, 1.6, 2.2};
        for (int i = 0; i < 4; i++) {
            s.step(metrics[i]);
            assertEquals(expected[i], opt.paramGroups().get(0).lr(), 1e-15);
        }
        assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.builder(opt).factor(1.0).build());
    }

    @Test
    void initialLrIsRecordedOnce() {
        SGD opt = sgd(0.1);
        new StepLR(opt, 1, 0.5).step();
        assertEquals(0.05, opt.paramGroups().get(0).lr());
        assertEquals(0.1, opt.paramGroups().get(0).initialLr());
        // A second schedule starts from initial_lr, as in PyTorch.
        assertEquals(0.1, new MultiStepLR(opt, new int[] {10}).baseLr(0));
    }

    /** Steps k times, saves (optimizer + schedule), rebuilds, restores, and checks the rest of the sequence. */
    static void assertResumes(Function<SGD, LRScheduler> make, int k, int n) {
        SGD a = sgd(0.1);
        LRScheduler sa = make.apply(a);
        for (int i = 0; i < k; i++) sa.step();
        Map<String, Double> saved = sa.state();
        var optState = a.state();
        SGD b = sgd(0.1);
        LRScheduler sb = make.apply(b);
        b.loadState(optState);
        sb.loadState(saved);
        for (int i = k; i < n; i++) {
            sa.step();
            sb.step();
            assertEquals(a.paramGroups().get(0).lr(), b.paramGroups().get(0).lr(), 0.0, "epoch " + (i + 1));
            assertEquals(sa.lastEpoch(), sb.lastEpoch());
        }
    }

    @Test
    void schedulesResume() {
        assertResumes(o -> new StepLR(o, 2, 0.5), 3, 8);
        assertResumes(o -> new MultiStepLR(o, new int[] {2, 5}), 3, 8);
        assertResumes(o -> new CosineAnnealingLR(o, 6), 2, 8);
        assertResumes(o -> new LinearWarmup(o, new MultiStepLR(o, new int[] {4}), 3, 0.1), 1, 8);
    }

    @Test
    void plateauResumes() {
        double[] metrics = {1.0, 0.99, 0.98, 0.97, 0.99, 0.7, 0.71, 0.72, 0.73, 0.74};
        SGD a = sgd(0.1), b = sgd(0.1);
        ReduceLROnPlateau pa = ReduceLROnPlateau.builder(a).patience(1).cooldown(1).build();
        ReduceLROnPlateau pb = ReduceLROnPlateau.builder(b).patience(1).cooldown(1).build();
        for (int i = 0; i < 4; i++) pa.step(metrics[i]);
        b.loadState(a.state());
        pb.loadState(pa.state());
        for (int i = 4; i < metrics.length; i++) {
            pa.step(metrics[i]);
            pb.step(metrics[i]);
            assertEquals(a.paramGroups().get(0).lr(), b.paramGroups().get(0).lr(), 0.0);
            assertEquals(pa.state(), pb.state());
        }
        assertTrue(a.paramGroups().get(0).lr() < 0.1, "the sequence does reduce");
    }

    @Test
    void loadStateRejectsForeignState() {
        SGD opt = sgd(0.1);
        StepLR s = new StepLR(opt, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> s.loadState(Map.of("best", 1.0)));
        assertTrue(e.getMessage().contains("missing key 'last_epoch'") && e.getMessage().contains("unexpected key 'best'"), e.getMessage());
        assertEquals(0, s.lastEpoch());
        ReduceLROnPlateau p = ReduceLROnPlateau.builder(opt).build();
        assertThrows(IllegalArgumentException.class, () -> p.loadState(s.state()));
    }
}
