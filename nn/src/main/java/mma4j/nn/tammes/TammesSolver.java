package mma4j.nn.tammes;

import java.util.Locale;
import mma4j.tensor.Generator;

/**
 * The Tammes problem: place n points on the unit sphere in R^d so that the smallest angle
 * between two of them is as large as possible. The paper (Table 1) uses it to compare its
 * losses: start from N(0, 1) points and minimize the loss; the figure is the final smallest angle.
 *
 * <pre>{@code
 * TammesResult r = TammesSolver.solve(3, 30, TammesLoss.MMA, TammesSolver.Method.PAPER, 10_000, 0);
 * System.out.println(r.minAngleDeg());
 * }</pre>
 */
public final class TammesSolver {
    /** How hard to try. */
    public enum Method {
        /**
         * The paper's recipe: SGD with learning rate 0.1 and momentum 0.9 on the chosen loss, the
         * learning rate divided by 5 when the loss plateaus (PyTorch's ReduceLROnPlateau,
         * patience 10), {@code iterations} steps (10,000 in the paper).
         */
        PAPER,
        /**
         * Goes on to the best packing it can find for the same objective, the smallest angle
         * (see {@link BestSolver}); {@code iterations} bounds the optimizer steps of each start.
         */
        BEST;

        public static Method parse(String s) {
            for (Method m : values()) if (m.label().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) return m;
            throw new IllegalArgumentException("unknown Tammes solver '" + s + "'; expected paper or best");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final int MAX_DIM = 1024;
    public static final int MAX_POINTS = 20_000;
    /** The paper's iteration count. */
    public static final int PAPER_ITERATIONS = 10_000;

    private TammesSolver() {}

    /** The paper's recipe with its 10,000 iterations. */
    public static TammesResult solve(int dim, int points, TammesLoss loss, Method method, long seed) {
        return solve(dim, points, loss, method, method == Method.PAPER ? PAPER_ITERATIONS : BestSolver.DEFAULT_ITERATIONS, seed);
    }

    public static TammesResult solve(int dim, int points, TammesLoss loss, Method method, int iterations, long seed) {
        check(dim, points, iterations);
        if (loss == null || method == null) throw new IllegalArgumentException("tammes: loss and solver must be given, got " + loss + ", " + method);
        if (method == Method.BEST && loss != TammesLoss.MMA) {
            // The best solver maximizes the smallest angle itself: that is MMA's objective, not the energies'.
            throw new IllegalArgumentException("tammes: the best solver optimizes the smallest angle (loss mma); got loss " + loss.label()
                    + ". Use --solver paper to minimize " + loss.label());
        }
        long t0 = System.nanoTime();
        double[] x = method == Method.PAPER ? paper(dim, points, loss, iterations, seed) : BestSolver.solve(dim, points, iterations, seed);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new TammesResult(dim, points, loss, method, iterations, seed, Objective.minAngleDeg(x, points, dim), seconds,
                Objective.unit(x, points, dim));
    }

    static void check(int dim, int points, int iterations) {
        if (dim < 2 || dim > MAX_DIM) throw new IllegalArgumentException("tammes: dimension d must be in [2, " + MAX_DIM + "], got " + dim);
        if (points < 2 || points > MAX_POINTS) {
            throw new IllegalArgumentException("tammes: number of points n must be in [2, " + MAX_POINTS + "], got " + points);
        }
        if (iterations < 1) throw new IllegalArgumentException("tammes: iterations must be >= 1, got " + iterations);
    }

    /** N(0, 1) points [n, d], row-major, from the seed. */
    static double[] gaussianStart(int n, int d, long seed) {
        Generator g = new Generator(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) g.nextGaussian(); // float, as torch.randn draws
        return x;
    }

    /**
     * SGD in float32, PyTorch's semantics (v = 0.9 v + g, x -= lr v; the first step has v = g),
     * the plateau schedule stepped on each step's loss.
     */
    static double[] paper(int d, int n, TammesLoss loss, int iterations, long seed) {
        double[] start = gaussianStart(n, d, seed);
        float[] x = new float[start.length], g = new float[x.length], v = new float[x.length];
        for (int k = 0; k < x.length; k++) x[k] = (float) start[k];
        Objective f = new Objective(loss, n, d);
        PlateauSchedule schedule = new PlateauSchedule(0.1, 0.2, 10, 1e-4);
        float lr = (float) schedule.lr();
        for (int it = 0; it < iterations; it++) {
            double value = f.valueAndGradient(x, g);
            for (int k = 0; k < x.length; k++) {
                v[k] = it == 0 ? g[k] : 0.9f * v[k] + g[k];
                x[k] -= lr * v[k];
            }
            lr = (float) schedule.step(value);
        }
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) out[k] = x[k];
        return out;
    }
}
