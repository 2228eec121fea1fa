package mma4j.models.bench;

import mma4j.models.train.Penalty;
import mma4j.models.train.TrainStep;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.Module;
import mma4j.nn.optim.SGD;
import mma4j.tensor.Device;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;

/**
 * A ready-to-time training step of a CIFAR-100 model on a fixed random batch, with one of the
 * regularizers of the paper's Table 3 at its Table 3 coefficient. Shared by {@code mma4j bench}
 * and the JMH TrainStepBench.
 */
public final class StepSetup {
    /** Benchmark name -> (regularizer name, coefficient). MHE is the 30% mini-batch variant, as in Table 3. */
    public static String regularizerFor(String benchReg) {
        return switch (benchReg) {
            case "none" -> "none";
            case "mma" -> "mma";
            case "orthogonal" -> "orthogonal";
            case "mhe2" -> "mhe2-batch";
            case "mhe0" -> "mhe0-batch";
            default -> throw new IllegalArgumentException("unknown benchmark regularizer '" + benchReg + "'; known: none, mma, orthogonal, mhe2, mhe0");
        };
    }

    public static float coefficientFor(String benchReg, String model) {
        return switch (benchReg) {
            case "mma" -> model.startsWith("vgg") ? 0.07f : 0.03f;
            case "orthogonal" -> 1e-4f;
            case "mhe2", "mhe0" -> 1.0f;
            default -> 0f;
        };
    }

    public final Module model;
    public final TrainStep step;
    public final Tensor images;
    public final int[] labels;

    public StepSetup(String modelName, int batch, String benchReg, long seed) {
        model = ModelZoo.create(modelName, 100, seed);
        model.train();
        SGD opt = new SGD(model.parameters(), SGD.options(0.01).momentum(0.9).weightDecay(5e-4));
        Penalty penalty = Penalty.create(regularizerFor(benchReg), coefficientFor(benchReg, modelName), "all", seed);
        step = new TrainStep(model, opt, penalty, Device.CPU);
        Generator g = new Generator(seed + 1);
        images = Tensor.randn(g, batch, 3, 32, 32);
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = g.nextInt(100);
    }

    public TrainStep.Result run() {
        return step.run(images, labels);
    }
}
