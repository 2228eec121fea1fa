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
 * CIFAR ResNet (bearpaw's resnet.py, BasicBlock): depth 6n+2, stages of 16/32/64 channels,
 * global average pooling, {@code fc}. Shortcuts that change shape are a 1x1 conv + BatchNorm
 * named {@code downsample.0/.1} (option B, the default) or the parameter-free zero-padding
 * shortcut (option A).
 */
public final class ResNet extends Module {
    public enum Shortcut { PROJECTION, ZERO_PAD }

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Sequential layer1, layer2, layer3;
    private final Linear fc;

    ResNet(int depth, int numClasses, Shortcut shortcut, Generator g) {
        if (depth < 8 || (depth - 2) % 6 != 0) throw new IllegalArgumentException("resnet: depth must be 6n+2 (20, 56, 110, ...), got " + depth);
        int n = (depth - 2) / 6;
        conv1 = registerModule("conv1", Conv2d.builder(3, 16, 3).padding(1).bias(false).generator(g).build());
        bn1 = registerModule("bn1", new BatchNorm2d(16));
        layer1 = registerModule("layer1", stage(16, 16, n, 1, shortcut, g));
        layer2 = registerModule("layer2", stage(16, 32, n, 2, shortcut, g));
        layer3 = registerModule("layer3", stage(32, 64, n, 2, shortcut, g));
        fc = registerModule("fc", new Linear(64, numClasses, true, g));
        BearpawInit.apply(this, BearpawInit.LinearRule.KEEP_TORCH_DEFAULT, g);
    }

    private static Sequential stage(int in, int planes, int blocks, int stride, Shortcut shortcut, Generator g) {
        Sequential s = new Sequential();
        s.add(new BasicBlock(in, planes, stride, shortcut, g));
        for (int i = 1; i < blocks; i++) s.add(new BasicBlock(planes, planes, 1, shortcut, g));
        return s;
    }

    @Override
    public Variable forward(Variable x) {
        Variable out = bn1.forwardRelu(conv1.forward(x));
        out = layer3.forward(layer2.forward(layer1.forward(out)));
        out = Functional.adaptiveAvgPool2d1(out);
        return fc.forward(out.reshape(out.size(0), -1));
    }

    /** conv3x3-bn-relu-conv3x3-bn, plus the shortcut, then relu. */
    static final class BasicBlock extends Module {
        private final Conv2d conv1, conv2;
        private final BatchNorm2d bn1, bn2;
        private final Module downsample;

        BasicBlock(int in, int planes, int stride, Shortcut shortcut, Generator g) {
            conv1 = registerModule("conv1", Conv2d.builder(in, planes, 3).stride(stride).padding(1).bias(false).generator(g).build());
            bn1 = registerModule("bn1", new BatchNorm2d(planes));
            conv2 = registerModule("conv2", Conv2d.builder(planes, planes, 3).padding(1).bias(false).generator(g).build());
            bn2 = registerModule("bn2", new BatchNorm2d(planes));
            if (stride != 1 || in != planes) {
                downsample = shortcut == Shortcut.PROJECTION
                        ? registerModule("downsample", new Sequential(
                                Conv2d.builder(in, planes, 1).stride(stride).bias(false).generator(g).build(), new BatchNorm2d(planes)))
                        : new ZeroPadShortcut((planes - in) / 2, stride); // no parameters: not registered, like bearpaw's LambdaLayer's state
            } else {
                downsample = null;
            }
        }

        @Override
        public Variable forward(Variable x) {
            Variable out = conv2.forward(bn1.forwardRelu(conv1.forward(x)));
            Variable residual = downsample == null ? x : downsample.forward(x);
            return bn2.forwardAddRelu(out, residual); // relu(bn2(out) + residual)
        }
    }
}
