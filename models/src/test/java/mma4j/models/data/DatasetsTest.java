package mma4j.models.data;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @Test
    void namesAndAliases() {
        assertEquals(Datasets.CIFAR10, Datasets.canonical("CIFAR-10"));
        assertEquals(Datasets.CIFAR100, Datasets.canonical("cifar_100"));
        assertEquals(Datasets.FASHION_MNIST, Datasets.canonical("Fashion_MNIST"));
        assertEquals(Datasets.TINY_IMAGENET, Datasets.canonical("tiny-imagenet-200"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.canonical("imagenet"));
        assertTrue(e.getMessage().contains("imagenet") && e.getMessage().contains("cifar100"), e.getMessage());
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), Datasets.defaultDir("fashion-mnist"));
        assertEquals(Path.of("data", "cifar100"), Datasets.defaultDir("cifar100"));
    }

    @Test
    void transformsFitEachDataset() {
        for (String name : Datasets.NAMES) {
            int[] s = Datasets.imageShape(name);
            assertArrayEquals(s, Datasets.trainTransform(name).outputShape(s[0], s[1], s[2]));
            assertEquals(s[0], Datasets.stats(name).mean().length);
            assertEquals(s[0], Datasets.stats(name).std().length);
        }
        assertEquals(100, Datasets.numClasses("cifar100"));
        assertEquals(200, Datasets.numClasses("tiny-imagenet"));
        float[] m = Datasets.stats("cifar100").mean();
        assertArrayEquals(new float[] {0.5071f, 0.4865f, 0.4409f}, m);
        m[0] = 9; // a copy: the constants cannot be changed by accident
        assertEquals(0.5071f, Datasets.stats("cifar100").mean()[0]);
    }

    @Test
    void callerStatsOverrideTheDefaults() {
        ChannelStats mine = new ChannelStats(new float[] {0.5f}, new float[] {0.5f});
        Transform t = Datasets.testTransform("fashion-mnist", mine);
        Image img = t.apply(new Image(new float[28 * 28], 1, 28, 28), null);
        assertEquals(-1f, img.data()[0]);
    }

    @Test
    void loadDispatchesByName(@TempDir Path dir) {
        Fixtures.write(dir.resolve("test_batch.bin"), Fixtures.cifar(new int[][] {{9}}, Fixtures.randomBytes(1, 3072)));
        ByteImageDataset d = Datasets.load("cifar-10", dir, Split.TEST);
        assertEquals(1, d.size());
        assertEquals(9, d.label(0));
        assertEquals("truck", d.classNames().get(9));
    }

    @Test
    void channelStatsOfKnownImages() {
        // one channel: values 0 and 255 in equal numbers -> mean 0.5, std 0.5; other channel constant 51 -> 0.2, 0
        byte[] px = {0, (byte) 255, 51, 51, (byte) 255, 0, 51, 51};
        ByteImageDataset d = new ByteImageDataset("tiny", 2, 1, 2, 1, null, px, new int[2]);
        ChannelStats s = ChannelStats.compute(d);
        assertArrayEquals(new float[] {0.5f, 0.2f}, s.mean(), 1e-7f);
        assertArrayEquals(new float[] {0.5f, 0f}, s.std(), 1e-7f);
    }

    /** The installed Fashion-MNIST (Debian's dataset-fashion-mnist): sizes, balance, and the normalization constants. */
    @Test
    void realFashionMnist() {
        Path dir = Datasets.FASHION_MNIST_DIR;
        assumeTrue(Files.isDirectory(dir), dir + " is not installed");
        ByteImageDataset train = Datasets.load("fashion-mnist", dir, Split.TRAIN);
        ByteImageDataset test = Datasets.load("fashion-mnist", dir, Split.TEST);
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        for (ByteImageDataset d : new ByteImageDataset[] {train, test}) {
            assertEquals(1, d.channels());
            assertEquals(28, d.height());
            assertEquals(28, d.width());
            int[] perClass = new int[10];
            for (int i = 0; i < d.size(); i++) perClass[d.label(i)]++;
            for (int c : perClass) assertEquals(d.size() / 10, c, "Fashion-MNIST is balanced");
        }
        // The published constants are the training set's, rounded to 4 decimals.
        ChannelStats measured = ChannelStats.compute(train), published = Datasets.stats("fashion-mnist");
        assertEquals(published.mean()[0], measured.mean()[0], 5e-5);
        assertEquals(published.std()[0], measured.std()[0], 5e-5);
    }
}
