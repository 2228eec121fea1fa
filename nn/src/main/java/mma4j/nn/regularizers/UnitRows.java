package mma4j.nn.regularizers;

/**
 * The rows of a weight matrix scaled to unit length, with the lengths kept for backward.
 * Every angular regularizer starts here, so this is also where bad weights are stopped:
 * a zero row has no direction and a NaN poisons every angle, so both are errors that name
 * the row instead of a NaN loss three layers later.
 */
public final class UnitRows {
    /** Row-major [n, d] unit rows. */
    public final float[] u;
    /** The divisor of each row: sqrt(|w_i|^2 + eps). */
    public final float[] norm;
    public final int n, d;

    private UnitRows(float[] u, float[] norm, int n, int d) {
        this.u = u;
        this.norm = norm;
        this.n = n;
        this.d = d;
    }

    /**
     * Normalizes the rows of w (row-major [n, d]). {@code eps} is added under the square root
     * (0 for MMA, cosine and orthogonal; 1e-4 for MHE, as its reference code does).
     */
    public static UnitRows of(String op, float[] w, int n, int d, float eps) {
        check(op, w, n, d);
        float[] u = new float[n * d];
        float[] norm = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int o = i * d;
            for (int p = 0; p < d; p++) s += (double) w[o + p] * w[o + p];
            if (s == 0) {
                throw new IllegalArgumentException(op + ": row " + i + " of the [" + n + ", " + d + "] weight is all zeros, so it has no direction"
                        + " (angular regularizers need every row non-zero)");
            }
            double r = Math.sqrt(s + eps);
            norm[i] = (float) r;
            double inv = 1.0 / r;
            for (int p = 0; p < d; p++) u[o + p] = (float) (w[o + p] * inv);
        }
        return new UnitRows(u, norm, n, d);
    }

    /**
     * The values of t in row-major order: its own backing array when t is a whole contiguous CPU
     * tensor (no copy; read only), else a copy. Large classifiers make the difference.
     */
    public static float[] values(mma4j.tensor.Tensor t) {
        if (t.device().isCpu() && t.isContiguous() && t.offset() == 0 && t.array().length == t.numel()) return t.array();
        return t.toArray();
    }

    /** Fewer than two rows or non-finite values: no angle to measure. */
    static void check(String op, float[] w, int n, int d) {
        if (n < 2) {
            throw new IllegalArgumentException(op + ": needs at least 2 rows to compare, got a weight of " + n + " row(s) x " + d + " columns");
        }
        if (d < 1) throw new IllegalArgumentException(op + ": rows must have at least 1 element, got " + n + " x " + d);
        for (int k = 0; k < w.length; k++) {
            if (!Float.isFinite(w[k])) {
                throw new IllegalArgumentException(op + ": weight has a non-finite value " + w[k] + " at row " + (k / d) + ", column " + (k % d)
                        + " of [" + n + ", " + d + "]");
            }
        }
    }

    /**
     * Takes a gradient with respect to the unit rows back to the raw rows, in place:
     * d u_i / d w_i = (I - u_i u_i^T) / r_i, so g_w = (g_u - u_i (u_i . g_u)) / r_i.
     */
    public void backwardInPlace(float[] gu) {
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double dot = 0;
            for (int p = 0; p < d; p++) dot += (double) u[o + p] * gu[o + p];
            double inv = 1.0 / norm[i];
            for (int p = 0; p < d; p++) gu[o + p] = (float) ((gu[o + p] - u[o + p] * dot) * inv);
        }
    }

    /** The same, with the unit rows recomputed as w_i / norm_i (for ops that keep only the norms). */
    public static void backwardInPlace(float[] w, float[] norm, int n, int d, float[] gu) {
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double inv = 1.0 / norm[i], dot = 0;
            for (int p = 0; p < d; p++) dot += w[o + p] * inv * gu[o + p];
            for (int p = 0; p < d; p++) gu[o + p] = (float) ((gu[o + p] - w[o + p] * inv * dot) * inv);
        }
    }
}
