package mma4j.models.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mma4j.autograd.Profiler;
import mma4j.models.bench.OverheadTable;
import mma4j.models.bench.StepSetup;
import mma4j.nn.safetensors.Json;
import mma4j.tensor.cpu.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mma4j bench}: what each regularizer costs per training step (the paper's Table 3 layout). */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time one training step of CIFAR-100 models with each regularizer (none, MMA, MHE s=2 and s=0 on 30%% of rows, orthogonal)",
                "and print seconds per batch, peak heap and overhead against no regularizer, as the paper's Table 3.",
                "--quick: VGG19-BN only (a few minutes). JMH's TrainStepBench (bench/target/benchmarks.jar) gives the careful figures."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "VGG19-BN at batch 128 only.")
    boolean quick;
    @Option(names = "--models", split = ",", description = "Models to time (default: vgg19_bn, resnet56, wrn16_8, densenet40_12).")
    List<String> models;
    @Option(names = "--batch", split = ",", description = "Batch sizes (default: 128).")
    List<Integer> batches;
    @Option(names = "--warmup", description = "Untimed steps first; default: ${DEFAULT-VALUE}.", defaultValue = "2")
    int warmup;
    @Option(names = "--steps", description = "Timed rounds (one step of each regularizer per round; medians are reported); default: ${DEFAULT-VALUE}.", defaultValue = "3")
    int steps;
    @Option(names = "--regs", split = ",", description = "Regularizers to time, baseline first (default: none, mma, mhe2, mhe0, orthogonal).")
    List<String> regs;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;
    @Option(names = "--json", description = "One JSON document instead of the table.")
    boolean json;
    @Option(names = "--profile", description = "Instead of the table: where the time of one step (with MMA) goes, per op.")
    boolean profile;

    @Override
    public Integer call() {
        if (warmup < 0 || steps < 1) throw new IllegalArgumentException("--warmup must be >= 0 and --steps >= 1, got " + warmup + " and " + steps);
        if (threads != null) Parallel.setThreads(threads);
        List<String> ms = models != null ? models : quick ? List.of("vgg19_bn") : List.of("vgg19_bn", "resnet56", "wrn16_8", "densenet40_12");
        List<Integer> bs = batches != null ? batches : List.of(128);
        for (int b : bs) if (b < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + b);
        if (profile) {
            for (String m : ms) for (int b : bs) System.out.print(profileStep(m, b));
            return 0;
        }
        List<OverheadTable.Row> rows = new ArrayList<>();
        for (String m : ms) {
            for (int b : bs) rows.addAll(OverheadTable.measure(m, b, regs != null ? regs : OverheadTable.REGULARIZERS, warmup, steps, json ? null : System.err));
        }
        if (json) System.out.println(Json.write(OverheadTable.toJson(rows)));
        else {
            System.out.printf("%d threads, %s%n", Parallel.threads(), System.getProperty("os.arch"));
            System.out.print(OverheadTable.format(rows));
        }
        return 0;
    }

    private String profileStep(String model, int batch) {
        StepSetup s = new StepSetup(model, batch, "mma", 0);
        for (int i = 0; i < Math.max(1, warmup); i++) s.run();
        long t0 = System.nanoTime();
        String table;
        try (Profiler.Session p = Profiler.record()) {
            s.run();
            double total = (System.nanoTime() - t0) / 1e6;
            double ops = p.millisByOp().values().stream().mapToDouble(Double::doubleValue).sum();
            p.addExternal("other (SGD update, loss readout, bookkeeping)", (long) ((total - ops) * 1e6));
            table = p.table();
        }
        return String.format("%n%s, batch %d, MMA, %d threads: one training step%n%s", model, batch, Parallel.threads(), table);
    }
}
