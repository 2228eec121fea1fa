package mma4j.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ProfilerTest {
    @Test
    void recordsEveryForwardAndBackwardInsideTheScopeOnly() {
        Variable x = Variable.param(Tensor.ones(3, 3));
        x.mul(x).sum().backward(); // outside: not recorded
        Map<String, Double> ms;
        try (Profiler.Session p = Profiler.record()) {
            x.mul(x).relu().sum().backward();
            ms = p.millisByOp();
            assertTrue(p.table().contains("Relu (backward)"), p.table());
        }
        assertEquals(java.util.Set.of("Mul (forward)", "Relu (forward)", "Sum (forward)", "Mul (backward)", "Relu (backward)", "Sum (backward)"),
                ms.keySet());
        try (Profiler.Session p = Profiler.record()) {
            assertTrue(p.millisByOp().isEmpty(), "a new session starts empty");
        }
    }
}
