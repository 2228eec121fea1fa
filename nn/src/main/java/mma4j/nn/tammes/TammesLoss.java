package mma4j.nn.tammes;

import java.util.Locale;

/** The objectives of the paper's Table 1, each the layer regularizer of the same name applied to the point set. */
public enum TammesLoss {
    /** -mean_i acos(clamp(max_{j != i} cos_ij, +-0.99999)). */
    MMA,
    /** mean_i max_{j != i} cos_ij. */
    COSINE,
    /** MHE Riesz energy with s = 2: mean over ordered pairs of 1 / |u_i - u_j|^2. */
    RIESZ,
    /** MHE logarithmic energy (s = 0): mean over ordered pairs of -log |u_i - u_j|. */
    LOG;

    public static TammesLoss parse(String s) {
        for (TammesLoss l : values()) if (l.label().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) return l;
        throw new IllegalArgumentException("unknown Tammes loss '" + s + "'; expected mma, cosine, riesz or log");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
