package mma4j.nn.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.nn.optim.Optimizer;
import mma4j.nn.optim.ParamGroup;

/**
 * An epoch-based schedule, as torch.optim.lr_scheduler.LRScheduler: each {@link #step()} moves
 * to the next epoch (or iteration: the caller decides what a step is) and sets every group's
 * learning rate to {@link #lr(int, int)}, a closed form of the base learning rate (each group's
 * initial_lr, recorded when the first schedule is attached) and the epoch. Construction is
 * step 0 and sets the epoch-0 rates, as in PyTorch.
 *
 * <p>Closed forms (PyTorch's _get_closed_form_lr) rather than PyTorch's chained updates: the
 * values are the same up to the last bits of a double, and a closed form composes: a
 * {@link LinearWarmup} multiplies it without drift.
 */
public abstract class LRScheduler implements Schedule {
    protected final Optimizer<?> optimizer;
    private final double[] baseLrs;
    private final double[] lastLr;
    private int lastEpoch = -1;

    protected LRScheduler(Optimizer<?> optimizer) {
        if (optimizer == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer must not be null");
        this.optimizer = optimizer;
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        lastLr = new double[groups.size()];
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup<?> g = groups.get(i);
            if (Double.isNaN(g.initialLr())) g.setInitialLr(g.lr());
            baseLrs[i] = g.initialLr();
        }
    }

    /** Subclasses call this at the end of their constructor: epoch 0 and its learning rates. */
    protected final void start() {
        step();
    }

    /** The learning rate of group {@code group} at {@code epoch}. */
    protected abstract double lr(int group, int epoch);

    /** Advances one epoch and sets the learning rates. */
    public void step() {
        lastEpoch++;
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            lastLr[i] = lr(i, lastEpoch);
            groups.get(i).setLr(lastLr[i]);
        }
    }

    public final int lastEpoch() {
        return lastEpoch;
    }

    final void setLastEpoch(int e) {
        lastEpoch = e;
    }

    public final double baseLr(int group) {
        return baseLrs[group];
    }

    public final int numGroups() {
        return baseLrs.length;
    }

    @Override
    public final double[] lastLr() {
        return lastLr.clone();
    }

    @Override
    public Map<String, Double> state() {
        LinkedHashMap<String, Double> s = new LinkedHashMap<>();
        s.put("last_epoch", (double) lastEpoch);
        for (int i = 0; i < baseLrs.length; i++) s.put("base_lrs." + i, baseLrs[i]);
        for (int i = 0; i < lastLr.length; i++) s.put("last_lr." + i, lastLr[i]);
        return s;
    }

    @Override
    public void loadState(Map<String, Double> state) {
        List<String> problems = new ArrayList<>();
        StateReader r = new StateReader(getClass().getSimpleName(), state, problems);
        double epoch = r.get("last_epoch");
        double[] base = new double[baseLrs.length], last = new double[lastLr.length];
        for (int i = 0; i < base.length; i++) {
            base[i] = r.get("base_lrs." + i);
            last[i] = r.get("last_lr." + i);
        }
        r.finish(state.keySet());
        if (!(epoch == Math.rint(epoch) && epoch >= -1)) problems.add("last_epoch must be an integer >= -1, got " + epoch);
        StateReader.throwIfAny(getClass().getSimpleName(), problems);
        lastEpoch = (int) epoch;
        System.arraycopy(base, 0, baseLrs, 0, base.length);
        System.arraycopy(last, 0, lastLr, 0, last.length);
    }
}
