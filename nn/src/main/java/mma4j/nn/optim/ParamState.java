package mma4j.nn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import mma4j.tensor.Tensor;

/** What an optimizer remembers about one parameter: named tensors (momentum buffers...) and scalars (step). */
public final class ParamState {
    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    private final LinkedHashMap<String, Double> scalars = new LinkedHashMap<>();

    /** The tensor, or null if not created yet. */
    public Tensor tensor(String name) {
        return tensors.get(name);
    }

    public void put(String name, Tensor t) {
        tensors.put(name, t);
    }

    /** The scalar, or {@code absent} if not set yet. */
    public double scalar(String name, double absent) {
        Double v = scalars.get(name);
        return v == null ? absent : v;
    }

    public void put(String name, double v) {
        scalars.put(name, v);
    }

    public boolean isEmpty() {
        return tensors.isEmpty() && scalars.isEmpty();
    }

    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public Map<String, Double> scalars() {
        return Collections.unmodifiableMap(scalars);
    }
}
