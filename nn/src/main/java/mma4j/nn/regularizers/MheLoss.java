package mma4j.nn.regularizers;

import java.util.Arrays;
import mma4j.autograd.Variable;
import mma4j.tensor.Generator;

/**
 * Minimum hyperspherical energy (Liu et al., NeurIPS 2018): the Riesz s-energy of the normalized
 * rows, 1/(n(n-1)) sum_{i != j} |u_i - u_j|^-s, or for s = 0 the logarithmic energy
 * -1/(n(n-1)) sum_{i != j} log |u_i - u_j|. Rows are normalized by sqrt(|w|^2 + 1e-4) as in the
 * MHE reference code. (That code's s = 0 term is -log |u_i - u_j|^2, twice this one.)
 *
 * <p>The mini-batch variant ({@code fraction < 1}) evaluates the energy of a random subset of
 * round(fraction * n) rows (at least 2), drawn anew on every call from a seeded generator, so a
 * run is reproducible; the paper's Table 3 used 30%.
 */
public final class MheLoss implements Regularizer {
    /** The paper's mini-batch fraction. */
    public static final double PAPER_FRACTION = 0.3;

    private final double s;
    private final double fraction;
    private final Generator rng;
    private final Impl impl;

    /** Full MHE (every row, every call). */
    public MheLoss(double s, Impl impl) {
        this(s, 1.0, 0L, impl);
    }

    public MheLoss(double s, double fraction, long seed, Impl impl) {
        if (!(s >= 0) || Double.isInfinite(s)) throw new IllegalArgumentException("mhe: Riesz exponent s must be >= 0 and finite, got " + s);
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("mhe: row fraction must be in (0, 1], got " + fraction);
        if (impl == Impl.TILED) {
            throw new IllegalArgumentException("mhe: no tiled implementation (every pair contributes, and the backward needs the whole matrix);"
                    + " use composed or fused");
        }
        this.s = s;
        this.fraction = fraction;
        this.rng = new Generator(seed);
        this.impl = impl;
    }

    @Override
    public Variable apply(Variable weight) {
        Variable w = WeightMatrix.rows(name(), weight);
        int n = w.size(0);
        if (fraction < 1) {
            int k = Math.min(n, Math.max(2, (int) Math.round(fraction * n)));
            int[] rows = Arrays.copyOf(rng.permutation(n), k);
            Arrays.sort(rows);
            w = w.indexSelect(0, rows);
        }
        return impl == Impl.COMPOSED ? Composed.mhe(w, s) : PairEnergy.mhe(s).apply(w);
    }

    public double exponent() {
        return s;
    }

    public double fraction() {
        return fraction;
    }

    @Override
    public String name() {
        String base = "mhe" + (s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s));
        return fraction < 1 ? base + "-batch" : base;
    }

    @Override
    public Impl impl() {
        return impl;
    }
}
