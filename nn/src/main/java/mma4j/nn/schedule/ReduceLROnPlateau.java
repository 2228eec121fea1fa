package mma4j.nn.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.nn.optim.Optimizer;
import mma4j.nn.optim.ParamGroup;

/**
 * Cuts the learning rate when a metric stops improving, as
 * torch.optim.lr_scheduler.ReduceLROnPlateau. After each {@link #step(double)}:
 * <pre>
 *   better = mode MIN: metric < best * (1 - threshold)  (REL)  or  metric < best - threshold  (ABS)
 *            mode MAX: metric > best * (1 + threshold)  (REL)  or  metric > best + threshold  (ABS)
 *   better ? (best = metric, bad = 0) : bad += 1
 *   in cooldown: cooldown_counter -= 1, bad = 0
 *   bad > patience: lr = max(lr * factor, min_lr) for each group (only if it drops by more than eps),
 *                   cooldown_counter = cooldown, bad = 0
 * </pre>
 *
 * <pre>{@code
 * var plateau = ReduceLROnPlateau.builder(opt).mode(Mode.MAX).factor(0.5).patience(3).build();
 * plateau.step(testAccuracy);
 * }</pre>
 */
public final class ReduceLROnPlateau implements Schedule {
    public enum Mode { MIN, MAX }

    public enum ThresholdMode { REL, ABS }

    private final Optimizer<?> optimizer;
    private final Mode mode;
    private final ThresholdMode thresholdMode;
    private final double factor, threshold, eps;
    private final int patience, cooldown;
    private final double[] minLrs;
    private final double[] lastLr;
    private double best;
    private int numBadEpochs, cooldownCounter, lastEpoch;

    private ReduceLROnPlateau(Builder b) {
        if (!(b.factor < 1.0 && b.factor >= 0)) throw new IllegalArgumentException("ReduceLROnPlateau: factor should be < 1.0 and >= 0, got " + b.factor);
        if (b.patience < 0 || b.cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience and cooldown must be >= 0, got " + b.patience + ", " + b.cooldown);
        if (!(b.threshold >= 0)) throw new IllegalArgumentException("ReduceLROnPlateau: threshold must be >= 0, got " + b.threshold);
        int n = b.optimizer.paramGroups().size();
        double[] mins = b.minLrs != null ? b.minLrs.clone() : filled(n, b.minLr);
        if (mins.length != n) throw new IllegalArgumentException("ReduceLROnPlateau: expected " + n + " min_lrs, got " + mins.length);
        this.optimizer = b.optimizer;
        this.mode = b.mode;
        this.thresholdMode = b.thresholdMode;
        this.factor = b.factor;
        this.threshold = b.threshold;
        this.eps = b.eps;
        this.patience = b.patience;
        this.cooldown = b.cooldown;
        this.minLrs = mins;
        this.lastLr = new double[n];
        for (int i = 0; i < n; i++) lastLr[i] = optimizer.paramGroups().get(i).lr();
        this.best = worst();
    }

    public static Builder builder(Optimizer<?> optimizer) {
        return new Builder(optimizer);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private double worst() {
        return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Records one epoch's metric (e.g. validation loss for MIN, accuracy for MAX). */
    public void step(double metric) {
        if (Double.isNaN(metric)) throw new IllegalArgumentException("ReduceLROnPlateau.step: metric is NaN");
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > patience) {
            reduceLr();
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) lastLr[i] = groups.get(i).lr();
    }

    private boolean isBetter(double a) {
        if (mode == Mode.MIN) return thresholdMode == ThresholdMode.REL ? a < best * (1 - threshold) : a < best - threshold;
        return thresholdMode == ThresholdMode.REL ? a > best * (threshold + 1) : a > best + threshold;
    }

    private void reduceLr() {
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            double old = groups.get(i).lr();
            double next = Math.max(old * factor, minLrs[i]);
            if (old - next > eps) groups.get(i).setLr(next);
        }
    }

    public double best() { return best; }
    public int numBadEpochs() { return numBadEpochs; }
    public int cooldownCounter() { return cooldownCounter; }
    public int lastEpoch() { return lastEpoch; }

    @Override
    public double[] lastLr() {
        return lastLr.clone();
    }

    @Override
    public Map<String, Double> state() {
        LinkedHashMap<String, Double> s = new LinkedHashMap<>();
        s.put("best", best);
        s.put("num_bad_epochs", (double) numBadEpochs);
        s.put("cooldown_counter", (double) cooldownCounter);
        s.put("last_epoch", (double) lastEpoch);
        for (int i = 0; i < lastLr.length; i++) s.put("last_lr." + i, lastLr[i]);
        return s;
    }

    @Override
    public void loadState(Map<String, Double> state) {
        List<String> problems = new ArrayList<>();
        StateReader r = new StateReader("ReduceLROnPlateau", state, problems);
        double b = r.get("best"), bad = r.get("num_bad_epochs"), cd = r.get("cooldown_counter"), epoch = r.get("last_epoch");
        double[] last = new double[lastLr.length];
        for (int i = 0; i < last.length; i++) last[i] = r.get("last_lr." + i);
        r.finish(state.keySet());
        for (double v : new double[] {bad, cd, epoch}) {
            if (!Double.isNaN(v) && !(v == Math.rint(v) && v >= 0)) problems.add("counters must be integers >= 0, got " + v);
        }
        StateReader.throwIfAny("ReduceLROnPlateau", problems);
        best = b;
        numBadEpochs = (int) bad;
        cooldownCounter = (int) cd;
        lastEpoch = (int) epoch;
        System.arraycopy(last, 0, lastLr, 0, last.length);
    }

    /** PyTorch's defaults: MIN, factor 0.1, patience 10, threshold 1e-4 REL, cooldown 0, min_lr 0, eps 1e-8. */
    public static final class Builder {
        private final Optimizer<?> optimizer;
        private Mode mode = Mode.MIN;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private double factor = 0.1, threshold = 1e-4, eps = 1e-8, minLr = 0;
        private double[] minLrs;
        private int patience = 10, cooldown = 0;

        private Builder(Optimizer<?> optimizer) {
            if (optimizer == null) throw new IllegalArgumentException("ReduceLROnPlateau: optimizer must not be null");
            this.optimizer = optimizer;
        }

        public Builder mode(Mode m) { this.mode = m; return this; }
        public Builder factor(double f) { this.factor = f; return this; }
        public Builder patience(int p) { this.patience = p; return this; }
        public Builder threshold(double t) { this.threshold = t; return this; }
        public Builder thresholdMode(ThresholdMode m) { this.thresholdMode = m; return this; }
        public Builder cooldown(int c) { this.cooldown = c; return this; }
        /** The same lower bound for every group. */
        public Builder minLr(double m) { this.minLr = m; this.minLrs = null; return this; }
        /** One lower bound per group. */
        public Builder minLrs(double... m) { this.minLrs = m.clone(); return this; }
        /** The smallest change of learning rate that is applied. */
        public Builder eps(double e) { this.eps = e; return this; }

        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}
