package mma4j.nn.schedule;

import mma4j.nn.optim.Optimizer;

/** lr = base_lr * gamma^floor(epoch / step_size), as torch.optim.lr_scheduler.StepLR. */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer<?> optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer<?> optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) throw new IllegalArgumentException("StepLR: step_size must be > 0, got " + stepSize);
        if (!(gamma >= 0)) throw new IllegalArgumentException("StepLR: gamma must be >= 0, got " + gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
        start();
    }

    @Override
    protected double lr(int group, int epoch) {
        return baseLr(group) * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
    }
}
