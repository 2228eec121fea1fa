package mma4j.tensor.cpu;

/**
 * Buffers one thread reuses across convolution calls (column matrix, padded image, gathered
 * block, transposed weights, partial weight gradients, {@link WinogradConv}'s transformed
 * weights, inputs and products), grown to the largest size
 * asked for and never shrunk, so that a training loop does not allocate them at every layer
 * and step.
 */
final class ConvWorkspace {
    private static final ThreadLocal<ConvWorkspace> MINE = ThreadLocal.withInitial(ConvWorkspace::new);

    private float[] col = new float[0], padded = new float[0], block = new float[0], weights = new float[0];
    private float[][] partials = new float[0][];
    private float[] winogradWeights = new float[0], winogradInputs = new float[0], winogradProducts = new float[0];

    private final float[] tile = new float[MicroKernel.MR * MicroKernel.NR];

    /**
     * The distance between planes of n floats that a kernel touches all at once (WinogradConv's 16
     * planes of U, V and M, TapConv's nine weight taps): n rounded up to 4 KiB plus 256 bytes.
     * Planes a power of two apart (512 x 512 floats) would all map to the same cache sets: the
     * Winograd weight transform measured 6x slower so.
     */
    static int planeStride(int n) {
        return (n + 1023) / 1024 * 1024 + 64;
    }

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

    /** Scratch for one MR x NR block of accumulators. */
    float[] tile() {
        return tile;
    }

    float[] weights(int n) {
        return weights.length >= n ? weights : (weights = new float[n]);
    }

    /** Winograd U (or the weight gradient's dU): 16 x F x C. */
    float[] winogradWeights(int n) {
        return winogradWeights.length >= n ? winogradWeights : (winogradWeights = new float[n]);
    }

    /** Winograd V: 16 x C x tiles. */
    float[] winogradInputs(int n) {
        return winogradInputs.length >= n ? winogradInputs : (winogradInputs = new float[n]);
    }

    /** Winograd M (or the weight gradient's dM): 16 x F x tiles. */
    float[] winogradProducts(int n) {
        return winogradProducts.length >= n ? winogradProducts : (winogradProducts = new float[n]);
    }

    /** Partial-sum buffers of n floats for units 1..units-1 (slot 0 is left null: unit 0 writes the output). */
    float[][] partials(int units, int n) {
        if (partials.length < units) partials = java.util.Arrays.copyOf(partials, units);
        for (int u = 1; u < units; u++) if (partials[u] == null || partials[u].length < n) partials[u] = new float[n];
        float[][] mine = java.util.Arrays.copyOf(partials, units);
        if (units > 0) mine[0] = null;
        return mine;
    }
}
