package mma4j.models.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** File lookups and reads shared by the readers; every failure names the path. */
final class DataFiles {
    private DataFiles() {}

    static Path requireDirectory(Path dir, String what) {
        if (!Files.exists(dir)) throw DatasetException.at(dir, what + " directory does not exist");
        if (!Files.isDirectory(dir)) throw DatasetException.at(dir, what + " path is not a directory");
        return dir;
    }

    static Path requireFile(Path file) {
        if (!Files.exists(file)) throw DatasetException.at(file, "file is missing");
        if (!Files.isRegularFile(file)) throw DatasetException.at(file, "is not a regular file");
        return file;
    }

    /** The first of {@code names} that exists in {@code dir}; else an error listing them all. */
    static Path findOne(Path dir, String what, List<String> names) {
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) return p;
        }
        throw DatasetException.at(dir, "no " + what + " file (looked for " + String.join(", ", names) + ")");
    }

    /** Names with and without ".gz". */
    static List<String> withGz(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(n + ".gz");
            out.add(n);
        }
        return out;
    }

    /** Opens a file, unzipping it on the fly when it starts with gzip's magic bytes (1f 8b), whatever its name. */
    static InputStream openMaybeGzip(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        return in;
    }

    /** Reads a whole file that must not exceed what a Java array holds. */
    static byte[] readAll(Path file) {
        requireFile(file);
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) throw DatasetException.at(file, "file of " + size + " bytes is too large to read");
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw DatasetException.at(file, "cannot read: " + e, e);
        }
    }
}
