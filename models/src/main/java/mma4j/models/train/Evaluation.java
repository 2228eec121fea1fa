package mma4j.models.train;

import mma4j.autograd.GradMode;
import mma4j.autograd.Variable;
import mma4j.models.data.Batch;
import mma4j.models.data.DataLoader;
import mma4j.nn.Module;
import mma4j.tensor.Device;

/** Top-1 / top-5 accuracy of a model over a loader, in eval mode and without recording a graph. */
public final class Evaluation {
    /** Accuracies in percent, and (when asked for) each sample's predicted class in loader order. */
    public record Result(double top1, double top5, int samples, int[] labels, int[] predictions) {}

    private Evaluation() {}

    public static Result run(Module model, DataLoader loader, Device device, int limitBatches, boolean keepPredictions) {
        boolean wasTraining = model.isTraining();
        model.eval();
        int n = 0, c1 = 0, c5 = 0;
        int total = limitBatches > 0 ? Math.min(limitBatches * loader.batchSize(), loader.samplesPerEpoch()) : loader.samplesPerEpoch();
        int[] labels = keepPredictions ? new int[total] : null, preds = keepPredictions ? new int[total] : null;
        try (var scope = GradMode.noGrad()) {
            int batches = 0;
            for (Batch b : loader) {
                if (limitBatches > 0 && batches++ >= limitBatches) continue; // drain the epoch so the loader moves on
                float[] logits = model.forward(Variable.of(b.images().to(device))).data().toArray();
                int classes = logits.length / b.size();
                for (int i = 0; i < b.size(); i++) {
                    int y = b.labels()[i], rank = 0, best = 0;
                    float target = logits[i * classes + y];
                    for (int j = 0; j < classes; j++) {
                        float v = logits[i * classes + j];
                        if (v > target || (v == target && j < y)) rank++;
                        if (v > logits[i * classes + best]) best = j;
                    }
                    if (rank == 0) c1++;
                    if (rank < 5) c5++;
                    if (keepPredictions) {
                        labels[n] = y;
                        preds[n] = best;
                    }
                    n++;
                }
            }
        } finally {
            if (wasTraining) model.train();
        }
        return new Result(100.0 * c1 / Math.max(n, 1), 100.0 * c5 / Math.max(n, 1), n, labels, preds);
    }
}
