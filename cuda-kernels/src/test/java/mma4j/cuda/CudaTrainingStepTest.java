package mma4j.cuda;

import static mma4j.cuda.CudaTestSupport.CUDA;
import static mma4j.cuda.CudaTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.tensor.Device;
import mma4j.tensor.Generator;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A small CNN (conv 3x3 -> batch-norm -> relu -> max-pool -> linear -> log-softmax NLL), trained
 * for a few SGD-momentum steps with a hand-written backward, once on the CPU and once on the GPU
 * from the same start: losses and parameters must agree. Skips without a GPU.
 */
class CudaTrainingStepTest {
    private static final int N = 16, C = 3, F = 8, HW = 8, CLASSES = 10;

    @BeforeEach
    void gpuPresent() {
        CudaTestSupport.assumeGpu();
    }

    /** Parameters and their momentum buffers, in one fixed order. */
    private record Net(Tensor[] params, Tensor[] buffers) {
        Tensor convW() { return params[0]; }
        Tensor convB() { return params[1]; }
        Tensor gamma() { return params[2]; }
        Tensor beta() { return params[3]; }
        Tensor fcW() { return params[4]; }
        Tensor fcB() { return params[5]; }

        Net to(Device d) {
            Tensor[] p = new Tensor[params.length], b = new Tensor[buffers.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = params[i].copy().to(d);  // never shared, even when d is the CPU
                b[i] = buffers[i].copy().to(d);
            }
            return new Net(p, b);
        }
    }

    private static Net init(Generator g) {
        Tensor[] p = {Tensor.randn(g, F, C, 3, 3).mul(0.3f), Tensor.zeros(F), Tensor.ones(F), Tensor.zeros(F),
                Tensor.randn(g, CLASSES, F * (HW / 2) * (HW / 2)).mul(0.05f), Tensor.zeros(CLASSES)};
        Tensor[] b = new Tensor[p.length];
        for (int i = 0; i < p.length; i++) b[i] = Tensor.zeros(p[i].shape());
        return new Net(p, b);
    }

    /** One forward, backward and SGD step; returns the loss. */
    private static float step(Net net, Tensor x, Tensor onehot, boolean first) {
        Tensor c = NnOps.conv2d(x, net.convW(), net.convB(), 1, 1);
        NnOps.BatchNormResult bn = NnOps.batchNormTrain(c, net.gamma(), net.beta(), 1e-5f);
        Tensor r = bn.output().relu();
        NnOps.MaxPoolResult mp = NnOps.maxPool2d(r, 2, 2, 0);
        Tensor flat = mp.output().reshape(N, -1);
        Tensor logits = flat.matmul(net.fcW().t()).add(net.fcB());
        Tensor logp = logits.logSoftmax(1);
        float loss = -logp.mul(onehot).sum().item() / N;

        Tensor dLogits = logp.exp().sub(onehot).mul(1f / N);
        Tensor dFcW = dLogits.t().matmul(flat), dFcB = dLogits.sum(0);
        Tensor dFlat = dLogits.matmul(net.fcW());
        Tensor dR = NnOps.maxPool2dBackward(dFlat.reshape(mp.output().shape()), mp.indices(), r.shape());
        Tensor dBn = dR.mul(bn.output().gt(0f));
        Tensor[] bnGrads = NnOps.batchNormBackward(dBn, c, bn.mean(), bn.invStd(), net.gamma(), true);
        Tensor[] convGrads = NnOps.conv2dBackwardWeight(x, bnGrads[0], net.convW().shape(), true, 1, 1);

        Tensor[] grads = {convGrads[0], convGrads[1], bnGrads[1], bnGrads[2], dFcW, dFcB};
        for (int i = 0; i < grads.length; i++) {
            net.params[i].kernels().sgdStep(net.params[i], grads[i], net.buffers[i], 0.05f, 0.9f, 0f, 5e-4f, false, first);
        }
        return loss;
    }

    @Test
    void gpuTrainingFollowsCpuTraining() {
        Generator g = new Generator(42);
        Net cpu = init(g), gpu = cpu.to(CUDA);
        float firstLoss = Float.NaN, lastLoss = Float.NaN;
        for (int s = 0; s < 4; s++) {
            Tensor x = Tensor.randn(g, N, C, HW, HW);
            float[] oh = new float[N * CLASSES];
            for (int i = 0; i < N; i++) oh[i * CLASSES + g.nextInt(CLASSES)] = 1f;
            Tensor onehot = Tensor.wrap(oh, N, CLASSES);
            float lc = step(cpu, x, onehot, s == 0);
            float lg = step(gpu, x.to(CUDA), onehot.to(CUDA), s == 0);
            assertTrue(Float.isFinite(lc), "cpu loss " + lc);
            assertEquals(lc, lg, 1e-4 * Math.abs(lc) + 1e-5, "loss at step " + s);
            if (s == 0) firstLoss = lc;
            lastLoss = lc;
        }
        assertTrue(lastLoss != firstLoss, "the parameters did not move");
        String[] names = {"conv.weight", "conv.bias", "bn.weight", "bn.bias", "fc.weight", "fc.bias"};
        for (int i = 0; i < names.length; i++) assertClose(cpu.params()[i], gpu.params()[i], 1e-3, 1e-4, names[i]);
    }
}
