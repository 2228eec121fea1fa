package mma4j.nn;

import mma4j.autograd.Variable;

/** max(0, x) elementwise. */
public class ReLU extends Module {
    @Override
    public Variable forward(Variable x) {
        return x.relu();
    }
}
