package mma4j.autograd.functions;

import static mma4j.autograd.Tensors.awayFromZero;
import static mma4j.autograd.Tensors.distinct;
import static mma4j.autograd.Tensors.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import mma4j.autograd.Function;
import mma4j.autograd.GradCheck;
import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A gradcheck for every Function in Basic, Shape, Layers and Losses, on inputs chosen away from
 * the op's kinks. {@link #everyFunctionHasAGradcheck} fails when a Function is added without one.
 */
class FunctionGradCheckTest {

    record Case(String name, Class<? extends Function> op, java.util.function.Function<Variable[], Variable> f, Tensor[] inputs, double eps) {
        Case(String name, Class<? extends Function> op, java.util.function.Function<Variable[], Variable> f, Tensor... inputs) {
            this(name, op, f, inputs, 1e-2);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // ---------------------------------------------------------------- Basic
        c.add(new Case("Add broadcast", Basic.Add.class, v -> new Basic.Add().apply(v[0], v[1]), uniform(1, 3, 4), uniform(2, 4)));
        c.add(new Case("Sub broadcast", Basic.Sub.class, v -> new Basic.Sub().apply(v[0], v[1]), uniform(3, 3, 1), uniform(4, 3, 4)));
        c.add(new Case("Mul broadcast", Basic.Mul.class, v -> new Basic.Mul().apply(v[0], v[1]), uniform(5, 2, 3, 4), uniform(6, 3, 1)));
        c.add(new Case("Div", Basic.Div.class, v -> new Basic.Div().apply(v[0], v[1]), uniform(7, 3, 4), awayFromZero(8, 3, 4)));
        c.add(new Case("AddScalar", Basic.AddScalar.class, v -> new Basic.AddScalar(0.75f).apply(v[0]), uniform(9, 5)));
        c.add(new Case("MulScalar", Basic.MulScalar.class, v -> new Basic.MulScalar(-1.5f).apply(v[0]), uniform(10, 5)));
        c.add(new Case("Exp", Basic.Exp.class, v -> new Basic.Exp().apply(v[0]), uniform(11, 3, 4)));
        c.add(new Case("Log", Basic.Log.class, v -> new Basic.Log().apply(v[0]), uniform(12, 0.5f, 2f, 3, 4)));
        c.add(new Case("Pow 2.5", Basic.Pow.class, v -> new Basic.Pow(2.5f).apply(v[0]), uniform(13, 0.5f, 2f, 3, 4)));
        c.add(new Case("Pow -1.5", Basic.Pow.class, v -> new Basic.Pow(-1.5f).apply(v[0]), uniform(14, 0.5f, 2f, 6)));
        c.add(new Case("Sqrt", Basic.Sqrt.class, v -> new Basic.Sqrt().apply(v[0]), uniform(15, 0.5f, 2f, 3, 4)));
        c.add(new Case("Abs", Basic.Abs.class, v -> new Basic.Abs().apply(v[0]), awayFromZero(16, 3, 4)));
        c.add(new Case("Clamp", Basic.Clamp.class, v -> new Basic.Clamp(-0.5f, 0.5f).apply(v[0]),
                Tensor.vector(-1.1f, -0.9f, -0.4f, -0.1f, 0.2f, 0.45f - 0.05f, 0.7f, 1.3f)));
        c.add(new Case("ClampedAcos inside and clamped", Basic.ClampedAcos.class, v -> new Basic.ClampedAcos(Basic.ClampedAcos.MMA_BOUND).apply(v[0]),
                Tensor.vector(-1.5f, -0.9f, -0.5f, -0.1f, 0.0f, 0.3f, 0.6f, 0.9f, 1.2f)));
        c.add(new Case("ClampedAcos near the bound (steep)", Basic.ClampedAcos.class,
                v -> new Basic.ClampedAcos(Basic.ClampedAcos.MMA_BOUND).apply(v[0]), new Tensor[] {Tensor.vector(-0.999f, 0.995f, 0.999f)}, 1e-4));
        c.add(new Case("Relu", Basic.Relu.class, v -> new Basic.Relu().apply(v[0]), awayFromZero(17, 3, 4)));
        // |a| >= 0.2 and |b| <= 0.05: a + b stays 0.15 away from ReLU's kink
        c.add(new Case("AddRelu", Basic.AddRelu.class, v -> new Basic.AddRelu().apply(v[0], v[1]), awayFromZero(70, 3, 4), uniform(71, -0.05f, 0.05f, 3, 4)));
        c.add(new Case("Tanh", Basic.Tanh.class, v -> new Basic.Tanh().apply(v[0]), uniform(18, -2f, 2f, 3, 4)));
        c.add(new Case("Sigmoid", Basic.Sigmoid.class, v -> new Basic.Sigmoid().apply(v[0]), uniform(19, -3f, 3f, 3, 4)));
        Tensor ma = distinct(20, 3, 4), mb = distinct(21, 3, 4).add(0.05f); // never equal: steps of 0.1 offset by 0.05
        c.add(new Case("Maximum", Basic.Maximum.class, v -> new Basic.Maximum().apply(v[0], v[1]), ma, mb));
        c.add(new Case("Minimum", Basic.Minimum.class, v -> new Basic.Minimum().apply(v[0], v[1]), ma, mb));
        Tensor mask = Tensor.of(new float[] {1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0}, 3, 4);
        c.add(new Case("Where broadcast", Basic.Where.class, v -> new Basic.Where(mask).apply(v[0], v[1]), uniform(22, 3, 4), uniform(23, 4)));
        c.add(new Case("MatMul 2d", Basic.MatMul.class, v -> new Basic.MatMul().apply(v[0], v[1]), uniform(24, 3, 4), uniform(25, 4, 5)));
        c.add(new Case("MatMul batched x 2d", Basic.MatMul.class, v -> new Basic.MatMul().apply(v[0], v[1]), uniform(26, 2, 3, 4), uniform(27, 4, 2)));
        c.add(new Case("MatMul 1d x 2d", Basic.MatMul.class, v -> new Basic.MatMul().apply(v[0], v[1]), uniform(28, 4), uniform(29, 4, 3)));
        c.add(new Case("MatMul 2d x 1d", Basic.MatMul.class, v -> new Basic.MatMul().apply(v[0], v[1]), uniform(30, 3, 4), uniform(31, 4)));
        c.add(new Case("MatMul 1d x 1d", Basic.MatMul.class, v -> new Basic.MatMul().apply(v[0], v[1]), uniform(32, 4), uniform(33, 4)));
        c.add(new Case("Sum all", Basic.Sum.class, v -> new Basic.Sum(null, false).apply(v[0]), uniform(34, 3, 4)));
        c.add(new Case("Sum axis 1", Basic.Sum.class, v -> new Basic.Sum(new int[] {1}, false).apply(v[0]), uniform(35, 2, 3, 4)));
        c.add(new Case("Sum axes 0,2 keepDims", Basic.Sum.class, v -> new Basic.Sum(new int[] {0, 2}, true).apply(v[0]), uniform(36, 2, 3, 4)));
        c.add(new Case("MaxAlong axis 1", Basic.MaxAlong.class, v -> new Basic.MaxAlong(1, false).apply(v[0]), distinct(37, 3, 5)));
        c.add(new Case("MaxAlong axis 0 keepDims", Basic.MaxAlong.class, v -> new Basic.MaxAlong(0, true).apply(v[0]), distinct(38, 4, 3)));
        // ---------------------------------------------------------------- Shape
        c.add(new Case("Reshape", Shape.Reshape.class, v -> new Shape.Reshape(new int[] {4, -1}).apply(v[0]), uniform(40, 2, 3, 2)));
        c.add(new Case("Permute", Shape.Permute.class, v -> new Shape.Permute(new int[] {2, 0, 1}).apply(v[0]), uniform(41, 2, 3, 4)));
        c.add(new Case("Transpose", Shape.Transpose.class, v -> new Shape.Transpose(0, 2).apply(v[0]), uniform(42, 2, 3, 4)));
        c.add(new Case("Expand", Shape.Expand.class, v -> new Shape.Expand(new int[] {2, 3, 4}).apply(v[0]), uniform(43, 3, 1)));
        c.add(new Case("Narrow", Shape.Narrow.class, v -> new Shape.Narrow(1, 1, 2).apply(v[0]), uniform(44, 2, 4, 3)));
        c.add(new Case("Cat axis 1", Shape.Cat.class, v -> new Shape.Cat(1).apply(v[0], v[1], v[2]), uniform(45, 2, 1, 3), uniform(46, 2, 3, 3), uniform(47, 2, 2, 3)));
        Tensor gatherIdx = Tensor.of(new float[] {0, 2, 2, 1, 3, 3}, 3, 2); // repeats: backward must add
        c.add(new Case("Gather axis 1", Shape.Gather.class, v -> new Shape.Gather(1, gatherIdx).apply(v[0]), uniform(48, 3, 4)));
        c.add(new Case("IndexSelect axis 0", Shape.IndexSelect.class, v -> new Shape.IndexSelect(0, new int[] {3, 0, 3}).apply(v[0]), uniform(49, 4, 3)));
        // ---------------------------------------------------------------- Layers
        c.add(new Case("Linear", Layers.Linear.class, v -> new Layers.Linear().apply(v[0], v[1], v[2]), uniform(50, 3, 4), uniform(51, 5, 4), uniform(52, 5)));
        c.add(new Case("Linear 3d input, no bias", Layers.Linear.class, v -> new Layers.Linear().apply(v[0], v[1]), uniform(53, 2, 3, 4), uniform(54, 2, 4)));
        c.add(new Case("Conv2d stride 2 pad 1", Layers.Conv2d.class, v -> new Layers.Conv2d(2, 1).apply(v[0], v[1], v[2]),
                uniform(55, 2, 3, 5, 5), uniform(56, 4, 3, 3, 3), uniform(57, 4)));
        c.add(new Case("Conv2d no bias", Layers.Conv2d.class, v -> new Layers.Conv2d(1, 0).apply(v[0], v[1]), uniform(58, 1, 2, 4, 4), uniform(59, 3, 2, 2, 2)));
        c.add(new Case("BatchNormTrain affine", Layers.BatchNormTrain.class, v -> new Layers.BatchNormTrain(1e-5f).apply(v[0], v[1], v[2]),
                uniform(60, 4, 3, 2, 2), uniform(61, 0.5f, 1.5f, 3), uniform(62, 3)));
        c.add(new Case("BatchNormTrain 2d no affine", Layers.BatchNormTrain.class, v -> new Layers.BatchNormTrain(1e-5f).apply(v[0]), uniform(63, 6, 4)));
        // Per channel half the values are mean + s, half mean - s, so the normalized values are
        // exactly +-1 and, with these gamma and beta, the outputs stay >= 0.3 away from ReLU's kink.
        Tensor bnX = plusMinusOnes(4, 2, 1, 2), bnGamma = Tensor.vector(1f, 0.8f), bnBeta = Tensor.vector(0.4f, -0.3f);
        c.add(new Case("BatchNormTrain + ReLU", Layers.BatchNormTrain.class,
                v -> new Layers.BatchNormTrain(1e-5f, true, false).apply(v[0], v[1], v[2]), bnX, bnGamma, bnBeta));
        c.add(new Case("BatchNormTrain + residual + ReLU", Layers.BatchNormTrain.class,
                v -> new Layers.BatchNormTrain(1e-5f, true, true).apply(v[0], v[1], v[2], v[3]),
                bnX, uniform(72, -0.2f, 0.2f, 4, 2, 1, 2), bnGamma, bnBeta));
        Tensor rm = uniform(64, 3), rv = uniform(65, 0.5f, 2f, 3);
        c.add(new Case("BatchNormEval affine", Layers.BatchNormEval.class, v -> new Layers.BatchNormEval(rm, rv, 1e-5f).apply(v[0], v[1], v[2]),
                uniform(66, 2, 3, 2, 2), uniform(67, 3), uniform(68, 3)));
        c.add(new Case("MaxPool2d 2x2", Layers.MaxPool2d.class, v -> new Layers.MaxPool2d(2, 2, 0).apply(v[0]), distinct(69, 2, 2, 4, 4)));
        c.add(new Case("MaxPool2d 3x3 stride 2 pad 1", Layers.MaxPool2d.class, v -> new Layers.MaxPool2d(3, 2, 1).apply(v[0]), distinct(70, 1, 2, 5, 5)));
        c.add(new Case("AvgPool2d 3x3 stride 2 pad 1", Layers.AvgPool2d.class, v -> new Layers.AvgPool2d(3, 2, 1).apply(v[0]), uniform(71, 2, 2, 5, 5)));
        Tensor dropMask = Tensor.of(new float[] {2, 0, 2, 2, 0, 0, 2, 0, 2, 2, 2, 0}, 3, 4);
        c.add(new Case("Dropout", Layers.Dropout.class, v -> new Layers.Dropout(dropMask).apply(v[0]), uniform(72, 3, 4)));
        // ---------------------------------------------------------------- Losses
        int[] targets = {2, 0, 4, 1};
        c.add(new Case("CrossEntropy", Losses.CrossEntropy.class, v -> new Losses.CrossEntropy(targets, 0f).apply(v[0]), uniform(80, -2f, 2f, 4, 5)));
        c.add(new Case("CrossEntropy label smoothing 0.1", Losses.CrossEntropy.class, v -> new Losses.CrossEntropy(targets, 0.1f).apply(v[0]),
                uniform(81, -2f, 2f, 4, 5)));
        c.add(new Case("Nll", Losses.Nll.class, v -> new Losses.Nll(targets).apply(v[0]), uniform(82, 4, 5)));
        c.add(new Case("LogSoftmax axis 1", Losses.LogSoftmax.class, v -> new Losses.LogSoftmax(1).apply(v[0]), uniform(83, -2f, 2f, 3, 5)));
        c.add(new Case("LogSoftmax axis 0", Losses.LogSoftmax.class, v -> new Losses.LogSoftmax(0).apply(v[0]), uniform(84, -2f, 2f, 3, 5)));
        c.add(new Case("Softmax axis 1", Losses.Softmax.class, v -> new Losses.Softmax(1).apply(v[0]), uniform(85, -2f, 2f, 3, 5)));
        c.add(new Case("Softmax axis 0 of 3d", Losses.Softmax.class, v -> new Losses.Softmax(0).apply(v[0]), uniform(86, -2f, 2f, 3, 2, 2)));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck(Case c) {
        GradCheck.Result r = GradCheck.check(c.f(), c.inputs(), c.eps(), 1e-3, 1e-2);
        assertTrue(r.passed(), () -> c.name() + ": " + r);
    }

    @Test
    void everyFunctionHasAGradcheck() {
        Set<String> all = new TreeSet<>();
        for (Class<?> holder : List.of(Basic.class, Shape.class, Layers.class, Losses.class)) {
            for (Class<?> k : holder.getDeclaredClasses()) {
                if (Function.class.isAssignableFrom(k)) all.add(k.getName());
            }
        }
        Set<String> covered = cases().stream().map(c -> c.op().getName()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(all);
        missing.removeAll(covered);
        assertEquals(Set.of(), missing, "Functions without a gradcheck case: " + missing + " (all: " + Arrays.toString(all.toArray()) + ")");
    }

    /** [n, c, h, w] with channel k = mean_k +- (k + 1), half of each sign (n * h * w even). */
    private static Tensor plusMinusOnes(int n, int c, int h, int w) {
        float[] v = new float[n * c * h * w];
        for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) for (int p = 0; p < h * w; p++) {
            float sign = (i + p) % 2 == 0 ? 1f : -1f;
            v[((i * c + k) * h * w) + p] = 0.5f * k + sign * (k + 1);
        }
        return Tensor.wrap(v, n, c, h, w);
    }
}
