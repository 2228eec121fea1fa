package mma4j.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the official CIFAR binary versions. A record is the label byte(s) then 3072 bytes: the red,
 * green and blue 32x32 planes, each row-major, which is already the C x H x W layout.
 * <ul>
 *   <li>CIFAR-10 ({@code cifar-10-batches-bin}): {@code data_batch_1..5.bin}, {@code test_batch.bin};
 *       1 label byte per record.</li>
 *   <li>CIFAR-100 ({@code cifar-100-binary}): {@code train.bin}, {@code test.bin}; 2 label bytes per
 *       record, coarse (20 superclasses) then fine (100 classes).</li>
 * </ul>
 * The directory given may be the one holding the files or its parent.
 */
public final class CifarReader {
    public static final int IMAGE_BYTES = 3 * 32 * 32;

    /** Used when batches.meta.txt is absent. */
    public static final List<String> CIFAR10_CLASSES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    /** Which CIFAR-100 label to train on. */
    public enum Labels { FINE, COARSE }

    private CifarReader() {}

    public static ByteImageDataset loadCifar10(Path dir, Split split) {
        Path d = resolve(dir, "cifar10", "cifar-10-batches-bin", "data_batch_1.bin", "test_batch.bin");
        List<Path> files = new ArrayList<>();
        if (split == Split.TRAIN) {
            for (int b = 1; b <= 5; b++) files.add(DataFiles.requireFile(d.resolve("data_batch_" + b + ".bin")));
        } else {
            files.add(DataFiles.requireFile(d.resolve("test_batch.bin")));
        }
        List<String> names = classNames(d.resolve("batches.meta.txt"), 10, CIFAR10_CLASSES);
        return read("cifar10", "cifar10 " + lower(split), files, 1, 0, 10, names);
    }

    public static ByteImageDataset loadCifar100(Path dir, Split split) {
        return loadCifar100(dir, split, Labels.FINE);
    }

    public static ByteImageDataset loadCifar100(Path dir, Split split, Labels labels) {
        Path d = resolve(dir, "cifar100", "cifar-100-binary", "train.bin", "test.bin");
        Path file = DataFiles.requireFile(d.resolve(split == Split.TRAIN ? "train.bin" : "test.bin"));
        boolean fine = labels == Labels.FINE;
        int numClasses = fine ? 100 : 20;
        List<String> names = classNames(d.resolve(fine ? "fine_label_names.txt" : "coarse_label_names.txt"), numClasses, null);
        String suffix = fine ? "" : " (coarse labels)";
        return read("cifar100", "cifar100 " + lower(split) + suffix, List.of(file), 2, fine ? 1 : 0, numClasses, names);
    }

    /** dir itself when it holds one of the marker files, else dir/sub when that exists. */
    private static Path resolve(Path dir, String name, String sub, String... markers) {
        DataFiles.requireDirectory(dir, name);
        for (String m : markers) if (Files.exists(dir.resolve(m))) return dir;
        Path inner = dir.resolve(sub);
        if (Files.isDirectory(inner)) return inner;
        throw DatasetException.at(dir, "no " + name + " files here or in " + sub + "/ (looked for " + String.join(", ", markers) + ")");
    }

    /**
     * Reads all records of all files into one dataset.
     * @param labelBytes bytes before each image; {@code labelAt} says which of them is the label
     */
    private static ByteImageDataset read(String kind, String name, List<Path> files, int labelBytes, int labelAt, int numClasses, List<String> classNames) {
        int record = labelBytes + IMAGE_BYTES;
        long total = 0;
        long[] sizes = new long[files.size()];
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try {
                sizes[f] = Files.size(file);
            } catch (IOException e) {
                throw DatasetException.at(file, "cannot read: " + e, e);
            }
            if (sizes[f] == 0 || sizes[f] % record != 0) {
                throw DatasetException.at(file, "length " + sizes[f] + " is not a positive multiple of the " + record
                        + "-byte record (" + labelBytes + " label byte" + (labelBytes == 1 ? "" : "s") + " + " + IMAGE_BYTES
                        + " pixels); truncated or not a " + kind + " binary file");
            }
            total += sizes[f] / record;
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 8) throw new DatasetException(name + ": " + total + " images do not fit in one array");
        byte[] pixels = new byte[(int) (total * IMAGE_BYTES)];
        int[] labels = new int[(int) total];
        int n = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            byte[] bytes = DataFiles.readAll(file);
            if (bytes.length != sizes[f]) throw DatasetException.at(file, "changed size while being read");
            for (int r = 0; r < bytes.length / record; r++, n++) {
                int at = r * record;
                int label = bytes[at + labelAt] & 0xFF;
                if (label >= numClasses) {
                    throw DatasetException.at(file, "label " + label + " of record " + r + " is outside [0, " + numClasses + ")");
                }
                if (labelBytes == 2) {
                    // Check the other label too: a bad one means the file is not what we think it is.
                    int other = bytes[at + 1 - labelAt] & 0xFF, otherClasses = labelAt == 1 ? 20 : 100;
                    if (other >= otherClasses) {
                        throw DatasetException.at(file, (labelAt == 1 ? "coarse" : "fine") + " label " + other + " of record " + r
                                + " is outside [0, " + otherClasses + ")");
                    }
                }
                labels[n] = label;
                System.arraycopy(bytes, at + labelBytes, pixels, n * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new ByteImageDataset(name, 3, 32, 32, numClasses, classNames, pixels, labels);
    }

    /** Non-blank lines of a names file, or {@code fallback} when it is absent or does not hold {@code count} names. */
    private static List<String> classNames(Path file, int count, List<String> fallback) {
        if (!Files.isRegularFile(file)) return fallback;
        try {
            List<String> names = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            return names.size() == count ? names : fallback; // names are a nicety, no reason to refuse the data
        } catch (IOException e) {
            throw DatasetException.at(file, "cannot read: " + e, e);
        }
    }

    private static String lower(Split s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
