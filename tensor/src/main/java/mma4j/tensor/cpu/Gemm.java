package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply on arrays with arbitrary strides:
 * {@code C = beta*C + A*B} where A(i,p) = a[aOff + i*aRs + p*aCs], B(p,j) = b[bOff + p*bRs + j*bCs]
 * and C(i,j) = c[cOff + i*ldc + j]. Transposed operands are just swapped strides.
 *
 * <p>This first version is a cache-friendly i-p-j loop with a vector body over j;
 * the packed, register-blocked micro-kernel replaces it.
 */
public final class Gemm {
    private static final VectorSpecies<Float> F = Simd.F;

    private Gemm() {}

    public static void sgemm(int m, int n, int k,
                             float[] a, int aOff, int aRs, int aCs,
                             float[] b, int bOff, int bRs, int bCs,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        // Make B unit-stride along j so the inner loop streams it.
        float[] bp = b;
        int bpOff = bOff, bpRs = bRs;
        if (bCs != 1 && n > 1) {
            bp = new float[k * n];
            for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bp[p * n + j] = b[bOff + p * bRs + j * bCs];
            bpOff = 0;
            bpRs = n;
        }
        final float[] B = bp;
        final int BOff = bpOff, BRs = bpRs;
        Parallel.forRange(m, (long) n * k, (from, to) -> {
            for (int i = from; i < to; i++) {
                int ci = cOff + i * ldc;
                if (beta == 0f) java.util.Arrays.fill(c, ci, ci + n, 0f);
                else if (beta != 1f) for (int j = 0; j < n; j++) c[ci + j] *= beta;
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + i * aRs + p * aCs];
                    int bi = BOff + p * BRs;
                    int j = 0;
                    if (Simd.enabled()) {
                        FloatVector va = FloatVector.broadcast(F, av);
                        int bound = F.loopBound(n);
                        for (; j < bound; j += F.length()) {
                            FloatVector vc = FloatVector.fromArray(F, c, ci + j);
                            va.fma(FloatVector.fromArray(F, B, bi + j), vc).intoArray(c, ci + j);
                        }
                    }
                    for (; j < n; j++) c[ci + j] = Math.fma(av, B[bi + j], c[ci + j]);
                }
            }
        });
    }
}
