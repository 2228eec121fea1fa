package mma4j.models.train;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;
import mma4j.nn.Module;
import mma4j.nn.optim.Optimizer;
import mma4j.tensor.Device;
import mma4j.tensor.Tensor;

/**
 * One SGD step: forward, cross-entropy, the regularizer term, backward, update. The loss values
 * are checked before the update, so a non-finite loss never reaches the weights.
 */
public final class TrainStep {
    private final Module model;
    private final Optimizer<?> optimizer;
    private final Penalty penalty;
    private final Device device;

    public TrainStep(Module model, Optimizer<?> optimizer, Penalty penalty, Device device) {
        this.model = model;
        this.optimizer = optimizer;
        this.penalty = penalty;
        this.device = device;
    }

    /** Loss values of one step and the logits it computed. */
    public record Result(float taskLoss, float regTerm, Tensor logits) {}

    /** Thrown (before any update) when the task loss or the regularizer term is NaN or infinite. */
    public static final class NonFiniteLoss extends RuntimeException {
        public NonFiniteLoss(String what) {
            super(what);
        }
    }

    public Result run(Tensor images, int[] labels) {
        Variable logits = model.forward(Variable.of(images.to(device)));
        Variable task = Functional.crossEntropy(logits, labels);
        float taskValue = task.item();
        if (!Float.isFinite(taskValue)) throw new NonFiniteLoss("task loss " + taskValue);
        Variable reg = penalty.term(model);
        float regValue = reg == null ? 0f : reg.item();
        if (!Float.isFinite(regValue)) throw new NonFiniteLoss("regularizer term " + regValue);
        optimizer.zeroGrad();
        (reg == null ? task : task.add(reg)).backward();
        optimizer.step();
        return new Result(taskValue, regValue, logits.data());
    }
}
