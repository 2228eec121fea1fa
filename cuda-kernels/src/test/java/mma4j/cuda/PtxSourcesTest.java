package mma4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mma4j.tensor.BinaryOp;
import mma4j.tensor.ReduceOp;
import mma4j.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX must come from the committed .cu sources: each PTX header records the
 * SHA-256 of its .cu and of every .cuh, and this test recomputes them (no nvcc needed). When it
 * fails, run cuda-kernels/build-ptx.sh. It also checks that the Java side and the kernels agree
 * on names and on the numbering of the ops.
 */
class PtxSourcesTest {

    /** src/main/cuda: from -Dmma4j.cuda.sources (set by the pom and by gpu-check.sh). */
    static Path sources() {
        String p = System.getProperty("mma4j.cuda.sources", "src/main/cuda");
        Path dir = Path.of(p);
        if (!Files.isDirectory(dir)) fail("CUDA sources not found at " + dir.toAbsolutePath() + " (set -Dmma4j.cuda.sources)");
        return dir;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Path> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(sources())) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    @Test
    void everyPtxRecordsTheHashesOfTheCurrentSources() throws IOException {
        List<Path> cus = files(".cu"), headers = files(".cuh");
        assertFalse(cus.isEmpty(), "no .cu files in " + sources());
        List<String> stale = new ArrayList<>();
        for (Path cu : cus) {
            Map<String, String> recorded = Ptx.recordedHashes(Ptx.text(stem(cu)));
            Map<String, String> expected = new TreeMap<>();
            expected.put(cu.getFileName().toString(), sha256(cu));
            for (Path h : headers) expected.put(h.getFileName().toString(), sha256(h));
            if (!expected.equals(new TreeMap<>(recorded))) stale.add(stem(cu) + ".ptx (recorded " + recorded.keySet() + ")");
        }
        assertTrue(stale.isEmpty(), "PTX out of date with its sources, run cuda-kernels/build-ptx.sh: " + stale);
    }

    @Test
    void aChangedSourceIsDetected() throws IOException {
        // The check above compares against the file bytes: one changed byte must change the hash.
        Path cu = files(".cu").get(0);
        byte[] bytes = Files.readAllBytes(cu);
        bytes[bytes.length / 2] ^= 1;
        Path tmp = Files.createTempFile("changed", ".cu");
        try {
            Files.write(tmp, bytes);
            String recorded = Ptx.recordedHashes(Ptx.text(stem(cu))).get(cu.getFileName().toString());
            assertEquals(sha256(cu), recorded);
            assertFalse(sha256(tmp).equals(recorded));
        } finally {
            Files.delete(tmp);
        }
    }

    private static TreeSet<String> entries(String module) {
        TreeSet<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\.visible \\.entry (\\w+)\\(").matcher(Ptx.text(module));
        while (m.find()) names.add(m.group(1));
        return names;
    }

    @Test
    void everyLaunchedKernelIsInItsPtxAndEveryEntryIsLaunched() throws IOException {
        TreeSet<String> launched = new TreeSet<>(), present = new TreeSet<>();
        for (Kernel k : Kernel.values()) {
            assertTrue(entries(k.module).contains(k.entry), k.entry + " missing from " + k.resource());
            launched.add(k.module + "." + k.entry);
        }
        for (Path cu : files(".cu")) for (String e : entries(stem(cu))) present.add(stem(cu) + "." + e);
        assertEquals(present, launched, "kernels in the PTX vs kernels the Java side launches");
    }

    /** The PTX parameter list of an entry as kinds: 'L' a 180-byte struct, 'i' .u32, 'l' .u64, 'f' .f32. */
    private static String ptxParams(String module, String entry) {
        String ptx = Ptx.text(module);
        int at = ptx.indexOf(".visible .entry " + entry + "(");
        assertTrue(at >= 0, entry + " not in " + module + ".ptx");
        String list = ptx.substring(at, ptx.indexOf(')', at));
        StringBuilder kinds = new StringBuilder();
        Matcher m = Pattern.compile("\\.param (?:\\.align \\d+ )?\\.(u32|u64|f32|b8) " + entry + "_param_\\d+(\\[(\\d+)\\])?").matcher(list);
        while (m.find()) {
            kinds.append(switch (m.group(1)) {
                case "u32" -> 'i';
                case "u64" -> 'l';
                case "f32" -> 'f';
                default -> m.group(3).equals(String.valueOf(4 * Layout.PACKED_INTS)) ? 'L' : '?';
            });
        }
        return kinds.toString();
    }

    @Test
    void javaSignaturesMatchThePtxParameters() {
        for (Kernel k : Kernel.values()) {
            // Pointers and long longs are both .u64 in PTX.
            assertEquals(ptxParams(k.module, k.entry), k.params.replace('p', 'l'), k.entry + " parameters");
        }
    }

    /** The names of a C enum in a source file, prefix stripped. */
    private static List<String> cEnum(String file, String name, String prefix) throws IOException {
        String src = Files.readString(sources().resolve(file));
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)\\}").matcher(src);
        assertTrue(m.find(), "enum " + name + " not found in " + file);
        return Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : "?" + s).toList();
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    @Test
    void opNumberingMatchesTheJavaEnums() throws IOException {
        assertEquals(names(UnaryOp.values()), cEnum("elementwise.cu", "UnaryOp", "U_"));
        assertEquals(names(BinaryOp.values()), cEnum("elementwise.cu", "BinaryOp", "B_"));
        // reduce.cu / common.cuh take ReduceOp's ordinal as 0 sum, 1 max, 2 min.
        assertEquals(List.of("SUM", "MAX", "MIN"), names(ReduceOp.values()));
    }

    @Test
    void layoutStructSizeMatches() throws IOException {
        String common = Files.readString(sources().resolve("common.cuh"));
        assertTrue(common.contains("#define MMA4J_MAX_RANK " + Layout.MAX_RANK), "MAX_RANK differs");
        assertTrue(common.contains("#define MMA4J_MAX_OPERANDS " + Layout.MAX_OPERANDS), "MAX_OPERANDS differs");
        // The PTX declares the by-value struct parameter with its byte size.
        assertTrue(Ptx.text("elementwise").contains("fill_strided_param_0[" + 4 * Layout.PACKED_INTS + "]"),
                "Layout is not " + 4 * Layout.PACKED_INTS + " bytes in the PTX");
    }
}
