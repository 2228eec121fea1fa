package mma4j.models.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The in-memory form of every dataset here: one byte per pixel value (as the files store them), so
 * CIFAR's 50 000 training images take 150 MB instead of 600 MB as floats. Bytes become floats in
 * [0, 1] only when a sample is read, exactly as torchvision's ToTensor computes them (b / 255f).
 */
public final class ByteImageDataset implements Dataset {
    /** b / 255f for every byte value: the same float32 division ToTensor does, looked up. */
    private static final float[] UNIT = new float[256];

    static {
        for (int b = 0; b < 256; b++) UNIT[b] = b / 255f;
    }

    private final String name;
    private final int channels, height, width, numClasses;
    private final List<String> classNames;
    private final byte[] pixels;
    private final int[] labels;

    /**
     * @param pixels {@code labels.length * channels * height * width} bytes, image after image, each
     *     C x H x W with channel planes row-major. Kept, not copied.
     * @param classNames one per class, or null for "0", "1", ...
     */
    public ByteImageDataset(String name, int channels, int height, int width, int numClasses,
                            List<String> classNames, byte[] pixels, int[] labels) {
        this.name = Objects.requireNonNull(name, "name");
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new DatasetException(name + ": image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (numClasses <= 0) throw new DatasetException(name + ": numClasses must be positive, got " + numClasses);
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new DatasetException(name + ": " + pixels.length + " pixel bytes for " + labels.length + " images of "
                    + channels + "x" + height + "x" + width + " (need " + expected + ")");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new DatasetException(name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
            }
        }
        if (classNames == null) {
            List<String> numbers = new ArrayList<>(numClasses);
            for (int c = 0; c < numClasses; c++) numbers.add(Integer.toString(c));
            classNames = numbers;
        } else if (classNames.size() != numClasses) {
            throw new DatasetException(name + ": " + classNames.size() + " class names for " + numClasses + " classes");
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
        this.pixels = pixels;
        this.labels = labels;
    }

    @Override public String name() { return name; }
    @Override public int size() { return labels.length; }
    @Override public int channels() { return channels; }
    @Override public int height() { return height; }
    @Override public int width() { return width; }
    @Override public int numClasses() { return numClasses; }
    @Override public List<String> classNames() { return classNames; }

    @Override
    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    /** The stored byte (0..255) of channel c, row y, column x of image {@code index}. */
    public int pixel(int index, int c, int y, int x) {
        Objects.checkIndex(index, labels.length);
        Objects.checkIndex(c, channels);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return pixels[((index * channels + c) * height + y) * width + x] & 0xFF;
    }

    @Override
    public void read(int index, float[] dst, int offset) {
        Objects.checkIndex(index, labels.length);
        int n = imageSize();
        Objects.checkFromIndexSize(offset, n, dst.length);
        int base = index * n;
        for (int j = 0; j < n; j++) dst[offset + j] = UNIT[pixels[base + j] & 0xFF];
    }

    /** Samples [from, to) as a new dataset (copies their bytes). */
    public ByteImageDataset subset(int from, int to) {
        Objects.checkFromToIndex(from, to, labels.length);
        int n = imageSize();
        byte[] px = java.util.Arrays.copyOfRange(pixels, from * n, to * n);
        int[] lb = java.util.Arrays.copyOfRange(labels, from, to);
        return new ByteImageDataset(name + "[" + from + ":" + to + "]", channels, height, width, numClasses, classNames, px, lb);
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images " + channels + "x" + height + "x" + width + ", " + numClasses + " classes)";
    }
}
