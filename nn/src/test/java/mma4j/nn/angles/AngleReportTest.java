package mma4j.nn.angles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mma4j.autograd.Variable;
import mma4j.nn.regularizers.Regularizers;
import mma4j.tensor.Generator;
import mma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AngleReportTest {

    /** Every statistic checked against a plain double-precision loop over all pairs. */
    @Test
    void statisticsMatchABruteForceCount() {
        Tensor w = Tensor.randn(new Generator(5), 300, 2, 3, 3); // 300 rows: more than one 256-row tile
        float[] a = w.toArray();
        int n = 300, d = 18;
        double maxCos = -1, sumNearest = 0;
        long above = 0;
        for (int i = 0; i < n; i++) {
            double best = -2;
            for (int j = 0; j < n; j++) {
                if (i == j) continue;
                double c = cos(a, i, j, d);
                best = Math.max(best, c);
                if (j > i && c > 0.2) above++;
            }
            maxCos = Math.max(maxCos, best);
            sumNearest += Math.acos(best);
        }
        LayerAngles r = AngleReport.analyze("conv", w);
        assertEquals(300, r.rows());
        assertEquals(18, r.cols());
        assertEquals(Math.toDegrees(Math.acos(maxCos)), r.minAngleDeg(), 1e-3);
        assertEquals(Math.toDegrees(sumNearest / n), r.meanNearestAngleDeg(), 1e-3);
        assertEquals(above, r.pairsCosAbove02(), 2, "float vs double rounding may move a pair at exactly 0.2");
        float mma = Regularizers.of("mma").apply(Variable.of(w)).item();
        assertEquals(mma, r.mmaLoss(), 1e-5);
        long total = 0;
        for (long c : PairStatistics.of("conv", w, 0.2, 40).histogram) total += c;
        assertEquals(n * (n - 1L) / 2, total, "every unordered pair lands in one bin");
    }

    static double cos(float[] a, int i, int j, int d) {
        double s = 0, ni = 0, nj = 0;
        for (int p = 0; p < d; p++) {
            s += (double) a[i * d + p] * a[j * d + p];
            ni += (double) a[i * d + p] * a[i * d + p];
            nj += (double) a[j * d + p] * a[j * d + p];
        }
        return s / Math.sqrt(ni * nj);
    }

    @Test
    void reportPicksConvAndLinearWeightsInOrder(@TempDir Path dir) throws Exception {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        Generator g = new Generator(1);
        sd.put("features.0.weight", Tensor.randn(g, 16, 3, 3, 3));
        sd.put("features.0.bias", Tensor.randn(g, 16));
        sd.put("features.1.weight", Tensor.randn(g, 16));             // BatchNorm: not rows of vectors
        sd.put("features.1.running_mean", Tensor.zeros(16));
        sd.put("classifier.weight", Tensor.randn(g, 10, 16));
        AngleReport r = AngleReport.of(sd);
        assertEquals(List.of("features.0.weight", "classifier.weight"), r.rows().stream().map(LayerAngles::name).toList());
        String table = r.toTable(), json = r.toJson();
        assertTrue(table.contains("features.0.weight") && table.contains("min_deg"), table);
        assertTrue(json.startsWith("{\"layers\": [{\"name\": \"features.0.weight\", \"rows\": 16, \"cols\": 27"), json);
        assertTrue(json.contains("\"pairs_cos_gt_0_2\": ") && json.contains("\"mma_loss\": -"), json);
        Path png = dir.resolve("plots/fig1.png");
        r.writeHistogram(png, List.of("features.0.weight", "classifier.weight"));
        byte[] head = Files.readAllBytes(png);
        assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG file");
    }

    @Test
    void orthogonalRowsHaveNinetyDegreesAndNoCountedPairs() {
        Tensor eye = Tensor.zeros(5, 5);
        for (int i = 0; i < 5; i++) eye.set(2f, i, i);
        LayerAngles r = AngleReport.analyze("eye", eye);
        assertEquals(90.0, r.minAngleDeg(), 1e-9);
        assertEquals(90.0, r.meanNearestAngleDeg(), 1e-9);
        assertEquals(0, r.pairsCosAbove02());
        assertEquals(-Math.PI / 2, r.mmaLoss(), 1e-7);
    }

    @Test
    void zeroRowsAreLeftOutAndNaNsAreErrors() {
        Tensor w = Tensor.randn(new Generator(2), 6, 4);
        for (int p = 0; p < 4; p++) w.set(0f, 3, p);
        LayerAngles r = AngleReport.analyze("fc", w);
        assertEquals(1, r.zeroRows());
        assertTrue(Double.isFinite(r.minAngleDeg()));
        w.set(Float.NaN, 1, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> AngleReport.analyze("fc", w));
        assertTrue(e.getMessage().contains("fc") && e.getMessage().contains("NaN") && e.getMessage().contains("row 1"), e.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> AngleReport.of(Map.of("bn.weight", Tensor.ones(4))));
        assertTrue(none.getMessage().contains("bn.weight"), none.getMessage());
    }
}
