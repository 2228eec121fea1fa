package mma4j.cuda;

import mma4j.tensor.BinaryOp;
import mma4j.tensor.Kernels;
import mma4j.tensor.ReduceOp;
import mma4j.tensor.Tensor;
import mma4j.tensor.UnaryOp;

/**
 * Every primitive of {@link Kernels} on the GPU. Kernels are enqueued on the device's stream
 * and return at once; reading a result back (toArray, item) synchronizes. The work lives in
 * one class per family of kernels; this class only dispatches.
 */
final class CudaKernels implements Kernels {

    @Override
    public void fill(Tensor out, float value) {
        ElementwiseOps.fill(out, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        ElementwiseOps.copy(src, dst);
    }

    @Override
    public void unary(UnaryOp op, Tensor x, float p, float q, Tensor out) {
        ElementwiseOps.unary(op, x, p, q, out);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        ElementwiseOps.binary(op, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        ElementwiseOps.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        ReduceOps.reduce(op, x, axes, out);
    }

    @Override
    public void argReduce(boolean max, Tensor x, int axis, Tensor out) {
        ReduceOps.argReduce(max, x, axis, out);
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        ReduceOps.softmax(x, axis, log, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        GemmOps.matmul(a, b, 0f, out);
    }

    @Override
    public void matmulAccumulate(Tensor a, Tensor b, float beta, Tensor out) {
        GemmOps.matmul(a, b, beta, out);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, Tensor out) {
        ConvOps.forward(x, w, bias, stride, padding, out);
    }

    @Override
    public void conv2dBackwardInput(Tensor gy, Tensor w, int stride, int padding, Tensor gx) {
        ConvOps.backwardInput(gy, w, stride, padding, gx);
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor gy, int stride, int padding, Tensor gw, Tensor gb) {
        ConvOps.backwardWeight(x, gy, stride, padding, gw, gb);
    }

    @Override
    public void maxPool2d(Tensor x, int kernel, int stride, int padding, Tensor out, Tensor indices) {
        PoolOps.maxForward(x, kernel, stride, padding, out, indices);
    }

    @Override
    public void maxPool2dBackward(Tensor gy, Tensor indices, Tensor gx) {
        PoolOps.maxBackward(gy, indices, gx);
    }

    @Override
    public void avgPool2d(Tensor x, int kernel, int stride, int padding, Tensor out) {
        PoolOps.avgForward(x, kernel, stride, padding, out);
    }

    @Override
    public void avgPool2dBackward(Tensor gy, int kernel, int stride, int padding, Tensor gx) {
        PoolOps.avgBackward(gy, kernel, stride, padding, gx);
    }

    @Override
    public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor invStd, Tensor unbiasedVar) {
        BatchNormOps.train(x, gamma, beta, eps, y, mean, invStd, unbiasedVar);
    }

    @Override
    public void batchNormApply(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor y) {
        BatchNormOps.apply(x, mean, invStd, gamma, beta, y);
    }

    @Override
    public void batchNormBackward(Tensor gy, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor gx, Tensor gGamma, Tensor gBeta) {
        BatchNormOps.backward(gy, x, mean, invStd, gamma, gx, gGamma, gBeta);
    }

    @Override
    public void nearestCosine(Tensor w, Tensor maxCos, Tensor nearest) {
        NearestCosineOps.forward(w, maxCos, nearest);
    }

    @Override
    public void nearestCosineBackward(Tensor w, Tensor nearest, Tensor g, Tensor gw) {
        NearestCosineOps.backward(w, nearest, g, gw);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float dampening,
                        float weightDecay, boolean nesterov, boolean firstStep) {
        if (ElementwiseOps.sgdFits(param, grad, momentumBuffer, momentum)) {
            ElementwiseOps.sgdStep(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, firstStep);
        } else {
            Kernels.super.sgdStep(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, firstStep);
        }
    }
}
