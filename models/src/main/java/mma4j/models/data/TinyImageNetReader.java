package mma4j.models.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the {@code tiny-imagenet-200} folder: {@code wnids.txt} (the 200 class ids),
 * {@code train/<wnid>/images/*.JPEG} and {@code val/val_annotations.txt} (file, wnid, box) with
 * {@code val/images/}. The test folder has no labels, so {@link Split#TEST} reads val, as everyone does.
 *
 * <p>Class indices follow the sorted wnids and training files are taken in sorted order, as
 * torchvision's ImageFolder does, so a model's outputs mean the same classes as in PyTorch. JPEGs are
 * decoded with javax.imageio (no extra dependency); its decoder may differ from libjpeg-turbo's by one
 * level in a few pixels. Grayscale images are copied into all three channels, as PIL's convert("RGB").
 */
public final class TinyImageNetReader {
    public static final int SIZE = 64;

    private TinyImageNetReader() {}

    public static ByteImageDataset load(Path dir, Split split) {
        DataFiles.requireDirectory(dir, "tiny-imagenet");
        Path root = Files.isRegularFile(dir.resolve("wnids.txt")) ? dir : dir.resolve("tiny-imagenet-200");
        if (!Files.isRegularFile(root.resolve("wnids.txt"))) {
            throw DatasetException.at(dir, "no wnids.txt here or in tiny-imagenet-200/");
        }
        List<String> wnids = readWnids(root.resolve("wnids.txt"));
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < wnids.size(); c++) index.put(wnids.get(c), c);

        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        if (split == Split.TRAIN) {
            for (int c = 0; c < wnids.size(); c++) {
                Path images = DataFiles.requireDirectory(root.resolve("train").resolve(wnids.get(c)).resolve("images"), "tiny-imagenet class images");
                List<Path> jpegs = listJpegs(images);
                if (jpegs.isEmpty()) throw DatasetException.at(images, "holds no .JPEG files");
                files.addAll(jpegs);
                for (int k = 0; k < jpegs.size(); k++) labels.add(c);
            }
        } else {
            Path annotations = DataFiles.requireFile(root.resolve("val").resolve("val_annotations.txt"));
            Path images = DataFiles.requireDirectory(root.resolve("val").resolve("images"), "tiny-imagenet val images");
            List<String> lines = readLines(annotations);
            for (int ln = 0; ln < lines.size(); ln++) {
                String line = lines.get(ln).strip();
                if (line.isEmpty()) continue;
                String[] f = line.split("\\s+");
                if (f.length < 2) throw DatasetException.at(annotations, "line " + (ln + 1) + " has no wnid: '" + line + "'");
                Integer c = index.get(f[1]);
                if (c == null) throw DatasetException.at(annotations, "line " + (ln + 1) + ": wnid " + f[1] + " is not in wnids.txt");
                files.add(DataFiles.requireFile(images.resolve(f[0])));
                labels.add(c);
            }
            if (files.isEmpty()) throw DatasetException.at(annotations, "lists no images");
        }

        int n = files.size(), imageBytes = 3 * SIZE * SIZE;
        if ((long) n * imageBytes > Integer.MAX_VALUE - 8) throw DatasetException.at(root, n + " images do not fit in one array");
        byte[] pixels = new byte[n * imageBytes];
        // Decoding dominates; each image writes only its own slot, so the order of work does not matter.
        ConcurrentSkipListMap<Integer, RuntimeException> errors = new ConcurrentSkipListMap<>();
        IntStream.range(0, n).parallel().forEach(i -> {
            try {
                decode(files.get(i), pixels, i * imageBytes);
            } catch (RuntimeException e) {
                errors.put(i, e);
            }
        });
        if (!errors.isEmpty()) throw errors.firstEntry().getValue(); // the first bad file, whatever the thread timing
        int[] lb = labels.stream().mapToInt(Integer::intValue).toArray();
        return new ByteImageDataset("tiny-imagenet " + split.name().toLowerCase(Locale.ROOT), 3, SIZE, SIZE, wnids.size(), wnids, pixels, lb);
    }

    /** Decodes one 64x64 image into C x H x W bytes at {@code offset}. */
    static void decode(Path file, byte[] dst, int offset) {
        BufferedImage img = readImage(file);
        if (img.getWidth() != SIZE || img.getHeight() != SIZE) {
            throw DatasetException.at(file, "image is " + img.getWidth() + "x" + img.getHeight() + ", expected " + SIZE + "x" + SIZE);
        }
        int plane = SIZE * SIZE;
        Raster raster = img.getRaster();
        if (raster.getNumBands() == 1) {
            // Read the samples themselves: getRGB would pass gray through a linear-to-sRGB conversion.
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    byte v = (byte) raster.getSample(x, y, 0);
                    int p = offset + y * SIZE + x;
                    dst[p] = v;
                    dst[p + plane] = v;
                    dst[p + 2 * plane] = v;
                }
            }
        } else {
            int[] argb = img.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE);
            for (int p = 0; p < plane; p++) {
                int v = argb[p];
                dst[offset + p] = (byte) (v >>> 16);
                dst[offset + plane + p] = (byte) (v >>> 8);
                dst[offset + 2 * plane + p] = (byte) v;
            }
        }
    }

    /**
     * Decodes with an ImageReader rather than ImageIO.read so that warnings are heard: a JPEG cut short
     * decodes "successfully" with a warning and grey pixels, and must fail instead, as PIL fails on a
     * truncated file. Other libjpeg warnings (e.g. extraneous bytes before a marker) pass, as in PIL.
     */
    private static BufferedImage readImage(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw DatasetException.at(file, "cannot open");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw DatasetException.at(file, "not an image format javax.imageio can decode");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                if (warnings.stream().anyMatch(TinyImageNetReader::meansTruncated)) {
                    throw DatasetException.at(file, "corrupt image (cut short?): " + String.join("; ", warnings));
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw DatasetException.at(file, "cannot decode image: " + e.getMessage(), e);
        }
    }

    private static boolean meansTruncated(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("truncat") || w.contains("premature end");
    }

    private static List<String> readWnids(Path file) {
        List<String> wnids = new ArrayList<>();
        for (String line : readLines(file)) {
            String w = line.strip();
            if (w.isEmpty()) continue;
            if (wnids.contains(w)) throw DatasetException.at(file, "wnid " + w + " appears twice");
            wnids.add(w);
        }
        if (wnids.isEmpty()) throw DatasetException.at(file, "lists no wnids");
        wnids.sort(null);
        return wnids;
    }

    private static List<Path> listJpegs(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String f = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return f.endsWith(".jpeg") || f.endsWith(".jpg");
            }).sorted().toList();
        } catch (IOException e) {
            throw DatasetException.at(dir, "cannot list: " + e, e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw DatasetException.at(file, "cannot read: " + e, e);
        }
    }
}
