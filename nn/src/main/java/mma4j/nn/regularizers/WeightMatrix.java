package mma4j.nn.regularizers;

import mma4j.autograd.Variable;
import mma4j.tensor.Shapes;

/** A layer weight seen as the matrix of row vectors that angular regularizers compare. */
public final class WeightMatrix {
    private WeightMatrix() {}

    /**
     * [out, in] as it is, [out, in, kH, kW] (any rank >= 2) as [out, in*kH*kW]; checks that there
     * are at least two rows, that every value is finite and that no row is all zeros.
     */
    public static Variable rows(String op, Variable weight) {
        return rows(op, weight, true);
    }

    /**
     * The same; {@code checkRows} false skips the pass over the values, for the fused ops that
     * check each row with the same errors while they measure its length anyway.
     */
    public static Variable rows(String op, Variable weight, boolean checkRows) {
        int[] s = weight.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException(op + ": expects a Linear [out, in] or Conv2d [out, in, kH, kW] weight, got shape " + Shapes.str(s));
        }
        int n = s[0];
        int d = n == 0 ? 0 : weight.data().numel() / n;
        Variable m = s.length == 2 ? weight : weight.reshape(n, d);
        if (checkRows) UnitRows.check(op, UnitRows.values(m.data()), n, d);
        return m;
    }
}
