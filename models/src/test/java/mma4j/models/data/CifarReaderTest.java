package mma4j.models.data;

import static mma4j.models.data.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {
    @TempDir Path dir;

    /** Records per file and their contents, kept to compare with what is read back. */
    private record Written(byte[] pixels, int[][] labels) {}

    private Written writeCifar(Path file, long seed, int n, int labelBytes) {
        byte[] px = randomBytes(seed, n * 3072);
        int[][] lb = new int[n][];
        int[] a = randomLabels(seed + 1, n, labelBytes == 1 ? 10 : 20), b = randomLabels(seed + 2, n, 100);
        for (int r = 0; r < n; r++) lb[r] = labelBytes == 1 ? new int[] {a[r]} : new int[] {a[r], b[r]};
        write(file, cifar(lb, px));
        return new Written(px, lb);
    }

    /** Checks image k of the dataset against record r of a written file, byte for byte and as floats. */
    private static void checkImage(ByteImageDataset d, int k, byte[] px, int r) {
        float[] img = new float[3072];
        d.read(k, img, 0);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int b = px[r * 3072 + c * 1024 + y * 32 + x] & 0xFF; // R plane, G plane, B plane, rows
                    assertEquals(b, d.pixel(k, c, y, x));
                    assertEquals(b / 255f, img[c * 1024 + y * 32 + x]);
                }
            }
        }
    }

    @Test
    void cifar10ReadsTheFiveBatchesInOrderAndTheTestBatch() {
        int[] counts = {2, 3, 1, 2, 2};
        List<Written> batches = new ArrayList<>();
        for (int b = 0; b < 5; b++) batches.add(writeCifar(dir.resolve("data_batch_" + (b + 1) + ".bin"), 10 * b, counts[b], 1));
        Written test = writeCifar(dir.resolve("test_batch.bin"), 99, 3, 1);

        ByteImageDataset train = CifarReader.loadCifar10(dir, Split.TRAIN);
        assertEquals(10, train.size());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(32, train.width());
        assertEquals(10, train.numClasses());
        assertEquals(CifarReader.CIFAR10_CLASSES, train.classNames());
        int k = 0;
        for (int b = 0; b < 5; b++) {
            for (int r = 0; r < counts[b]; r++, k++) {
                assertEquals(batches.get(b).labels()[r][0], train.label(k));
                checkImage(train, k, batches.get(b).pixels(), r);
            }
        }
        ByteImageDataset t = CifarReader.loadCifar10(dir, Split.TEST);
        assertEquals(3, t.size());
        for (int r = 0; r < 3; r++) {
            assertEquals(test.labels()[r][0], t.label(r));
            checkImage(t, r, test.pixels(), r);
        }
    }

    @Test
    void cifar10FoundInItsSubfolderWithItsNamesFile() {
        Path sub = dir.resolve("cifar-10-batches-bin");
        Written w = writeCifar(sub.resolve("test_batch.bin"), 5, 2, 1);
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        write(sub.resolve("batches.meta.txt"), (String.join("\n", names) + "\n\n").getBytes());
        ByteImageDataset t = CifarReader.loadCifar10(dir, Split.TEST);
        assertEquals(names, t.classNames());
        assertEquals(w.labels()[1][0], t.label(1));
        checkImage(t, 1, w.pixels(), 1);
    }

    @Test
    void cifar100FineAndCoarseLabels() {
        Path sub = dir.resolve("cifar-100-binary");
        Written w = writeCifar(sub.resolve("train.bin"), 7, 4, 2);
        writeCifar(sub.resolve("test.bin"), 8, 2, 2);
        List<String> fineNames = new ArrayList<>();
        for (int i = 0; i < 100; i++) fineNames.add("class" + i);
        write(sub.resolve("fine_label_names.txt"), String.join("\n", fineNames).getBytes());

        ByteImageDataset fine = CifarReader.loadCifar100(dir, Split.TRAIN);
        ByteImageDataset coarse = CifarReader.loadCifar100(sub, Split.TRAIN, CifarReader.Labels.COARSE);
        assertEquals(100, fine.numClasses());
        assertEquals(20, coarse.numClasses());
        assertEquals(fineNames, fine.classNames());
        assertEquals("0", coarse.classNames().get(0)); // no coarse names file: numbers
        for (int r = 0; r < 4; r++) {
            assertEquals(w.labels()[r][1], fine.label(r));
            assertEquals(w.labels()[r][0], coarse.label(r));
            checkImage(fine, r, w.pixels(), r);
        }
        assertEquals(2, CifarReader.loadCifar100(dir, Split.TEST).size());
    }

    @Test
    void missingBatchFile() {
        for (int b : new int[] {1, 2, 4, 5}) writeCifar(dir.resolve("data_batch_" + b + ".bin"), b, 1, 1);
        assertDatasetError(() -> CifarReader.loadCifar10(dir, Split.TRAIN), "data_batch_3.bin", "missing");
    }

    @Test
    void missingDirectoryAndEmptyDirectory() {
        Path missing = dir.resolve("absent");
        assertDatasetError(() -> CifarReader.loadCifar10(missing, Split.TRAIN), missing.toString(), "does not exist");
        assertDatasetError(() -> CifarReader.loadCifar100(dir, Split.TEST), dir.toString(), "cifar-100-binary", "train.bin");
    }

    @Test
    void lengthNotAMultipleOfTheRecord() {
        byte[] ok = cifar(new int[][] {{1}, {2}}, randomBytes(3, 2 * 3072));
        Path f = write(dir.resolve("test_batch.bin"), cut(ok, ok.length - 100));
        assertDatasetError(() -> CifarReader.loadCifar10(dir, Split.TEST), f.toString(), "length " + (ok.length - 100), "3073-byte record");
        // A CIFAR-10 file given as CIFAR-100: 3073 is not a multiple of 3074.
        write(dir.resolve("test.bin"), cifar(new int[][] {{1}}, randomBytes(4, 3072)));
        assertDatasetError(() -> CifarReader.loadCifar100(dir, Split.TEST), "test.bin", "3074-byte record");
    }

    @Test
    void emptyFile() {
        Path f = write(dir.resolve("test_batch.bin"), new byte[0]);
        assertDatasetError(() -> CifarReader.loadCifar10(dir, Split.TEST), f.toString(), "length 0");
    }

    @Test
    void labelsOutOfRange() {
        write(dir.resolve("test_batch.bin"), cifar(new int[][] {{3}, {10}}, randomBytes(5, 2 * 3072)));
        assertDatasetError(() -> CifarReader.loadCifar10(dir, Split.TEST), "test_batch.bin", "label 10 of record 1");

        write(dir.resolve("test.bin"), cifar(new int[][] {{19, 99}, {5, 100}}, randomBytes(6, 2 * 3072)));
        assertDatasetError(() -> CifarReader.loadCifar100(dir, Split.TEST), "test.bin", "label 100 of record 1");
        write(dir.resolve("train.bin"), cifar(new int[][] {{20, 7}}, randomBytes(7, 3072)));
        assertDatasetError(() -> CifarReader.loadCifar100(dir, Split.TRAIN), "train.bin", "coarse label 20 of record 0");
        assertDatasetError(() -> CifarReader.loadCifar100(dir, Split.TRAIN, CifarReader.Labels.COARSE), "train.bin", "label 20 of record 0");
    }
}
