package mma4j.autograd;

import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/** The one rule that undoes broadcasting in backward: sum the gradient back to the input's shape. */
public final class Broadcast {
    private Broadcast() {}

    /** Sums leading extra axes and axes where {@code shape} has size 1; null if impossible. */
    public static Tensor sumTo(Tensor grad, int[] shape) {
        int[] gs = grad.shape();
        if (Shapes.equal(gs, shape)) return grad;
        int lead = gs.length - shape.length;
        if (lead < 0) return null;
        int[] axes = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead) axes[n++] = i;
            else if (shape[i - lead] == 1 && gs[i] != 1) axes[n++] = i;
            else if (shape[i - lead] != gs[i]) return null;
        }
        Tensor r = n == 0 ? grad : grad.sum(java.util.Arrays.copyOf(axes, n), true);
        return r.reshape(shape);
    }
}
