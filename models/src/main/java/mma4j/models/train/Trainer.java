package mma4j.models.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import mma4j.models.data.Batch;
import mma4j.models.data.ByteImageDataset;
import mma4j.models.data.DataLoader;
import mma4j.models.data.Datasets;
import mma4j.models.data.Split;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.Module;
import mma4j.nn.optim.OptimizerState;
import mma4j.nn.optim.SGD;
import mma4j.nn.schedule.CosineAnnealingLR;
import mma4j.nn.schedule.LRScheduler;
import mma4j.nn.schedule.MultiStepLR;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import mma4j.tensor.cpu.Parallel;

/**
 * The training loop behind {@code mma4j train}: SGD on the task loss plus the angular
 * regularizer, a test evaluation, a metrics line and a checkpoint after every epoch, plots at the
 * end. A run resumed from its --out directory continues exactly as if it had not stopped
 * (same thread count): the model, optimizer buffers, schedule, generator and loader position
 * are all restored.
 */
public final class Trainer {
    private final TrainOptions o;
    private final PrintStream log;

    public Trainer(TrainOptions options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    /** What a finished run reports. */
    public record Summary(Path out, int epochs, double testTop1, double testTop5, double lastTrainLoss, Map<String, Double> minAngles) {}

    /** Raised when the loss stops being a finite number; the last good checkpoint is kept. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    public Summary run(boolean resume) throws IOException {
        Parallel.setThreads(o.threads());
        String dataset = Datasets.canonical(o.dataset());
        Path dataDir = o.dataDir() != null ? o.dataDir() : Datasets.defaultDir(dataset);
        ByteImageDataset train = Datasets.load(dataset, dataDir, Split.TRAIN);
        ByteImageDataset test = Datasets.load(dataset, dataDir, Split.TEST);
        int[] shape = Datasets.imageShape(dataset);
        Recipe r = o.recipe();

        Generator modelGen = new Generator(o.seed());
        Module model = ModelZoo.create(o.model(), new ModelZoo.Spec(shape[0], shape[1], Datasets.numClasses(dataset)), modelGen);
        model.to(o.device());
        SGD opt = new SGD(model.parameters(), SGD.options(r.lr()).momentum(r.momentum()).weightDecay(r.weightDecay()));
        LRScheduler schedule = switch (r.schedule()) {
            case "multistep" -> new MultiStepLR(opt, r.milestones(), r.gamma());
            case "cosine" -> new CosineAnnealingLR(opt, r.epochs());
            case "cosine-steps" -> new CosineAnnealingLR(opt, r.epochs() * stepsPerEpoch(train.size(), r.batchSize()));
            default -> new MultiStepLR(opt, new int[0], 1.0);
        };
        Penalty penalty = Penalty.create(o.reg(), r.regCoef(), o.regLayers(), o.seed());

        try (DataLoader trainLoader = DataLoader.builder(train).batchSize(r.batchSize()).shuffle(true).dropLast(false)
                     .transform(r.augment() ? Datasets.trainTransform(dataset) : Datasets.testTransform(dataset)).seed(o.seed()).prefetch(2).build();
             DataLoader testLoader = DataLoader.builder(test).batchSize(256).shuffle(false)
                     .transform(Datasets.testTransform(dataset)).seed(o.seed()).prefetch(1).build()) {
            Run run = new Run(model, modelGen, opt, schedule, penalty, trainLoader, testLoader,
                    String.format("%s (%s, %d train / %d test images)", dataset, dataDir, train.size(), test.size()));
            return train(run, resume);
        }
    }

    /** Everything one run trains with; {@code data} describes the dataset for the log. */
    private record Run(Module model, Generator modelGen, SGD opt, LRScheduler schedule, Penalty penalty,
                       DataLoader trainLoader, DataLoader testLoader, String data) {}

    private Summary train(Run run, boolean resume) throws IOException {
        Recipe r = o.recipe();
        Module model = run.model();
        SGD opt = run.opt();
        LRScheduler schedule = run.schedule();
        Files.createDirectories(o.out());
        MetricsLog metrics = new MetricsLog(o.out().resolve("metrics.jsonl"));

        int startEpoch = 0;
        if (resume) {
            Checkpoint.Loaded ck = Checkpoint.load(o.out());
            model.loadStateDict(ck.model(), true);
            model.to(o.device());
            startEpoch = ((Number) ck.state().get("epoch")).intValue();
            opt.loadState(new OptimizerState(ck.optimizer(), doubles(ck.state().get("optimizer"))));
            schedule.loadState(doubles(ck.state().get("schedule")));
            run.modelGen().setState(longs(ck.state().get("generator")));
            metrics.truncateAfter(startEpoch);
            StepLog.truncateAfter(o.out(), startEpoch);
            log.printf("resuming %s from epoch %d of %d%n", o.out(), startEpoch, r.epochs());
        } else {
            Files.deleteIfExists(metrics.file());
            Files.deleteIfExists(StepLog.file(o.out()));
        }
        log.printf("%s on %s, %,d parameters, reg %s on %s layers, %s, seed %d, %d threads, device %s%n",
                o.model(), run.data(), model.parameterCount(), o.reg(), o.regLayers(), r, o.seed(), Parallel.threads(), o.device());

        Evaluation.Result eval = null;
        double lastLoss = Double.NaN;
        Map<String, Double> angles = Map.of();
        for (int epoch = startEpoch; epoch < r.epochs(); epoch++) {
            run.trainLoader().setEpoch(epoch);
            run.penalty().startEpoch(epoch);
            long t0 = System.nanoTime();
            EpochStats s = trainEpoch(model, opt, schedule, run.penalty(), run.trainLoader(), epoch);
            if (!r.schedule().equals("cosine-steps")) schedule.step();
            double seconds = (System.nanoTime() - t0) / 1e9;
            run.testLoader().setEpoch(0);
            eval = Evaluation.run(model, run.testLoader(), o.device(), o.limitBatches(), false);
            angles = AngleProbe.minAnglesDeg(AngleProbe.report(model));
            lastLoss = s.taskLoss();

            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("epoch", epoch + 1);
            rec.put("train_loss", s.taskLoss());
            rec.put("reg_loss", s.regLoss());
            rec.put("train_top1", s.top1());
            rec.put("test_top1", eval.top1());
            rec.put("test_top5", eval.top5());
            rec.put("seconds", seconds);
            rec.put("images_per_second", s.images() / seconds);
            rec.put("lr", opt.paramGroups().get(0).options().lr());
            rec.put("min_angles_deg", new LinkedHashMap<>(angles));
            metrics.append(rec);
            StepLog.append(o.out(), s.steps());
            saveCheckpoint(model, opt, schedule, run.modelGen(), epoch + 1);
            log.printf("epoch %d/%d: task loss %.4f, reg %+.4f, train top-1 %.2f%%, test top-1 %.2f%% top-5 %.2f%%, %.1f s (%.0f img/s)%n",
                    epoch + 1, r.epochs(), s.taskLoss(), s.regLoss(), s.top1(), eval.top1(), eval.top5(), seconds, s.images() / seconds);
        }
        List<Path> plots = new ArrayList<>(Plots.write(o.out(), metrics.read()));
        Path stepsPng = Plots.writeSteps(o.out(), StepLog.read(o.out()));
        if (stepsPng != null) plots.add(stepsPng);
        if (eval == null) {
            log.printf("nothing to train: the checkpoint in %s already finished %d epochs%n", o.out(), r.epochs());
        }
        log.println();
        log.print(AngleProbe.report(model).toTable());
        log.printf("%nwrote %s, %s, %s%s%n", metrics.file(), o.out().resolve(Checkpoint.MODEL), o.out().resolve(Checkpoint.STATE),
                plots.isEmpty() ? "" : ", " + String.join(", ", plots.stream().map(Path::toString).toList()));
        return new Summary(o.out(), r.epochs(), eval == null ? Double.NaN : eval.top1(), eval == null ? Double.NaN : eval.top5(), lastLoss, angles);
    }

    record EpochStats(double taskLoss, double regLoss, double top1, int images, StringBuilder steps) {}

    private EpochStats trainEpoch(Module model, SGD opt, LRScheduler schedule, Penalty penalty, DataLoader loader, int epoch) {
        model.train();
        TrainStep trainStep = new TrainStep(model, opt, penalty, o.device());
        boolean perStep = o.recipe().schedule().equals("cosine-steps");
        int batches = o.limitBatches() > 0 ? Math.min(o.limitBatches(), loader.batchesPerEpoch()) : loader.batchesPerEpoch();
        double taskSum = 0, regSum = 0;
        long correct = 0, seen = 0;
        long t0 = System.nanoTime();
        ProgressBar bar = o.progress() ? new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch + 1, o.recipe().epochs()))
                .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                .setConsumer(new ConsoleProgressBarConsumer(System.err, 150)).build() : null;
        try {
            int step = 0;
            StringBuilder steps = new StringBuilder();
            for (Batch b : loader) {
                if (step >= batches) continue; // drain the rest of a limited epoch so the loader moves on cleanly
                TrainStep.Result res;
                try {
                    res = trainStep.run(b.images(), b.labels());
                } catch (TrainStep.NonFiniteLoss e) {
                    throw diverged(epoch, step, e.getMessage());
                }
                float taskValue = res.taskLoss(), regValue = res.regTerm();
                if (perStep) schedule.step();
                steps.append(epoch + 1).append(',').append(step + 1).append(',').append(taskValue).append(',').append(regValue).append('\n');
                taskSum += taskValue;
                regSum += regValue;
                correct += countCorrect(res.logits(), b.labels());
                seen += b.size();
                step++;
                if (bar != null) {
                    double secs = (System.nanoTime() - t0) / 1e9;
                    bar.step();
                    bar.setExtraMessage(String.format(" task %.4f  reg %+.4f  acc %.2f%%  %.0f img/s",
                            taskSum / step, regSum / step, 100.0 * correct / seen, seen / secs));
                }
            }
            return new EpochStats(taskSum / Math.max(step, 1), regSum / Math.max(step, 1), 100.0 * correct / Math.max(seen, 1), (int) seen, steps);
        } finally {
            if (bar != null) bar.close();
        }
    }

    private DivergedException diverged(int epoch, int step, String what) {
        return new DivergedException(String.format("loss is not finite at epoch %d, step %d (%s); stopped before the update. "
                + "The last good checkpoint is in %s (epoch %d). Try a smaller --lr or --reg-coef.", epoch + 1, step + 1, what, o.out(), epoch));
    }

    /** Steps per epoch as the loop runs them (all batches, or --limit-batches). */
    private int stepsPerEpoch(int trainSize, int batch) {
        int all = (trainSize + batch - 1) / batch;
        return o.limitBatches() > 0 ? Math.min(o.limitBatches(), all) : all;
    }

    static int countCorrect(Tensor logits, int[] labels) {
        float[] l = logits.toArray();
        int classes = l.length / labels.length, correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int j = 1; j < classes; j++) if (l[i * classes + j] > l[i * classes + best]) best = j;
            if (best == labels[i]) correct++;
        }
        return correct;
    }

    private void saveCheckpoint(Module model, SGD opt, LRScheduler schedule, Generator gen, int epoch) throws IOException {
        OptimizerState os = opt.state();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epoch", epoch);
        state.put("model", o.model());
        state.put("dataset", Datasets.canonical(o.dataset()));
        state.put("seed", o.seed());
        state.put("threads", Parallel.threads());
        state.put("reg", o.reg());
        state.put("reg_layers", o.regLayers());
        state.put("recipe", o.recipe().toString());
        state.put("optimizer", new LinkedHashMap<>(os.scalars()));
        state.put("schedule", new LinkedHashMap<>(schedule.state()));
        List<Long> g = new ArrayList<>();
        for (long w : gen.state()) g.add(w);
        state.put("generator", g);
        Map<String, Tensor> cpuModel = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> cpuModel.put(k, v.cpu()));
        Map<String, Tensor> cpuOpt = new LinkedHashMap<>();
        os.tensors().forEach((k, v) -> cpuOpt.put(k, v.cpu()));
        Checkpoint.save(o.out(), cpuModel, cpuOpt, state);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Double> doubles(Object o) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) for (var e : ((Map<String, Object>) m).entrySet()) out.put(e.getKey(), ((Number) e.getValue()).doubleValue());
        return out;
    }

    private static long[] longs(Object o) {
        List<?> l = (List<?>) o;
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).longValue();
        return out;
    }
}
