package mma4j.models.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import mma4j.models.data.Datasets;
import mma4j.models.train.Recipe;
import mma4j.models.train.TrainOptions;
import mma4j.models.train.Trainer;
import mma4j.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mma4j train}: train a model with or without an angular regularizer. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model, with MMA (or another angular regularizer) added to the loss.",
                "With no options: a small VGG-style net with MMA on Fashion-MNIST for one epoch.",
                "Unset options take the model's recipe from the paper (epochs, LR schedule, weight decay, batch size, coefficient)."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model name (see 'mma4j models'); default: ${DEFAULT-VALUE}.", defaultValue = "vgg_small")
    String model;
    @Option(names = "--dataset", description = "fashion-mnist, cifar10, cifar100 or tiny-imagenet; default: ${DEFAULT-VALUE}.", defaultValue = "fashion-mnist")
    String dataset;
    @Option(names = "--data-dir", description = "Directory with the dataset's files (default: /usr/share/datasets/fashion-mnist for Fashion-MNIST, data/<dataset> otherwise).")
    Path dataDir;
    @Option(names = "--epochs", description = "Epochs (recipe default).")
    Integer epochs;
    @Option(names = "--batch-size", description = "Batch size (recipe default).")
    Integer batchSize;
    @Option(names = "--lr", description = "Initial learning rate (recipe default).")
    Double lr;
    @Option(names = "--schedule", description = "multistep[:M1,M2,...], cosine (per epoch), cosine-steps (per step) or constant (recipe default).")
    String schedule;
    @Option(names = "--weight-decay", description = "SGD weight decay (recipe default).")
    Double weightDecay;
    @Option(names = "--augment", arity = "1", description = "Random crop and flip on the training images: true or false (recipe default: true, false for vgg_small).")
    Boolean augment;
    @Option(names = "--reg", description = "mma, orthogonal, mhe (MHE s=2 on 30%% of rows), mhe0, mhe1, mhe2, cosine or none; default: ${DEFAULT-VALUE}.", defaultValue = "mma")
    String reg;
    @Option(names = "--reg-coef", description = "Regularizer coefficient lambda (recipe default: 0.07 plain nets, 0.03 with skip connections).")
    Float regCoef;
    @Option(names = "--reg-layers", description = "hidden, output or all; default: ${DEFAULT-VALUE}.", defaultValue = "all")
    String regLayers;
    @Option(names = "--seed", description = "Random seed; default: ${DEFAULT-VALUE}.", defaultValue = "0")
    long seed;
    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;
    @Option(names = "--device", description = "cpu or cuda[:N]; default: ${DEFAULT-VALUE}.", defaultValue = "cpu")
    String device;
    @Option(names = "--out", description = "Output directory (default: runs/<model>-<dataset>-<reg>, numbered if it exists).")
    Path out;
    @Option(names = "--resume", description = "Continue the run in this --out directory from its last checkpoint.")
    Path resume;
    @Option(names = "--limit-batches", description = "Train and test on only this many batches per epoch (a quick look).", defaultValue = "0")
    int limitBatches;
    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        String ds = Datasets.canonical(dataset);
        Recipe r = Recipe.defaults(model, ds);
        if (epochs != null) r = r.withEpochs(epochs);
        if (batchSize != null) r = r.withBatchSize(batchSize);
        if (lr != null) r = r.withLr(lr);
        if (weightDecay != null) r = r.withWeightDecay(weightDecay);
        if (regCoef != null) r = r.withRegCoef(regCoef);
        if (schedule != null) r = parseSchedule(r, schedule);
        if (augment != null) r = r.withAugment(augment);
        Path dir = resume != null ? resume : out != null ? out : freshDir(Path.of("runs", model + "-" + ds + "-" + reg));
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        TrainOptions o = new TrainOptions(model, ds, dataDir, r, reg, regLayers, seed, t, dir, Device.parse(device), !noProgress, limitBatches);
        try {
            new Trainer(o, System.out).run(resume != null);
        } catch (Trainer.DivergedException e) {
            System.err.println("mma4j train: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    static Recipe parseSchedule(Recipe r, String s) {
        if (s.startsWith("multistep")) {
            int[] m = null;
            if (s.startsWith("multistep:")) {
                try {
                    m = java.util.Arrays.stream(s.substring(10).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--schedule " + s + ": milestones must be integers, e.g. multistep:81,122");
                }
            }
            return r.withSchedule("multistep", m);
        }
        return r.withSchedule(s, null);
    }

    private static Path freshDir(Path p) {
        if (!Files.exists(p)) return p;
        for (int i = 2; ; i++) {
            Path q = Path.of(p + "-" + i);
            if (!Files.exists(q)) return q;
        }
    }
}
