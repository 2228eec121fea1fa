package mma4j.nn.regularizers;

import java.util.List;
import java.util.Locale;

/**
 * Regularizers by name, as the command line spells them:
 * <pre>
 *   mma                 MMA (the default fused form)
 *   cosine              mean nearest-neighbour cosine
 *   orthogonal          1/2 ||W_hat W_hat^T - I||_F^2
 *   mhe0, mhe1, mhe2    MHE, log energy and Riesz s = 1, 2, all rows
 *   mhe0-batch, ...     the same on a random 30% of the rows per call
 *   mhe                 = mhe2-batch, the setting of the paper's Table 3
 * </pre>
 */
public final class Regularizers {
    /** Every name {@link #of} accepts. */
    public static final List<String> NAMES = List.of("mma", "cosine", "orthogonal", "mhe", "mhe0", "mhe1", "mhe2",
            "mhe0-batch", "mhe1-batch", "mhe2-batch");

    private Regularizers() {}

    /** The fused form, seed 0 for the mini-batch variants. */
    public static Regularizer of(String name) {
        return of(name, Impl.FUSED, 0L);
    }

    public static Regularizer of(String name, Impl impl, long seed) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "mma" -> new MmaLoss(impl);
            case "cosine" -> new CosineLoss(impl);
            case "orthogonal" -> new OrthogonalLoss(impl);
            case "mhe" -> new MheLoss(2, MheLoss.PAPER_FRACTION, seed, impl);
            case "mhe0", "mhe1", "mhe2" -> new MheLoss(key.charAt(3) - '0', impl);
            case "mhe0-batch", "mhe1-batch", "mhe2-batch" -> new MheLoss(key.charAt(3) - '0', MheLoss.PAPER_FRACTION, seed, impl);
            default -> throw new IllegalArgumentException("unknown regularizer '" + name + "'; expected one of " + String.join(", ", NAMES));
        };
    }
}
