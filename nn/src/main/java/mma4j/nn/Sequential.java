package mma4j.nn;

import mma4j.autograd.Variable;

/** Modules applied one after another; children are named 0, 1, 2, ... as in PyTorch. */
public class Sequential extends Module {
    private int size;

    @SuppressWarnings("this-escape")
    public Sequential(Module... layers) {
        for (Module m : layers) add(m);
    }

    /** Appends a layer named by its index. */
    public final Sequential add(Module layer) {
        return add(String.valueOf(size), layer);
    }

    /** Appends a layer under a chosen name (PyTorch's Sequential(OrderedDict(...))). */
    public final Sequential add(String name, Module layer) {
        registerModule(name, layer);
        size++;
        return this;
    }

    public final Module get(int index) {
        if (index < 0 || index >= size) throw new IllegalArgumentException("Sequential.get: index " + index + " out of range [0, " + size + ")");
        return children().get(index);
    }

    public final int size() {
        return size;
    }

    /** Runs the layers in order; a BatchNorm directly followed by a ReLU runs as one fused op (same results). */
    @Override
    public Variable forward(Variable x) {
        var layers = children();
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (m instanceof BatchNorm bn && i + 1 < layers.size() && layers.get(i + 1).getClass() == ReLU.class) {
                x = bn.forwardRelu(x);
                i++;
            } else {
                x = m.forward(x);
            }
        }
        return x;
    }
}
