package mma4j.autograd;

import static mma4j.autograd.Tensors.assertClose;
import static mma4j.autograd.Tensors.uniform;

import java.util.function.Function;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Every fused op with a hand-written backward agrees, forward and backward, with the same
 * computation composed from primitive ops, on random inputs.
 */
class FusedVsComposedTest {
    private static final double ATOL = 2e-5, RTOL = 1e-4;

    /** Runs both on copies of the inputs, compares outputs, then gradients under one random upstream gradient. */
    static void assertAgree(String what, Function<Variable[], Variable> fused, Function<Variable[], Variable> composed, Tensor... inputs) {
        Variable[] a = params(inputs), b = params(inputs);
        Variable ya = fused.apply(a), yb = composed.apply(b);
        assertClose(yb.data(), ya.data(), ATOL, RTOL, what + " forward");
        Tensor upstream = Tensor.uniform(new Generator(99), -1f, 1f, ya.shape());
        ya.backward(upstream);
        yb.backward(upstream);
        for (int i = 0; i < inputs.length; i++) assertClose(b[i].grad(), a[i].grad(), ATOL, RTOL, what + " gradient of input " + i);
    }

    private static Variable[] params(Tensor[] inputs) {
        Variable[] v = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) v[i] = Variable.param(inputs[i].copy());
        return v;
    }

    private static Tensor targetIndex(int[] targets) {
        float[] t = new float[targets.length];
        for (int i = 0; i < t.length; i++) t[i] = targets[i];
        return Tensor.wrap(t, targets.length, 1);
    }

    // ------------------------------------------------------------ activations

    @Test
    void addReluEqualsAddThenRelu() {
        assertAgree("addRelu", v -> Functional.addRelu(v[0], v[1]), v -> v[0].add(v[1]).relu(),
                uniform(11, -1f, 1f, 2, 3, 4, 4), uniform(12, -1f, 1f, 2, 3, 4, 4));
    }

    @Test
    void addReluBroadcastsLikeAdd() {
        assertAgree("addRelu broadcast", v -> Functional.addRelu(v[0], v[1]), v -> v[0].add(v[1]).relu(),
                uniform(13, -1f, 1f, 5, 6), uniform(14, -1f, 1f, 6));
    }

    @Test
    void batchNormAddReluEqualsBatchNormThenAddThenRelu() {
        assertAgree("batchNormAddRelu",
                v -> Functional.batchNormAddRelu(v[0], v[1], null, null, v[2], v[3], true, 0.1f, 1e-5f),
                v -> Functional.batchNorm(v[0], null, null, v[2], v[3], true, 0.1f, 1e-5f).add(v[1]).relu(),
                uniform(18, -2f, 2f, 4, 3, 5, 5), uniform(19, -1f, 1f, 4, 3, 5, 5), uniform(20, 0.5f, 1.5f, 3), uniform(21, -0.5f, 0.5f, 3));
    }

    @Test
    void batchNormReluEqualsBatchNormThenRelu() {
        assertAgree("batchNormRelu",
                v -> Functional.batchNormRelu(v[0], null, null, v[1], v[2], true, 0.1f, 1e-5f),
                v -> Functional.batchNorm(v[0], null, null, v[1], v[2], true, 0.1f, 1e-5f).relu(),
                uniform(15, -2f, 2f, 4, 3, 5, 5), uniform(16, 0.5f, 1.5f, 3), uniform(17, -0.5f, 0.5f, 3));
    }

    // ------------------------------------------------------------ softmax family

    static Variable logSoftmaxComposed(Variable x, int axis) {
        Variable shifted = x.sub(x.max(axis, true));
        return shifted.sub(shifted.exp().sum(new int[] {axis}, true).log());
    }

    @Test
    void crossEntropyEqualsLogSoftmaxThenGather() {
        int[] targets = {3, 0, 6, 6, 2};
        Tensor idx = targetIndex(targets);
        assertAgree("crossEntropy", v -> Functional.crossEntropy(v[0], targets),
                v -> Functional.logSoftmax(v[0], 1).gather(1, idx).mean().neg(), uniform(1, -3f, 3f, 5, 7));
    }

    @Test
    void crossEntropyWithLabelSmoothingEqualsItsDefinition() {
        int[] targets = {1, 4, 0};
        float s = 0.2f;
        Tensor idx = targetIndex(targets);
        assertAgree("crossEntropy smoothing", v -> Functional.crossEntropy(v[0], targets, s), v -> {
            Variable lp = logSoftmaxComposed(v[0], 1);
            Variable nll = lp.gather(1, idx).mean().neg();
            Variable uniformPart = lp.mean(new int[] {1}, false).mean().neg();
            return nll.mul(1 - s).add(uniformPart.mul(s));
        }, uniform(2, -3f, 3f, 3, 5));
    }

    @Test
    void nllEqualsGather() {
        int[] targets = {2, 2, 0, 1};
        Tensor idx = targetIndex(targets);
        assertAgree("nllLoss", v -> Functional.nllLoss(v[0], targets), v -> v[0].gather(1, idx).mean().neg(), uniform(3, 4, 3));
    }

    @Test
    void logSoftmaxEqualsShiftedLogSumExp() {
        assertAgree("logSoftmax axis 1", v -> Functional.logSoftmax(v[0], 1), v -> logSoftmaxComposed(v[0], 1), uniform(4, -4f, 4f, 3, 6));
        assertAgree("logSoftmax axis 0", v -> Functional.logSoftmax(v[0], 0), v -> logSoftmaxComposed(v[0], 0), uniform(5, -4f, 4f, 3, 6));
    }

    @Test
    void softmaxEqualsExpOverSum() {
        assertAgree("softmax", v -> Functional.softmax(v[0], 1), v -> {
            Variable e = v[0].sub(v[0].max(1, true)).exp();
            return e.div(e.sum(new int[] {1}, true));
        }, uniform(6, -4f, 4f, 4, 5));
    }

    // ------------------------------------------------------------ layers

    @Test
    void linearEqualsMatmulPlusBias() {
        assertAgree("linear", v -> Functional.linear(v[0], v[1], v[2]), v -> v[0].matmul(v[1].t()).add(v[2]),
                uniform(7, 6, 5), uniform(8, 4, 5), uniform(9, 4));
        assertAgree("linear 3d", v -> Functional.linear(v[0], v[1], null), v -> v[0].matmul(v[1].t()), uniform(10, 2, 3, 5), uniform(11, 4, 5));
    }

    private static final int[] NCHW_STATS = {0, 2, 3};

    static Variable batchNormComposed(Variable x, Variable gamma, Variable beta, float eps) {
        int c = x.size(1);
        Variable mean = x.mean(NCHW_STATS, true);
        Variable centered = x.sub(mean);
        Variable var = centered.square().mean(NCHW_STATS, true);
        Variable y = centered.div(var.add(eps).sqrt());
        return y.mul(gamma.reshape(1, c, 1, 1)).add(beta.reshape(1, c, 1, 1));
    }

    @Test
    void batchNormTrainEqualsMeanAndVarianceComposed() {
        assertAgree("batchNorm train", v -> Functional.batchNorm(v[0], null, null, v[1], v[2], true, 0.1f, 1e-5f),
                v -> batchNormComposed(v[0], v[1], v[2], 1e-5f), uniform(12, -2f, 3f, 4, 3, 5, 5), uniform(13, 0.5f, 1.5f, 3), uniform(14, 3));
    }

    @Test
    void batchNormRunningStatisticsUseTheUnbiasedBatchVariance() {
        Tensor x = uniform(15, -2f, 3f, 4, 3, 2, 2);
        Tensor runningMean = Tensor.zeros(3), runningVar = Tensor.ones(3);
        float m = 0.1f;
        Functional.batchNorm(Variable.of(x), runningMean, runningVar, null, null, true, m, 1e-5f);
        Tensor mean = x.mean(NCHW_STATS, false), var = x.var(NCHW_STATS, false, true);
        assertClose(mean.mul(m), runningMean, 1e-6, 1e-5, "running mean = 0.9*0 + 0.1*batch mean");
        assertClose(var.mul(m).add(1 - m), runningVar, 1e-6, 1e-5, "running var = 0.9*1 + 0.1*unbiased batch var");
    }

    @Test
    void batchNormEvalEqualsAffineMapComposed() {
        Tensor rm = uniform(16, 3), rv = uniform(17, 0.5f, 2f, 3);
        float eps = 1e-5f;
        assertAgree("batchNorm eval", v -> Functional.batchNorm(v[0], rm, rv, v[1], v[2], false, 0.1f, eps), v -> {
            Variable mean = Variable.of(rm.reshape(1, 3, 1, 1)), std = Variable.of(rv.add(eps).sqrt().reshape(1, 3, 1, 1));
            return v[0].sub(mean).div(std).mul(v[1].reshape(1, 3, 1, 1)).add(v[2].reshape(1, 3, 1, 1));
        }, uniform(18, 2, 3, 4, 4), uniform(19, 3), uniform(20, 3));
    }

    /** Stride-1 convolution as a sum over kernel offsets of shifted-input matmuls; zero padding by concatenation. */
    static Variable conv2dComposed(Variable x, Variable w, Variable b, int pad) {
        int n = x.size(0), c = x.size(1), f = w.size(0), kh = w.size(2), kw = w.size(3);
        Variable xp = x;
        if (pad > 0) {
            Variable rows = Variable.of(Tensor.zeros(n, c, pad, x.size(3)));
            xp = Variable.cat(2, rows, xp, rows);
            Variable cols = Variable.of(Tensor.zeros(n, c, xp.size(2), pad));
            xp = Variable.cat(3, cols, xp, cols);
        }
        int oh = xp.size(2) - kh + 1, ow = xp.size(3) - kw + 1;
        Variable out = null;
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                Variable patch = xp.narrow(2, i, oh).narrow(3, j, ow).permute(0, 2, 3, 1);   // [N, OH, OW, C]
                Variable wk = w.narrow(2, i, 1).narrow(3, j, 1).reshape(f, c);               // [F, C]
                Variable term = patch.matmul(wk.t());                                          // [N, OH, OW, F]
                out = out == null ? term : out.add(term);
            }
        }
        return out.add(b).permute(0, 3, 1, 2);
    }

    @Test
    void conv2dEqualsShiftedMatmulsComposed() {
        assertAgree("conv2d pad 1", v -> Functional.conv2d(v[0], v[1], v[2], 1, 1), v -> conv2dComposed(v[0], v[1], v[2], 1),
                uniform(21, 2, 3, 6, 5), uniform(22, 4, 3, 3, 3), uniform(23, 4));
        assertAgree("conv2d pad 0 2x2", v -> Functional.conv2d(v[0], v[1], v[2], 1, 0), v -> conv2dComposed(v[0], v[1], v[2], 0),
                uniform(24, 1, 2, 4, 4), uniform(25, 3, 2, 2, 2), uniform(26, 3));
    }

    @Test
    void maxPoolEqualsMaxOverReshapedWindows() {
        assertAgree("maxPool2d 2x2", v -> Functional.maxPool2d(v[0], 2, 2, 0),
                v -> v[0].reshape(2, 3, 3, 2, 2, 2).max(5, false).max(3, false), uniform(27, 2, 3, 6, 4));
    }

    @Test
    void avgPoolEqualsMeanOverReshapedWindows() {
        assertAgree("avgPool2d 2x2", v -> Functional.avgPool2d(v[0], 2, 2, 0),
                v -> v[0].reshape(2, 3, 3, 2, 2, 2).mean(new int[] {3, 5}, false), uniform(28, 2, 3, 6, 4));
        assertAgree("adaptiveAvgPool2d", v -> Functional.adaptiveAvgPool2d1(v[0]), v -> Functional.avgPool2d(v[0], 4, 4, 0), uniform(29, 2, 3, 4, 4));
    }

    @Test
    void dropoutEqualsMultiplyingByTheScaledMask() {
        float p = 0.3f;
        Tensor x = uniform(30, 5, 8);
        Generator g = new Generator(31);
        float[] mask = new float[x.numel()];
        for (int i = 0; i < mask.length; i++) mask[i] = g.nextFloat() >= p ? 1f / (1 - p) : 0f;
        assertAgree("dropout", v -> Functional.dropout(v[0], p, true, new Generator(31)), v -> v[0].mul(Variable.of(Tensor.wrap(mask, 5, 8))), x);
    }

    // ------------------------------------------------------------ pointwise

    @Test
    void reluEqualsMaximumWithZero() {
        assertAgree("relu", v -> v[0].relu(), v -> v[0].maximum(Variable.of(Tensor.scalar(0f))), uniform(32, 4, 6));
    }

    @Test
    void clampEqualsMaximumOfMinimum() {
        assertAgree("clamp", v -> v[0].clamp(-0.3f, 0.4f),
                v -> v[0].minimum(Variable.of(Tensor.scalar(0.4f))).maximum(Variable.of(Tensor.scalar(-0.3f))), uniform(33, 4, 6));
    }

    @Test
    void sqrtEqualsPowOneHalf() {
        assertAgree("sqrt", v -> v[0].sqrt(), v -> v[0].pow(0.5f), uniform(34, 0.1f, 3f, 10));
    }

    @Test
    void whereEqualsMaskArithmetic() {
        Tensor mask = uniform(35, 3, 4).gt(0f);
        assertAgree("where", v -> Variable.where(mask, v[0], v[1]),
                v -> v[0].mul(Variable.of(mask)).add(v[1].mul(Variable.of(mask.neg().add(1f)))), uniform(36, 3, 4), uniform(37, 3, 4));
    }

    @Test
    void normalizeGivesUnitRows() {
        Variable x = Variable.param(uniform(38, 4, 3));
        Tensor norms = Functional.normalize(x, 1, 1e-12f).data().square().sum(new int[] {1}, false).sqrt();
        assertClose(Tensor.ones(4), norms, 1e-6, 0, "row norms");
    }
}
