package mma4j.nn.regularizers;

import mma4j.autograd.Variable;
import mma4j.tensor.Tensor;

/**
 * The regularizers written with autograd primitives only, line by line as the paper and the
 * reference code define them. They are the readable definition and the reference that the
 * fused ops are tested against; autograd derives their gradients (three n x n x d products
 * each: the Gram product and its two operands' gradients).
 */
public final class Composed {
    private Composed() {}

    /** w_i / sqrt(|w_i|^2 + eps), row by row. */
    public static Variable normalizeRows(Variable w, float eps) {
        Variable sq = w.mul(w).sum(new int[] {1}, true);
        return w.div((eps == 0f ? sq : sq.add(eps)).sqrt());
    }

    /** -mean_i acos(clamp(max_{j != i} C_ij, +-0.99999)). */
    public static Variable mma(Variable w) {
        Variable cos = cosineMatrix(w, 0f);
        Variable nearest = withoutDiagonal(cos).max(1, false);
        return nearest.acosClamped(NearestNeighbourLoss.CLAMP).mean().neg();
    }

    /** mean_i max_{j != i} C_ij. */
    public static Variable cosine(Variable w) {
        return withoutDiagonal(cosineMatrix(w, 0f)).max(1, false).mean();
    }

    /** 1/2 ||W_hat W_hat^T - I||_F^2 (the coefficient lambda multiplies this). */
    public static Variable orthogonal(Variable w) {
        Variable cos = cosineMatrix(w, 0f);
        Variable diff = cos.sub(Variable.of(eye(cos.size(0))));
        return diff.mul(diff).sum().mul(0.5f);
    }

    /** 1/(n(n-1)) sum_{i != j} |u_i - u_j|^-s, or for s = 0 -1/(n(n-1)) sum log |u_i - u_j|. */
    public static Variable mhe(Variable w, double s) {
        Variable cos = cosineMatrix(w, PairEnergy.MHE_EPS);
        int n = cos.size(0);
        Variable eye = Variable.of(eye(n));
        // |u_i - u_j|^2 = 2 - 2 C_ij; the identity keeps the (masked) diagonal finite.
        Variable sqDist = cos.mul(-2f).add(2f).add(eye);
        Variable energy = s == 0 ? sqDist.log().mul(-0.5f) : sqDist.pow((float) (-s / 2));
        Variable offDiagonal = Variable.of(Tensor.ones(n, n).sub(eye(n)));
        return energy.mul(offDiagonal).sum().mul(1f / ((float) n * (n - 1)));
    }

    static Variable cosineMatrix(Variable w, float eps) {
        Variable u = normalizeRows(w, eps);
        return u.matmul(u.t());
    }

    /** C - 2 diag(diag(C)): the diagonal (about 1) drops to about -1 and never wins a row max. */
    static Variable withoutDiagonal(Variable cos) {
        return cos.sub(cos.mul(Variable.of(eye(cos.size(0)))).mul(2f));
    }

    static Tensor eye(int n) {
        Tensor t = Tensor.zeros(n, n);
        float[] a = t.array();
        for (int i = 0; i < n; i++) a[i * n + i] = 1f;
        return t;
    }
}
