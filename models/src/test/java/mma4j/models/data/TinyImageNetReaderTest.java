package mma4j.models.data;

import static mma4j.models.data.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyImageNetReaderTest {
    // Listed unsorted on purpose: class indices must follow the sorted order (ImageFolder's).
    static final List<String> WNIDS = List.of("n03000000", "n01000000", "n02000000");

    @TempDir Path dir;
    Path root;

    /** A colourful image whose pixels depend on the seed, smooth enough to survive JPEG at quality 1. */
    static BufferedImage rgb(int seed) {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int r = seed * 37 % 100 + x * 2, g = seed * 53 % 60 + y * 3, b = 100 + seed * 71 % 150; // no wrap-around edges
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    static BufferedImage gray(int seed) {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.getRaster().setSample(x, y, 0, seed * 30 % 100 + x + y);
        return img;
    }

    static void writeJpeg(BufferedImage img, Path file) {
        try {
            Files.createDirectories(file.getParent());
            ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(1f);
            try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                w.setOutput(out);
                w.write(null, new IIOImage(img, null, null), p);
            } finally {
                w.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The originals, in the order the reader must return them. */
    final List<BufferedImage> trainImages = new ArrayList<>(), valImages = new ArrayList<>();
    final List<Integer> trainLabels = new ArrayList<>(), valLabels = new ArrayList<>();

    @BeforeEach
    void writeTree() throws IOException {
        root = dir.resolve("tiny-imagenet-200");
        write(root.resolve("wnids.txt"), (String.join("\n", WNIDS) + "\n").getBytes());
        List<String> sorted = WNIDS.stream().sorted().toList();
        int seed = 0;
        for (int c = 0; c < sorted.size(); c++) {
            for (int k = 0; k < 2; k++) {
                BufferedImage img = c == 1 && k == 0 ? gray(seed++) : rgb(seed++);
                writeJpeg(img, root.resolve("train/" + sorted.get(c) + "/images/" + sorted.get(c) + "_" + k + ".JPEG"));
                trainImages.add(img);
                trainLabels.add(c);
            }
            // what the real tree also holds, to be ignored
            write(root.resolve("train/" + sorted.get(c) + "/" + sorted.get(c) + "_boxes.txt"), "x\t0\t0\t1\t1\n".getBytes());
        }
        StringBuilder ann = new StringBuilder();
        String[] valWnids = {"n02000000", "n03000000", "n01000000", "n02000000"};
        for (int i = 0; i < valWnids.length; i++) {
            BufferedImage img = i == 2 ? gray(seed++) : rgb(seed++);
            writeJpeg(img, root.resolve("val/images/val_" + i + ".JPEG"));
            ann.append("val_").append(i).append(".JPEG\t").append(valWnids[i]).append("\t0\t1\t60\t62\n");
            valImages.add(img);
            valLabels.add(sorted.indexOf(valWnids[i]));
        }
        write(root.resolve("val/val_annotations.txt"), ann.toString().getBytes());
    }

    /** Checks the layout exactly against ImageIO's own decode, and the values against the originals up to JPEG's loss. */
    private static void checkImages(ByteImageDataset d, List<BufferedImage> originals, List<Path> files) throws IOException {
        for (int i = 0; i < originals.size(); i++) {
            BufferedImage orig = originals.get(i), decoded = ImageIO.read(files.get(i).toFile());
            boolean isGray = orig.getType() == BufferedImage.TYPE_BYTE_GRAY;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    for (int c = 0; c < 3; c++) {
                        int want, exact;
                        if (isGray) {
                            want = orig.getRaster().getSample(x, y, 0);
                            exact = decoded.getRaster().getSample(x, y, 0);
                        } else {
                            want = (orig.getRGB(x, y) >> (16 - 8 * c)) & 0xFF;
                            exact = (decoded.getRGB(x, y) >> (16 - 8 * c)) & 0xFF;
                        }
                        int got = d.pixel(i, c, y, x);
                        assertEquals(exact, got, "image " + i + " channel " + c + " at " + y + "," + x);
                        assertTrue(Math.abs(got - want) <= 6, "image " + i + " channel " + c + " at " + y + "," + x + ": " + got + " vs " + want);
                    }
                }
            }
        }
    }

    @Test
    void readsTrainInSortedClassOrder() throws IOException {
        ByteImageDataset d = TinyImageNetReader.load(dir, Split.TRAIN); // finds tiny-imagenet-200/ below dir
        assertEquals(6, d.size());
        assertEquals(3, d.channels());
        assertEquals(64, d.height());
        assertEquals(64, d.width());
        assertEquals(3, d.numClasses());
        assertEquals(WNIDS.stream().sorted().toList(), d.classNames());
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            assertEquals(trainLabels.get(i), d.label(i));
            String w = d.classNames().get(trainLabels.get(i));
            files.add(root.resolve("train/" + w + "/images/" + w + "_" + (i % 2) + ".JPEG"));
        }
        checkImages(d, trainImages, files);
    }

    @Test
    void testSplitIsValInAnnotationOrder() throws IOException {
        ByteImageDataset d = TinyImageNetReader.load(root, Split.TEST);
        assertEquals(4, d.size());
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assertEquals(valLabels.get(i), d.label(i));
            files.add(root.resolve("val/images/val_" + i + ".JPEG"));
        }
        checkImages(d, valImages, files);
    }

    @Test
    void missingWnids() throws IOException {
        Files.delete(root.resolve("wnids.txt"));
        assertDatasetError(() -> TinyImageNetReader.load(dir, Split.TRAIN), dir.toString(), "wnids.txt");
    }

    @Test
    void missingClassFolder() throws IOException {
        write(root.resolve("wnids.txt"), (String.join("\n", WNIDS) + "\nn04000000\n").getBytes());
        assertDatasetError(() -> TinyImageNetReader.load(root, Split.TRAIN), "n04000000" + File.separator + "images", "does not exist");
    }

    @Test
    void unknownWnidInAnnotations() {
        write(root.resolve("val/val_annotations.txt"), "val_0.JPEG\tn02000000\t0\t0\t1\t1\nval_1.JPEG\tn09999999\t0\t0\t1\t1\n".getBytes());
        assertDatasetError(() -> TinyImageNetReader.load(root, Split.TEST), "val_annotations.txt", "line 2", "n09999999");
    }

    @Test
    void missingValImage() throws IOException {
        Files.delete(root.resolve("val/images/val_3.JPEG"));
        assertDatasetError(() -> TinyImageNetReader.load(root, Split.TEST), "val_3.JPEG", "missing");
    }

    @Test
    void corruptJpeg() {
        Path bad = write(root.resolve("train/n02000000/images/n02000000_1.JPEG"), randomBytes(1, 500));
        assertDatasetError(() -> TinyImageNetReader.load(root, Split.TRAIN), bad.toString());
    }

    @Test
    void truncatedJpeg() throws IOException {
        Path f = root.resolve("val/images/val_1.JPEG");
        byte[] b = Files.readAllBytes(f);
        write(f, cut(b, 200)); // before the scan starts
        assertDatasetError(() -> TinyImageNetReader.load(root, Split.TEST), f.toString());
        // Cut inside the scan: javax.imageio still returns an image, with only a warning.
        write(f, cut(b, b.length - 40));
        assertDatasetError(() -> TinyImageNetReader.load(root, Split.TEST), f.toString(), "corrupt");
    }

    @Test
    void wrongImageSize() {
        Path f = root.resolve("val/images/val_2.JPEG");
        writeJpeg(new BufferedImage(32, 48, BufferedImage.TYPE_3BYTE_BGR), f);
        assertDatasetError(() -> TinyImageNetReader.load(root, Split.TEST), f.toString(), "32x48", "64x64");
    }
}
