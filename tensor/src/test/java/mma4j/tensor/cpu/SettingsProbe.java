package mma4j.tensor.cpu;

/** Prints the settings a fresh JVM picked up, for {@link StartupSettingsTest}. */
public final class SettingsProbe {
    private SettingsProbe() {}

    public static void main(String[] args) {
        System.out.println("threads=" + Parallel.threads() + " simd=" + Simd.enabled());
    }
}
