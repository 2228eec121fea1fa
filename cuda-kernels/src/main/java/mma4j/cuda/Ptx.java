package mma4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The committed PTX: generated from src/main/cuda by build-ptx.sh, shipped in the jar, and
 * JIT-compiled by the driver for whatever GPU is present. Its header records the SHA-256 of
 * the sources it came from.
 */
final class Ptx {
    private static final Pattern HASH = Pattern.compile("^// mma4j (?:source|include): (\\S+) sha256=([0-9a-f]{64})$", Pattern.MULTILINE);

    private Ptx() {}

    static String resource(String module) {
        return "/mma4j/cuda/ptx/" + module + ".ptx";
    }

    /** The module's PTX text, or an error naming the missing resource. */
    static String text(String module) {
        try (InputStream in = Ptx.class.getResourceAsStream(resource(module))) {
            if (in == null) throw new IllegalStateException("cuda: PTX resource " + resource(module) + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: cannot read PTX " + resource(module), e);
        }
    }

    /** NUL-terminated bytes, as cuModuleLoadData expects for PTX. */
    static byte[] image(String module) {
        byte[] t = text(module).getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[t.length + 1];
        System.arraycopy(t, 0, z, 0, t.length);
        return z;
    }

    /** Source file name -> SHA-256 recorded in a PTX header. */
    static Map<String, String> recordedHashes(String ptxText) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher matcher = HASH.matcher(ptxText);
        while (matcher.find()) m.put(matcher.group(1), matcher.group(2));
        return m;
    }
}
