package mma4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import mma4j.autograd.Variable;
import mma4j.nn.optim.Adam;
import mma4j.nn.optim.Optimizer;
import mma4j.nn.optim.SGD;
import mma4j.nn.schedule.CosineAnnealingLR;
import mma4j.nn.schedule.LRScheduler;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Small networks learn fixed synthetic problems, deterministically: the same seeds give
 * bitwise the same sequence of losses.
 */
class TrainingTest {
    /** XOR of the signs of two coordinates: not linearly separable, so the hidden layer must work. 128 points. */
    static Tensor xorInputs(Generator g) {
        return Tensor.uniform(g, -1f, 1f, 128, 2);
    }

    static int[] xorLabels(Tensor x) {
        float[] d = x.toArray();
        int[] y = new int[x.size(0)];
        for (int i = 0; i < y.length; i++) y[i] = (d[2 * i] > 0) == (d[2 * i + 1] > 0) ? 0 : 1;
        return y;
    }

    /** 8x8 images: horizontal stripes (class 0) or vertical stripes (class 1) at a random phase, plus noise. 32 images. */
    static Tensor stripes(Generator g, int[] labels) {
        float[] d = new float[labels.length * 64];
        for (int n = 0; n < labels.length; n++) {
            labels[n] = g.nextInt(2);
            int phase = g.nextInt(2);
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    int line = labels[n] == 0 ? i : j;
                    d[n * 64 + i * 8 + j] = ((line + phase) % 2 == 0 ? 1f : -1f) + 0.3f * (float) g.nextGaussian();
                }
            }
        }
        return Tensor.wrap(d, labels.length, 1, 8, 8);
    }

    static float[] train(Module model, Optimizer<?> opt, LRScheduler schedule, Tensor x, int[] y, int steps) {
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        float[] losses = new float[steps];
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            Variable loss = lossFn.forward(model.forward(Variable.of(x)), y);
            loss.backward();
            opt.step();
            if (schedule != null) schedule.step();
            losses[s] = loss.item();
        }
        return losses;
    }

    static float[] trainMlp() {
        Generator g = new Generator(2024);
        Sequential mlp = new Sequential(new Linear(2, 32, true, g), new ReLU(), new Linear(32, 32, true, g), new ReLU(), new Linear(32, 2, true, g));
        Tensor x = xorInputs(new Generator(7));
        SGD opt = new SGD(mlp.parameters(), SGD.options(0.2).momentum(0.9));
        return train(mlp, opt, null, x, xorLabels(x), 150);
    }

    static float[] trainConvNet() {
        Generator g = new Generator(99);
        Sequential net = new Sequential(
                Conv2d.builder(1, 8, 3).padding(1).bias(false).generator(g).build(), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                Conv2d.builder(8, 8, 3).padding(1).generator(g).build(), new ReLU(), new Dropout(0.1f, new Generator(5)),
                new AdaptiveAvgPool2d(), new Flatten(), new Linear(8, 2, true, g));
        int[] y = new int[32];
        Tensor x = stripes(new Generator(3), y);
        Adam opt = new Adam(net.parameters(), Adam.options(0.02));
        return train(net, opt, new CosineAnnealingLR(opt, 60), x, y, 60);
    }

    static float min(float[] a, int from) {
        float m = Float.POSITIVE_INFINITY;
        for (int i = from; i < a.length; i++) m = Math.min(m, a[i]);
        return m;
    }

    @Test
    void mlpLearnsXor() {
        float[] losses = trainMlp();
        System.out.println("MLP loss: first " + losses[0] + ", last " + losses[losses.length - 1]);
        assertTrue(losses[losses.length - 1] < losses[0] / 50, "loss should fall 50x in 150 steps: " + Arrays.toString(losses));
        assertArrayEquals(losses, trainMlp(), "same seeds, bitwise same losses");
    }

    @Test
    void convNetLearnsStripes() {
        float[] losses = trainConvNet();
        System.out.println("conv loss: first " + losses[0] + ", last " + losses[losses.length - 1]);
        assertTrue(losses[losses.length - 1] < losses[0] / 50, "loss should fall 50x in 60 steps: " + Arrays.toString(losses));
        assertArrayEquals(losses, trainConvNet(), "same seeds, bitwise same losses");
    }
}
