package mma4j.models.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: {@code *-images-idx3-ubyte} (magic 0x00000803,
 * then count, rows, columns as big-endian int32, then one byte per pixel) and
 * {@code *-labels-idx1-ubyte} (magic 0x00000801, count, one byte per label). Gzipped or not: gzip is
 * recognised by its magic bytes, not by the file name.
 */
public final class IdxReader {
    /** The ten Fashion-MNIST classes, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final int UNSIGNED_BYTE = 0x08;

    private IdxReader() {}

    /** An IDX array of unsigned bytes: its dimensions and its values, row-major. */
    public record IdxArray(int[] dims, byte[] data) {}

    /**
     * Loads an MNIST-style directory: {@code train-images-idx3-ubyte[.gz]} + {@code train-labels-idx1-ubyte[.gz]}
     * for TRAIN, {@code t10k-*} for TEST (also the {@code train-images.idx3-ubyte} spelling).
     *
     * @param classNames one per class; labels must lie in [0, classNames.size())
     */
    public static ByteImageDataset load(String name, Path dir, Split split, List<String> classNames) {
        DataFiles.requireDirectory(dir, name);
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Path imageFile = DataFiles.findOne(dir, name + " " + prefix + " images",
                DataFiles.withGz(prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte"));
        Path labelFile = DataFiles.findOne(dir, name + " " + prefix + " labels",
                DataFiles.withGz(prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte"));
        IdxArray images = read(imageFile, 3);
        IdxArray labels = read(labelFile, 1);
        int n = images.dims()[0];
        if (labels.dims()[0] != n) {
            throw DatasetException.at(labelFile, labels.dims()[0] + " labels for the " + n + " images of " + imageFile);
        }
        int numClasses = classNames.size();
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            lb[i] = labels.data()[i] & 0xFF;
            if (lb[i] >= numClasses) {
                throw DatasetException.at(labelFile, "label " + lb[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
            }
        }
        String dsName = name + " " + split.name().toLowerCase(java.util.Locale.ROOT);
        return new ByteImageDataset(dsName, 1, images.dims()[1], images.dims()[2], numClasses, classNames, images.data(), lb);
    }

    /** Reads one IDX file of unsigned bytes with {@code expectedDims} dimensions, checking that its size matches its header exactly. */
    public static IdxArray read(Path file, int expectedDims) {
        DataFiles.requireFile(file);
        try (InputStream raw = DataFiles.openMaybeGzip(file); DataInputStream in = new DataInputStream(raw)) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw DatasetException.at(file, "truncated: shorter than the 4-byte IDX magic number");
            }
            int type = (magic >>> 8) & 0xFF, dims = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || dims != expectedDims) {
                throw DatasetException.at(file, String.format(
                        "bad magic number 0x%08X, expected 0x%08X (IDX unsigned bytes, %d dimension%s)",
                        magic, (UNSIGNED_BYTE << 8) | expectedDims, expectedDims, expectedDims == 1 ? "" : "s"));
            }
            int[] shape = new int[dims];
            long count = 1;
            for (int d = 0; d < dims; d++) {
                try {
                    shape[d] = in.readInt();
                } catch (EOFException e) {
                    throw DatasetException.at(file, "truncated: header ends before dimension " + d);
                }
                if (shape[d] <= 0) throw DatasetException.at(file, "dimension " + d + " is " + shape[d] + " in the header; must be positive");
                count *= shape[d];
                if (count > Integer.MAX_VALUE - 8) {
                    throw DatasetException.at(file, "header dimensions " + Arrays.toString(Arrays.copyOf(shape, d + 1)) + " exceed what an array can hold");
                }
            }
            byte[] data = in.readNBytes((int) count);
            if (data.length < count) {
                throw DatasetException.at(file, "truncated: header " + Arrays.toString(shape) + " promises " + count
                        + " data bytes, the file has " + data.length);
            }
            if (in.read() != -1) {
                throw DatasetException.at(file, "has bytes beyond the " + count + " that its header " + Arrays.toString(shape) + " promises");
            }
            return new IdxArray(shape, data);
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off stream this way.
            throw DatasetException.at(file, "truncated gzip stream: " + e.getMessage(), e);
        } catch (IOException e) {
            throw DatasetException.at(file, "cannot read (corrupt gzip?): " + e, e);
        }
    }
}
