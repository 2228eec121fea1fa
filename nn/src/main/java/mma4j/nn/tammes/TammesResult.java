package mma4j.nn.tammes;

import java.util.Locale;

/**
 * One solved Tammes instance: {@code points} unit vectors in R^dim whose smallest pairwise angle
 * is {@code minAngleDeg}. {@code coordinates} are the final points, row-major [points, dim], unit length.
 */
public record TammesResult(int dim, int points, TammesLoss loss, TammesSolver.Method solver, int iterations, long seed,
                           double minAngleDeg, double seconds, double[] coordinates) {

    /** One JSON object: dim, points, loss, solver, iterations, seed, min_angle_deg, seconds. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"dim\": %d, \"points\": %d, \"loss\": \"%s\", \"solver\": \"%s\", \"iterations\": %d, \"seed\": %d, \"min_angle_deg\": %.4f, \"seconds\": %.3f}",
                dim, points, loss.label(), solver.label(), iterations, seed, minAngleDeg, seconds);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "tammes d=%d n=%d loss=%s solver=%s: min angle %.4f deg in %.2f s",
                dim, points, loss.label(), solver.label(), minAngleDeg, seconds);
    }
}
