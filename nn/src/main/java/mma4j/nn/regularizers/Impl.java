package mma4j.nn.regularizers;

import java.util.Locale;

/** How a regularizer is computed; all give the same value and gradient up to float rounding. */
public enum Impl {
    /** Autograd over primitive ops: the readable reference (holds several n x n matrices). */
    COMPOSED,
    /** One Function with a hand-written backward (holds one n x n matrix). The default. */
    FUSED,
    /** Streams tiles of the cosine matrix: O(n d) memory, for very wide classifiers (MMA and cosine only). */
    TILED;

    public static Impl parse(String s) {
        for (Impl i : values()) if (i.name().equalsIgnoreCase(s == null ? "" : s.trim())) return i;
        throw new IllegalArgumentException("unknown regularizer implementation '" + s + "'; expected composed, fused or tiled");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
