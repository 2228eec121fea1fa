package mma4j.models.zoo;

import mma4j.autograd.Variable;
import mma4j.nn.BatchNorm2d;
import mma4j.nn.Conv2d;
import mma4j.nn.Linear;
import mma4j.nn.MaxPool2d;
import mma4j.nn.Module;
import mma4j.nn.ReLU;
import mma4j.nn.Sequential;
import mma4j.tensor.Generator;

/**
 * VGG with batch-norm for CIFAR (bearpaw's vgg.py): {@code features} = 3x3 convs with bias,
 * each followed by BatchNorm and ReLU, max-pool at 'M'; then one {@code classifier} Linear.
 * For 64x64 inputs (TinyImageNet) the five pools leave 2x2 maps, so the classifier takes
 * 512*2*2 features.
 */
public final class Vgg extends Module {
    static final int M = -1;
    static final int[] VGG16 = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    static final int[] VGG19 = {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};

    private final Sequential features;
    private final Linear classifier;

    Vgg(int[] cfg, int inChannels, int inputSize, int numClasses, Generator g) {
        features = registerModule("features", makeLayers(cfg, inChannels, g));
        int pools = 0, last = inChannels;
        for (int v : cfg) {
            if (v == M) pools++;
            else last = v;
        }
        int side = inputSize >> pools;
        if (side < 1) throw new IllegalArgumentException("vgg: input size " + inputSize + " is too small for " + pools + " max-pools");
        classifier = registerModule("classifier", new Linear(last * side * side, numClasses, true, g));
        BearpawInit.apply(this, BearpawInit.LinearRule.NORMAL_001_ZERO_BIAS, g);
    }

    static Sequential makeLayers(int[] cfg, int inChannels, Generator g) {
        Sequential s = new Sequential();
        int in = inChannels;
        for (int v : cfg) {
            if (v == M) {
                s.add(new MaxPool2d(2, 2, 0));
            } else {
                s.add(Conv2d.builder(in, v, 3).padding(1).generator(g).build());
                s.add(new BatchNorm2d(v));
                s.add(new ReLU());
                in = v;
            }
        }
        return s;
    }

    @Override
    public Variable forward(Variable x) {
        Variable f = features.forward(x);
        return classifier.forward(f.reshape(f.size(0), -1));
    }
}
