package mma4j.cuda;

import static mma4j.cuda.Operands.at;
import static mma4j.cuda.Operands.dense;
import static mma4j.cuda.Operands.device;

import mma4j.tensor.Tensor;

/** Max and average pooling over NCHW planes (pool.cu). */
final class PoolOps {
    private PoolOps() {}

    static void maxForward(Tensor x0, int k, int s, int p, Tensor out, Tensor indices) {
        CudaDevice dev = device("maxPool2d", x0, out, indices);
        Tensor x = dense(x0);
        int[] xs = x.shape(), os = out.shape();
        long planes = (long) xs[0] * xs[1];
        Operands.intoDense(out, false, o -> Operands.intoDense(indices, false, ix ->
                dev.launch1d(Kernel.MAXPOOL_FORWARD, planes * os[2] * os[3], new Args().l(planes).i(xs[2]).i(xs[3]).i(os[2]).i(os[3])
                        .i(k).i(s).i(p).ptr(at("maxPool2d", x)).ptr(at("maxPool2d", o)).ptr(at("maxPool2d", ix)))));
        if (x != x0) x.storage().close();
    }

    static void maxBackward(Tensor gy0, Tensor indices0, Tensor gx) {
        CudaDevice dev = device("maxPool2dBackward", gy0, indices0, gx);
        Tensor gy = dense(gy0), indices = dense(indices0);
        int[] gs = gy.shape(), xs = gx.shape();
        long planes = (long) gs[0] * gs[1];
        Operands.intoDense(gx, false, o -> dev.launch1d(Kernel.MAXPOOL_BACKWARD, planes, new Args().l(planes)
                .i(xs[2] * xs[3]).i(gs[2] * gs[3]).ptr(at("maxPool2dBackward", gy)).ptr(at("maxPool2dBackward", indices))
                .ptr(at("maxPool2dBackward", o))));
        if (gy != gy0) gy.storage().close();
        if (indices != indices0) indices.storage().close();
    }

    static void avgForward(Tensor x0, int k, int s, int p, Tensor out) {
        CudaDevice dev = device("avgPool2d", x0, out);
        Tensor x = dense(x0);
        int[] xs = x.shape(), os = out.shape();
        long planes = (long) xs[0] * xs[1];
        Operands.intoDense(out, false, o -> dev.launch1d(Kernel.AVGPOOL_FORWARD, planes * os[2] * os[3], new Args().l(planes)
                .i(xs[2]).i(xs[3]).i(os[2]).i(os[3]).i(k).i(s).i(p).ptr(at("avgPool2d", x)).ptr(at("avgPool2d", o))));
        if (x != x0) x.storage().close();
    }

    static void avgBackward(Tensor gy0, int k, int s, int p, Tensor gx) {
        CudaDevice dev = device("avgPool2dBackward", gy0, gx);
        Tensor gy = dense(gy0);
        int[] gs = gy.shape(), xs = gx.shape();
        long planes = (long) gs[0] * gs[1];
        Operands.intoDense(gx, false, o -> dev.launch1d(Kernel.AVGPOOL_BACKWARD, planes * xs[2] * xs[3], new Args().l(planes)
                .i(xs[2]).i(xs[3]).i(gs[2]).i(gs[3]).i(k).i(s).i(p).ptr(at("avgPool2dBackward", gy)).ptr(at("avgPool2dBackward", o))));
        if (gy != gy0) gy.storage().close();
    }
}
