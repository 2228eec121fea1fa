package mma4j.nn.tammes;

/**
 * A smooth stand-in for the smallest pairwise angle: the soft minimum
 * <pre>  F_beta(x) = -(1/beta) log sum_{i<j} exp(-beta theta_ij)  </pre>
 * which lies within log(#pairs)/beta below min theta_ij and sharpens to it as beta grows.
 * {@link #valueAndGradient} returns -F (to be minimized) and its gradient with respect to the
 * raw points.
 *
 * <p>Pairs more than W = 40/beta above the minimum weigh less than e^-40 and are skipped. To
 * avoid scanning all n^2/2 pairs at every step, a Verlet list keeps the pairs within
 * W + 2 skin of the minimum; it stays exact until some point has moved skin/2 (then it is
 * rebuilt): an unlisted pair started W + 2 skin above the minimum, has closed by at most skin,
 * and the minimum itself has grown by at most skin.
 */
final class SoftMinAngle {
    final int n, d;
    private final double[] u, norm, uAtBuild;
    private double beta, skin;
    private int[] pairs = new int[64];
    private int pairCount = -1;
    int rebuilds;

    SoftMinAngle(int n, int d) {
        this.n = n;
        this.d = d;
        u = new double[n * d];
        norm = new double[n];
        uAtBuild = new double[n * d];
    }

    /** Sets the sharpness; {@code skin} (radians) trades list length against rebuilds. */
    void setBeta(double beta, double skin) {
        this.beta = beta;
        this.skin = skin;
        pairCount = -1;
    }

    double valueAndGradient(double[] x, double[] grad) {
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double s = 0;
            for (int p = 0; p < d; p++) s += x[o + p] * x[o + p];
            double r = Math.sqrt(s);
            norm[i] = r;
            for (int p = 0; p < d; p++) u[o + p] = x[o + p] / r;
        }
        if (pairCount < 0 || movedTooFar()) rebuild();
        double cmax = -1;
        for (int k = 0; k < pairCount; k++) cmax = Math.max(cmax, dot(pairs[2 * k], pairs[2 * k + 1]));
        double thetaMin = Math.acos(Math.min(1, cmax));
        double window = Math.cos(Math.min(Math.PI, thetaMin + 40 / beta));
        java.util.Arrays.fill(grad, 0);
        double sum = 0;
        for (int k = 0; k < pairCount; k++) {
            int i = pairs[2 * k], j = pairs[2 * k + 1];
            double c = dot(i, j);
            if (c < window) continue;
            c = Math.min(1, c);
            double w = Math.exp(-beta * (Math.acos(c) - thetaMin));
            sum += w;
            // d(-F)/dc_ij = (w / S) / sin(theta); the 1/S is applied below.
            double f = w / Math.max(Math.sqrt(1 - c * c), 1e-12);
            for (int p = 0, oi = i * d, oj = j * d; p < d; p++) {
                grad[oi + p] += f * u[oj + p];
                grad[oj + p] += f * u[oi + p];
            }
        }
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double dt = 0;
            for (int p = 0; p < d; p++) dt += u[o + p] * grad[o + p];
            for (int p = 0; p < d; p++) grad[o + p] = (grad[o + p] - u[o + p] * dt) / (sum * norm[i]);
        }
        return -(thetaMin - Math.log(sum) / beta);
    }

    private boolean movedTooFar() {
        // A point that turned by phi moved a chord of 2 sin(phi/2): compare chords with phi = skin/2.
        double limit = 2 * Math.sin(Math.min(skin / 4, Math.PI / 2));
        double limit2 = limit * limit;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int p = 0, o = i * d; p < d; p++) {
                double e = u[o + p] - uAtBuild[o + p];
                s += e * e;
            }
            if (s > limit2) return true;
        }
        return false;
    }

    private void rebuild() {
        rebuilds++;
        System.arraycopy(u, 0, uAtBuild, 0, u.length);
        double cmax = -1;
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) cmax = Math.max(cmax, dot(i, j));
        double radius = Math.acos(Math.min(1, cmax)) + 40 / beta + 2 * skin;
        double cut = radius >= Math.PI ? -2 : Math.cos(radius);
        pairCount = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (dot(i, j) < cut) continue;
                if (2 * pairCount + 2 > pairs.length) pairs = java.util.Arrays.copyOf(pairs, pairs.length * 2);
                pairs[2 * pairCount] = i;
                pairs[2 * pairCount + 1] = j;
                pairCount++;
            }
        }
    }

    private double dot(int i, int j) {
        double s = 0;
        for (int p = 0, oi = i * d, oj = j * d; p < d; p++) s += u[oi + p] * u[oj + p];
        return s;
    }
}
