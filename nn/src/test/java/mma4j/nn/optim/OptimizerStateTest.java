package mma4j.nn.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.nn.Parameter;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptimizerStateTest {
    static List<Parameter> params() {
        return List.of(new Parameter(Tensor.vector(1f, 2f)), new Parameter(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)));
    }

    static void stepWith(Optimizer<?> opt, List<Parameter> ps, float g) {
        for (Parameter p : ps) p.setGrad(Tensor.full(g, p.shape()));
        opt.step();
    }

    @Test
    void keysFollowPyTorchsStateDict() {
        List<Parameter> ps = params();
        Adam opt = new Adam(List.of(ps.get(0)), Adam.options(0.1));
        opt.addParamGroup(new ParamGroup<>(List.of(ps.get(1)), Adam.options(0.01).amsgrad(true)));
        stepWith(opt, ps, 1f);
        OptimizerState s = opt.state();
        assertEquals(List.of("state.0.exp_avg", "state.0.exp_avg_sq", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq"),
                List.copyOf(s.tensors().keySet()));
        assertEquals(Map.of("state.0.step", 1.0, "state.1.step", 1.0, "param_groups.0.lr", 0.1, "param_groups.0.num_params", 1.0,
                "param_groups.1.lr", 0.01, "param_groups.1.num_params", 1.0), s.scalars());
        // Copies: stepping on does not change a saved state.
        float before = s.tensors().get("state.0.exp_avg").toArray()[0];
        stepWith(opt, ps, 5f);
        assertEquals(before, s.tensors().get("state.0.exp_avg").toArray()[0]);
    }

    @Test
    void resumedOptimizerContinuesBitwise() {
        for (boolean adam : new boolean[] {false, true}) {
            List<Parameter> a = params(), b = params();
            Optimizer<?> oa = adam ? new AdamW(a, AdamW.options(0.05)) : new SGD(a, SGD.options(0.1).momentum(0.9).nesterov(true).weightDecay(0.01));
            float[] grads = {0.3f, -1.2f, 0.7f, 2.5f, -0.1f, 0.9f};
            for (int i = 0; i < 3; i++) stepWith(oa, a, grads[i]);
            OptimizerState saved = oa.state();
            // b: same parameter values as a at the checkpoint, fresh optimizer, then loadState.
            for (int i = 0; i < a.size(); i++) b.get(i).data().copyFrom(a.get(i).data());
            Optimizer<?> ob = adam ? new AdamW(b, AdamW.options(0.05)) : new SGD(b, SGD.options(0.1).momentum(0.9).nesterov(true).weightDecay(0.01));
            ob.loadState(saved);
            for (int i = 3; i < 6; i++) {
                stepWith(oa, a, grads[i]);
                stepWith(ob, b, grads[i]);
            }
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data().toArray(), b.get(i).data().toArray(), adam ? "AdamW" : "SGD");
        }
    }

    @Test
    void loadStateRejectsAMismatchAndChangesNothing() {
        List<Parameter> ps = params();
        SGD opt = new SGD(ps, SGD.options(0.1).momentum(0.9));
        stepWith(opt, ps, 1f);
        OptimizerState good = opt.state();
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>(good.tensors());
        tensors.put("state.1.momentum_buffer", Tensor.zeros(3, 2));   // wrong shape
        tensors.put("state.7.momentum_buffer", Tensor.zeros(2));      // no such parameter
        LinkedHashMap<String, Double> scalars = new LinkedHashMap<>(good.scalars());
        scalars.put("state.0.exp_avg", 1.0);                          // not an SGD state
        scalars.put("param_groups.0.lr", 0.5);

        float[] buffer = opt.stateOf(ps.get(1)).tensor("momentum_buffer").toArray();
        var e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(new OptimizerState(tensors, scalars)));
        String m = e.getMessage();
        assertTrue(m.contains("state.1.momentum_buffer: checkpoint shape [3, 2], parameter shape [2, 3]"), m);
        assertTrue(m.contains("state.7.momentum_buffer: this optimizer has 2 parameter(s)"), m);
        assertTrue(m.contains("state.0.exp_avg: SGD keeps no 'exp_avg'"), m);
        assertTrue(m.contains("nothing was loaded"), m);
        assertEquals(0.1, opt.paramGroups().get(0).lr());
        assertArrayEquals(buffer, opt.stateOf(ps.get(1)).tensor("momentum_buffer").toArray());

        // Adam's step is a scalar, its moments tensors: swapping the kinds is refused.
        Adam adam = new Adam(ps, Adam.options(0.1));
        stepWith(adam, ps, 1f);
        LinkedHashMap<String, Tensor> at = new LinkedHashMap<>(adam.state().tensors());
        LinkedHashMap<String, Double> as = new LinkedHashMap<>(adam.state().scalars());
        at.put("state.0.step", Tensor.vector(1f, 1f));
        as.put("state.0.exp_avg", 0.0);
        var k = assertThrows(IllegalArgumentException.class, () -> adam.loadState(new OptimizerState(at, as)));
        assertTrue(k.getMessage().contains("state.0.step: 'step' is a scalar, not a tensor"), k.getMessage());
        assertTrue(k.getMessage().contains("state.0.exp_avg: 'exp_avg' is a tensor, not a scalar"), k.getMessage());

        SGD twoGroups = new SGD(new ParamGroup<>(List.of(ps.get(0)), SGD.options(0.1)), new ParamGroup<>(List.of(ps.get(1)), SGD.options(0.1)));
        var g = assertThrows(IllegalArgumentException.class, () -> twoGroups.loadState(good));
        assertTrue(g.getMessage().contains("param_groups.0.num_params: checkpoint has 2 parameters, this group has 1"), g.getMessage());
    }
}
