package mma4j.models.zoo;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;
import mma4j.nn.BatchNorm2d;
import mma4j.nn.Conv2d;
import mma4j.nn.Linear;
import mma4j.nn.Module;
import mma4j.nn.Sequential;
import mma4j.tensor.Generator;

/**
 * DenseNet for CIFAR (bearpaw's densenet.py): a first conv of 2*growth channels, three dense
 * blocks {@code denseK.N} joined by transitions {@code transK} (BN-ReLU-conv1x1-avgpool2), then
 * BN-ReLU, global average pooling and {@code fc}. Basic blocks are BN-ReLU-conv3x3 (DenseNet-40-12,
 * no compression); the BC variant uses bottlenecks (BN-ReLU-conv1x1 to 4*growth, BN-ReLU-conv3x3)
 * and compression 2.
 */
public final class DenseNet extends Module {
    private final Conv2d conv1;
    private final Sequential dense1, dense2, dense3;
    private final Transition trans1, trans2;
    private final BatchNorm2d bn;
    private final Linear fc;

    DenseNet(int depth, int growth, int compression, boolean bottleneck, int numClasses, Generator g) {
        if ((depth - 4) % (bottleneck ? 6 : 3) != 0 || depth < 7) {
            throw new IllegalArgumentException("densenet: depth must be 3n+4 (basic) or 6n+4 (bottleneck), got " + depth);
        }
        int n = bottleneck ? (depth - 4) / 6 : (depth - 4) / 3;
        int planes = 2 * growth;
        conv1 = registerModule("conv1", Conv2d.builder(3, planes, 3).padding(1).bias(false).generator(g).build());
        dense1 = registerModule("dense1", denseBlock(planes, n, growth, bottleneck, g));
        planes += n * growth;
        trans1 = registerModule("trans1", new Transition(planes, planes / compression, g));
        planes /= compression;
        dense2 = registerModule("dense2", denseBlock(planes, n, growth, bottleneck, g));
        planes += n * growth;
        trans2 = registerModule("trans2", new Transition(planes, planes / compression, g));
        planes /= compression;
        dense3 = registerModule("dense3", denseBlock(planes, n, growth, bottleneck, g));
        planes += n * growth;
        bn = registerModule("bn", new BatchNorm2d(planes));
        fc = registerModule("fc", new Linear(planes, numClasses, true, g));
        BearpawInit.apply(this, BearpawInit.LinearRule.KEEP_TORCH_DEFAULT, g);
    }

    private static Sequential denseBlock(int in, int blocks, int growth, boolean bottleneck, Generator g) {
        Sequential s = new Sequential();
        for (int i = 0; i < blocks; i++) {
            s.add(bottleneck ? new Bottleneck(in, growth, g) : new Basic(in, growth, g));
            in += growth;
        }
        return s;
    }

    @Override
    public Variable forward(Variable x) {
        Variable out = trans1.forward(dense1.forward(conv1.forward(x)));
        out = trans2.forward(dense2.forward(out));
        out = bn.forwardRelu(dense3.forward(out));
        out = Functional.adaptiveAvgPool2d1(out);
        return fc.forward(out.reshape(out.size(0), -1));
    }

    /** BN-ReLU-conv3x3 producing growth new maps, concatenated to the input. */
    static final class Basic extends Module {
        private final BatchNorm2d bn1;
        private final Conv2d conv1;

        Basic(int in, int growth, Generator g) {
            bn1 = registerModule("bn1", new BatchNorm2d(in));
            conv1 = registerModule("conv1", Conv2d.builder(in, growth, 3).padding(1).bias(false).generator(g).build());
        }

        @Override
        public Variable forward(Variable x) {
            return Functional.cat(1, x, conv1.forward(bn1.forwardRelu(x)));
        }
    }

    static final class Bottleneck extends Module {
        private final BatchNorm2d bn1, bn2;
        private final Conv2d conv1, conv2;

        Bottleneck(int in, int growth, Generator g) {
            bn1 = registerModule("bn1", new BatchNorm2d(in));
            conv1 = registerModule("conv1", Conv2d.builder(in, 4 * growth, 1).bias(false).generator(g).build());
            bn2 = registerModule("bn2", new BatchNorm2d(4 * growth));
            conv2 = registerModule("conv2", Conv2d.builder(4 * growth, growth, 3).padding(1).bias(false).generator(g).build());
        }

        @Override
        public Variable forward(Variable x) {
            Variable out = conv1.forward(bn1.forwardRelu(x));
            out = conv2.forward(bn2.forwardRelu(out));
            return Functional.cat(1, x, out);
        }
    }

    static final class Transition extends Module {
        private final BatchNorm2d bn1;
        private final Conv2d conv1;

        Transition(int in, int out, Generator g) {
            bn1 = registerModule("bn1", new BatchNorm2d(in));
            conv1 = registerModule("conv1", Conv2d.builder(in, out, 1).bias(false).generator(g).build());
        }

        @Override
        public Variable forward(Variable x) {
            return Functional.avgPool2d(conv1.forward(bn1.forwardRelu(x)), 2, 2, 0);
        }
    }
}
