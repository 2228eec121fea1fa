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
     * The same; {@code checkRows} false skips the pass over the values, for ops that check each
     * row with the same errors while they measure its length anyway.
     */
    public static Variable rows(String op, Variable weight, boolean checkRows) {
        int[] s = checkRank(op, weight);
        int n = s[0];
        int d = n == 0 ? 0 : weight.data().numel() / n;
        Variable m = s.length == 2 ? weight : weight.reshape(n, d);
        if (checkRows) UnitRows.check(op, UnitRows.values(m.data()), n, d);
        return m;
    }

    /**
     * The weight itself, for the fused ops that read [out, in, kH, kW] as [out, in*kH*kW] rows
     * and check each row while they measure it. No reshape node: the op's input is then the
     * weight itself, so its backward may add into the weight's gradient.
     */
    public static Variable asIs(String op, Variable weight) {
        checkRank(op, weight);
        return weight;
    }

    private static int[] checkRank(String op, Variable weight) {
        int[] s = weight.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException(op + ": expects a Linear [out, in] or Conv2d [out, in, kH, kW] weight, got shape " + Shapes.str(s));
        }
        return s;
    }
}
