package mma4j.nn.schedule;

import java.util.Arrays;
import mma4j.nn.optim.Optimizer;

/**
 * lr = base_lr * gamma^(number of milestones <= epoch), as
 * torch.optim.lr_scheduler.MultiStepLR (a milestone listed twice counts twice).
 */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer<?> optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    public MultiStepLR(Optimizer<?> optimizer, int[] milestones, double gamma) {
        super(optimizer);
        if (!(gamma >= 0)) throw new IllegalArgumentException("MultiStepLR: gamma must be >= 0, got " + gamma);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
        start();
    }

    @Override
    protected double lr(int group, int epoch) {
        int passed = 0;
        while (passed < milestones.length && milestones[passed] <= epoch) passed++;   // bisect_right
        return baseLr(group) * Math.pow(gamma, passed);
    }

    public int[] milestones() {
        return milestones.clone();
    }
}
