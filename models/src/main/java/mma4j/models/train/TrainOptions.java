package mma4j.models.train;

import java.nio.file.Path;
import mma4j.tensor.Device;

/**
 * Everything one training run needs. {@code limitBatches} > 0 trains (and tests) on only that
 * many batches per epoch, for smoke tests and quick looks.
 */
public record TrainOptions(String model, String dataset, Path dataDir, Recipe recipe, String reg, String regLayers,
                           long seed, int threads, Path out, Device device, boolean progress, int limitBatches) {

    public TrainOptions {
        if (!reg.equals("none") && !mma4j.nn.regularizers.Regularizers.NAMES.contains(reg)) {
            throw new IllegalArgumentException("unknown regularizer '" + reg + "'; known: none, " + String.join(", ", mma4j.nn.regularizers.Regularizers.NAMES));
        }
        if (!java.util.List.of("hidden", "output", "all").contains(regLayers)) {
            throw new IllegalArgumentException("unknown --reg-layers '" + regLayers + "'; known: hidden, output, all");
        }
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (limitBatches < 0) throw new IllegalArgumentException("limitBatches must be >= 0, got " + limitBatches);
    }
}
