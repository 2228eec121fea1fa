package mma4j.models.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.function.Executable;

/** Writers for small files in the official formats, and error assertions. */
final class Fixtures {
    private Fixtures() {}

    static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static int[] randomLabels(long seed, int n, int classes) {
        Random r = new Random(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = r.nextInt(classes);
        return l;
    }

    /** IDX: 0, 0, 0x08, dims, then big-endian sizes, then the bytes. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] idxLabels(int[] labels) {
        byte[] d = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) d[i] = (byte) labels[i];
        return idx(new int[] {labels.length}, d);
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                gz.write(data);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CIFAR records: label byte(s) then 3072 pixel bytes; labels[r] holds the record's label bytes. */
    static byte[] cifar(int[][] labels, byte[] pixels) {
        int n = labels.length, lb = labels[0].length;
        ByteBuffer b = ByteBuffer.allocate(n * (lb + 3072));
        for (int r = 0; r < n; r++) {
            for (int l : labels[r]) b.put((byte) l);
            b.put(pixels, r * 3072, 3072);
        }
        return b.array();
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] cut(byte[] data, int newLength) {
        return java.util.Arrays.copyOf(data, newLength);
    }

    /** Asserts a DatasetException whose message contains every fragment (file names, what is wrong). */
    static DatasetException assertDatasetError(Executable e, String... fragments) {
        DatasetException ex = assertThrows(DatasetException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), () -> "message '" + ex.getMessage() + "' should mention '" + f + "'");
        }
        return ex;
    }
}
