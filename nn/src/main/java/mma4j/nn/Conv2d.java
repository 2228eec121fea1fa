package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;
import mma4j.nn.init.Init;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/**
 * 2-d convolution over [N, C, H, W] with a square kernel, as torch.nn.Conv2d (no groups, no
 * dilation). Weight [out, in, k, k]; initialized as PyTorch does (kaiming-uniform a = sqrt(5),
 * bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in * k * k).
 *
 * <pre>{@code
 * Conv2d conv = Conv2d.builder(64, 128, 3).stride(2).padding(1).bias(false).build();
 * }</pre>
 */
public class Conv2d extends Module {
    private final int inChannels, outChannels, kernelSize, stride, padding;
    private final Parameter weight;
    private final Parameter bias;

    /** Stride 1, no padding, with bias, default generator. */
    @SuppressWarnings("this-escape")
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(builder(inChannels, outChannels, kernelSize));
    }

    @SuppressWarnings("this-escape")   // registering and initializing in the constructor is the Module pattern
    private Conv2d(Builder b) {
        if (b.in <= 0 || b.out <= 0 || b.kernel <= 0 || b.stride <= 0 || b.padding < 0) {
            throw new IllegalArgumentException("Conv2d: need in, out, kernel, stride > 0 and padding >= 0, got in=" + b.in + ", out=" + b.out
                    + ", kernel=" + b.kernel + ", stride=" + b.stride + ", padding=" + b.padding);
        }
        this.inChannels = b.in;
        this.outChannels = b.out;
        this.kernelSize = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(b.out, b.in, b.kernel, b.kernel)));
        this.bias = b.bias ? registerParameter("bias", new Parameter(Tensor.zeros(b.out))) : null;
        resetParameters(b.generator != null ? b.generator : Init.defaultGenerator());
    }

    public static Builder builder(int inChannels, int outChannels, int kernelSize) {
        return new Builder(inChannels, outChannels, kernelSize);
    }

    /** PyTorch's reset_parameters. */
    public void resetParameters(Generator g) {
        Init.kaimingUniform(weight.data(), Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu", g);
        if (bias != null) {
            double bound = 1 / Math.sqrt(Init.fan(weight.shape(), Init.FanMode.FAN_IN));
            Init.uniform(bias.data(), -bound, bound, g);
        }
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.conv2d(x, weight, bias, stride, padding);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }

    public int inChannels() { return inChannels; }
    public int outChannels() { return outChannels; }
    public int kernelSize() { return kernelSize; }
    public int stride() { return stride; }
    public int padding() { return padding; }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kernelSize + ", " + kernelSize + "), stride=(" + stride + ", " + stride + ")"
                + (padding != 0 ? ", padding=(" + padding + ", " + padding + ")" : "") + (bias == null ? ", bias=False" : "");
    }

    /** Options with PyTorch's defaults: stride 1, padding 0, bias on, the default generator. */
    public static final class Builder {
        private final int in, out, kernel;
        private int stride = 1, padding = 0;
        private boolean bias = true;
        private Generator generator;

        private Builder(int in, int out, int kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        public Builder stride(int s) { this.stride = s; return this; }
        public Builder padding(int p) { this.padding = p; return this; }
        public Builder bias(boolean b) { this.bias = b; return this; }
        /** Where the initial weights are drawn from (else {@link Init#defaultGenerator()}). */
        public Builder generator(Generator g) { this.generator = g; return this; }

        public Conv2d build() {
            return new Conv2d(this);
        }
    }
}
