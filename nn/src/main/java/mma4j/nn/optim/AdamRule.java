package mma4j.nn.optim;

import mma4j.tensor.Tensor;

/** The moment updates Adam and AdamW share (torch.optim's _single_tensor_adam). */
final class AdamRule {
    private AdamRule() {}

    /** p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), after updating m, v (and max v) from g. */
    static void apply(Tensor p, Tensor g, Adam.Options o, double lr, ParamState st) {
        double step = st.scalar("step", 0) + 1;
        st.put("step", step);
        Tensor m = st.tensor("exp_avg"), v = st.tensor("exp_avg_sq");
        if (m == null) {
            m = p.zerosLike();
            v = p.zerosLike();
            st.put("exp_avg", m);
            st.put("exp_avg_sq", v);
            if (o.amsgrad()) st.put("max_exp_avg_sq", p.zerosLike());
        }
        lerpInPlace(m, g, (float) (1 - o.beta1()));
        v.mulInPlace((float) o.beta2()).addInPlace(g.mul(g), (float) (1 - o.beta2()));
        double biasCorrection1 = 1 - Math.pow(o.beta1(), step);
        double biasCorrection2 = 1 - Math.pow(o.beta2(), step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        Tensor second = v;
        if (o.amsgrad()) {
            Tensor max = st.tensor("max_exp_avg_sq");
            max.copyFrom(max.maximum(v));
            second = max;
        }
        Tensor denom = second.sqrt().mul((float) (1 / biasCorrection2Sqrt)).add((float) o.eps());
        p.addInPlace(m.div(denom), (float) -stepSize);
    }

    /** m += w * (g - m), in PyTorch's lerp form for w < 0.5 and its mirror otherwise. */
    private static void lerpInPlace(Tensor m, Tensor g, float w) {
        if (w < 0.5f) m.addInPlace(g.sub(m).mul(w));
        else m.copyFrom(g.sub(g.sub(m).mul(1 - w)));
    }
}
