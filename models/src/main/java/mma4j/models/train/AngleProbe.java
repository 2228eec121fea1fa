package mma4j.models.train;

import java.util.LinkedHashMap;
import java.util.Map;
import mma4j.nn.Module;
import mma4j.nn.Parameter;
import mma4j.tensor.Tensor;

/** Per-layer minimum pairwise angles of a model's Conv2d/Linear weights, for logs and plots. */
final class AngleProbe {
    private AngleProbe() {}

    static Map<String, Double> minAnglesDeg(Module model) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (var e : Penalty.select(model, "all").entrySet()) out.put(e.getKey(), minAngleDeg(e.getValue()));
        return out;
    }

    static double minAngleDeg(Parameter w) {
        Tensor m = w.data().cpu().reshape(w.size(0), -1);
        Tensor unit = m.div(m.square().sum(new int[] {1}, true).sqrt().maximum(Tensor.scalar(1e-12f)));
        float[] c = unit.matmul(unit.t()).toArray();
        int n = w.size(0);
        double best = -1;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) best = Math.max(best, c[i * n + j]);
        return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, best))));
    }

    static String table(Module model) {
        StringBuilder sb = new StringBuilder(String.format("%-40s %6s %14s%n", "layer", "rows", "min angle (deg)"));
        for (var e : Penalty.select(model, "all").entrySet()) {
            sb.append(String.format("%-40s %6d %14.2f%n", e.getKey(), e.getValue().size(0), minAngleDeg(e.getValue())));
        }
        return sb.toString();
    }
}
