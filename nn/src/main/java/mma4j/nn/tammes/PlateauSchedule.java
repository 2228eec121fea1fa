package mma4j.nn.tammes;

/**
 * PyTorch's ReduceLROnPlateau with its defaults (mode min, threshold 1e-4 relative, cooldown 0,
 * min_lr 0, eps 1e-8), the paper's "LR divided by 5 when the loss plateaus" (factor 0.2,
 * patience 10). Kept bit-for-bit in its rule: a loss counts as better when it is below
 * best * (1 - threshold), which for a negative loss (MMA's) also admits a hair-worse value.
 */
final class PlateauSchedule {
    private final double factor, threshold;
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;
    private double lr;

    PlateauSchedule(double lr, double factor, int patience, double threshold) {
        this.lr = lr;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
    }

    /** Records one loss value; returns the learning rate for the next step. */
    double step(double loss) {
        if (loss < best * (1 - threshold)) {
            best = loss;
            bad = 0;
        } else {
            bad++;
        }
        if (bad > patience) {
            double next = lr * factor;
            if (lr - next > 1e-8) lr = next;
            bad = 0;
        }
        return lr;
    }

    double lr() {
        return lr;
    }
}
