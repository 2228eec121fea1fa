package mma4j.models.zoo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.nn.Module;
import mma4j.tensor.Generator;

/**
 * Every model by name, as the command line and the benchmarks know them.
 *
 * <p>Input geometry comes from the dataset: 3x32x32 for CIFAR, 3x64x64 for TinyImageNet
 * (VGG's classifier then takes 512*2*2 features; the ResNets pool globally), 1x28x28 for
 * Fashion-MNIST ({@code vgg_small} only).
 */
public final class ModelZoo {
    /** What a model is built for. */
    public record Spec(int inChannels, int inputSize, int numClasses) {
        public static Spec cifar(int classes) { return new Spec(3, 32, classes); }
    }

    @FunctionalInterface
    interface Builder {
        Module build(Spec spec, Generator g);
    }

    private static final Map<String, Builder> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("vgg16_bn", (s, g) -> new Vgg(Vgg.VGG16, s.inChannels(), s.inputSize(), s.numClasses(), g));
        MODELS.put("vgg19_bn", (s, g) -> new Vgg(Vgg.VGG19, s.inChannels(), s.inputSize(), s.numClasses(), g));
        MODELS.put("resnet20", (s, g) -> rgb(s, new ResNet(20, s.numClasses(), ResNet.Shortcut.PROJECTION, g)));
        MODELS.put("resnet56", (s, g) -> rgb(s, new ResNet(56, s.numClasses(), ResNet.Shortcut.PROJECTION, g)));
        MODELS.put("resnet110", (s, g) -> rgb(s, new ResNet(110, s.numClasses(), ResNet.Shortcut.PROJECTION, g)));
        MODELS.put("resnet20_a", (s, g) -> rgb(s, new ResNet(20, s.numClasses(), ResNet.Shortcut.ZERO_PAD, g)));
        MODELS.put("resnet56_a", (s, g) -> rgb(s, new ResNet(56, s.numClasses(), ResNet.Shortcut.ZERO_PAD, g)));
        MODELS.put("resnet110_a", (s, g) -> rgb(s, new ResNet(110, s.numClasses(), ResNet.Shortcut.ZERO_PAD, g)));
        MODELS.put("wrn16_8", (s, g) -> rgb(s, new WideResNet(16, 8, s.numClasses(), 0f, g)));
        MODELS.put("wrn28_10", (s, g) -> rgb(s, new WideResNet(28, 10, s.numClasses(), 0f, g)));
        MODELS.put("densenet40_12", (s, g) -> rgb(s, new DenseNet(40, 12, 1, false, s.numClasses(), g)));
        MODELS.put("densenet_bc100_12", (s, g) -> rgb(s, new DenseNet(100, 12, 2, true, s.numClasses(), g)));
        MODELS.put("vgg_small", (s, g) -> new SmallVgg(s.inChannels(), s.inputSize(), s.numClasses(), g));
    }

    private ModelZoo() {}

    private static Module rgb(Spec s, Module m) {
        if (s.inChannels() != 3) {
            throw new IllegalArgumentException("model expects 3-channel images, but the dataset has " + s.inChannels() + " channel(s)");
        }
        return m;
    }

    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /** Builds a model; unknown names fail with the list of known ones. */
    public static Module create(String name, Spec spec, Generator g) {
        Builder b = MODELS.get(name);
        if (b == null) throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", names()));
        if (spec.numClasses() < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + spec.numClasses());
        return b.build(spec, g);
    }

    public static Module create(String name, int numClasses, long seed) {
        return create(name, Spec.cifar(numClasses), new Generator(seed));
    }
}
