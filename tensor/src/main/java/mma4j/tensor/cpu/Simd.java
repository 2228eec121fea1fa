package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one species every kernel uses, and the switch between the Vector API path and the
 * plain scalar fallback (system property {@code mma4j.simd}, env {@code MMA4J_SIMD}; tests flip it).
 */
public final class Simd {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static volatile boolean enabled = readFlag();

    private Simd() {}

    private static boolean readFlag() {
        String v = System.getProperty("mma4j.simd", System.getenv("MMA4J_SIMD"));
        return v == null || !(v.equalsIgnoreCase("false") || v.equals("0") || v.equalsIgnoreCase("off"));
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Switches paths for the whole JVM (tests use it to cover both). */
    public static void setEnabled(boolean on) {
        enabled = on;
    }
}
