package mma4j.models.zoo;

import mma4j.autograd.Variable;
import mma4j.nn.Linear;
import mma4j.nn.Module;
import mma4j.nn.Sequential;
import mma4j.tensor.Generator;

/**
 * The default model of {@code mma4j train}: a small VGG-style net for 28x28 grey images
 * (Fashion-MNIST): two stages of two 3x3 conv-BN-ReLU layers (32 and 64 maps) with max-pooling,
 * then a Linear classifier on the 7x7x64 maps. Same layout and names as {@link Vgg}.
 */
public final class SmallVgg extends Module {
    static final int[] CFG = {32, 32, Vgg.M, 64, 64, Vgg.M};

    private final Sequential features;
    private final Linear classifier;

    SmallVgg(int inChannels, int inputSize, int numClasses, Generator g) {
        features = registerModule("features", Vgg.makeLayers(CFG, inChannels, g));
        int side = inputSize / 4;
        classifier = registerModule("classifier", new Linear(64 * side * side, numClasses, true, g));
        BearpawInit.apply(this, BearpawInit.LinearRule.NORMAL_001_ZERO_BIAS, g);
    }

    @Override
    public Variable forward(Variable x) {
        Variable f = features.forward(x);
        return classifier.forward(f.reshape(f.size(0), -1));
    }
}
