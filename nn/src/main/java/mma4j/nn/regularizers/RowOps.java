package mma4j.nn.regularizers;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import mma4j.tensor.cpu.Simd;

/**
 * The O(n d) row loops of the regularizers (norms, scaling, axpy, dot): a vector body of
 * {@link Simd#F} lanes and a scalar tail, the scalar path alone when SIMD is off. Next to the
 * Gram product they are cheap, but only if they run at vector speed.
 */
final class RowOps {
    private static final VectorSpecies<Float> F = Simd.F;

    private RowOps() {}

    /** sum_p a[off + p]^2 over len elements. */
    static float sumSquares(float[] a, int off, int len) {
        return dot(a, off, a, off, len);
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        int p = 0;
        float s = 0f;
        if (Simd.enabled() && len >= F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(len); p < bound; p += F.length()) {
                acc = FloatVector.fromArray(F, a, aOff + p).fma(FloatVector.fromArray(F, b, bOff + p), acc);
            }
            s = sumLanes(acc);
        }
        for (; p < len; p++) s = Math.fma(a[aOff + p], b[bOff + p], s);
        return s;
    }

    /**
     * The lanes added left to right. Not reduceLanes(ADD): its order is unspecified and changes
     * when the JIT compiles the method, which would break bitwise reproducibility.
     */
    static float sumLanes(FloatVector v) {
        float[] lanes = new float[F.length()];
        v.intoArray(lanes, 0);
        float s = lanes[0];
        for (int k = 1; k < lanes.length; k++) s += lanes[k];
        return s;
    }

    /** Float lanes widened to double: one double vector per part. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int PARTS = F.length() / D.length();

    /** sum_p (double) a[off + p]^2 in double: lanes in fixed order, then the tail. */
    static double sumSquaresDouble(float[] a, int off, int len) {
        int p = 0;
        double s = 0;
        if (Simd.enabled() && PARTS >= 1 && len >= F.length()) {
            DoubleVector acc = DoubleVector.zero(D);
            for (int bound = F.loopBound(len); p < bound; p += F.length()) {
                FloatVector v = FloatVector.fromArray(F, a, off + p);
                for (int part = 0; part < PARTS; part++) {
                    DoubleVector x = (DoubleVector) v.convertShape(VectorOperators.F2D, D, part);
                    acc = x.fma(x, acc);
                }
            }
            double[] lanes = new double[D.length()];
            acc.intoArray(lanes, 0);
            for (double l : lanes) s += l;
        }
        for (; p < len; p++) s += (double) a[off + p] * a[off + p];
        return s;
    }

    /**
     * y[yOff + p] = (float) (x[xOff + p] * scale), the product in double (so correctly rounded).
     * A scalar loop on purpose: a vector form needs float vectors of half the preferred width
     * for the narrowing store, and a second float vector shape in the process was measured to
     * slow unrelated kernels 2x (C2 compiled shared Vector API call sites for both shapes).
     */
    static void scaleToFloat(float[] x, int xOff, double scale, float[] y, int yOff, int len) {
        for (int p = 0; p < len; p++) y[yOff + p] = (float) (x[xOff + p] * scale);
    }

    /** y[yOff + p] += alpha * x[xOff + p]. */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        int p = 0;
        if (Simd.enabled()) {
            FloatVector va = FloatVector.broadcast(F, alpha);
            for (int bound = F.loopBound(len); p < bound; p += F.length()) {
                FloatVector.fromArray(F, x, xOff + p).fma(va, FloatVector.fromArray(F, y, yOff + p)).intoArray(y, yOff + p);
            }
        }
        for (; p < len; p++) y[yOff + p] = Math.fma(alpha, x[xOff + p], y[yOff + p]);
    }

    /**
     * y[yOff + p] += sum_t coef[t] * x[from[t] + p] for t = 0..terms-1, one fused multiply-add per
     * term in that order (the bits of one {@link #axpy} per term), in a single pass over y.
     */
    static void addCombination(float[] y, int yOff, float[] x, int[] from, float[] coef, int terms, int len) {
        int p = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(len); p < bound; p += F.length()) {
                FloatVector acc = FloatVector.fromArray(F, y, yOff + p);
                for (int t = 0; t < terms; t++) acc = FloatVector.fromArray(F, x, from[t] + p).fma(FloatVector.broadcast(F, coef[t]), acc);
                acc.intoArray(y, yOff + p);
            }
        }
        for (; p < len; p++) {
            float acc = y[yOff + p];
            for (int t = 0; t < terms; t++) acc = Math.fma(coef[t], x[from[t] + p], acc);
            y[yOff + p] = acc;
        }
    }

    /** y = a * y + b * x over len elements (the normalization backward's update). */
    static void scaleAdd(float a, float[] y, int yOff, float b, float[] x, int xOff, int len) {
        int p = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(len); p < bound; p += F.length()) {
                FloatVector vy = FloatVector.fromArray(F, y, yOff + p).mul(a);
                FloatVector.fromArray(F, x, xOff + p).fma(FloatVector.broadcast(F, b), vy).intoArray(y, yOff + p);
            }
        }
        for (; p < len; p++) y[yOff + p] = Math.fma(b, x[xOff + p], a * y[yOff + p]);
    }
}
