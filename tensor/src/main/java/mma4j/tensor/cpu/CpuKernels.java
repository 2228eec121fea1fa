package mma4j.tensor.cpu;

import mma4j.tensor.BinaryOp;
import mma4j.tensor.Kernels;
import mma4j.tensor.ReduceOp;
import mma4j.tensor.Tensor;
import mma4j.tensor.UnaryOp;

/** The CPU implementation of every primitive; heavy ops live in their own classes. */
final class CpuKernels implements Kernels {

    @Override
    public void fill(Tensor out, float value) {
        float[] d = out.array();
        Strided it = new Strided(out);
        int s = it.innerStride(0);
        it.forEachRow(1, (o, len) -> {
            if (s == 1) java.util.Arrays.fill(d, o[0], o[0] + len, value);
            else for (int i = 0; i < len; i++) d[o[0] + i * s] = value;
        });
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        float[] s = src.array(), d = dst.array();
        Strided it = new Strided(src, dst);
        int ss = it.innerStride(0), ds = it.innerStride(1);
        if (s == d && src.numel() > 0 && overlaps(src, dst)) {
            // Copy through a temporary so overlapping views read old values.
            float[] tmp = src.toArray();
            Tensor t = Tensor.wrap(tmp, src.shape());
            copy(t, dst);
            return;
        }
        it.forEachRow(1, (o, len) -> {
            if (ss == 1 && ds == 1) System.arraycopy(s, o[0], d, o[1], len);
            else for (int i = 0; i < len; i++) d[o[1] + i * ds] = s[o[0] + i * ss];
        });
    }

    private static boolean overlaps(Tensor a, Tensor b) {
        return a.offset() != b.offset() || !java.util.Arrays.equals(a.strides(), b.strides());
    }

    @Override
    public void unary(UnaryOp op, Tensor x, float p, float q, Tensor out) {
        float[] xd = x.array(), od = out.array();
        Strided it = new Strided(x, out);
        int xs = it.innerStride(0), os = it.innerStride(1);
        it.forEachRow(cost(op), (o, len) -> Elementwise.unary(op, xd, o[0], xs, od, o[1], os, len, p, q));
    }

    private static long cost(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, SIGMOID, TANH, ACOS, POW -> 16;
            default -> 1;
        };
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        float[] ad = a.array(), bd = b.array(), od = out.array();
        Strided it = new Strided(a, b, out);
        int as = it.innerStride(0), bs = it.innerStride(1), os = it.innerStride(2);
        it.forEachRow(op == BinaryOp.POW ? 16 : 1, (o, len) -> Elementwise.binary(op, ad, o[0], as, bd, o[1], bs, od, o[2], os, len));
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        float[] cd = cond.array(), ad = a.array(), bd = b.array(), od = out.array();
        Strided it = new Strided(cond, a, b, out);
        int cs = it.innerStride(0), as = it.innerStride(1), bs = it.innerStride(2), os = it.innerStride(3);
        it.forEachRow(1, (o, len) -> Elementwise.where(cd, o[0], cs, ad, o[1], as, bd, o[2], bs, od, o[3], os, len));
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        Reduce.reduce(op, x, axes, out);
    }

    @Override
    public void argReduce(boolean max, Tensor x, int axis, Tensor out) {
        Reduce.argReduce(max, x, axis, out);
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        Reduce.softmax(x, axis, log, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        matmulAccumulate(a, b, 0f, out);
    }

    @Override
    public void matmulAccumulate(Tensor a, Tensor b, float beta, Tensor out) {
        int[] as = a.strides(), bs = b.strides();
        int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
        float[] ad = a.array(), bd = b.array(), od = out.array();
        for (int i = 0; i < batch; i++) {
            Gemm.sgemm(m, n, k, ad, a.offset() + i * as[0], as[1], as[2], bd, b.offset() + i * bs[0], bs[1], bs[2],
                    beta, od, out.offset() + i * m * n, n);
        }
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, Tensor out) {
        Conv.forward(x.contiguous(), w.contiguous(), bias == null ? null : bias.contiguous(), stride, padding, out);
    }

    @Override
    public void conv2dBackwardInput(Tensor gy, Tensor w, int stride, int padding, Tensor gx) {
        Conv.backwardInput(gy.contiguous(), w.contiguous(), stride, padding, gx);
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor gy, int stride, int padding, Tensor gw, Tensor gb) {
        Conv.backwardWeight(x.contiguous(), gy.contiguous(), stride, padding, gw, gb);
    }

    @Override
    public void maxPool2d(Tensor x, int kernel, int stride, int padding, Tensor out, Tensor indices) {
        Pool.maxForward(x.contiguous(), kernel, stride, padding, out, indices);
    }

    @Override
    public void maxPool2dBackward(Tensor gy, Tensor indices, Tensor gx) {
        Pool.maxBackward(gy.contiguous(), indices.contiguous(), gx);
    }

    @Override
    public void avgPool2d(Tensor x, int kernel, int stride, int padding, Tensor out) {
        Pool.avgForward(x.contiguous(), kernel, stride, padding, out);
    }

    @Override
    public void avgPool2dBackward(Tensor gy, int kernel, int stride, int padding, Tensor gx) {
        Pool.avgBackward(gy.contiguous(), kernel, stride, padding, gx);
    }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor invStd, Tensor unbiasedVar) {
        BatchNorm.train(x.contiguous(), null, gamma, beta, eps, y, mean, invStd, unbiasedVar, false);
    }

    @Override
    public void batchNormApply(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor y) {
        BatchNorm.apply(x.contiguous(), mean.contiguous(), invStd.contiguous(), gamma, beta, y);
    }

    @Override
    public void batchNormBackward(Tensor gy, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor gx, Tensor gGamma, Tensor gBeta) {
        BatchNorm.backward(gy.contiguous(), null, x.contiguous(), mean.contiguous(), invStd.contiguous(), gamma, gx, gGamma, gBeta);
    }

    @Override
    public void batchNormReluTrain(Tensor x, Tensor residual, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor invStd,
                                   Tensor unbiasedVar) {
        BatchNorm.train(x.contiguous(), residual == null ? null : residual.contiguous(), gamma, beta, eps, y, mean, invStd, unbiasedVar, true);
    }

    @Override
    public void batchNormReluBackward(Tensor gy, Tensor y, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor gx, Tensor gGamma, Tensor gBeta) {
        BatchNorm.backward(gy.contiguous(), y.contiguous(), x.contiguous(), mean.contiguous(), invStd.contiguous(), gamma, gx, gGamma, gBeta);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float dampening,
                        float weightDecay, boolean nesterov, boolean firstStep) {
        boolean withBuffer = momentum != 0f;
        if (!param.isContiguous() || !grad.isContiguous() || (withBuffer && !momentumBuffer.isContiguous())) {
            Kernels.super.sgdStep(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, firstStep);
            return;
        }
        SgdStep.run(param.array(), param.offset(), grad.array(), grad.offset(),
                withBuffer ? momentumBuffer.array() : null, withBuffer ? momentumBuffer.offset() : 0, param.numel(),
                new SgdStep.Args(lr, momentum, dampening, weightDecay, nesterov, firstStep));
    }
}
