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
        int[] s = weight.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException(op + ": expects a Linear [out, in] or Conv2d [out, in, kH, kW] weight, got shape " + Shapes.str(s));
        }
        int n = s[0];
        int d = n == 0 ? 0 : weight.data().numel() / n;
        Variable m = s.length == 2 ? weight : weight.reshape(n, d);
        float[] w = UnitRows.values(m.data());
        UnitRows.check(op, w, n, d);
        for (int i = 0; i < n; i++) {
            boolean zero = true;
            for (int p = i * d, e = p + d; p < e && zero; p++) zero = w[p] == 0f;
            if (zero) {
                throw new IllegalArgumentException(op + ": row " + i + " of weight " + Shapes.str(s) + " is all zeros, so it has no direction"
                        + " (angular regularizers need every row non-zero)");
            }
        }
        return m;
    }
}
