package mma4j.nn.tammes;

/** Limited-memory BFGS with a backtracking (Armijo) line search; enough for smooth objectives of a few thousand variables. */
final class Lbfgs {
    interface Objective {
        double valueAndGradient(double[] x, double[] grad);
    }

    private Lbfgs() {}

    /**
     * Minimizes f from x (updated in place) for at most maxIter iterations, stopping early when a
     * step no longer lowers f by more than relTol relative. Returns the iterations used.
     */
    static int minimize(Objective f, double[] x, int maxIter, int memory, double firstStep, double relTol) {
        int len = x.length;
        double[][] s = new double[memory][len], y = new double[memory][len];
        double[] rho = new double[memory], alpha = new double[memory];
        double[] g = new double[len], gNew = new double[len], dir = new double[len], xNew = new double[len];
        double fx = f.valueAndGradient(x, g);
        int stored = 0, head = 0, it = 0, quiet = 0;
        for (; it < maxIter; it++) {
            // Two-loop recursion: dir = -H g.
            System.arraycopy(g, 0, dir, 0, len);
            for (int k = 0; k < stored; k++) {
                int idx = Math.floorMod(head - 1 - k, memory);
                alpha[idx] = rho[idx] * dotp(s[idx], dir);
                axpy(-alpha[idx], y[idx], dir);
            }
            double gamma;
            if (stored > 0) {
                int last = Math.floorMod(head - 1, memory);
                gamma = dotp(s[last], y[last]) / dotp(y[last], y[last]);
            } else {
                double gmax = 0;
                for (double v : g) gmax = Math.max(gmax, Math.abs(v));
                gamma = gmax == 0 ? 1 : firstStep / gmax;
            }
            for (int k = 0; k < len; k++) dir[k] *= gamma;
            for (int k = stored - 1; k >= 0; k--) {
                int idx = Math.floorMod(head - 1 - k, memory);
                double b = rho[idx] * dotp(y[idx], dir);
                axpy(alpha[idx] - b, s[idx], dir);
            }
            for (int k = 0; k < len; k++) dir[k] = -dir[k];
            double slope = dotp(g, dir);
            if (slope >= 0) { // not a descent direction: restart from steepest descent
                stored = 0;
                double gmax = 0;
                for (double v : g) gmax = Math.max(gmax, Math.abs(v));
                if (gmax == 0) break;
                for (int k = 0; k < len; k++) dir[k] = -g[k] * firstStep / gmax;
                slope = dotp(g, dir);
            }
            double t = 1, fNew = 0;
            boolean accepted = false;
            for (int tries = 0; tries < 40; tries++) {
                for (int k = 0; k < len; k++) xNew[k] = x[k] + t * dir[k];
                fNew = f.valueAndGradient(xNew, gNew);
                if (fNew <= fx + 1e-4 * t * slope) {
                    accepted = true;
                    break;
                }
                t *= 0.5;
            }
            if (!accepted) break;
            double[] sk = s[head], yk = y[head];
            for (int k = 0; k < len; k++) {
                sk[k] = xNew[k] - x[k];
                yk[k] = gNew[k] - g[k];
            }
            double sy = dotp(sk, yk);
            if (sy > 1e-18) {
                rho[head] = 1 / sy;
                head = (head + 1) % memory;
                stored = Math.min(stored + 1, memory);
            }
            double drop = fx - fNew;
            System.arraycopy(xNew, 0, x, 0, len);
            System.arraycopy(gNew, 0, g, 0, len);
            quiet = drop <= relTol * Math.abs(fx) ? quiet + 1 : 0;
            fx = fNew;
            if (quiet >= 5) break;
        }
        return it;
    }

    private static double dotp(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += a * x[i];
    }
}
