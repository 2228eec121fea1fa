package mma4j.nn;

import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;

/**
 * A trainable leaf owned by a {@link Module}: a {@link Variable} that requires a gradient
 * unless told otherwise (a frozen parameter keeps its place in the state dict). Optimizers
 * update {@link #data()} in place, so the tensor object a Module holds never changes.
 */
public class Parameter extends Variable {
    public Parameter(Tensor data) {
        super(data, true);
    }

    public Parameter(Tensor data, boolean requiresGrad) {
        super(data, requiresGrad);
    }

    @Override
    public String toString() {
        return "Parameter(shape=" + mma4j.tensor.Shapes.str(shape()) + (requiresGrad() ? "" : ", frozen") + ")";
    }
}
