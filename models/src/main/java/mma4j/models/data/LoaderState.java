package mma4j.models.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a {@link DataLoader} stands: the next batch it gives is batch {@code batch} of epoch
 * {@code epoch}. With the seed that is all it takes to draw the same shuffles and augmentations
 * again (they are derived from it, see Seeds); {@code samples} and {@code batchSize} are recorded so
 * that resuming with a different dataset or batch size fails instead of silently differing.
 */
public record LoaderState(long seed, int epoch, int batch, int samples, int batchSize) {
    public LoaderState {
        if (epoch < 0 || batch < 0 || samples <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("LoaderState: epoch and batch must be >= 0, samples and batchSize > 0, got epoch " + epoch
                    + ", batch " + batch + ", samples " + samples + ", batchSize " + batchSize);
        }
    }

    /** For state.json: seed, epoch, batch, samples, batch_size. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("epoch", (long) epoch);
        m.put("batch", (long) batch);
        m.put("samples", (long) samples);
        m.put("batch_size", (long) batchSize);
        return m;
    }

    public static LoaderState fromMap(Map<String, ? extends Number> m) {
        return new LoaderState(need(m, "seed").longValue(), Math.toIntExact(need(m, "epoch").longValue()),
                Math.toIntExact(need(m, "batch").longValue()), Math.toIntExact(need(m, "samples").longValue()),
                Math.toIntExact(need(m, "batch_size").longValue()));
    }

    private static Number need(Map<String, ? extends Number> m, String key) {
        Number v = m.get(key);
        if (v == null) throw new IllegalArgumentException("LoaderState: missing '" + key + "' in " + m);
        return v;
    }
}
