package mma4j.models.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** n images of 1 x 1 x 2 whose two bytes spell their index (so order is visible), label index % 7. */
    static ByteImageDataset indexed(int n) {
        byte[] px = new byte[n * 2];
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            px[2 * i] = (byte) (i / 256);
            px[2 * i + 1] = (byte) (i % 256);
            lb[i] = i % 7;
        }
        return new ByteImageDataset("indexed", 1, 1, 2, 7, null, px, lb);
    }

    static int indexOf(float[] images, int k) {
        return Math.round(images[2 * k] * 255) * 256 + Math.round(images[2 * k + 1] * 255);
    }

    /** Random 3 x 8 x 8 images, for augmentation. */
    static ByteImageDataset randomImages(int n) {
        return new ByteImageDataset("random", 3, 8, 8, 10, null, Fixtures.randomBytes(n, n * 192), Fixtures.randomLabels(n, n, 10));
    }

    static Transform augment() {
        return Transform.compose(new RandomCrop(8, 2), new RandomHorizontalFlip(), new Normalize(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.3f, 0.25f}));
    }

    static List<Batch> take(DataLoader loader, int count) {
        List<Batch> out = new ArrayList<>();
        while (out.size() < count) {
            for (Batch b : loader) {
                out.add(b);
                if (out.size() == count) break;
            }
        }
        return out;
    }

    static void assertSameBatches(List<Batch> a, List<Batch> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).epoch(), b.get(i).epoch());
            assertEquals(a.get(i).index(), b.get(i).index());
            assertArrayEquals(a.get(i).images().shape(), b.get(i).images().shape());
            assertArrayEquals(a.get(i).labels(), b.get(i).labels());
            float[] x = a.get(i).images().toArray(), y = b.get(i).images().toArray();
            for (int j = 0; j < x.length; j++) {
                assertEquals(Float.floatToRawIntBits(x[j]), Float.floatToRawIntBits(y[j]), "batch " + i + " value " + j);
            }
        }
    }

    @Test
    void everySampleOncePerEpochWithTheRightShapes() {
        ByteImageDataset d = indexed(23);
        try (DataLoader loader = DataLoader.builder(d).batchSize(5).seed(7).build()) {
            assertEquals(5, loader.batchesPerEpoch());
            for (int epoch = 0; epoch < 3; epoch++) {
                assertEquals(epoch, loader.epoch());
                boolean[] seen = new boolean[23];
                int batches = 0;
                for (Batch b : loader) {
                    assertEquals(epoch, b.epoch());
                    assertEquals(batches, b.index());
                    int size = batches < 4 ? 5 : 3;
                    assertArrayEquals(new int[] {size, 1, 1, 2}, b.images().shape());
                    assertEquals(size, b.labels().length);
                    float[] x = b.images().toArray();
                    for (int k = 0; k < size; k++) {
                        int i = indexOf(x, k);
                        assertFalse(seen[i], "sample " + i + " twice in epoch " + epoch);
                        seen[i] = true;
                        assertEquals(i % 7, b.labels()[k]);
                        assertEquals(i % 7, (int) b.labelTensor().get(k));
                    }
                    batches++;
                }
                assertEquals(5, batches);
                for (boolean s : seen) assertTrue(s);
            }
            assertEquals(3, loader.epoch());
            assertEquals(0, loader.batchIndex());
        }
    }

    @Test
    void dropLastAndNoShuffle() {
        ByteImageDataset d = indexed(23);
        try (DataLoader loader = DataLoader.builder(d).batchSize(5).dropLast(true).shuffle(false).build()) {
            assertEquals(4, loader.batchesPerEpoch());
            assertEquals(20, loader.samplesPerEpoch());
            int expected = 0;
            for (Batch b : loader) {
                assertEquals(5, b.size());
                float[] x = b.images().toArray();
                for (int k = 0; k < 5; k++) assertEquals(expected++, indexOf(x, k));
            }
            assertEquals(20, expected);
        }
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(indexed(3)).batchSize(4).dropLast(true).build());
    }

    @Test
    void orderIsFixedBySeedAndChangesEveryEpoch() {
        ByteImageDataset d = indexed(50);
        DataLoader a = DataLoader.builder(d).batchSize(8).seed(1).build(), b = DataLoader.builder(d).batchSize(8).seed(1).build(),
                c = DataLoader.builder(d).batchSize(8).seed(2).build();
        assertArrayEquals(a.order(0), b.order(0));
        assertArrayEquals(a.order(5), b.order(5));
        assertFalse(Arrays.equals(a.order(0), c.order(0)));
        assertFalse(Arrays.equals(a.order(0), a.order(1)));
        int[] sorted = a.order(3).clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        // and the batches follow that order
        float[] first = a.iterator().next().images().toArray();
        for (int k = 0; k < 8; k++) assertEquals(a.order(0)[k], indexOf(first, k));
        a.close();
    }

    @Test
    void backgroundThreadMatchesSynchronousBitwise() {
        ByteImageDataset d = randomImages(37);
        List<List<Batch>> runs = new ArrayList<>();
        for (int prefetch : new int[] {0, 1, 2}) {
            try (DataLoader loader = DataLoader.builder(d).batchSize(6).transform(augment()).seed(11).prefetch(prefetch).build()) {
                runs.add(take(loader, 3 * loader.batchesPerEpoch()));
            }
        }
        assertSameBatches(runs.get(0), runs.get(1));
        assertSameBatches(runs.get(0), runs.get(2));
        // batch(e, i) builds the same thing directly
        try (DataLoader loader = DataLoader.builder(d).batchSize(6).transform(augment()).seed(11).build()) {
            assertSameBatches(runs.get(0).subList(9, 10), List.of(loader.batch(1, 2)));
        }
    }

    @Test
    void augmentationDependsOnTheSeed() {
        ByteImageDataset d = randomImages(12);
        DataLoader a = DataLoader.builder(d).batchSize(12).shuffle(false).transform(augment()).seed(1).build();
        DataLoader b = DataLoader.builder(d).batchSize(12).shuffle(false).transform(augment()).seed(2).build();
        assertArrayEquals(a.batch(0, 0).labels(), b.batch(0, 0).labels());
        assertFalse(Arrays.equals(a.batch(0, 0).images().toArray(), b.batch(0, 0).images().toArray()));
        assertFalse(Arrays.equals(a.batch(0, 0).images().toArray(), a.batch(1, 0).images().toArray()), "new crops each epoch");
    }

    @Test
    void savedStateResumesWithTheSameBatches() {
        ByteImageDataset d = randomImages(29);
        for (int stop : new int[] {0, 3, 5, 8}) { // start, mid-epoch, epoch boundary, second epoch
            DataLoader original = DataLoader.builder(d).batchSize(6).transform(augment()).seed(5).build();
            take(original, stop);
            LoaderState saved = LoaderState.fromMap(original.state().toMap());
            List<Batch> expected = take(original, 9);
            original.close();

            DataLoader resumed = DataLoader.builder(d).batchSize(6).transform(augment()).seed(5).build();
            resumed.loadState(saved);
            assertEquals(stop / 5, resumed.epoch());
            assertEquals(stop % 5, resumed.batchIndex());
            assertSameBatches(expected, take(resumed, 9));
            resumed.close();
        }
    }

    @Test
    void stateFollowsWhatWasTakenNotWhatWasPrefetched() throws InterruptedException {
        ByteImageDataset data = indexed(40);
        // Counts down once per sample read: when it reaches zero the worker has prepared batches
        // 1 and 2 ahead of the consumer (no clock involved).
        java.util.concurrent.CountDownLatch ranAhead = new java.util.concurrent.CountDownLatch(12);
        Dataset counting = new Dataset() {
            public String name() { return data.name(); }
            public int size() { return data.size(); }
            public int channels() { return data.channels(); }
            public int height() { return data.height(); }
            public int width() { return data.width(); }
            public int numClasses() { return data.numClasses(); }
            public List<String> classNames() { return data.classNames(); }
            public int label(int i) { return data.label(i); }
            public void read(int i, float[] dst, int off) {
                data.read(i, dst, off);
                ranAhead.countDown();
            }
        };
        DataLoader loader = DataLoader.builder(counting).batchSize(4).prefetch(3).build();
        Iterator<Batch> it = loader.iterator();
        it.next();
        assertTrue(ranAhead.await(30, java.util.concurrent.TimeUnit.SECONDS), "the worker never prefetched two more batches");
        assertEquals(new LoaderState(0, 0, 1, 40, 4), loader.state(), "the state must not notice the prefetched batches");
        // a new iterator continues where the old one was left
        assertEquals(1, loader.iterator().next().index());
        assertFalse(it.hasNext(), "the old iterator was closed");
        assertThrows(NoSuchElementException.class, it::next);
        loader.close();
    }

    @Test
    void closeStopsTheWorker() {
        DataLoader loader = DataLoader.builder(randomImages(64)).batchSize(2).prefetch(2).build();
        loader.iterator().next();
        loader.close();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().equals("mma4j-data-loader") && t.isAlive(), "worker still running");
        }
        // still usable afterwards
        assertEquals(1, loader.iterator().next().index());
        loader.close();
    }

    @Test
    void loadStateRejectsAStateFromAnotherLoader() {
        DataLoader loader = DataLoader.builder(indexed(20)).batchSize(4).seed(3).build();
        assertThrows(IllegalArgumentException.class, () -> loader.loadState(new LoaderState(4, 0, 0, 20, 4)));
        assertThrows(IllegalArgumentException.class, () -> loader.loadState(new LoaderState(3, 0, 0, 21, 4)));
        assertThrows(IllegalArgumentException.class, () -> loader.loadState(new LoaderState(3, 0, 0, 20, 5)));
        assertThrows(IllegalArgumentException.class, () -> loader.loadState(new LoaderState(3, 0, 5, 20, 4)));
        loader.loadState(new LoaderState(3, 2, 4, 20, 4));
        assertEquals(2, loader.epoch());
        assertEquals(4, loader.batchIndex());
        assertThrows(IllegalArgumentException.class, () -> LoaderState.fromMap(java.util.Map.of("seed", 1)));
    }

    @Test
    void aFailureInTheWorkerReachesTheConsumer() {
        ByteImageDataset good = indexed(10);
        Dataset failing = new Dataset() {
            public String name() { return "failing"; }
            public int size() { return good.size(); }
            public int channels() { return 1; }
            public int height() { return 1; }
            public int width() { return 2; }
            public int numClasses() { return 7; }
            public List<String> classNames() { return good.classNames(); }
            public int label(int i) { return good.label(i); }
            public void read(int i, float[] dst, int off) {
                if (i == 7) throw new DatasetException("failing: sample 7 is broken");
                good.read(i, dst, off);
            }
        };
        for (int prefetch : new int[] {0, 2}) {
            try (DataLoader loader = DataLoader.builder(failing).batchSize(3).shuffle(false).prefetch(prefetch).build()) {
                Iterator<Batch> it = loader.iterator();
                it.next();
                it.next();
                DatasetException e = assertThrows(DatasetException.class, () -> it.next()); // samples 6, 7, 8
                assertTrue(e.getMessage().contains("sample 7"));
                assertEquals(2, loader.batchIndex(), "the failed batch was not counted");
            }
        }
    }

    @Test
    void aTransformMayChangeTheShape() {
        try (DataLoader loader = DataLoader.builder(randomImages(10)).batchSize(4).transform(new RandomCrop(5, 6, 0)).build()) {
            assertArrayEquals(new int[] {3, 5, 6}, loader.imageShape());
            assertArrayEquals(new int[] {4, 3, 5, 6}, loader.iterator().next().images().shape());
        }
    }

    @Test
    void builderRejectsBadSettings() {
        DataLoader.Builder b = DataLoader.builder(indexed(5));
        assertThrows(IllegalArgumentException.class, () -> b.batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> b.prefetch(-1));
        assertThrows(IllegalArgumentException.class, () -> b.transform(null));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(null));
    }
}
