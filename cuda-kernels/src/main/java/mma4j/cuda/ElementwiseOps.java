package mma4j.cuda;

import static mma4j.cuda.Operands.at;
import static mma4j.cuda.Operands.base;
import static mma4j.cuda.Operands.device;

import java.util.Arrays;
import mma4j.tensor.BinaryOp;
import mma4j.tensor.Tensor;
import mma4j.tensor.UnaryOp;

/** fill, copy, unary, binary, where over strided views, and the fused SGD step (elementwise.cu). */
final class ElementwiseOps {
    private ElementwiseOps() {}

    static void fill(Tensor out, float value) {
        if (out.numel() == 0) return;
        Layout l = Layout.of(out);
        device("fill", out).launch1d(Kernel.FILL_STRIDED, l.numel, new Args().layout(l).l(l.numel).f(value).ptr(base("fill", out)));
    }

    static void copy(Tensor src, Tensor dst) {
        if (src.numel() == 0) return;
        CudaDevice dev = device("copy", src, dst);
        if (src.storage() == dst.storage() && overlaps(src, dst)) {
            // Read everything before writing anything: go through a fresh buffer.
            Tensor tmp = src.newTensor(src.shape());
            copy(src, tmp);
            copy(tmp, dst);
            tmp.storage().close();
            return;
        }
        Layout l = Layout.of(src, dst);
        dev.launch1d(Kernel.COPY_STRIDED, l.numel, new Args().layout(l).l(l.numel).ptr(base("copy", src)).ptr(base("copy", dst)));
    }

    private static boolean overlaps(Tensor a, Tensor b) {
        return a.offset() != b.offset() || !Arrays.equals(a.strides(), b.strides());
    }

    static void unary(UnaryOp op, Tensor x, float p, float q, Tensor out) {
        if (x.numel() == 0) return;
        Layout l = Layout.of(x, out);
        device("unary", x, out).launch1d(Kernel.UNARY_STRIDED, l.numel,
                new Args().layout(l).l(l.numel).i(op.ordinal()).f(p).f(q).ptr(base("unary", x)).ptr(base("unary", out)));
    }

    static void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (out.numel() == 0) return;
        Layout l = Layout.of(a, b, out);
        device("binary", a, b, out).launch1d(Kernel.BINARY_STRIDED, l.numel,
                new Args().layout(l).l(l.numel).i(op.ordinal()).ptr(base("binary", a)).ptr(base("binary", b)).ptr(base("binary", out)));
    }

    static void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        if (out.numel() == 0) return;
        Layout l = Layout.of(cond, a, b, out);
        device("where", cond, a, b, out).launch1d(Kernel.WHERE_STRIDED, l.numel,
                new Args().layout(l).l(l.numel).ptr(base("where", cond)).ptr(base("where", a)).ptr(base("where", b)).ptr(base("where", out)));
    }

    /** Whether the fused kernel applies: dense tensors of one shape (else the composed default runs). */
    static boolean sgdFits(Tensor param, Tensor grad, Tensor buf, float momentum) {
        if (!param.isContiguous() || !grad.isContiguous() || !param.sameShape(grad)) return false;
        if (momentum == 0f) return true;
        return buf != null && buf.isContiguous() && param.sameShape(buf);
    }

    static void sgdStep(Tensor param, Tensor grad, Tensor buf, float lr, float momentum, float dampening, float weightDecay,
                        boolean nesterov, boolean firstStep) {
        long n = param.numel();
        Tensor b = momentum == 0f ? null : buf;
        device("sgdStep", param, grad, b).launch1d(Kernel.SGD_STEP, n, new Args().l(n)
                .ptr(at("sgdStep", param)).ptr(at("sgdStep", grad)).ptr(at("sgdStep", b))
                .f(lr).f(momentum).f(dampening).f(weightDecay).i(nesterov ? 1 : 0).i(firstStep ? 1 : 0));
        param.storage().bumpVersion();
        if (b != null) b.storage().bumpVersion();
    }
}
