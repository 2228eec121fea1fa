package mma4j.nn.regularizers;

import mma4j.tensor.cpu.Parallel;

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
        return of(op, w, n, d, eps, new float[n * d]);
    }

    /** The same, writing the unit rows into {@code u} (at least n*d long, e.g. a reused scratch buffer). */
    public static UnitRows of(String op, float[] w, int n, int d, float eps, float[] u) {
        checkSize(op, n, d);
        if (u.length < n * d) throw new IllegalArgumentException(op + ": unit-row buffer of " + u.length + " floats for " + n + " x " + d);
        float[] norm = new float[n];
        // Rows are independent: split them over the pool (each row's arithmetic is the same either way).
        Parallel.forRange(n, 3L * d, (from, to) -> {
            for (int i = from; i < to; i++) norm[i] = normalizeRow(op, w, u, i, n, d, eps);
        });
        return new UnitRows(u, norm, n, d);
    }

    /**
     * u_i = w_i / sqrt(|w_i|^2 + eps); returns that divisor. In double, so that u is w / |w|
     * correctly rounded: float32 sums would move u by an ulp, which nearly parallel rows (and
     * MHE's 1/q^2) magnify. The vector path widens each float vector into double vectors.
     */
    private static float normalizeRow(String op, float[] w, float[] u, int i, int n, int d, float eps) {
        double r = rowNorm(op, w, i, n, d, eps);
        RowOps.scaleToFloat(w, i * d, 1.0 / r, u, i * d, d);
        return (float) r;
    }

    /** sqrt(|w_i|^2 + eps) in double, or an error naming a non-finite value or a zero row. */
    private static double rowNorm(String op, float[] w, int i, int n, int d, float eps) {
        int o = i * d;
        double s = RowOps.sumSquaresDouble(w, o, d);
        // NaN, Inf or an all-zero row: find out which and say so.
        if (!(s > 0) || Double.isInfinite(s)) s = exactSumSquares(op, w, o, i, n, d);
        return Math.sqrt(s + eps);
    }

    /**
     * Only the row lengths |w_i| (as {@link #of} with eps 0 computes them), checking the rows the
     * same way: for the fused nearest-neighbour losses, which scale the raw Gram instead of
     * writing a unit copy of the weight.
     */
    public static float[] norms(String op, float[] w, int n, int d) {
        checkSize(op, n, d);
        float[] norm = new float[n];
        Parallel.forRange(n, d, (from, to) -> {
            for (int i = from; i < to; i++) norm[i] = (float) rowNorm(op, w, i, n, d, 0f);
        });
        return norm;
    }

    /** The row's squared length in double, or an error naming the non-finite value or the zero row. */
    private static double exactSumSquares(String op, float[] w, int o, int i, int n, int d) {
        double s = 0;
        for (int p = 0; p < d; p++) {
            float v = w[o + p];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(op + ": weight has a non-finite value " + v + " at row " + i + ", column " + p
                        + " of [" + n + ", " + d + "]");
            }
            s += (double) v * v;
        }
        if (s == 0) {
            throw new IllegalArgumentException(op + ": row " + i + " of the [" + n + ", " + d + "] weight is all zeros, so it has no direction"
                    + " (angular regularizers need every row non-zero)");
        }
        return s;
    }

    /**
     * The values of t in row-major order: its own backing array when t is a whole contiguous CPU
     * tensor (no copy; read only), else a copy. Large classifiers make the difference.
     */
    public static float[] values(mma4j.tensor.Tensor t) {
        if (t.device().isCpu() && t.isContiguous() && t.offset() == 0 && t.array().length == t.numel()) return t.array();
        return t.toArray();
    }

    private static void checkSize(String op, int n, int d) {
        if (n < 2) {
            throw new IllegalArgumentException(op + ": needs at least 2 rows to compare, got a weight of " + n + " row(s) x " + d + " columns");
        }
        if (d < 1) throw new IllegalArgumentException(op + ": rows must have at least 1 element, got " + n + " x " + d);
    }

    /**
     * Fewer than two rows, a non-finite value or an all-zero row: nothing to measure. A row whose
     * squared length is finite and positive passes at vector speed; others are examined in detail.
     */
    static void check(String op, float[] w, int n, int d) {
        checkSize(op, n, d);
        for (int i = 0; i < n; i++) {
            float s = RowOps.sumSquares(w, i * d, d);
            if (!(s > 0) || Float.isInfinite(s)) exactSumSquares(op, w, i * d, i, n, d);
        }
    }

    /**
     * Takes a gradient with respect to the unit rows back to the raw rows, in place:
     * d u_i / d w_i = (I - u_i u_i^T) / r_i, so g_w = (g_u - u_i (u_i . g_u)) / r_i.
     */
    public void backwardInPlace(float[] gu) {
        // In double: energies (MHE, orthogonal) push mostly along u_i, and the projection that
        // removes that radial part cancels; float32 would keep ~1e-4 of relative noise.
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double dot = 0;
            for (int p = 0; p < d; p++) dot += (double) u[o + p] * gu[o + p];
            double inv = 1.0 / norm[i];
            for (int p = 0; p < d; p++) gu[o + p] = (float) ((gu[o + p] - u[o + p] * dot) * inv);
        }
    }
}
