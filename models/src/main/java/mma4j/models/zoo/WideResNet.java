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
 * Wide ResNet (bearpaw's wrn.py, from xternalz/WideResNet-pytorch): depth 6n+4, widths
 * 16, 16k, 32k, 64k, pre-activation blocks {@code blockK.layer.N.{bn1,conv1,bn2,conv2,convShortcut}}
 * with a 1x1 conv shortcut where the width changes, optional dropout between the convs.
 */
public final class WideResNet extends Module {
    private final Conv2d conv1;
    private final NetworkBlock block1, block2, block3;
    private final BatchNorm2d bn1;
    private final Linear fc;

    WideResNet(int depth, int widen, int numClasses, float dropRate, Generator g) {
        if (depth < 10 || (depth - 4) % 6 != 0) throw new IllegalArgumentException("wrn: depth must be 6n+4 (16, 28, ...), got " + depth);
        if (widen < 1) throw new IllegalArgumentException("wrn: widen factor must be >= 1, got " + widen);
        int n = (depth - 4) / 6;
        int[] ch = {16, 16 * widen, 32 * widen, 64 * widen};
        conv1 = registerModule("conv1", Conv2d.builder(3, ch[0], 3).padding(1).bias(false).generator(g).build());
        block1 = registerModule("block1", new NetworkBlock(n, ch[0], ch[1], 1, dropRate, g));
        block2 = registerModule("block2", new NetworkBlock(n, ch[1], ch[2], 2, dropRate, g));
        block3 = registerModule("block3", new NetworkBlock(n, ch[2], ch[3], 2, dropRate, g));
        bn1 = registerModule("bn1", new BatchNorm2d(ch[3]));
        fc = registerModule("fc", new Linear(ch[3], numClasses, true, g));
        BearpawInit.apply(this, BearpawInit.LinearRule.ZERO_BIAS, g);
    }

    @Override
    public Variable forward(Variable x) {
        Variable out = block3.forward(block2.forward(block1.forward(conv1.forward(x))));
        out = Functional.adaptiveAvgPool2d1(bn1.forwardRelu(out));
        return fc.forward(out.reshape(out.size(0), -1));
    }

    static final class NetworkBlock extends Module {
        private final Sequential layer;

        NetworkBlock(int blocks, int in, int out, int stride, float dropRate, Generator g) {
            layer = registerModule("layer", new Sequential());
            for (int i = 0; i < blocks; i++) layer.add(new WideBasic(i == 0 ? in : out, out, i == 0 ? stride : 1, dropRate, g));
        }

        @Override
        public Variable forward(Variable x) {
            return layer.forward(x);
        }
    }

    /** bn-relu-conv3x3-bn-relu-(dropout)-conv3x3 plus the identity or a 1x1 conv shortcut. */
    static final class WideBasic extends Module {
        private final BatchNorm2d bn1, bn2;
        private final Conv2d conv1, conv2, convShortcut;
        private final float dropRate;
        private final Generator dropGen;

        WideBasic(int in, int out, int stride, float dropRate, Generator g) {
            bn1 = registerModule("bn1", new BatchNorm2d(in));
            conv1 = registerModule("conv1", Conv2d.builder(in, out, 3).stride(stride).padding(1).bias(false).generator(g).build());
            bn2 = registerModule("bn2", new BatchNorm2d(out));
            conv2 = registerModule("conv2", Conv2d.builder(out, out, 3).padding(1).bias(false).generator(g).build());
            convShortcut = in == out ? null
                    : registerModule("convShortcut", Conv2d.builder(in, out, 1).stride(stride).bias(false).generator(g).build());
            this.dropRate = dropRate;
            this.dropGen = g;
        }

        @Override
        public Variable forward(Variable x) {
            Variable act = bn1.forwardRelu(x);
            // With equal widths the shortcut is x itself; otherwise the 1x1 conv sees the activated x.
            Variable out = bn2.forwardRelu(conv1.forward(act));
            out = Functional.dropout(out, dropRate, isTraining(), dropGen);
            out = conv2.forward(out);
            return out.add(convShortcut == null ? x : convShortcut.forward(act));
        }
    }
}
