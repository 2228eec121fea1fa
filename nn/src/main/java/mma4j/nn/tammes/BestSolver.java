package mma4j.nn.tammes;

import mma4j.tensor.Generator;

/**
 * Maximizes the smallest angle itself, the objective MMA stands in for.
 *
 * <ol>
 *   <li><b>Anneal.</b> From N(0, 1) points, minimize the soft minimum angle {@link SoftMinAngle}
 *       with L-BFGS while its sharpness grows geometrically, beta = k / (mean nearest angle) for
 *       k = 4 ... 1e5: a soft minimum sees every near pair and moves the whole configuration, a
 *       sharp one polishes the few active pairs (at k = 1e5 it is within 1e-4 of the hard minimum).</li>
 *   <li><b>Basin hopping.</b> Shake the best configuration (every coordinate moved by a normal step
 *       of one mean nearest-neighbour angle), anneal again from k = 10, and keep the result if its
 *       smallest angle is larger. Packings have many local optima; shaking and re-annealing
 *       moves between neighbouring ones far better than fresh random starts.</li>
 * </ol>
 * Everything is seeded and runs a fixed number of steps, so a seed gives the same packing on
 * every machine.
 */
final class BestSolver {
    /** L-BFGS iterations per sharpness stage. */
    static final int DEFAULT_ITERATIONS = 400;
    /** k = beta * (mean nearest angle) per stage. */
    static final double[] SHARPNESS = {4, 10, 25, 60, 150, 400, 1000, 3000, 1e4, 3e4, 1e5};
    static final double HOP_SHARPNESS = 10;
    static final double HOP_SIZE = 1.0;

    private BestSolver() {}

    /**
     * Hops scale with the cost of one anneal (about n^2 pair evaluations): 16 for small n, 8 at
     * n = 130, none at n = 600, where one careful anneal already lands close.
     */
    static int defaultHops(int n) {
        return (int) Math.max(0, Math.min(16, 150_000L / ((long) n * n)));
    }

    static double[] solve(int d, int n, int iterations, long seed) {
        return solve(d, n, iterations, seed, defaultHops(n));
    }

    static double[] solve(int d, int n, int iterations, long seed, int hops) {
        double[] x = TammesSolver.gaussianStart(n, d, seed);
        anneal(x, n, d, 0, iterations);
        double best = Objective.minAngleDeg(x, n, d);
        Generator shake = new Generator(seed ^ 0x5DEECE66DL);
        for (int h = 0; h < hops; h++) {
            double step = HOP_SIZE * meanNearestAngle(x, n, d);
            double[] y = x.clone();
            for (int k = 0; k < y.length; k++) y[k] += step * shake.nextGaussian();
            anneal(y, n, d, HOP_SHARPNESS, iterations);
            double a = Objective.minAngleDeg(y, n, d);
            if (a > best) {
                best = a;
                x = y;
            }
        }
        return x;
    }

    /** Runs the sharpness stages from k >= kFrom; x ends normalized. */
    static void anneal(double[] x, int n, int d, double kFrom, int iterations) {
        SoftMinAngle f = new SoftMinAngle(n, d);
        for (double k : SHARPNESS) {
            if (k < kFrom) continue;
            normalize(x, n, d);
            double scale = meanNearestAngle(x, n, d);
            f.setBeta(k / scale, 0.1 * scale);
            Lbfgs.minimize(f::valueAndGradient, x, iterations, 12, 0.05 * scale, 1e-12);
        }
        normalize(x, n, d);
    }

    static void normalize(double[] x, int n, int d) {
        double[] u = Objective.unit(x, n, d);
        System.arraycopy(u, 0, x, 0, x.length);
    }

    /** Mean over points of the angle to the nearest other point (radians), x unit rows. */
    static double meanNearestAngle(double[] x, int n, int d) {
        double[] best = new double[n];
        java.util.Arrays.fill(best, -1);
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double c = 0;
                for (int p = 0; p < d; p++) c += x[i * d + p] * x[j * d + p];
                best[i] = Math.max(best[i], c);
                best[j] = Math.max(best[j], c);
            }
        }
        double s = 0;
        for (double c : best) s += Math.acos(Math.min(1, c));
        return s / n;
    }
}
