package mma4j.tensor.cpu;

/**
 * Buffers one thread reuses across convolution calls (column matrix, padded image, gathered
 * block, partial weight gradient), grown to the largest size asked for, never shrunk, so that
 * a training loop does not allocate them again at every layer and step.
 */
final class ConvWorkspace {
    private static final ThreadLocal<ConvWorkspace> MINE = ThreadLocal.withInitial(ConvWorkspace::new);

    private float[] col = new float[0], padded = new float[0], block = new float[0], partial = new float[0];

    static ConvWorkspace get() {
        return MINE.get();
    }

    float[] col(int n) {
        return col.length >= n ? col : (col = new float[n]);
    }

    float[] padded(int n) {
        return padded.length >= n ? padded : (padded = new float[n]);
    }

    float[] block(int n) {
        return block.length >= n ? block : (block = new float[n]);
    }

    float[] partial(int n) {
        return partial.length >= n ? partial : (partial = new float[n]);
    }
}
