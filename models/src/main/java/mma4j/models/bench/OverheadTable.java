package mma4j.models.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's Table 3 on this machine: seconds per training batch, peak heap and the overhead
 * of each regularizer against the unregularized step, per model (JMH's TrainStepBench gives
 * the careful figures; this is the quick table).
 *
 * <p>Timing runs in rounds: each round times one step of every regularizer, in an order
 * shuffled per round, so a change of machine load (or a garbage-collection pause) hits all of
 * them alike. A regularizer's time is its median step; its overhead is the median over rounds
 * of (its step / the baseline's step in the same round), the PyTorch peer's "median per-round
 * ratio". The quartiles of those per-round overheads are reported beside it: on a shared or
 * noisy machine they show how far a single figure can be trusted. Peak heap is measured
 * afterwards, one regularizer at a time, only its model alive.
 */
public final class OverheadTable {
    public static final List<String> REGULARIZERS = List.of("none", "mma", "mhe2", "mhe0", "orthogonal");

    /** One regularizer's figures; overhead and its quartiles over rounds (lower, upper) in percent. */
    public record Row(String model, int batch, String reg, double secondsPerBatch, double peakHeapMiB, double overheadPercent,
                      double overheadLowPercent, double overheadHighPercent) {}

    private OverheadTable() {}

    public static List<Row> measure(String model, int batch, int warmup, int timed, java.io.PrintStream progress) {
        return measure(model, batch, REGULARIZERS, warmup, timed, progress);
    }

    /** Overheads are relative to "none", which {@code regs} must then include (otherwise they are NaN). */
    public static List<Row> measure(String model, int batch, List<String> regs, int warmup, int timed, java.io.PrintStream progress) {
        for (String r : regs) {
            if (!REGULARIZERS.contains(r)) throw new IllegalArgumentException("bench: unknown regularizer '" + r + "', expected one of " + REGULARIZERS);
        }
        int k = regs.size();
        double[][] seconds = new double[k][timed];
        {
            StepSetup[] setups = new StepSetup[k];
            for (int j = 0; j < k; j++) setups[j] = new StepSetup(model, batch, regs.get(j), 0);
            for (int i = 0; i < warmup; i++) for (StepSetup s : setups) s.run();
            System.gc();
            // Each round in its own order: the steps allocate the same amount every round, so a
            // fixed order would make garbage-collection pauses land on the same regularizer each time.
            java.util.Random order = new java.util.Random(42);
            int[] perm = new int[k];
            for (int j = 0; j < k; j++) perm[j] = j;
            for (int i = 0; i < timed; i++) {
                for (int a = k - 1; a > 0; a--) {
                    int b = order.nextInt(a + 1), t = perm[a];
                    perm[a] = perm[b];
                    perm[b] = t;
                }
                for (int j : perm) {
                    long t0 = System.nanoTime();
                    setups[j].run();
                    seconds[j][i] = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
        int base = regs.indexOf("none");
        List<Row> rows = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            double[] ratio = new double[timed];
            for (int i = 0; i < timed; i++) ratio[i] = base < 0 ? Double.NaN : seconds[j][i] / seconds[base][i];
            double median = median(seconds[j]), overhead = 100 * (median(ratio) - 1);
            double low = 100 * (quantile(ratio, 0.25) - 1), high = 100 * (quantile(ratio, 0.75) - 1);
            Row r = new Row(model, batch, regs.get(j), median, peakHeapMiB(model, batch, regs.get(j)), overhead, low, high);
            rows.add(r);
            if (progress != null) {
                progress.printf("  %-10s %-10s batch %-4d %.3f s/batch  %+.1f%% (rounds' quartiles %+.1f%% .. %+.1f%%)%n",
                        model, r.reg(), batch, median, overhead, low, high);
            }
        }
        return rows;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /**
     * The p-quantile by rank: the sorted value at floor(p (n-1)) for p <= 1/2, at ceil(p (n-1))
     * above, so the quartiles of three rounds are their minimum and maximum.
     */
    static double quantile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        double at = p * (s.length - 1);
        return s[(int) (p <= 0.5 ? Math.floor(at) : Math.ceil(at))];
    }

    /** Peak heap of one step with only this model alive (after a warm-up step and a GC). */
    private static double peakHeapMiB(String model, int batch, String reg) {
        StepSetup s = new StepSetup(model, batch, reg, 0);
        s.run();
        System.gc();
        resetPeaks();
        s.run();
        return peakHeapMiB();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }

    private static double peakHeapMiB() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        return sum / (1024.0 * 1024.0);
    }

    public static String format(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format("%-14s %5s  %-11s %9s %9s %9s  %s%n", "model", "batch", "regularizer", "s/batch", "peak MiB",
                "overhead", "quartiles over rounds"));
        for (Row r : rows) {
            boolean base = r.reg().equals("none");
            sb.append(String.format("%-14s %5d  %-11s %9.3f %9.0f %8.1f%%  %s%n", r.model(), r.batch(), label(r.reg()), r.secondsPerBatch(), r.peakHeapMiB(),
                    base ? 0.0 : r.overheadPercent(), base ? "" : String.format("%+.1f%% .. %+.1f%%", r.overheadLowPercent(), r.overheadHighPercent())));
        }
        return sb.toString();
    }

    static String label(String reg) {
        return switch (reg) {
            case "none" -> "baseline";
            case "mma" -> "MMA";
            case "mhe2" -> "MHE s=2";
            case "mhe0" -> "MHE s=0";
            default -> reg;
        };
    }

    public static List<Map<String, Object>> toJson(List<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.model());
            m.put("batch", r.batch());
            m.put("regularizer", r.reg());
            m.put("seconds_per_batch", r.secondsPerBatch());
            m.put("peak_heap_mib", r.peakHeapMiB());
            m.put("overhead_percent", r.overheadPercent());
            m.put("overhead_quartiles_percent", List.of(r.overheadLowPercent(), r.overheadHighPercent()));
            out.add(m);
        }
        return out;
    }
}
