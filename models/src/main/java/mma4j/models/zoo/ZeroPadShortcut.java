package mma4j.models.zoo;

import mma4j.autograd.Function;
import mma4j.autograd.Variable;
import mma4j.nn.Module;
import mma4j.tensor.Tensor;

/**
 * ResNet's option-A shortcut: take every {@code stride}-th pixel and pad the channels with
 * {@code pad} zero maps on each side (PyTorch: F.pad(x[:, :, ::2, ::2], (0,0,0,0,p,p))).
 */
final class ZeroPadShortcut extends Module {
    private final int pad, stride;

    ZeroPadShortcut(int pad, int stride) {
        this.pad = pad;
        this.stride = stride;
    }

    @Override
    public Variable forward(Variable x) {
        return new SubsamplePad(pad, stride).apply(x);
    }

    static final class SubsamplePad extends Function {
        private final int pad, stride;
        private int[] inShape;

        SubsamplePad(int pad, int stride) {
            this.pad = pad;
            this.stride = stride;
        }

        /** The strided view x[:, :, ::s, ::s] (no copy). */
        private static Tensor every(Tensor x, int s) {
            return x.slice(2, 0, x.size(2), s).slice(3, 0, x.size(3), s);
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            inShape = x.shape();
            Tensor sub = every(x, stride);
            int[] s = sub.shape();
            Tensor out = x.newTensor(s[0], s[1] + 2 * pad, s[2], s[3]).zeroInPlace();
            out.narrow(1, pad, s[1]).copyFrom(sub);
            return out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = g.newTensor(inShape).zeroInPlace();
            every(gx, stride).copyFrom(g.narrow(1, pad, inShape[1]));
            return new Tensor[] {gx};
        }
    }
}
