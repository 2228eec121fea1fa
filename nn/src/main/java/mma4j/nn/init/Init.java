package mma4j.nn.init;

import mma4j.tensor.Generator;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * Weight initialization, as torch.nn.init. Each method fills a tensor in place from a seeded
 * {@link Generator} and returns it.
 *
 * <p>Layers built without a Generator draw from {@link #defaultGenerator()}, one process-wide
 * generator seeded with {@link #DEFAULT_SEED}; {@link #manualSeed(long)} reseeds it (PyTorch's
 * torch.manual_seed). Building the same model after the same manualSeed gives bitwise the
 * same weights. The default generator is not thread-safe: build models on one thread, or pass
 * each layer its own Generator.
 */
public final class Init {
    /** The seed of the default generator until {@link #manualSeed} is called. */
    public static final long DEFAULT_SEED = 0L;

    private static Generator defaultGenerator = new Generator(DEFAULT_SEED);

    private Init() {}

    public enum FanMode { FAN_IN, FAN_OUT }

    /** The generator layers use when none is given. */
    public static synchronized Generator defaultGenerator() {
        return defaultGenerator;
    }

    /** Reseeds the default generator. */
    public static synchronized void manualSeed(long seed) {
        defaultGenerator = new Generator(seed);
    }

    // ------------------------------------------------------------------ fans and gains

    /**
     * {fan_in, fan_out} of a weight: [out, in] for linear, [out, in, k...] for conv, where the
     * receptive field size multiplies both.
     */
    public static int[] fanInAndFanOut(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("init: fan in and fan out need a tensor with at least 2 dimensions, got " + Shapes.str(shape));
        }
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        return new int[] {shape[1] * receptive, shape[0] * receptive};
    }

    public static int fan(int[] shape, FanMode mode) {
        int[] f = fanInAndFanOut(shape);
        return mode == FanMode.FAN_IN ? f[0] : f[1];
    }

    /**
     * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): linear, conv*,
     * sigmoid 1; tanh 5/3; relu sqrt(2); leaky_relu sqrt(2 / (1 + slope^2)); selu 3/4.
     */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("calculateGain: unsupported nonlinearity '" + nonlinearity
                    + "' (linear, conv2d, sigmoid, tanh, relu, leaky_relu, selu)");
        };
    }

    /** Gain with leaky_relu's default slope 0.01 (PyTorch's param=None). */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    // ------------------------------------------------------------------ fills

    /** Uniform in [a, b). */
    public static Tensor uniform(Tensor t, double a, double b, Generator g) {
        if (!(a <= b)) throw new IllegalArgumentException("init.uniform: need a <= b, got a=" + a + ", b=" + b);
        return fill(t, Tensor.uniform(g, (float) a, (float) b, t.shape()));
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(Tensor t, double mean, double std, Generator g) {
        if (!(std >= 0)) throw new IllegalArgumentException("init.normal: std must be >= 0, got " + std);
        Tensor r = Tensor.empty(t.shape());
        float[] d = r.array();
        for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * g.nextGaussian());
        return fill(t, r);
    }

    public static Tensor constant(Tensor t, double value) {
        return t.fillInPlace((float) value);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    /**
     * He et al. uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan), gain for
     * (nonlinearity, a). PyTorch's default for Linear and Conv2d weights is
     * kaimingUniform(w, sqrt(5), FAN_IN, "leaky_relu", g), i.e. bound = 1 / sqrt(fan_in).
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, String nonlinearity, Generator g) {
        double std = calculateGain(nonlinearity, a) / Math.sqrt(nonZeroFan("kaimingUniform", t, mode));
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound, g);
    }

    /**
     * He et al. normal: N(0, std^2) with std = gain / sqrt(fan). torchvision's ResNets use
     * kaimingNormal(w, 0, FAN_OUT, "relu", g) for their convolutions.
     */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, String nonlinearity, Generator g) {
        double std = calculateGain(nonlinearity, a) / Math.sqrt(nonZeroFan("kaimingNormal", t, mode));
        return normal(t, 0, std, g);
    }

    /** Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain, Generator g) {
        int[] f = fanInAndFanOut(t.shape());
        double std = gain * Math.sqrt(2.0 / (f[0] + f[1]));
        double a = Math.sqrt(3.0) * std;
        return uniform(t, -a, a, g);
    }

    /** Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor t, double gain, Generator g) {
        int[] f = fanInAndFanOut(t.shape());
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), g);
    }

    private static int nonZeroFan(String op, Tensor t, FanMode mode) {
        int fan = fan(t.shape(), mode);
        if (fan == 0) throw new IllegalArgumentException(op + ": cannot initialize a tensor with a zero " + mode + " (shape " + Shapes.str(t.shape()) + ")");
        return fan;
    }

    /** Copies host values into t (which may live on another device); bumps its version. */
    private static Tensor fill(Tensor t, Tensor values) {
        return t.copyFrom(values.to(t.device()));
    }
}
