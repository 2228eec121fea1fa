package mma4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The property and environment switches as a user sets them: in a fresh JVM, read at start-up. */
class StartupSettingsTest {

    private record Run(int exit, String out) {}

    private static Run probe(Map<String, String> env, String... props) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(List.of(props));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SettingsProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("MMA4J_THREADS");
        pb.environment().remove("MMA4J_SIMD");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void propertyBeatsEnvironmentAndBothAreRead() throws Exception {
        Run env = probe(Map.of("MMA4J_THREADS", "3", "MMA4J_SIMD", "off"));
        assertTrue(env.out().contains("threads=3 simd=false"), env.out());
        Run prop = probe(Map.of("MMA4J_THREADS", "3", "MMA4J_SIMD", "off"), "-Dmma4j.threads=2", "-Dmma4j.simd=true");
        assertTrue(prop.out().contains("threads=2 simd=true"), prop.out());
        Run none = probe(Map.of());
        assertTrue(none.out().contains("threads=" + Runtime.getRuntime().availableProcessors() + " simd=true"), none.out());
    }

    @Test
    void aBadValueStopsWithAMessage() throws Exception {
        Run bad = probe(Map.of("MMA4J_THREADS", "lots"));
        assertNotEquals(0, bad.exit());
        assertTrue(bad.out().contains("MMA4J_THREADS must be a positive integer, got 'lots'"), bad.out());
        Run badSimd = probe(Map.of(), "-Dmma4j.simd=maybe");
        assertNotEquals(0, badSimd.exit());
        assertTrue(badSimd.out().contains("'maybe'"), badSimd.out());
        assertEquals(0, probe(Map.of("MMA4J_THREADS", "1")).exit());
    }
}
