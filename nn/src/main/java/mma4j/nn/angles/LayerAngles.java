package mma4j.nn.angles;

import java.util.Locale;

/**
 * Angle statistics of one layer's rows (output channels / neurons):
 * the smallest pairwise angle, the mean angle from each row to its nearest neighbour, the number
 * of unordered pairs whose cosine exceeds 0.2 (the count of the paper's Figure 1), and the MMA
 * loss (-mean nearest angle in radians, clamped as the regularizer clamps).
 * All-zero rows have no direction; they are left out and counted in {@code zeroRows}.
 */
public record LayerAngles(String name, int rows, int cols, int zeroRows, double minAngleDeg, double meanNearestAngleDeg,
                          long pairsCosAbove02, double mmaLoss) {

    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"name\": \"%s\", \"rows\": %d, \"cols\": %d, \"zero_rows\": %d, \"min_angle_deg\": %s, \"mean_nn_angle_deg\": %s, "
                        + "\"pairs_cos_gt_0_2\": %d, \"mma_loss\": %s}",
                escape(name), rows, cols, zeroRows, num(minAngleDeg), num(meanNearestAngleDeg), pairsCosAbove02, num(mmaLoss));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
