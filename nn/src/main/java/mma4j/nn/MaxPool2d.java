package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;

/** Max pooling over [N, C, H, W] with a square window; stride defaults to the kernel size, as in PyTorch. */
public class MaxPool2d extends Module {
    private final int kernelSize, stride, padding;

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        if (kernelSize <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("MaxPool2d: need kernel, stride > 0 and padding >= 0, got kernel=" + kernelSize + ", stride=" + stride + ", padding=" + padding);
        }
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.maxPool2d(x, kernelSize, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding;
    }
}
