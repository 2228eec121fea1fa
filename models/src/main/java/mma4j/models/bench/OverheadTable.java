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
 * ratio". Peak heap is measured afterwards, one regularizer at a time, only its model alive.
 */
public final class OverheadTable {
    public static final List<String> REGULARIZERS = List.of("none", "mma", "mhe2", "mhe0", "orthogonal");

    public record Row(String model, int batch, String reg, double secondsPerBatch, double peakHeapMiB, double overheadPercent) {}

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
            Row r = new Row(model, batch, regs.get(j), median, peakHeapMiB(model, batch, regs.get(j)), overhead);
            rows.add(r);
            if (progress != null) progress.printf("  %-10s %-10s batch %-4d %.3f s/batch  %+.1f%%%n", model, r.reg(), batch, median, overhead);
        }
        return rows;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
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
        StringBuilder sb = new StringBuilder(String.format("%-14s %5s  %-11s %9s %9s %9s%n", "model", "batch", "regularizer", "s/batch", "peak MiB", "overhead"));
        for (Row r : rows) {
            sb.append(String.format("%-14s %5d  %-11s %9.3f %9.0f %8.1f%%%n", r.model(), r.batch(), label(r.reg()), r.secondsPerBatch(), r.peakHeapMiB(),
                    r.reg().equals("none") ? 0.0 : r.overheadPercent()));
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
            out.add(m);
        }
        return out;
    }
}
