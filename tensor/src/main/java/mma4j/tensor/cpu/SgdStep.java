package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * torch.optim.SGD's update of one parameter in one pass over param, grad and the momentum
 * buffer (the composed form in {@code Kernels.sgdStep} makes up to seven passes and two
 * temporaries). Every product and sum is rounded separately, in the composed form's order, so
 * both give bitwise the same parameters.
 */
final class SgdStep {
    private static final VectorSpecies<Float> F = Simd.F;

    /** The hyper-parameters of one call; {@code buf} may be null when momentum is 0. */
    record Args(float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean firstStep) {}

    private SgdStep() {}

    static void run(float[] p, int po, float[] g, int go, float[] buf, int bo, int n, Args a) {
        Parallel.forRange(n, 4, (from, to) -> range(p, po + from, g, go + from, buf, bo + from, to - from, a));
    }

    private static void range(float[] p, int po, float[] g, int go, float[] buf, int bo, int n, Args a) {
        float lr = -a.lr(), m = a.momentum(), keep = 1f - a.dampening(), wd = a.weightDecay();
        boolean decay = wd != 0f, momentum = m != 0f, scaleNew = keep != 1f;
        int i = 0;
        if (Simd.enabled()) {
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                FloatVector pv = FloatVector.fromArray(F, p, po + i);
                FloatVector d = FloatVector.fromArray(F, g, go + i);
                if (decay) d = d.add(pv.mul(wd));
                if (momentum) {
                    FloatVector b = d;
                    if (!a.firstStep()) {
                        b = FloatVector.fromArray(F, buf, bo + i).mul(m).add(scaleNew ? d.mul(keep) : d);
                    }
                    b.intoArray(buf, bo + i);
                    d = a.nesterov() ? d.add(b.mul(m)) : b;
                }
                pv.add(d.mul(lr)).intoArray(p, po + i);
            }
        }
        for (; i < n; i++) {
            float d = g[go + i];
            if (decay) d = d + p[po + i] * wd;
            if (momentum) {
                float b = a.firstStep() ? d : buf[bo + i] * m + (scaleNew ? d * keep : d);
                buf[bo + i] = b;
                d = a.nesterov() ? d + b * m : b;
            }
            p[po + i] = p[po + i] + d * lr;
        }
    }
}
