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
 * of each regularizer against the unregularized step, per model. Median of timed steps after
 * warm-up steps (JMH's TrainStepBench gives the careful figures; this is the quick table).
 */
public final class OverheadTable {
    public static final List<String> REGULARIZERS = List.of("none", "mma", "mhe2", "mhe0", "orthogonal");

    public record Row(String model, int batch, String reg, double secondsPerBatch, double peakHeapMiB, double overheadPercent) {}

    private OverheadTable() {}

    public static List<Row> measure(String model, int batch, int warmup, int timed, java.io.PrintStream progress) {
        List<Row> rows = new ArrayList<>();
        double base = Double.NaN;
        for (String reg : REGULARIZERS) {
            StepSetup s = new StepSetup(model, batch, reg, 0);
            for (int i = 0; i < warmup; i++) s.run();
            System.gc();
            resetPeaks();
            double[] t = new double[timed];
            for (int i = 0; i < timed; i++) {
                long t0 = System.nanoTime();
                s.run();
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(t);
            double median = t[timed / 2];
            if (reg.equals("none")) base = median;
            Row r = new Row(model, batch, reg, median, peakHeapMiB(), 100 * (median / base - 1));
            rows.add(r);
            if (progress != null) progress.printf("  %-10s %-10s batch %-4d %.3f s/batch%n", model, reg, batch, median);
        }
        return rows;
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
