package mma4j.models.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/**
 * Batches a dataset into [B, C, H, W] tensors, like PyTorch's DataLoader: a fresh shuffle each epoch,
 * a per-image transform, an optional dropped last batch, and the next batches prepared on a
 * background thread while the model trains on the current one.
 *
 * <p>Determinism: epoch e's order comes from a Generator seeded by (seed, e), and the sample at
 * position p of epoch e is transformed with a Generator seeded by (seed, e, p). So batch (e, b) is a
 * pure function of the seed and those two numbers: it does not depend on the thread that builds it,
 * on how far ahead that thread runs, or on the batches before it. Saving {@link #state()} and
 * restoring it with {@link #loadState} therefore gives exactly the batches an uninterrupted run
 * would have seen.
 *
 * <p>Use: {@code for (Batch b : loader)} goes through the rest of the current epoch; when its last
 * batch has been handed out the loader stands at the start of the next epoch. One consumer thread.
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private static final long SHUFFLE_STREAM = 1, AUGMENT_STREAM = 2;

    private final Dataset dataset;
    private final int batchSize, prefetch;
    private final boolean shuffle, dropLast;
    private final Transform transform;
    private final long seed;
    private final int[] inShape, outShape;
    private final int batchesPerEpoch;

    private int epoch, nextBatch;
    private BatchIterator live;
    private int cachedEpoch = -1;
    private int[] cachedOrder;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.prefetch = b.prefetch;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.transform = b.transform;
        this.seed = b.seed;
        this.inShape = new int[] {dataset.channels(), dataset.height(), dataset.width()};
        this.outShape = transform.outputShape(inShape[0], inShape[1], inShape[2]).clone();
        int n = dataset.size();
        this.batchesPerEpoch = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("DataLoader: " + dataset.name() + " has " + n + " samples, not one full batch of " + batchSize
                    + (dropLast ? " (dropLast)" : ""));
        }
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() { return dataset; }
    public int batchSize() { return batchSize; }
    public int batchesPerEpoch() { return batchesPerEpoch; }
    /** Samples handed out per epoch (fewer than the dataset with dropLast). */
    public int samplesPerEpoch() { return dropLast ? batchesPerEpoch * batchSize : dataset.size(); }
    /** Shape [C, H, W] of each image in a batch, after the transform. */
    public int[] imageShape() { return outShape.clone(); }
    /** The epoch the next batch belongs to. */
    public int epoch() { return epoch; }
    /** The index within its epoch of the next batch. */
    public int batchIndex() { return nextBatch; }

    public LoaderState state() {
        return new LoaderState(seed, epoch, nextBatch, dataset.size(), batchSize);
    }

    /** Continues from a saved state; closes any open iterator. */
    public void loadState(LoaderState s) {
        if (s.seed() != seed || s.samples() != dataset.size() || s.batchSize() != batchSize) {
            throw new IllegalArgumentException("DataLoader.loadState: state " + s + " was saved by a loader with another seed, dataset size or batch size"
                    + " (this one: seed " + seed + ", " + dataset.size() + " samples, batch size " + batchSize + ")");
        }
        if (s.batch() >= batchesPerEpoch) {
            throw new IllegalArgumentException("DataLoader.loadState: batch " + s.batch() + " of an epoch of " + batchesPerEpoch + " batches");
        }
        closeLive();
        epoch = s.epoch();
        nextBatch = s.batch();
    }

    /** Moves to the start of epoch {@code e} (like a sampler's set_epoch); closes any open iterator. */
    public void setEpoch(int e) {
        if (e < 0) throw new IllegalArgumentException("DataLoader.setEpoch: epoch must be >= 0, got " + e);
        closeLive();
        epoch = e;
        nextBatch = 0;
    }

    /** The order in which epoch {@code e} visits the samples. */
    public int[] order(int e) {
        return orderOf(e).clone();
    }

    private synchronized int[] orderOf(int e) {
        if (e != cachedEpoch) {
            int n = dataset.size();
            int[] o;
            if (shuffle) {
                o = new Generator(Seeds.derive(seed, SHUFFLE_STREAM, e)).permutation(n);
            } else {
                o = new int[n];
                for (int i = 0; i < n; i++) o[i] = i;
            }
            cachedOrder = o;
            cachedEpoch = e;
        }
        return cachedOrder;
    }

    /** Batch {@code index} of epoch {@code e}, built on the calling thread; does not move the loader. */
    public Batch batch(int e, int index) {
        if (e < 0 || index < 0 || index >= batchesPerEpoch) {
            throw new IllegalArgumentException("DataLoader.batch: no batch " + index + " in epoch " + e + " (" + batchesPerEpoch + " batches per epoch)");
        }
        return build(e, index, orderOf(e));
    }

    private Batch build(int e, int index, int[] order) {
        int start = index * batchSize, size = Math.min(batchSize, dataset.size() - start);
        int inSize = inShape[0] * inShape[1] * inShape[2], outSize = outShape[0] * outShape[1] * outShape[2];
        float[] images = new float[size * outSize];
        int[] labels = new int[size];
        float[] scratch = new float[inSize];
        for (int k = 0; k < size; k++) {
            int i = order[start + k];
            dataset.read(i, scratch, 0);
            Image img = new Image(scratch, inShape[0], inShape[1], inShape[2]);
            Image out = transform.apply(img, new Generator(Seeds.derive(seed, AUGMENT_STREAM, e, start + k)));
            if (out.channels() != outShape[0] || out.height() != outShape[1] || out.width() != outShape[2]) {
                throw new IllegalStateException("DataLoader: transform " + transform + " promised shape " + Arrays.toString(outShape)
                        + " but gave " + out.channels() + "x" + out.height() + "x" + out.width());
            }
            System.arraycopy(out.data(), 0, images, k * outSize, outSize);
            labels[k] = dataset.label(i);
        }
        return new Batch(Tensor.wrap(images, size, outShape[0], outShape[1], outShape[2]), labels, e, index);
    }

    /** The rest of the current epoch, prepared ahead on a background thread unless prefetch is 0. */
    @Override
    public Iterator<Batch> iterator() {
        closeLive();
        live = new BatchIterator(epoch, nextBatch, orderOf(epoch));
        return live;
    }

    /** Stops the background thread, if any. The loader stays usable. */
    @Override
    public void close() {
        closeLive();
    }

    private void closeLive() {
        if (live != null) {
            live.close();
            live = null;
        }
    }

    /** What the worker hands over when building a batch failed. */
    private record Failure(Throwable error) {}

    private final class BatchIterator implements Iterator<Batch> {
        private final int epochOfIt;
        private final int[] order;
        private final BlockingQueue<Object> queue;
        private final Thread worker;
        private int next;
        private boolean closed;

        BatchIterator(int e, int first, int[] order) {
            this.epochOfIt = e;
            this.next = first;
            this.order = order;
            if (prefetch == 0) {
                queue = null;
                worker = null;
            } else {
                queue = new ArrayBlockingQueue<>(prefetch);
                worker = Thread.ofPlatform().daemon().name("mma4j-data-loader").start(() -> produce(first));
            }
        }

        private void produce(int first) {
            try {
                for (int b = first; b < batchesPerEpoch; b++) queue.put(build(epochOfIt, b, order));
            } catch (InterruptedException stop) {
                // closed by the consumer
            } catch (Throwable t) {
                try {
                    queue.put(new Failure(t));
                } catch (InterruptedException stop) {
                    // closed by the consumer
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !closed && next < batchesPerEpoch;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: epoch " + epochOfIt + " has no batch " + next + (closed ? " (iterator closed)" : ""));
            Batch b;
            if (worker == null) {
                b = build(epochOfIt, next, order);
            } else {
                Object item;
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("DataLoader: interrupted while waiting for batch " + next + " of epoch " + epochOfIt, e);
                }
                if (item instanceof Failure f) {
                    close();
                    if (f.error() instanceof RuntimeException r) throw r;
                    if (f.error() instanceof Error err) throw err;
                    throw new IllegalStateException("DataLoader: building batch " + next + " of epoch " + epochOfIt + " failed", f.error());
                }
                b = (Batch) item;
            }
            next++;
            // The loader's position follows what the consumer has taken, not what the worker has built.
            if (next == batchesPerEpoch) {
                epoch = epochOfIt + 1;
                nextBatch = 0;
            } else {
                nextBatch = next;
            }
            return b;
        }

        void close() {
            if (closed) return;
            closed = true;
            if (worker != null) {
                worker.interrupt();
                boolean interrupted = false;
                while (true) {
                    try {
                        worker.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }

    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1, prefetch = 2;
        private boolean shuffle = true, dropLast;
        private Transform transform = Transform.identity();
        private long seed;

        private Builder(Dataset dataset) {
            if (dataset == null) throw new IllegalArgumentException("DataLoader: dataset is null");
            if (dataset.size() == 0) throw new IllegalArgumentException("DataLoader: " + dataset.name() + " is empty");
            this.dataset = dataset;
        }

        public Builder batchSize(int b) {
            if (b <= 0) throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + b);
            batchSize = b;
            return this;
        }

        /** Reshuffle every epoch (default true); false keeps the dataset's order. */
        public Builder shuffle(boolean s) {
            shuffle = s;
            return this;
        }

        /** Drop the last, smaller batch (default false). */
        public Builder dropLast(boolean d) {
            dropLast = d;
            return this;
        }

        public Builder transform(Transform t) {
            if (t == null) throw new IllegalArgumentException("DataLoader: transform is null (use Transform.identity())");
            transform = t;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** Batches prepared ahead on the background thread (default 2); 0 builds each batch on the caller's thread. */
        public Builder prefetch(int p) {
            if (p < 0 || p > 64) throw new IllegalArgumentException("DataLoader: prefetch must be in [0, 64], got " + p);
            prefetch = p;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
