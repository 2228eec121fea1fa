package mma4j.nn;

import mma4j.autograd.Functional;
import mma4j.autograd.Variable;

/**
 * Mean cross-entropy of logits [N, C] against class indices, as torch.nn.CrossEntropyLoss; with
 * label smoothing s the target is (1 - s) one-hot + s / C uniform.
 */
public class CrossEntropyLoss extends Loss {
    private final float labelSmoothing;

    public CrossEntropyLoss() {
        this(0f);
    }

    public CrossEntropyLoss(float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.labelSmoothing = labelSmoothing;
    }

    public Variable forward(Variable logits, int[] targets) {
        return Functional.crossEntropy(logits, targets, labelSmoothing);
    }

    public float labelSmoothing() {
        return labelSmoothing;
    }

    @Override
    protected String extraRepr() {
        return labelSmoothing == 0f ? "" : "label_smoothing=" + labelSmoothing;
    }
}
