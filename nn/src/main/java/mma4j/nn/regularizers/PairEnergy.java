package mma4j.nn.regularizers;

import mma4j.autograd.Function;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.Gemm;

/**
 * The fused orthogonal and MHE losses: regularizers that look at every pair, not just the
 * nearest one. Forward is one symmetric Gram product plus O(n^2) pointwise work; backward is
 * one more product, because for L = sum over ordered pairs of f(C_ij) with C = U U^T,
 * dL/dU = 2 M U with M_ij = f'(C_ij) (C is symmetric, so both C_ij and C_ji land on u_i).
 *
 * <pre>
 *   orthogonal:      L = 1/2 ||U U^T - I||_F^2                  M = C - I
 *   MHE, Riesz s>0:  L = 1/(n(n-1)) sum_{i!=j} (2 - 2 C_ij)^(-s/2)   M_ij = s (2 - 2C_ij)^(-s/2-1) / (n(n-1))
 *   MHE, log (s=0):  L = -1/(n(n-1)) sum_{i!=j} log sqrt(2 - 2 C_ij) M_ij = 1 / ((2 - 2C_ij) n(n-1))
 * </pre>
 *
 * (2 - 2 C_ij is |u_i - u_j|^2 for unit rows.) MHE normalizes with sqrt(|w|^2 + 1e-4), as its
 * reference code does, so that even identical rows stay at a finite energy. For close rows
 * 2 - 2 C_ij cancels catastrophically in float32 (identical rows give about 1e-5 from two
 * numbers near 2), so pairs with 2 - 2 C_ij below {@link #CLOSE} are recomputed from the rows.
 */
public final class PairEnergy extends Function {
    /** MHE's epsilon under the row norm. */
    public static final float MHE_EPS = 1e-4f;
    /** Below this squared distance 2 - 2 C_ij is recomputed accurately. */
    static final double CLOSE = 1e-2;

    private final String op;
    private final double s; // Riesz exponent; 0 = log; NaN = orthogonal
    private int[] inShape;
    private UnitRows rows;
    private float[] m; // M, full and symmetric, kept for backward

    private PairEnergy(String op, double s) {
        this.op = op;
        this.s = s;
    }

    public static PairEnergy orthogonal() {
        return new PairEnergy("orthogonal", Double.NaN);
    }

    /** MHE with Riesz exponent s > 0, or the logarithmic energy for s == 0. */
    public static PairEnergy mhe(double s) {
        if (!(s >= 0) || Double.isInfinite(s)) throw new IllegalArgumentException("mhe: exponent s must be >= 0 and finite, got " + s);
        return new PairEnergy("mhe", s);
    }

    private boolean isOrthogonal() {
        return Double.isNaN(s);
    }

    @Override
    public String name() {
        return isOrthogonal() ? "OrthogonalFused" : "MheFused(s=" + s + ")";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor w = in[0];
        if (w.dim() != 2) throw new IllegalArgumentException(op + ": expects a weight matrix [rows, columns], got " + Shapes.str(w.shape()));
        inShape = w.shape();
        int n = inShape[0], d = inShape[1];
        rows = UnitRows.of(op, UnitRows.values(w), n, d, isOrthogonal() ? 0f : MHE_EPS);
        float[] c = new float[n * n];
        Gram.upper(rows.u, n, d, c);
        m = c; // overwritten in place with M: C is not needed once M is known
        double sum = 0, pairs = (double) n * (n - 1);
        for (int i = 0; i < n; i++) {
            int o = i * n;
            if (isOrthogonal()) {
                double e = c[o + i] - 1.0;
                sum += 0.5 * e * e;
                m[o + i] = (float) e;
            } else {
                m[o + i] = 0f;
            }
            for (int j = i + 1; j < n; j++) {
                double cij = c[o + j];
                double value, slope;
                if (isOrthogonal()) {
                    value = cij * cij;                   // 1/2 (C_ij^2 + C_ji^2)
                    slope = cij;
                } else {
                    double q = 2.0 - 2.0 * cij;          // |u_i - u_j|^2
                    if (q < CLOSE) q = closeSquaredDistance(i, j);
                    if (s == 0) {
                        value = -Math.log(q) / pairs;    // 2 ordered pairs x (-1/2 log q)
                        slope = 1.0 / (q * pairs);
                    } else {
                        double e = Math.pow(q, -s / 2);
                        value = 2 * e / pairs;
                        slope = s * e / q / pairs;
                    }
                }
                sum += value;
                m[o + j] = (float) slope;
                m[j * n + i] = (float) slope;
            }
        }
        saveForBackward(w);
        return Tensor.scalar((float) sum).to(w.device());
    }

    /**
     * 2 - 2 u_i.u_j without cancellation: |u_i - u_j|^2 + (1 - |u_i|^2) + (1 - |u_j|^2), where
     * 1 - |u_i|^2 = eps / (|w_i|^2 + eps) = eps / norm_i^2 exactly.
     */
    private double closeSquaredDistance(int i, int j) {
        int d = rows.d, oi = i * d, oj = j * d;
        double q = 0;
        for (int p = 0; p < d; p++) {
            double e = (double) rows.u[oi + p] - rows.u[oj + p];
            q += e * e;
        }
        double ni = rows.norm[i], nj = rows.norm[j];
        return q + MHE_EPS / (ni * ni) + MHE_EPS / (nj * nj);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        saved();
        int n = inShape[0], d = inShape[1];
        float[] gu = new float[n * d];
        // dL/dU = 2 g M U
        Gemm.sgemm(n, d, n, m, 0, n, 1, rows.u, 0, d, 1, 0f, gu, 0, d);
        float k = 2f * g.item();
        for (int t = 0; t < gu.length; t++) gu[t] *= k;
        rows.backwardInPlace(gu);
        return new Tensor[] {Tensor.wrap(gu, inShape).to(g.device())};
    }
}
