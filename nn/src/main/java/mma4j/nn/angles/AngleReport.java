package mma4j.nn.angles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mma4j.tensor.Tensor;

/**
 * Per-layer angle diagnostics of a model's weights (what `mma4j angles` prints):
 * <pre>{@code
 * AngleReport r = AngleReport.of(stateDict);     // e.g. read from checkpoint.safetensors
 * System.out.println(r.toTable());               // or r.toJson()
 * r.writeHistogram(Path.of("angles.png"));        // pairwise cosines of the first layer, as Figure 1
 * }</pre>
 * The layers are the state-dict entries named "*weight" of rank 2 (Linear) or 4 (Conv2d) with at
 * least two rows, in the map's order; BatchNorm weights and biases (rank 1) are not rows of vectors.
 */
public final class AngleReport {
    /** Figure 1 counts pairs with cosine above this. */
    public static final double FIGURE1_THRESHOLD = 0.2;
    public static final int BINS = 40;

    private final List<LayerAngles> rows;
    private final Map<String, Tensor> weights;

    private AngleReport(List<LayerAngles> rows, Map<String, Tensor> weights) {
        this.rows = List.copyOf(rows);
        this.weights = weights;
    }

    /** Analyzes every Conv2d / Linear weight of the state dict. */
    public static AngleReport of(Map<String, Tensor> stateDict) {
        Map<String, Tensor> chosen = new LinkedHashMap<>();
        for (var e : stateDict.entrySet()) if (isLayerWeight(e.getKey(), e.getValue())) chosen.put(e.getKey(), e.getValue());
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("angles: no Conv2d or Linear weights (names ending in 'weight', rank 2 or 4) among " + stateDict.size()
                    + " entries " + (stateDict.size() <= 12 ? stateDict.keySet() : ""));
        }
        List<LayerAngles> rows = new ArrayList<>();
        for (var e : chosen.entrySet()) rows.add(analyze(e.getKey(), e.getValue()));
        return new AngleReport(rows, chosen);
    }

    static boolean isLayerWeight(String name, Tensor t) {
        return name.endsWith("weight") && (t.dim() == 2 || t.dim() == 4) && t.size(0) >= 2;
    }

    /** The statistics of one weight [out, in] or [out, in, kH, kW]. */
    public static LayerAngles analyze(String name, Tensor weight) {
        return PairStatistics.of(name, weight, FIGURE1_THRESHOLD, BINS).toLayerAngles(name);
    }

    public List<LayerAngles> rows() {
        return rows;
    }

    public String toTable() {
        int w = "layer".length();
        for (LayerAngles r : rows) w = Math.max(w, r.name().length());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %7s %6s %9s %12s %10s %9s%n", "layer", "rows", "cols", "min_deg", "mean_nn_deg",
                "cos>0.2", "mma_loss"));
        for (LayerAngles r : rows) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %7d %6d %9.2f %12.2f %10d %9.4f%s%n", r.name(), r.rows(), r.cols(), r.minAngleDeg(),
                    r.meanNearestAngleDeg(), r.pairsCosAbove02(), r.mmaLoss(), r.zeroRows() > 0 ? "  (" + r.zeroRows() + " zero rows left out)" : ""));
        }
        return sb.toString();
    }

    /** {"layers": [{name, rows, cols, zero_rows, min_angle_deg, mean_nn_angle_deg, pairs_cos_gt_0_2, mma_loss}, ...]} */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"layers\": [");
        for (int i = 0; i < rows.size(); i++) sb.append(i > 0 ? ", " : "").append(rows.get(i).toJson());
        return sb.append("]}").toString();
    }

    /** Histogram of pairwise cosines of the first layer (the paper's Figure 1) as a PNG. */
    public void writeHistogram(Path png) throws IOException {
        String first = rows.get(0).name();
        writeHistogram(png, List.of(first));
    }

    /** Histograms of the named layers' pairwise cosines, overlaid, as a PNG. */
    public void writeHistogram(Path png, List<String> layers) throws IOException {
        Map<String, Tensor> series = new LinkedHashMap<>();
        for (String l : layers) {
            Tensor t = weights.get(l);
            if (t == null) throw new IllegalArgumentException("angles: no layer '" + l + "' to plot; layers are " + weights.keySet());
            series.put(l, t);
        }
        CosineHistogram.writePng(png, series, BINS, "Pairwise cosine similarity of filters");
    }
}
