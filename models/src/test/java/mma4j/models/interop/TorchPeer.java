package mma4j.models.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs models/interop/make_fixtures.py with Debian's /usr/bin/python3 (python3-torch; another
 * interpreter with -Dmma4j.python=PATH). Tests that need it call {@link #available()} in an
 * assumption, so they are skipped where torch is absent.
 */
final class TorchPeer {
    static final Path PYTHON = Path.of(System.getProperty("mma4j.python", "/usr/bin/python3"));
    private static Boolean available;

    private TorchPeer() {}

    /** The script, found from the module folder (Maven's working directory) or the repository root. */
    static Path script() {
        for (Path p : List.of(Path.of("interop", "make_fixtures.py"), Path.of("models", "interop", "make_fixtures.py"))) {
            if (Files.isRegularFile(p)) return p.toAbsolutePath();
        }
        return null;
    }

    static synchronized boolean available() {
        if (available == null) {
            boolean ok = Files.isExecutable(PYTHON) && script() != null;
            if (ok) {
                try {
                    run(PYTHON.toString(), "-c", "import torch, numpy");
                } catch (IOException | AssertionError e) {
                    ok = false;
                }
            }
            available = ok;
        }
        return available;
    }

    /** Runs the script with these arguments; fails the test with the script's output if it fails. */
    static String script(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script().toString()));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    private static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            p.destroy();
        }
    }
}
