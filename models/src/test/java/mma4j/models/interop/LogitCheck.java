package mma4j.models.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compares our logits with PyTorch's, sample by sample: |ours - torch| <= TOLERANCE * max(1, max |torch
 * logit of that sample|). Float32 networks that sum in different orders agree to a few 1e-6 of the
 * logits' scale here (torch's own float32 result is 2e-7..7e-6 from its float64 one, as make_fixtures.py
 * prints), so 1e-4 leaves room for deeper nets and still fails on any real difference (a wrong layer,
 * pooling, eps or running statistic moves logits by 1e-2 or more).
 */
final class LogitCheck {
    static final double TOLERANCE = 1e-4;

    private LogitCheck() {}

    /** The largest scaled difference; fails above TOLERANCE, naming the sample and class. */
    static double assertClose(String what, float[] ours, float[] torch, int classes) {
        assertEquals(torch.length, ours.length, what + ": number of logits");
        double worst = 0;
        for (int i = 0; i < torch.length / classes; i++) {
            double scale = 1;
            for (int j = 0; j < classes; j++) scale = Math.max(scale, Math.abs(torch[i * classes + j]));
            for (int j = 0; j < classes; j++) {
                double d = Math.abs((double) ours[i * classes + j] - torch[i * classes + j]) / scale;
                if (!(d <= TOLERANCE)) {
                    throw new AssertionError(String.format("%s: sample %d class %d: ours %s, PyTorch %s (difference %.3g of the sample's scale %.3g, tolerance %.0e)",
                            what, i, j, ours[i * classes + j], torch[i * classes + j], d, scale, TOLERANCE));
                }
                worst = Math.max(worst, d);
            }
        }
        return worst;
    }

    /** The samples' logits differ by far more than the tolerance, so a model that ignored its input would fail. */
    static void assertInputMatters(String what, float[] torch, int classes) {
        double diff = 0;
        for (int j = 0; j < classes; j++) diff = Math.max(diff, Math.abs(torch[j] - torch[classes + j]));
        assertTrue(diff > 100 * TOLERANCE, what + ": the two samples' logits differ by only " + diff);
    }
}
