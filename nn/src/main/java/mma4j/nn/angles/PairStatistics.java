package mma4j.nn.angles;

import java.util.List;
import mma4j.nn.regularizers.Gram;
import mma4j.nn.regularizers.Nearest;
import mma4j.nn.regularizers.NearestNeighbourLoss;
import mma4j.nn.regularizers.UnitRows;
import mma4j.tensor.Shapes;
import mma4j.tensor.Tensor;

/**
 * One pass over every pair of rows of a weight, streamed tile by tile through {@link Gram} (so a
 * 100,000-class classifier needs no n x n matrix): nearest neighbours, the count of cosines
 * above a threshold, and a histogram of cosines over [-1, 1].
 */
public final class PairStatistics {
    public final int rows, cols, zeroRows;
    /** Each kept row's largest cosine to another kept row. */
    public final float[] nearestCos;
    public final long pairsAbove;
    /** Counts of unordered pairs per bin of [-1, 1]; the last bin includes 1. */
    public final long[] histogram;

    private PairStatistics(int rows, int cols, int zeroRows, float[] nearestCos, long pairsAbove, long[] histogram) {
        this.rows = rows;
        this.cols = cols;
        this.zeroRows = zeroRows;
        this.nearestCos = nearestCos;
        this.pairsAbove = pairsAbove;
        this.histogram = histogram;
    }

    private static final class Acc {
        final Nearest nearest;
        final long[] bins;
        long above;

        Acc(int n, int binCount) {
            nearest = new Nearest(n);
            bins = new long[binCount];
        }
    }

    /** Statistics of weight [out, ...] read as [out, rest]; threshold is the cosine to count above (0.2 in Figure 1). */
    public static PairStatistics of(String name, Tensor weight, double threshold, int bins) {
        if (weight.dim() < 2) throw new IllegalArgumentException("angles: " + name + " has shape " + Shapes.str(weight.shape()) + "; expected a matrix or conv kernel");
        if (bins < 1) throw new IllegalArgumentException("angles: bins must be >= 1, got " + bins);
        int n = weight.size(0), d = weight.numel() / Math.max(n, 1);
        float[] w = weight.contiguous().toArray();
        // Keep the rows that have a direction.
        float[] kept = new float[w.length];
        int m = 0;
        for (int i = 0; i < n; i++) {
            boolean zero = true;
            for (int p = 0; p < d; p++) {
                float v = w[i * d + p];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("angles: " + name + " has a non-finite value " + v + " at row " + i + ", column " + p);
                }
                zero &= v == 0f;
            }
            if (!zero) System.arraycopy(w, i * d, kept, m++ * d, d);
        }
        if (m < 2) return new PairStatistics(n, d, n - m, new float[0], 0, new long[bins]);
        UnitRows u = UnitRows.of("angles: " + name, java.util.Arrays.copyOf(kept, m * d), m, d, 0f);
        int rowsKept = m;
        float t = (float) threshold;
        List<Acc> parts = Gram.forEachTile(u.u, m, d, Gram.TILE, () -> new Acc(rowsKept, bins), (acc, tile, i0, r, j0, c) -> {
            boolean diagonal = i0 == j0;
            for (int a = 0; a < r; a++) {
                for (int b = diagonal ? a + 1 : 0; b < c; b++) {
                    float v = tile[a * c + b];
                    acc.nearest.offer(i0 + a, v, j0 + b);
                    acc.nearest.offer(j0 + b, v, i0 + a);
                    if (v > t) acc.above++;
                    int k = (int) ((Math.min(Math.max(v, -1f), 1f) + 1f) * 0.5f * bins);
                    acc.bins[Math.min(k, bins - 1)]++;
                }
            }
        });
        Acc all = parts.get(0);
        for (int k = 1; k < parts.size(); k++) {
            Acc p = parts.get(k);
            all.nearest.merge(p.nearest);
            all.above += p.above;
            for (int b = 0; b < bins; b++) all.bins[b] += p.bins[b];
        }
        return new PairStatistics(n, d, n - m, all.nearest.cos, all.above, all.bins);
    }

    /** The per-layer row of the report. */
    LayerAngles toLayerAngles(String name) {
        if (nearestCos.length < 2) return new LayerAngles(name, rows, cols, zeroRows, Double.NaN, Double.NaN, 0, Double.NaN);
        double maxCos = -1, sumAngle = 0, mma = 0, clamp = NearestNeighbourLoss.CLAMP;
        for (float c : nearestCos) {
            maxCos = Math.max(maxCos, c);
            sumAngle += Math.acos(Math.min(1, Math.max(-1, c)));
            mma -= Math.acos(Math.min(clamp, Math.max(-clamp, c)));
        }
        int m = nearestCos.length;
        return new LayerAngles(name, rows, cols, zeroRows, Math.toDegrees(Math.acos(Math.min(1, maxCos))), Math.toDegrees(sumAngle / m),
                pairsAbove, mma / m);
    }
}
