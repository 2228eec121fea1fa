package mma4j.models.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import mma4j.models.data.ByteImageDataset;
import mma4j.models.data.DataLoader;
import mma4j.models.data.Datasets;
import mma4j.models.data.Split;
import mma4j.models.train.Checkpoint;
import mma4j.models.train.Evaluation;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.Module;
import mma4j.nn.StateDictException;
import mma4j.nn.safetensors.Json;
import mma4j.nn.safetensors.SafeTensors;
import mma4j.tensor.Device;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mma4j eval}: top-1 / top-5 accuracy of a saved model on a dataset split. The checkpoint
 * is a safetensors state dict with PyTorch's key names (what {@code mma4j train} writes, or a
 * PyTorch state_dict saved as safetensors); it must fit the model exactly.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a saved model: top-1 and top-5 accuracy on a dataset split, optionally each sample's prediction.",
                "The checkpoint is loaded strictly: every key of the model, no other key, the same shapes."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--model", required = true, paramLabel = "M", description = "Model name (see 'mma4j models').")
    String model;
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "safetensors state dict, or a 'mma4j train' output directory (its checkpoint.safetensors).")
    Path checkpoint;
    @Option(names = "--dataset", required = true, paramLabel = "D", description = "fashion-mnist, cifar10, cifar100 or tiny-imagenet.")
    String dataset;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory with the dataset's files (default: /usr/share/datasets/fashion-mnist for Fashion-MNIST, data/<dataset> otherwise).")
    Path dataDir;
    @Option(names = "--split", paramLabel = "SPLIT", description = "test or train; default: ${DEFAULT-VALUE} (TinyImageNet's test split is its labelled val folder).", defaultValue = "test")
    String split;
    @Option(names = "--predictions", paramLabel = "FILE.csv", description = "Write a CSV with one row per sample: index,label,predicted (dataset order).")
    Path predictions;
    @Option(names = "--json", description = "Print one JSON object: model, dataset, split, checkpoint, samples, top1, top5, predictions, seconds.")
    boolean json;
    @Option(names = "--batch-size", paramLabel = "N", description = "Batch size; default: ${DEFAULT-VALUE}.", defaultValue = "256")
    int batchSize;
    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: all cores).")
    Integer threads;
    @Option(names = "--device", paramLabel = "DEVICE", description = "cpu or cuda[:N]; default: ${DEFAULT-VALUE}.", defaultValue = "cpu")
    String device;

    @Override
    public Integer call() throws IOException {
        int before = Parallel.threads();
        try {
            return evaluate();
        } finally {
            Parallel.setThreads(before); // for callers in the same JVM (tests); a CLI process exits anyway
        }
    }

    private int evaluate() throws IOException {
        // Check every argument before the (possibly long) dataset read.
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        String ds = Datasets.canonical(dataset);
        Split sp = Split.parse(split);
        Device dev = Device.parse(device);
        if (!ModelZoo.names().contains(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "'; known models: " + String.join(", ", ModelZoo.names()));
        }
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve(Checkpoint.MODEL) : checkpoint;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("checkpoint " + file + " does not exist or is not a file");
        if (predictions != null && predictions.toAbsolutePath().getParent() != null && !Files.isDirectory(predictions.toAbsolutePath().getParent())) {
            throw new IllegalArgumentException("--predictions " + predictions + ": folder " + predictions.toAbsolutePath().getParent() + " does not exist");
        }
        if (threads != null) Parallel.setThreads(threads);
        int[] shape = Datasets.imageShape(ds);
        int classes = Datasets.numClasses(ds);
        Module m = ModelZoo.create(model, new ModelZoo.Spec(shape[0], shape[1], classes), new Generator(0));
        Map<String, Tensor> state = SafeTensors.load(file); // SafeTensorsException (bad input) names the file and key
        try {
            m.loadStateDict(state, true);
        } catch (StateDictException e) {
            throw new IllegalArgumentException("checkpoint " + file + " does not fit " + model + " for " + ds + " ("
                    + shape[0] + "x" + shape[1] + "x" + shape[2] + ", " + classes + " classes): " + e.getMessage(), e);
        }
        m.to(dev);

        Path dir = dataDir != null ? dataDir : Datasets.defaultDir(ds);
        ByteImageDataset data = Datasets.load(ds, dir, sp);
        long t0 = System.nanoTime();
        Evaluation.Result r;
        try (DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(false).dropLast(false)
                .transform(Datasets.testTransform(ds)).seed(0).prefetch(1).build()) {
            r = Evaluation.run(m, loader, dev, 0, predictions != null);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (predictions != null) writePredictions(predictions, r);

        PrintWriter out = spec.commandLine().getOut();
        String splitName = sp.name().toLowerCase(java.util.Locale.ROOT);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model);
            o.put("dataset", ds);
            o.put("split", splitName);
            o.put("checkpoint", file.toString());
            o.put("samples", r.samples());
            o.put("top1", r.top1());
            o.put("top5", r.top5());
            o.put("predictions", predictions == null ? null : predictions.toString());
            o.put("seconds", seconds);
            out.println(Json.write(o));
        } else {
            out.printf("%s on %s %s (%d images, %s): top-1 %.2f%%, top-5 %.2f%% (%.1f s, %d threads, %s)%n", model, ds, splitName,
                    r.samples(), file, r.top1(), r.top5(), seconds, Parallel.threads(), dev);
            if (predictions != null) out.printf("wrote %s%n", predictions);
        }
        out.flush();
        return 0;
    }

    /** index,label,predicted per sample, written to a temporary file and renamed so a failure leaves no half file. */
    static void writePredictions(Path file, Evaluation.Result r) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("index,label,predicted\n");
                for (int i = 0; i < r.samples(); i++) {
                    w.write(i + "," + r.labels()[i] + "," + r.predictions()[i] + "\n");
                }
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }
}
