package mma4j.tensor;

import static mma4j.tensor.TensorTesting.assertBadInput;

import org.junit.jupiter.api.Test;

/**
 * The bad-input classes the issue names: shape mismatch, axis out of range, impossible
 * reshape, negative size. Each throws IllegalArgumentException naming the op and the shapes.
 * (Op-specific cases also live next to each op's tests.)
 */
class ErrorTest {
    private final Tensor x = Tensor.zeros(2, 3);

    @Test
    void shapeMismatch() {
        assertBadInput(() -> x.add(Tensor.zeros(3, 2)), "add", "[2, 3]", "[3, 2]");
        assertBadInput(() -> x.mul(Tensor.zeros(4)), "mul", "[2, 3]", "[4]");
        assertBadInput(() -> x.ge(Tensor.zeros(2, 2)), "ge", "[2, 3]", "[2, 2]");
        assertBadInput(() -> x.subInPlace(Tensor.zeros(2, 1, 3)), "subInPlace", "[2, 3]", "[2, 1, 3]");
        assertBadInput(() -> x.divInPlace(Tensor.zeros(3, 3)), "divInPlace", "[2, 3]", "[3, 3]");
        assertBadInput(() -> x.copyFrom(Tensor.zeros(6)), "copyFrom", "[2, 3]", "[6]");
        assertBadInput(() -> Tensor.where(x, x, Tensor.zeros(3, 3)), "where", "[2, 3]", "[3, 3]");
        assertBadInput(() -> x.matmul(Tensor.zeros(2, 3)), "matmul", "[2, 3]", "[2, 3]");
        assertBadInput(() -> x.expand(4, 3), "expand", "[2, 3]", "[4, 3]");
        assertBadInput(() -> x.permute(1, 0, 2), "permute", "[1, 0, 2]", "[2, 3]");
        assertBadInput(() -> x.permute(0, 0), "permute", "[0, 0]", "[2, 3]");
    }

    @Test
    void axisOutOfRange() {
        assertBadInput(() -> x.sum(new int[] {2}, false), "sum", "axis 2", "[2, 3]");
        assertBadInput(() -> x.sum(-3), "sum", "axis -3", "[2, 3]");
        assertBadInput(() -> x.max(new int[] {3}, true), "max", "[2, 3]");
        assertBadInput(() -> x.var(new int[] {9}, true, false), "var", "[2, 3]");
        assertBadInput(() -> x.argmin(-3, false), "argmin", "[2, 3]");
        assertBadInput(() -> x.softmax(2), "softmax", "axis 2", "[2, 3]");
        assertBadInput(() -> x.logSoftmax(-3), "logSoftmax", "[2, 3]");
        assertBadInput(() -> x.transpose(0, 2), "transpose", "[2, 3]");
        assertBadInput(() -> x.permute(0, 2), "permute", "[2, 3]");
        assertBadInput(() -> x.narrow(2, 0, 1), "narrow", "[2, 3]");
        assertBadInput(() -> x.narrow(1, 2, 2), "narrow", "[2, 3]");
        assertBadInput(() -> x.select(-3, 0), "select", "[2, 3]");
        assertBadInput(() -> x.select(1, 3), "select", "index 3", "[2, 3]");
        assertBadInput(() -> x.squeeze(2), "squeeze", "[2, 3]");
        assertBadInput(() -> x.unsqueeze(3), "unsqueeze", "[2, 3]");
        assertBadInput(() -> x.flatten(0, 2), "flatten", "[2, 3]");
        assertBadInput(() -> x.size(-3), "size", "[2, 3]");
    }

    @Test
    void impossibleReshape() {
        assertBadInput(() -> x.reshape(4), "reshape", "[4]", "[2, 3]");
        assertBadInput(() -> x.view(5, -1), "view", "[5, -1]", "[2, 3]");
        assertBadInput(() -> x.reshape(-1, -1), "reshape", "[-1, -1]");
        assertBadInput(() -> x.t().view(6), "view", "[3, 2]", "[6]");
        assertBadInput(() -> x.view(0, -1), "view", "[0, -1]", "[2, 3]");
    }

    @Test
    void negativeSize() {
        assertBadInput(() -> Tensor.zeros(2, -1), "zeros", "[2, -1]");
        assertBadInput(() -> Tensor.ones(-3), "ones", "[-3]");
        assertBadInput(() -> Tensor.empty(-1, 2), "empty", "[-1, 2]");
        assertBadInput(() -> Tensor.full(1f, 2, -2), "full", "[2, -2]");
        assertBadInput(() -> Tensor.rand(new Generator(0), -1), "rand", "[-1]");
        assertBadInput(() -> Tensor.randn(new Generator(0), 3, -4), "randn", "[3, -4]");
        assertBadInput(() -> Tensor.uniform(new Generator(0), 0, 1, -4), "uniform", "[-4]");
        assertBadInput(() -> Tensor.wrap(new float[0], 0, -1), "wrap", "[0, -1]");
        assertBadInput(() -> Tensor.arange(-2), "arange", "-2");
        assertBadInput(() -> x.reshape(-2, 3), "reshape", "[-2, 3]", "[2, 3]");
        assertBadInput(() -> x.view(2, -3), "view", "[2, -3]", "[2, 3]");
        assertBadInput(() -> x.expand(2, -3), "expand", "[2, -3]", "[2, 3]");
        assertBadInput(() -> x.narrow(1, 0, -1), "narrow", "length -1", "[2, 3]");
        assertBadInput(() -> Tensor.zeros(1 << 16, 1 << 16), "zeros", "2^31-1");
    }
}
