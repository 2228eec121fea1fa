package mma4j.nn;

import mma4j.autograd.Variable;

/**
 * A loss as a module (no parameters), as torch.nn's losses. A loss needs a target besides the
 * input, so it does not fit {@link Module#forward(Variable)}: each loss offers
 * {@code forward(input, target)} instead and the one-argument form throws. Reduction is always
 * the mean over the batch (PyTorch's default reduction='mean').
 */
public abstract class Loss extends Module {
    @Override
    public final Variable forward(Variable input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " needs a target: call forward(input, target)");
    }
}
