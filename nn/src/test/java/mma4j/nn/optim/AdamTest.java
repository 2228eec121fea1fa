package mma4j.nn.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import mma4j.nn.Parameter;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Adam and AdamW on one scalar parameter p = 1, lr 0.1, betas (0.9, 0.999), eps 1e-8, with
 * given gradients. Expected values follow torch.optim.Adam's rule, evaluated in double:
 * m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2,
 * p -= 0.1 / (1 - 0.9^t) * m / (sqrt(v) / sqrt(1 - 0.999^t) + 1e-8).
 * (PyTorch 1.13 in float32 agrees with each to 4e-8.)
 */
class AdamTest {
    static float[] run(Optimizer<Adam.Options> opt, Parameter p, float... grads) {
        float[] out = new float[grads.length];
        for (int i = 0; i < grads.length; i++) {
            p.setGrad(Tensor.vector(grads[i]));
            opt.step();
            out[i] = p.data().item();
        }
        return out;
    }

    static Parameter scalar() {
        return new Parameter(Tensor.vector(1f));
    }

    @Test
    void adam() {
        // t=1: m = 0.1, v = 0.001, step = 0.1 / 0.1 * 0.1 / (sqrt(0.001) / sqrt(0.001) + 1e-8) = 0.1 -> p = 0.9
        // t=2: m = 0.29, v = 0.004999, p = 0.9 - 0.1 / 0.19 * 0.29 / (sqrt(0.004999) / sqrt(0.001999) + 1e-8) = 0.80348180
        // t=3: m = 0.161, v = 0.005994001, p = 0.76147287
        Parameter p = scalar();
        float[] got = run(new Adam(List.of(p), Adam.options(0.1)), p, 1, 2, -1);
        assertArrayEquals(new float[] {0.900000001f, 0.8034817990281663f, 0.7614728689681868f}, got, 1e-6f);
    }

    @Test
    void adamWithL2WeightDecay() {
        // g = g + 0.1 p before the moments: t=1 g = 1.1 -> p = 0.9; then g = 2.09, -0.91...
        Parameter p = scalar();
        float[] got = run(new Adam(List.of(p), Adam.options(0.1).weightDecay(0.1)), p, 1, 2, -1);
        assertArrayEquals(new float[] {0.9000000009090909f, 0.8029473346876735f, 0.7562370580113803f}, got, 1e-6f);
    }

    @Test
    void adamW() {
        // p = p * (1 - 0.1 * 0.1) first, then the plain Adam step: t=1 p = 0.99 - 0.1 = 0.89
        Parameter p = scalar();
        float[] got = run(new AdamW(List.of(p), AdamW.options(0.1).weightDecay(0.1)), p, 1, 2, -1);
        assertArrayEquals(new float[] {0.890000001f, 0.7845817990181663f, 0.7347270509680051f}, got, 1e-6f);
        assertEquals(0.01, AdamW.options(1e-3).weightDecay());
    }

    @Test
    void amsgradKeepsTheLargestSecondMoment() {
        // grads 3, 0: v1 = 0.009, v2 = 0.008991 < v1, so amsgrad divides by sqrt(0.009) / sqrt(0.001999):
        // p2 = 0.9 - 0.1 / 0.19 * 0.27 / (sqrt(0.009) / sqrt(0.001999) + 1e-8) = 0.83302769
        // without amsgrad: ... / (sqrt(0.008991) / sqrt(0.001999) + 1e-8) = 0.83299416
        Parameter a = scalar(), b = scalar();
        assertArrayEquals(new float[] {0.9f, 0.8330276865279365f}, run(new Adam(List.of(a), Adam.options(0.1).amsgrad(true)), a, 3, 0), 1e-6f);
        assertArrayEquals(new float[] {0.9f, 0.8329941630363464f}, run(new Adam(List.of(b), Adam.options(0.1)), b, 3, 0), 1e-6f);
    }

    @Test
    void stateHoldsStepAndMoments() {
        Parameter p = scalar();
        Adam opt = new Adam(List.of(p), Adam.options(0.1));
        run(opt, p, 1, 2);
        ParamState s = opt.stateOf(p);
        assertEquals(2.0, s.scalar("step", -1));
        assertEquals(0.29f, s.tensor("exp_avg").item(), 1e-7f);
        assertEquals(0.004999f, s.tensor("exp_avg_sq").item(), 1e-9f);
    }

    @Test
    void badOptionsAreRejected() {
        Parameter p = scalar();
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), Adam.options(0.1).betas(1.0, 0.999)));
        assertEquals("Adam: invalid beta parameter at index 0: 1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(p), AdamW.options(0.1).eps(-1)));
    }
}
