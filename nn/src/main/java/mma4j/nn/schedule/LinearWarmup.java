package mma4j.nn.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import mma4j.nn.optim.Optimizer;

/**
 * Linear warm-up in front of another schedule: lr(epoch) = inner.lr(epoch) * factor(epoch) with
 * factor rising linearly from startFactor at epoch 0 to 1 at epoch warmupSteps and staying 1
 * after. This is PyTorch's ChainedScheduler([LinearLR(start_factor, total_iters=warmupSteps),
 * inner]): the inner schedule runs on the same clock, so its milestones stay where they were
 * (MultiStepLR [100, 150] still drops at 100 and 150). With no inner schedule the rate after
 * warm-up is the base rate.
 *
 * <pre>{@code
 * var schedule = new LinearWarmup(opt, new MultiStepLR(opt, new int[] {100, 150}), 5, 0.1);
 * }</pre>
 * Build the inner schedule first, and step only the warm-up (it advances the inner one).
 */
public final class LinearWarmup extends LRScheduler {
    private final LRScheduler inner;
    private final int warmupSteps;
    private final double startFactor;

    public LinearWarmup(Optimizer<?> optimizer, LRScheduler inner, int warmupSteps, double startFactor) {
        super(optimizer);
        if (inner != null && inner.optimizer != optimizer) throw new IllegalArgumentException("LinearWarmup: the inner schedule drives another optimizer");
        if (warmupSteps <= 0) throw new IllegalArgumentException("LinearWarmup: warmupSteps must be > 0, got " + warmupSteps);
        if (!(startFactor > 0 && startFactor <= 1)) throw new IllegalArgumentException("LinearWarmup: startFactor must be in (0, 1], got " + startFactor);
        if (inner != null && inner.lastEpoch() != 0) {
            throw new IllegalArgumentException("LinearWarmup: the inner schedule has already been stepped (epoch " + inner.lastEpoch() + "); wrap a fresh one");
        }
        this.inner = inner;
        this.warmupSteps = warmupSteps;
        this.startFactor = startFactor;
        start();
    }

    /** startFactor + (1 - startFactor) * min(epoch, warmupSteps) / warmupSteps (PyTorch's LinearLR). */
    public double factor(int epoch) {
        return startFactor + (1 - startFactor) * Math.min(epoch, warmupSteps) / warmupSteps;
    }

    @Override
    protected double lr(int group, int epoch) {
        return (inner == null ? baseLr(group) : inner.lr(group, epoch)) * factor(epoch);
    }

    @Override
    public void step() {
        super.step();
        if (inner != null) inner.setLastEpoch(lastEpoch());
    }

    @Override
    public Map<String, Double> state() {
        LinkedHashMap<String, Double> s = new LinkedHashMap<>(super.state());
        if (inner != null) for (var e : inner.state().entrySet()) s.put("inner." + e.getKey(), e.getValue());
        return s;
    }

    @Override
    public void loadState(Map<String, Double> state) {
        LinkedHashMap<String, Double> own = new LinkedHashMap<>(), nested = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            if (e.getKey().startsWith("inner.")) nested.put(e.getKey().substring("inner.".length()), e.getValue());
            else own.put(e.getKey(), e.getValue());
        }
        if (inner == null && !nested.isEmpty()) throw new IllegalArgumentException("LinearWarmup.loadState: saved state has an inner schedule, this warm-up has none");
        // Check both before changing either.
        if (inner != null) {
            Map<String, Double> innerBefore = inner.state();
            inner.loadState(nested);
            try {
                super.loadState(own);
            } catch (IllegalArgumentException e) {
                inner.loadState(innerBefore);
                throw e;
            }
        } else {
            super.loadState(own);
        }
    }
}
