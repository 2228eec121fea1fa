package mma4j.nn.tammes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import mma4j.nn.regularizers.NearestNeighbourLoss;
import mma4j.nn.regularizers.PairEnergy;
import mma4j.tensor.cpu.Simd;

/**
 * The Table 1 losses on a point set x [n, d] (row-major, not normalized) and their gradient with
 * respect to x, in float32 as the paper's PyTorch runs were. The definitions are those of the
 * layer regularizers (MmaLoss, CosineLoss, MheLoss with s = 2 and s = 0): the same
 * normalization, clamp and first-index tie rule.
 *
 * <p>Small d makes a direct pair loop beat a Gram product. Coordinates are kept one array per
 * dimension, so that for a row i the loop over j > i runs along contiguous arrays: a vector body
 * of {@link Simd#F} lanes, then a scalar tail. Each row's own maximum (or gradient) is reduced in
 * registers; the other side of each pair is updated lane-wise in per-row arrays.
 */
final class Objective {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final FloatVector IOTA;
    static {
        float[] iota = new float[F.length()];
        for (int k = 0; k < iota.length; k++) iota[k] = k;
        IOTA = FloatVector.fromArray(F, iota, 0);
    }
    /** Below this |u_i - u_j|^2, 2 - 2 u_i.u_j is recomputed without cancellation (as PairEnergy does). */
    private static final float CLOSE = 1e-2f;

    final TammesLoss loss;
    final int n, d;
    private final float[][] u, g; // [d][n]: unit coordinates and dLoss/du
    private final float[] norm;
    private final float[] bestCos, bestIndex; // indices as floats: exact below 2^24 > MAX_POINTS
    private final float eps;

    Objective(TammesLoss loss, int n, int d) {
        this.loss = loss;
        this.n = n;
        this.d = d;
        u = new float[d][n];
        g = new float[d][n];
        norm = new float[n];
        bestCos = new float[n];
        bestIndex = new float[n];
        eps = loss == TammesLoss.RIESZ || loss == TammesLoss.LOG ? PairEnergy.MHE_EPS : 0f;
    }

    /** The loss at x; writes dLoss/dx into grad (same row-major layout). */
    double valueAndGradient(float[] x, float[] grad) {
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int p = 0; p < d; p++) s += (double) x[i * d + p] * x[i * d + p];
            if (!(s > 0) || Double.isInfinite(s)) throw new IllegalStateException("tammes: point " + i + " has squared length " + s);
            float r = (float) Math.sqrt(s + eps);
            norm[i] = r;
            for (int p = 0; p < d; p++) u[p][i] = x[i * d + p] / r;
        }
        for (float[] gp : g) java.util.Arrays.fill(gp, 0f);
        double value = loss == TammesLoss.MMA || loss == TammesLoss.COSINE ? nearestLoss() : energy();
        // Through the normalization: g_x = (g_u - u (u . g_u)) / r.
        for (int i = 0; i < n; i++) {
            float dot = 0;
            for (int p = 0; p < d; p++) dot += u[p][i] * g[p][i];
            for (int p = 0; p < d; p++) grad[i * d + p] = (g[p][i] - u[p][i] * dot) / norm[i];
        }
        return value;
    }

    // ------------------------------------------------------------------ MMA and cosine

    private double nearestLoss() {
        java.util.Arrays.fill(bestCos, Float.NEGATIVE_INFINITY);
        float[] ui = new float[d];
        for (int i = 0; i < n - 1; i++) {
            for (int p = 0; p < d; p++) ui[p] = u[p][i];
            float rowBest = Float.NEGATIVE_INFINITY, rowIndex = Float.MAX_VALUE;
            int j = i + 1;
            if (Simd.enabled() && n - j >= F.length()) {
                FloatVector best = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), index = FloatVector.broadcast(F, Float.MAX_VALUE);
                FloatVector self = FloatVector.broadcast(F, i);
                for (int bound = j + F.loopBound(n - j); j < bound; j += F.length()) {
                    FloatVector c = dot(ui, j);
                    FloatVector js = IOTA.add(j);
                    VectorMask<Float> up = c.compare(VectorOperators.GT, best);
                    best = best.blend(c, up);
                    index = index.blend(js, up);
                    // Row j's candidates arrive from rows i in ascending order: strict '>' keeps the first.
                    FloatVector cb = FloatVector.fromArray(F, bestCos, j);
                    VectorMask<Float> better = c.compare(VectorOperators.GT, cb);
                    cb.blend(c, better).intoArray(bestCos, j);
                    FloatVector.fromArray(F, bestIndex, j).blend(self, better).intoArray(bestIndex, j);
                }
                rowBest = best.reduceLanes(VectorOperators.MAX);
                // Among lanes holding the maximum, the smallest index (each lane kept its first).
                rowIndex = index.blend(Float.MAX_VALUE, best.compare(VectorOperators.NE, rowBest)).reduceLanes(VectorOperators.MIN);
            }
            for (; j < n; j++) {
                float c = 0;
                for (int p = 0; p < d; p++) c += ui[p] * u[p][j];
                if (c > rowBest) {
                    rowBest = c;
                    rowIndex = j;
                }
                if (c > bestCos[j]) {
                    bestCos[j] = c;
                    bestIndex[j] = i;
                }
            }
            // Earlier candidates of row i came from rows < i: on a tie they win.
            if (rowBest > bestCos[i]) {
                bestCos[i] = rowBest;
                bestIndex[i] = rowIndex;
            }
        }
        double clamp = NearestNeighbourLoss.CLAMP, sum = 0;
        for (int i = 0; i < n; i++) {
            double c = bestCos[i], slope;
            if (loss == TammesLoss.MMA) {
                sum -= Math.acos(Math.min(Math.max(c, -clamp), clamp));
                slope = c >= -clamp && c <= clamp ? 1 / Math.sqrt(1 - c * c) : 0;
            } else {
                sum += c;
                slope = 1;
            }
            if (slope == 0) continue;
            float s = (float) (slope / n);
            int j = (int) bestIndex[i];
            for (int p = 0; p < d; p++) {
                g[p][i] += s * u[p][j];
                g[p][j] += s * u[p][i];
            }
        }
        return sum / n;
    }

    private FloatVector dot(float[] ui, int j) {
        FloatVector c = FloatVector.fromArray(F, u[0], j).mul(ui[0]);
        for (int p = 1; p < d; p++) c = FloatVector.fromArray(F, u[p], j).fma(FloatVector.broadcast(F, ui[p]), c);
        return c;
    }

    // ------------------------------------------------------------------ MHE energies

    /**
     * Mean over ordered pairs of 1/q (Riesz s = 2) or -1/2 log q (s = 0), q = |u_i - u_j|^2 =
     * 2 - 2 u_i.u_j as MHE computes it. For the log energy, lanes multiply their q's and take one
     * logarithm per 16 chunks (q is in [1e-2, 4] there, so 16 factors stay within [1e-32, 5e9]).
     */
    private double energy() {
        boolean riesz = loss == TammesLoss.RIESZ;
        double pairs = (double) n * (n - 1);
        float k2 = (float) ((riesz ? 4 : 2) / pairs); // dV/dc = 4/(q^2 pairs) or 2/(q pairs) per unordered pair
        double sum = 0; // sum over unordered pairs of 1/q, or of log q
        float[] ui = new float[d];
        FloatVector[] acc = new FloatVector[d];
        for (int i = 0; i < n - 1; i++) {
            for (int p = 0; p < d; p++) ui[p] = u[p][i];
            int j = i + 1;
            if (Simd.enabled() && n - j >= F.length()) {
                for (int p = 0; p < d; p++) acc[p] = FloatVector.zero(F);
                FloatVector values = FloatVector.zero(F), product = FloatVector.broadcast(F, 1f);
                int chunks = 0;
                for (int bound = j + F.loopBound(n - j); j < bound; j += F.length()) {
                    FloatVector q = dot(ui, j).mul(-2f).add(2f);
                    if (q.compare(VectorOperators.LT, CLOSE).anyTrue()) {
                        for (int t = j; t < j + F.length(); t++) sum += scalarPair(i, t, riesz, k2, ui);
                        continue;
                    }
                    FloatVector inv = FloatVector.broadcast(F, 1f).div(q);
                    FloatVector k;
                    if (riesz) {
                        values = values.add(inv);
                        k = inv.mul(inv).mul(k2);
                    } else {
                        product = product.mul(q);
                        if (++chunks == 16) {
                            sum += sumOfLogs(product);
                            product = FloatVector.broadcast(F, 1f);
                            chunks = 0;
                        }
                        k = inv.mul(k2);
                    }
                    for (int p = 0; p < d; p++) {
                        acc[p] = FloatVector.fromArray(F, u[p], j).fma(k, acc[p]);
                        FloatVector.fromArray(F, g[p], j).add(k.mul(ui[p])).intoArray(g[p], j);
                    }
                }
                sum += riesz ? sumLanes(values) : sumOfLogs(product);
                for (int p = 0; p < d; p++) g[p][i] += sumLanes(acc[p]);
            }
            for (; j < n; j++) sum += scalarPair(i, j, riesz, k2, ui);
        }
        return riesz ? 2 * sum / pairs : -sum / pairs;
    }

    /** Lanes added left to right: reduceLanes(ADD) has no fixed order (it changes once the JIT compiles). */
    private static float sumLanes(FloatVector v) {
        float s = v.lane(0);
        for (int k = 1; k < F.length(); k++) s += v.lane(k);
        return s;
    }

    private static double sumOfLogs(FloatVector product) {
        double s = 0;
        for (int k = 0; k < F.length(); k++) s += Math.log(product.lane(k));
        return s;
    }

    /** One pair without vectors; returns 1/q (Riesz) or log q (log), adds the gradient. */
    private double scalarPair(int i, int j, boolean riesz, float k2, float[] ui) {
        float c = 0;
        for (int p = 0; p < d; p++) c += ui[p] * u[p][j];
        float q = 2 - 2 * c;
        if (q < CLOSE) {
            // |u_i - u_j|^2 + (1 - |u_i|^2) + (1 - |u_j|^2), where 1 - |u|^2 = eps / norm^2.
            double e2 = 0;
            for (int p = 0; p < d; p++) {
                double e = (double) ui[p] - u[p][j];
                e2 += e * e;
            }
            q = (float) (e2 + eps / ((double) norm[i] * norm[i]) + eps / ((double) norm[j] * norm[j]));
        }
        float inv = 1 / q, k = riesz ? inv * inv * k2 : inv * k2;
        for (int p = 0; p < d; p++) {
            g[p][i] += k * u[p][j];
            g[p][j] += k * ui[p];
        }
        return riesz ? inv : Math.log(q);
    }

    // ------------------------------------------------------------------ measurement

    /** The smallest angle between two of the points, in degrees (double precision). */
    static double minAngleDeg(double[] x, int n, int d) {
        double[] u = unit(x, n, d);
        double best = -1;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double c = 0;
                for (int p = 0; p < d; p++) c += u[i * d + p] * u[j * d + p];
                best = Math.max(best, c);
            }
        }
        return Math.toDegrees(Math.acos(Math.min(1, best)));
    }

    static double[] unit(double[] x, int n, int d) {
        double[] u = new double[n * d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int p = 0; p < d; p++) s += x[i * d + p] * x[i * d + p];
            double r = Math.sqrt(s);
            for (int p = 0; p < d; p++) u[i * d + p] = x[i * d + p] / r;
        }
        return u;
    }
}
