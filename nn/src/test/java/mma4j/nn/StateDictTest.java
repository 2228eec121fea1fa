package mma4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class StateDictTest {
    static Sequential net(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(3, 4, true, g), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, true, g));
    }

    static Map<String, float[]> snapshot(Module m) {
        Map<String, float[]> s = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) s.put(e.getKey(), e.getValue().toArray());
        return s;
    }

    static void assertSameState(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
    }

    @Test
    void loadCopiesEveryValue() {
        Sequential a = net(1), b = net(2);
        a.get(1).stateDict().get("num_batches_tracked").fillInPlace(7);
        a.get(1).stateDict().get("running_mean").fillInPlace(0.5f);
        Module.LoadResult r = b.loadStateDict(a.stateDict(), true);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        assertSameState(snapshot(a), snapshot(b));
        // Copied, not aliased: changing the source afterwards leaves b alone.
        a.stateDict().get("0.weight").fillInPlace(9);
        assertNotEquals(9f, b.stateDict().get("0.weight").toArray()[0]);
    }

    @Test
    void strictFailureListsEveryProblemAndLoadsNothing() {
        Sequential a = net(1), b = net(2);
        Map<String, float[]> before = snapshot(b);
        LinkedHashMap<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
        sd.remove("0.bias");
        sd.remove("1.running_var");
        sd.put("3.weight", Tensor.zeros(3, 4));          // wrong shape: model has [2, 4]
        sd.put("4.weight", Tensor.zeros(1));             // unexpected
        sd.put("extra", Tensor.zeros(1));                // unexpected
        StateDictException e = assertThrows(StateDictException.class, () -> b.loadStateDict(sd, true));
        assertEquals(List.of("0.bias", "1.running_var"), e.missingKeys());
        assertEquals(List.of("4.weight", "extra"), e.unexpectedKeys());
        assertEquals(List.of("3.weight: checkpoint [3, 4], model [2, 4]"), e.shapeMismatches());
        String msg = e.getMessage();
        assertTrue(msg.contains("Missing key(s): 0.bias, 1.running_var"), msg);
        assertTrue(msg.contains("Unexpected key(s): 4.weight, extra"), msg);
        assertTrue(msg.contains("Size mismatch: 3.weight: checkpoint [3, 4], model [2, 4]"), msg);
        assertTrue(msg.contains("Nothing was loaded"), msg);
        assertSameState(before, snapshot(b));
    }

    @Test
    void nonStrictLoadsWhatFitsAndReports() {
        Sequential a = net(1), b = net(2);
        LinkedHashMap<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
        sd.remove("3.bias");
        sd.put("head.weight", Tensor.zeros(1));
        float[] bias3 = b.stateDict().get("3.bias").toArray();
        Module.LoadResult r = b.loadStateDict(sd, false);
        assertEquals(List.of("3.bias"), r.missingKeys());
        assertEquals(List.of("head.weight"), r.unexpectedKeys());
        assertArrayEquals(a.stateDict().get("0.weight").toArray(), b.stateDict().get("0.weight").toArray());
        assertArrayEquals(bias3, b.stateDict().get("3.bias").toArray());
    }

    @Test
    void shapeMismatchFailsEvenWhenNotStrict() {
        Sequential b = net(2);
        Map<String, float[]> before = snapshot(b);
        LinkedHashMap<String, Tensor> sd = new LinkedHashMap<>(net(1).stateDict());
        sd.put("0.bias", Tensor.zeros(5));
        StateDictException e = assertThrows(StateDictException.class, () -> b.loadStateDict(sd, false));
        assertEquals(List.of("0.bias: checkpoint [5], model [4]"), e.shapeMismatches());
        assertSameState(before, snapshot(b));
    }

    @Test
    void missingNumBatchesTrackedIsTolerated() {
        Sequential a = net(1), b = net(2);
        b.get(1).stateDict().get("num_batches_tracked").fillInPlace(4);
        LinkedHashMap<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
        sd.remove("1.num_batches_tracked");
        Module.LoadResult r = b.loadStateDict(sd, true);
        assertTrue(r.missingKeys().isEmpty());
        assertEquals(4f, b.stateDict().get("1.num_batches_tracked").item());   // the current value stays, as in PyTorch
        assertArrayEquals(a.stateDict().get("1.running_mean").toArray(), b.stateDict().get("1.running_mean").toArray());
    }
}
