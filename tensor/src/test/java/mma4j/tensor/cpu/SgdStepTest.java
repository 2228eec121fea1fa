package mma4j.tensor.cpu;

import static mma4j.tensor.cpu.NnTestSupport.assertBitwiseEqual;
import static mma4j.tensor.cpu.NnTestSupport.randn;
import static mma4j.tensor.cpu.NnTestSupport.withSimd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.tensor.Generator;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The fused SGD kernel against torch.optim.SGD's formulas written out in scalar float arithmetic. */
class SgdStepTest {

    /** torch.optim.SGD for one element, each product and sum rounded to float as the composed ops do. */
    private static void reference(float[] p, float[] g, float[] buf, float lr, float m, float damp, float wd,
                                  boolean nesterov, boolean first) {
        for (int i = 0; i < p.length; i++) {
            float d = g[i];
            if (wd != 0f) d = d + p[i] * wd;
            if (m != 0f) {
                float keep = 1f - damp;
                buf[i] = first ? d : buf[i] * m + (keep != 1f ? d * keep : d);
                d = nesterov ? d + buf[i] * m : buf[i];
            }
            p[i] = p[i] + d * -lr;
        }
    }

    @ParameterizedTest(name = "n={0} momentum={1} dampening={2} wd={3} nesterov={4} simd={5}")
    @CsvSource({
            "1, 0, 0, 0, false, true",
            "37, 0.9, 0, 5e-4, false, true",
            "37, 0.9, 0, 5e-4, false, false",
            "1000, 0.9, 0, 5e-4, true, true",
            "1000, 0.9, 0, 5e-4, true, false",
            "70001, 0.5, 0.25, 1e-2, false, true",
            "70001, 0, 0, 1e-2, false, true",
            "0, 0.9, 0, 0, false, true"})
    void matchesTheFormulasBitForBitOverThreeSteps(int n, float m, float damp, float wd, boolean nesterov, boolean simd) {
        Generator gen = new Generator(n + 7);
        float[] p0 = randn(gen, n, 1f, 0f);
        float[] want = p0.clone(), wantBuf = new float[n];
        Tensor param = Tensor.of(p0.clone(), n);
        Tensor buf = m != 0f ? Tensor.zeros(n) : null;
        for (int step = 0; step < 3; step++) {
            float[] g = randn(gen, n, 0.1f, 0f);
            boolean first = step == 0;
            reference(want, g, wantBuf, 0.1f, m, damp, wd, nesterov, first);
            withSimd(simd, () -> {
                NnOps.sgdStep(param, Tensor.of(g, n), buf, 0.1f, m, damp, wd, nesterov, first);
                return null;
            });
            assertBitwiseEqual("param after step " + step, want, param.toArray());
            if (buf != null) assertBitwiseEqual("momentum buffer after step " + step, wantBuf, buf.toArray());
        }
    }

    @Test
    void stridedParametersTakeTheComposedPathWithTheSameResult() {
        Generator gen = new Generator(3);
        float[] values = randn(gen, 6 * 5, 1f, 0f), g = randn(gen, 6 * 5, 1f, 0f);
        Tensor contiguous = Tensor.of(values.clone(), 6, 5);
        Tensor transposed = Tensor.of(values.clone(), 5, 6).t(); // same shape, strided
        Tensor grad = Tensor.of(g, 6, 5);
        Tensor b1 = Tensor.zeros(6, 5), b2 = Tensor.zeros(6, 5);
        NnOps.sgdStep(contiguous, grad, b1, 0.05f, 0.9f, 0f, 1e-3f, true, true);
        NnOps.sgdStep(transposed, grad, b2, 0.05f, 0.9f, 0f, 1e-3f, true, true);
        // the transposed view holds different logical values, so compare each with its own reference
        float[] want = Tensor.of(values.clone(), 5, 6).t().contiguous().toArray(), wantBuf = new float[30];
        reference(want, g, wantBuf, 0.05f, 0.9f, 0f, 1e-3f, true, true);
        assertBitwiseEqual("strided param", want, transposed.contiguous().toArray());
        float[] want2 = values.clone();
        reference(want2, g, new float[30], 0.05f, 0.9f, 0f, 1e-3f, true, true);
        assertBitwiseEqual("contiguous param", want2, contiguous.toArray());
    }

    @Test
    void bumpsTheVersionOfWhatItWrites() {
        Tensor p = Tensor.ones(4), buf = Tensor.zeros(4);
        int pv = p.version(), bv = buf.version();
        NnOps.sgdStep(p, Tensor.ones(4), buf, 0.1f, 0.9f, 0f, 0f, false, true);
        assertTrue(p.version() > pv, "param version");
        assertTrue(buf.version() > bv, "buffer version");
    }

    @Test
    void badInputNamesTheShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> NnOps.sgdStep(Tensor.ones(2, 3), Tensor.ones(3, 2), null, 0.1f, 0f, 0f, 0f, false, true));
        assertEquals("sgdStep: gradient [3, 2] does not match parameter [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NnOps.sgdStep(Tensor.ones(2), Tensor.ones(2), null, 0.1f, 0.9f, 0f, 0f, false, true));
        assertEquals("sgdStep: momentum 0.9 needs a momentum buffer", e.getMessage());
        Tensor p = Tensor.ones(2);
        e = assertThrows(IllegalArgumentException.class,
                () -> NnOps.sgdStep(p, Tensor.ones(2), Tensor.ones(3), 0.1f, 0.9f, 0f, 0f, false, true));
        assertEquals("sgdStep: momentum buffer [3] does not match parameter [2]", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NnOps.sgdStep(Tensor.ones(1).expand(2), Tensor.ones(2), null, 0.1f, 0f, 0f, 0f, false, true));
        assertBitwiseEqual("a rejected call leaves the parameter as it was", new float[] {1f, 1f}, p.toArray());
    }
}
