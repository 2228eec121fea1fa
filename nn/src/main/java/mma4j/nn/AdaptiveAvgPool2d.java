package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;

/** Global average pooling: [N, C, H, W] to [N, C, 1, 1]. Only output size 1 is supported (what CIFAR models use). */
public class AdaptiveAvgPool2d extends Module {
    public AdaptiveAvgPool2d() {
        this(1);
    }

    public AdaptiveAvgPool2d(int outputSize) {
        if (outputSize != 1) throw new IllegalArgumentException("AdaptiveAvgPool2d: only output size 1 is supported, got " + outputSize);
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.adaptiveAvgPool2d1(x);
    }

    @Override
    protected String extraRepr() {
        return "output_size=1";
    }
}
