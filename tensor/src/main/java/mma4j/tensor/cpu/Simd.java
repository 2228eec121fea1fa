package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one species every kernel uses, and the switch between the Vector API path and the
 * plain scalar fallback (system property {@code mma4j.simd}, else env {@code MMA4J_SIMD};
 * true/false, 1/0, on/off; tests flip it with {@link #setEnabled}).
 */
public final class Simd {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static volatile boolean enabled = flagFrom(System.getProperty("mma4j.simd"), System.getenv("MMA4J_SIMD"));

    private Simd() {}

    /** The property wins over the environment variable; neither set means on; anything unknown is an error. */
    static boolean flagFrom(String property, String env) {
        String v = property != null && !property.isBlank() ? property : env;
        if (v == null || v.isBlank()) return true;
        return switch (v.trim().toLowerCase()) {
            case "true", "1", "on" -> true;
            case "false", "0", "off" -> false;
            default -> throw new IllegalArgumentException("mma4j.simd / MMA4J_SIMD must be true/false, 1/0 or on/off, got '" + v + "'");
        };
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Switches paths for the whole JVM (tests use it to cover both). */
    public static void setEnabled(boolean on) {
        enabled = on;
    }
}
