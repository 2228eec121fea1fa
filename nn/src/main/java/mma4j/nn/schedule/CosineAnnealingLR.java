package mma4j.nn.schedule;

import mma4j.nn.optim.Optimizer;

/**
 * lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, the closed form of
 * torch.optim.lr_scheduler.CosineAnnealingLR (past T_max it climbs back, as PyTorch's does).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) throw new IllegalArgumentException("CosineAnnealingLR: T_max must be > 0, got " + tMax);
        if (!(etaMin >= 0)) throw new IllegalArgumentException("CosineAnnealingLR: eta_min must be >= 0, got " + etaMin);
        this.tMax = tMax;
        this.etaMin = etaMin;
        start();
    }

    @Override
    protected double lr(int group, int epoch) {
        if (epoch == 0) return baseLr(group);   // exactly the base rate, as PyTorch's first step (the formula may round it)
        return etaMin + (baseLr(group) - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
