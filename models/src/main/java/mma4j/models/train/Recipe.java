package mma4j.models.train;

import java.util.Arrays;

/**
 * A training recipe: everything about how a model is trained, with the paper's values as each
 * model's default (shared/reference/paper-results.md, "Training recipes"). Command-line flags
 * override single fields.
 */
public record Recipe(int epochs, int batchSize, double lr, double momentum, double weightDecay,
                     String schedule, int[] milestones, double gamma, float regCoef, boolean augment) {

    public Recipe {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (!(regCoef >= 0) || Float.isInfinite(regCoef)) throw new IllegalArgumentException("regularizer coefficient must be >= 0, got " + regCoef);
        if (!java.util.List.of("multistep", "cosine", "cosine-steps", "constant").contains(schedule)) {
            throw new IllegalArgumentException("unknown schedule '" + schedule + "'; known: multistep, cosine, cosine-steps, constant");
        }
        milestones = milestones.clone();
    }

    /** The paper's recipe for a model on a dataset (ours for vgg_small on Fashion-MNIST). */
    public static Recipe defaults(String model, String dataset) {
        boolean tiny = dataset.equals("tiny-imagenet");
        if (model.equals("vgg_small")) {
            // One epoch: the learning rate anneals over the steps, not the epochs, and no augmentation
            // (random crops and flips pay off over many epochs; in one they only slow the fit).
            return new Recipe(1, 64, 0.02, 0.9, 5e-4, "cosine-steps", new int[0], 0.1, 0.07f, false);
        }
        if (model.startsWith("vgg")) {
            return new Recipe(164, 128, 0.1, 0.9, 5e-4, "multistep", new int[] {81, 122}, 0.1, 0.07f, true);
        }
        if (model.startsWith("resnet")) {
            return new Recipe(164, 128, 0.1, 0.9, 1e-4, "multistep", new int[] {81, 122}, 0.1, tiny ? 0.01f : 0.03f, true);
        }
        if (model.startsWith("wrn")) {
            return new Recipe(200, 128, 0.1, 0.9, 5e-4, "multistep", new int[] {60, 120, 160}, 0.2, 0.03f, true);
        }
        if (model.startsWith("densenet")) {
            return new Recipe(300, 64, 0.1, 0.9, 1e-4, "multistep", new int[] {150, 225}, 0.1, 0.03f, true);
        }
        throw new IllegalArgumentException("no recipe for model '" + model + "'");
    }

    public Recipe withEpochs(int e) { return new Recipe(e, batchSize, lr, momentum, weightDecay, schedule, milestones, gamma, regCoef, augment); }
    public Recipe withBatchSize(int b) { return new Recipe(epochs, b, lr, momentum, weightDecay, schedule, milestones, gamma, regCoef, augment); }
    public Recipe withLr(double v) { return new Recipe(epochs, batchSize, v, momentum, weightDecay, schedule, milestones, gamma, regCoef, augment); }
    public Recipe withWeightDecay(double v) { return new Recipe(epochs, batchSize, lr, momentum, v, schedule, milestones, gamma, regCoef, augment); }
    public Recipe withSchedule(String s, int[] m) { return new Recipe(epochs, batchSize, lr, momentum, weightDecay, s, m == null ? milestones : m, gamma, regCoef, augment); }
    public Recipe withRegCoef(float c) { return new Recipe(epochs, batchSize, lr, momentum, weightDecay, schedule, milestones, gamma, c, augment); }

    public Recipe withAugment(boolean a) { return new Recipe(epochs, batchSize, lr, momentum, weightDecay, schedule, milestones, gamma, regCoef, a); }

    @Override
    public int[] milestones() {
        return milestones.clone();
    }

    @Override
    public String toString() {
        return "epochs=" + epochs + " batch=" + batchSize + " lr=" + lr + " momentum=" + momentum + " wd=" + weightDecay
                + " schedule=" + schedule + (schedule.equals("multistep") ? Arrays.toString(milestones) + "x" + gamma : "") + " reg-coef=" + regCoef + " augment=" + augment;
    }
}
