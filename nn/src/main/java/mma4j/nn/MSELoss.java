package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;

/** Mean squared error between input and target of the same shape, as torch.nn.MSELoss. */
public class MSELoss extends Loss {
    public Variable forward(Variable input, Variable target) {
        return Functional.mseLoss(input, target);
    }
}
