package mma4j.models.data;

import static mma4j.models.data.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    static final List<String> TEN = IdxReader.FASHION_MNIST_CLASSES;
    // Not square, so a swapped rows/columns would show.
    static final int N = 7, ROWS = 5, COLS = 4;

    @TempDir Path dir;

    private void writeSplit(String prefix, byte[] pixels, int[] labels, boolean gz, String imagesName, String labelsName) {
        byte[] img = idx(new int[] {labels.length, ROWS, COLS}, pixels), lab = idxLabels(labels);
        write(dir.resolve(imagesName), gz ? gzip(img) : img);
        write(dir.resolve(labelsName), gz ? gzip(lab) : lab);
    }

    private void checkSame(ByteImageDataset d, byte[] pixels, int[] labels) {
        assertEquals(labels.length, d.size());
        assertEquals(1, d.channels());
        assertEquals(ROWS, d.height());
        assertEquals(COLS, d.width());
        assertEquals(10, d.numClasses());
        assertEquals(TEN, d.classNames());
        float[] img = new float[ROWS * COLS];
        for (int i = 0; i < labels.length; i++) {
            assertEquals(labels[i], d.label(i));
            d.read(i, img, 0);
            for (int y = 0; y < ROWS; y++) {
                for (int x = 0; x < COLS; x++) {
                    int b = pixels[(i * ROWS + y) * COLS + x] & 0xFF;
                    assertEquals(b, d.pixel(i, 0, y, x));
                    assertEquals(b / 255f, img[y * COLS + x]); // exactly ToTensor's value
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void readsStandardNamesGzippedAndRaw(boolean gz) {
        byte[] trainPx = randomBytes(1, N * ROWS * COLS), testPx = randomBytes(2, 3 * ROWS * COLS);
        int[] trainLb = randomLabels(3, N, 10), testLb = randomLabels(4, 3, 10);
        String ext = gz ? ".gz" : "";
        writeSplit("train", trainPx, trainLb, gz, "train-images-idx3-ubyte" + ext, "train-labels-idx1-ubyte" + ext);
        writeSplit("t10k", testPx, testLb, gz, "t10k-images-idx3-ubyte" + ext, "t10k-labels-idx1-ubyte" + ext);
        checkSame(IdxReader.load("fashion-mnist", dir, Split.TRAIN, TEN), trainPx, trainLb);
        checkSame(IdxReader.load("fashion-mnist", dir, Split.TEST, TEN), testPx, testLb);
    }

    @Test
    void gzipIsFoundByMagicBytesNotByName() {
        byte[] px = randomBytes(5, N * ROWS * COLS);
        int[] lb = randomLabels(6, N, 10);
        // gzipped content under the raw name, dotted spelling of the other name
        writeSplit("train", px, lb, true, "train-images-idx3-ubyte", "train-labels.idx1-ubyte");
        checkSame(IdxReader.load("fashion-mnist", dir, Split.TRAIN, TEN), px, lb);
    }

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("nowhere");
        assertDatasetError(() -> IdxReader.load("fashion-mnist", missing, Split.TRAIN, TEN), missing.toString(), "does not exist");
    }

    @Test
    void missingLabelFileNamesWhatWasLookedFor() {
        write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idx(new int[] {1, ROWS, COLS}, new byte[ROWS * COLS])));
        assertDatasetError(() -> IdxReader.load("fashion-mnist", dir, Split.TRAIN, TEN), dir.toString(), "train-labels-idx1-ubyte.gz");
    }

    @Test
    void badMagic() {
        // a labels file where images belong
        Path f = write(dir.resolve("train-images-idx3-ubyte"), idxLabels(new int[] {1, 2}));
        assertDatasetError(() -> IdxReader.read(f, 3), f.toString(), "bad magic", "0x00000801", "0x00000803");
        Path g = write(dir.resolve("junk"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        assertDatasetError(() -> IdxReader.read(g, 1), g.toString(), "bad magic");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void truncatedData(boolean gz) {
        byte[] full = idx(new int[] {N, ROWS, COLS}, randomBytes(7, N * ROWS * COLS));
        byte[] shortFile = cut(full, full.length - 1);
        Path f = write(dir.resolve("images"), gz ? gzip(shortFile) : shortFile);
        assertDatasetError(() -> IdxReader.read(f, 3), f.toString(), "truncated", "promises " + N * ROWS * COLS);
    }

    @Test
    void truncatedGzipStream() {
        byte[] gz = gzip(idx(new int[] {N, ROWS, COLS}, randomBytes(8, N * ROWS * COLS)));
        Path f = write(dir.resolve("images.gz"), cut(gz, gz.length / 2));
        assertDatasetError(() -> IdxReader.read(f, 3), f.toString(), "truncated");
    }

    @Test
    void truncatedHeaderAndEmptyFile() {
        Path f = write(dir.resolve("short"), cut(idx(new int[] {N, ROWS, COLS}, new byte[0]), 9));
        assertDatasetError(() -> IdxReader.read(f, 3), f.toString(), "truncated", "header");
        Path e = write(dir.resolve("empty"), new byte[0]);
        assertDatasetError(() -> IdxReader.read(e, 3), e.toString(), "truncated");
    }

    @Test
    void trailingBytes() {
        byte[] full = idx(new int[] {N, ROWS, COLS}, randomBytes(9, N * ROWS * COLS + 3));
        Path f = write(dir.resolve("images"), full);
        assertDatasetError(() -> IdxReader.read(f, 3), f.toString(), "beyond");
    }

    @Test
    void nonPositiveDimension() {
        Path f = write(dir.resolve("images"), idx(new int[] {0, ROWS, COLS}, new byte[0]));
        assertDatasetError(() -> IdxReader.read(f, 3), f.toString(), "dimension 0 is 0");
    }

    @Test
    void countsDisagree() {
        write(dir.resolve("train-images-idx3-ubyte"), idx(new int[] {N, ROWS, COLS}, randomBytes(10, N * ROWS * COLS)));
        write(dir.resolve("train-labels-idx1-ubyte"), idxLabels(randomLabels(11, N - 1, 10)));
        assertDatasetError(() -> IdxReader.load("fashion-mnist", dir, Split.TRAIN, TEN), "train-labels-idx1-ubyte", (N - 1) + " labels", N + " images");
    }

    @Test
    void labelOutOfRange() {
        int[] lb = randomLabels(12, N, 10);
        lb[4] = 10;
        write(dir.resolve("train-images-idx3-ubyte"), idx(new int[] {N, ROWS, COLS}, randomBytes(13, N * ROWS * COLS)));
        write(dir.resolve("train-labels-idx1-ubyte"), idxLabels(lb));
        assertDatasetError(() -> IdxReader.load("fashion-mnist", dir, Split.TRAIN, TEN), "train-labels-idx1-ubyte", "label 10 of sample 4");
    }

    @Test
    void errorsAreIllegalArgumentExceptions() {
        assertInstanceOf(IllegalArgumentException.class, assertThrows(DatasetException.class,
                () -> IdxReader.read(dir.resolve("absent"), 1)));
        assertFalse(Files.exists(dir.resolve("absent")));
    }
}
