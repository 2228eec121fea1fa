package mma4j.nn.regularizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import mma4j.tensor.cpu.Simd;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Unit rows are w / |w| correctly rounded (the product taken in double), on the vector and the scalar path. */
class UnitRowsTest {

    @ParameterizedTest(name = "simd={0}")
    @ValueSource(booleans = {true, false})
    void rowsAreTheCorrectlyRoundedQuotient(boolean simd) {
        int n = 7, d = 37; // 37: two 16-float vectors and a tail of 5
        float[] w = Weights.randn(3, n, d).mul(3f).toArray();
        boolean was = Simd.enabled();
        Simd.setEnabled(simd);
        try {
            float[] scratch = new float[n * d + 5];
            UnitRows r = UnitRows.of("test", w, n, d, 0f, scratch);
            for (int i = 0; i < n; i++) {
                java.math.BigDecimal sq = java.math.BigDecimal.ZERO;
                for (int p = 0; p < d; p++) sq = sq.add(new java.math.BigDecimal(w[i * d + p]).pow(2));
                double norm = Math.sqrt(sq.doubleValue());
                assertEquals((float) norm, r.norm[i], "norm of row " + i);
                for (int p = 0; p < d; p++) {
                    assertEquals((float) (w[i * d + p] * (1.0 / norm)), r.u[i * d + p], "u[" + i + "][" + p + "]");
                }
            }
        } finally {
            Simd.setEnabled(was);
        }
    }

    @Test
    void aTooSmallBufferIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> UnitRows.of("mma", new float[6], 2, 3, 0f, new float[5]));
        assertEquals("mma: unit-row buffer of 5 floats for 2 x 3", e.getMessage());
    }
}
