package mma4j.nn.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import mma4j.nn.Parameter;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * SGD on one scalar parameter p = 1 with given gradients; expected values are worked out from
 * torch.optim.SGD's rule in the comments (and agree with PyTorch 1.13 to float precision).
 */
class SGDTest {
    static float[] run(SGD.Options o, float... grads) {
        Parameter p = new Parameter(Tensor.vector(1f));
        SGD opt = new SGD(List.of(p), o);
        float[] out = new float[grads.length];
        for (int i = 0; i < grads.length; i++) {
            p.setGrad(Tensor.vector(grads[i]));
            opt.step();
            out[i] = p.data().item();
        }
        return out;
    }

    @Test
    void plain() {
        assertArrayEquals(new float[] {0.95f}, run(SGD.options(0.1), 0.5f), 1e-7f);   // 1 - 0.1 * 0.5
    }

    @Test
    void maximize() {
        assertArrayEquals(new float[] {1.05f}, run(SGD.options(0.1).maximize(true), 0.5f), 1e-7f);   // 1 + 0.1 * 0.5
    }

    @Test
    void momentumDampeningWeightDecay() {
        // lr 0.1, momentum 0.9, dampening 0.5, weight decay 0.1; grads 1, 2, -1
        // 1: d = 1 + 0.1 * 1 = 1.1;            b = 1.1 (first step: no dampening);      p = 1 - 0.11 = 0.89
        // 2: d = 2 + 0.1 * 0.89 = 2.089;       b = 0.9 * 1.1 + 0.5 * 2.089 = 2.0345;    p = 0.89 - 0.20345 = 0.68655
        // 3: d = -1 + 0.068655 = -0.931345;    b = 0.9 * 2.0345 - 0.5 * 0.931345 = 1.3653775; p = 0.68655 - 0.13653775 = 0.55001225
        float[] p = run(SGD.options(0.1).momentum(0.9).dampening(0.5).weightDecay(0.1), 1, 2, -1);
        assertArrayEquals(new float[] {0.89f, 0.68655f, 0.55001225f}, p, 1e-6f);
    }

    @Test
    void nesterov() {
        // lr 0.1, momentum 0.9, Nesterov; grads 1, 2, -1
        // 1: b = 1;                 d = 1 + 0.9 * 1 = 1.9;       p = 1 - 0.19 = 0.81
        // 2: b = 0.9 + 2 = 2.9;     d = 2 + 0.9 * 2.9 = 4.61;    p = 0.81 - 0.461 = 0.349
        // 3: b = 2.61 - 1 = 1.61;   d = -1 + 0.9 * 1.61 = 0.449; p = 0.349 - 0.0449 = 0.3041
        assertArrayEquals(new float[] {0.81f, 0.349f, 0.3041f}, run(SGD.options(0.1).momentum(0.9).nesterov(true), 1, 2, -1), 1e-6f);
    }

    @Test
    void momentumBufferIsState() {
        Parameter p = new Parameter(Tensor.vector(1f, 2f));
        SGD opt = new SGD(List.of(p), SGD.options(0.1).momentum(0.9));
        assertTrue(opt.stateOf(p).isEmpty());
        p.setGrad(Tensor.vector(1f, -1f));
        opt.step();
        assertArrayEquals(new float[] {1f, -1f}, opt.stateOf(p).tensor("momentum_buffer").toArray());
        // A parameter without a gradient is skipped.
        p.zeroGrad();
        opt.step();
        assertArrayEquals(new float[] {0.9f, 2.1f}, p.data().toArray(), 1e-7f);
    }

    @Test
    void paramGroupsHaveTheirOwnOptions() {
        Parameter a = new Parameter(Tensor.vector(1f)), b = new Parameter(Tensor.vector(1f));
        SGD opt = new SGD(new ParamGroup<>(List.of(a), SGD.options(0.1)), new ParamGroup<>(List.of(b), SGD.options(0.1).weightDecay(1)));
        a.setGrad(Tensor.vector(1f));
        b.setGrad(Tensor.vector(1f));
        opt.step();
        assertEquals(0.9f, a.data().item(), 1e-7f);   // 1 - 0.1 * 1
        assertEquals(0.8f, b.data().item(), 1e-7f);   // 1 - 0.1 * (1 + 1 * 1)
        opt.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
        assertEquals(2, opt.paramGroups().size());
    }

    @Test
    void badOptionsAndGroupsAreRejected() {
        Parameter p = new Parameter(Tensor.vector(1f));
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), SGD.options(0.1).nesterov(true)));
        assertTrue(e.getMessage().contains("Nesterov momentum requires a momentum and zero dampening"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), SGD.options(-1)));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), SGD.options(0.1).momentum(-0.5)));
        var dup = assertThrows(IllegalArgumentException.class,
                () -> new SGD(new ParamGroup<>(List.of(p), SGD.options(0.1)), new ParamGroup<>(List.of(p), SGD.options(0.1))));
        assertTrue(dup.getMessage().contains("more than one parameter group"));
        var nonLeaf = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p.mul(2f)), SGD.options(0.1)));
        assertTrue(nonLeaf.getMessage().contains("non-leaf"));
    }
}
