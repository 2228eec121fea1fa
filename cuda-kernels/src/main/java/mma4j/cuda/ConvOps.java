package mma4j.cuda;

import static mma4j.cuda.Operands.at;
import static mma4j.cuda.Operands.dense;
import static mma4j.cuda.Operands.device;

import mma4j.tensor.BinaryOp;
import mma4j.tensor.Tensor;
import mma4j.cuda.GemmOps.Operand;

/**
 * 2-d convolution as im2col + GEMM (conv.cu, gemm.cu), a chunk of images at a time so the
 * column buffer stays within {@link #columnBudget}. A 1x1 convolution with stride 1 and no
 * padding needs no column buffer: the image already is its column matrix.
 */
final class ConvOps {
    /** Column-buffer budget in floats (256 MiB); tests lower it to reach the chunked path. */
    static volatile long columnBudget = 1L << 26;

    private ConvOps() {}

    record Geometry(int n, int c, int h, int w, int f, int kh, int kw, int stride, int pad, int oh, int ow) {
        int ckk() { return c * kh * kw; }
        int ohw() { return oh * ow; }
        long imageFloats() { return (long) c * h * w; }
        long outFloats() { return (long) f * oh * ow; }
        long columnFloats() { return (long) ckk() * ohw(); }
        boolean pointwise() { return kh == 1 && kw == 1 && stride == 1 && pad == 0; }
        /** Images per chunk. */
        int chunk() {
            if (columnFloats() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("conv2d on cuda: one image's column matrix (" + ckk() + " x " + ohw() + ") exceeds 2^31 floats");
            }
            return (int) Math.max(1, Math.min(n, columnBudget / Math.max(1, columnFloats())));
        }
    }

    static Geometry geometry(int[] xs, int[] ws, int stride, int pad) {
        int oh = (xs[2] + 2 * pad - ws[2]) / stride + 1, ow = (xs[3] + 2 * pad - ws[3]) / stride + 1;
        return new Geometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride, pad, oh, ow);
    }

    private static Args geometryArgs(Geometry g, int images) {
        return new Args().i(images).i(g.c).i(g.h).i(g.w).i(g.kh).i(g.kw).i(g.stride).i(g.pad).i(g.oh).i(g.ow);
    }

    private static void im2col(CudaDevice dev, Geometry g, int images, long x, long col) {
        dev.launch1d(Kernel.IM2COL, images * g.columnFloats(), geometryArgs(g, images).ptr(x).ptr(col));
    }

    static void forward(Tensor x0, Tensor w0, Tensor bias, int stride, int pad, Tensor out) {
        CudaDevice dev = device("conv2d", x0, w0, bias, out);
        Tensor x = dense(x0), w = dense(w0);
        Geometry g = geometry(x.shape(), w.shape(), stride, pad);
        Operands.intoDense(out, false, o -> {
            // out[img] [F x ohw] = W [F x ckk] @ col[img] [ckk x ohw]
            Operand weight = new Operand(at("conv2d", w), g.ckk(), 1, 0, 0);
            if (g.pointwise()) {
                Operand cols = new Operand(at("conv2d", x), g.ohw(), 1, g.imageFloats(), 0);
                GemmOps.sgemm(dev, g.f, g.ohw(), g.ckk(), weight, cols, 1, g.n, 0f, at("conv2d", o), g.ohw(), g.outFloats());
            } else {
                int chunk = g.chunk();
                try (CudaStorage col = new CudaStorage(dev, (int) (chunk * g.columnFloats()), false)) {
                    for (int i0 = 0; i0 < g.n; i0 += chunk) {
                        int nb = Math.min(chunk, g.n - i0);
                        im2col(dev, g, nb, at("conv2d", x) + 4L * i0 * g.imageFloats(), col.address());
                        Operand cols = new Operand(col.address(), g.ohw(), 1, g.columnFloats(), 0);
                        GemmOps.sgemm(dev, g.f, g.ohw(), g.ckk(), weight, cols, 1, nb, 0f,
                                at("conv2d", o) + 4L * i0 * g.outFloats(), g.ohw(), g.outFloats());
                    }
                }
            }
            if (bias != null) {
                Tensor b = bias.view(1, g.f, 1, 1).expand(g.n, g.f, g.oh, g.ow);
                ElementwiseOps.binary(BinaryOp.ADD, o, b, o);
            }
        });
        if (x != x0) x.storage().close();
        if (w != w0) w.storage().close();
    }

    static void backwardInput(Tensor gy0, Tensor w0, int stride, int pad, Tensor gx) {
        CudaDevice dev = device("conv2dBackwardInput", gy0, w0, gx);
        Tensor gy = dense(gy0), w = dense(w0);
        Geometry g = geometry(gx.shape(), w.shape(), stride, pad);
        Operands.intoDense(gx, false, o -> {
            // col[img] [ckk x ohw] = W^T [ckk x F] @ gy[img] [F x ohw], then scattered back into the image.
            Operand weightT = new Operand(at("conv2dBackwardInput", w), 1, g.ckk(), 0, 0);
            Operand grads = new Operand(at("conv2dBackwardInput", gy), g.ohw(), 1, g.outFloats(), 0);
            if (g.pointwise()) {
                GemmOps.sgemm(dev, g.ckk(), g.ohw(), g.f, weightT, grads, 1, g.n, 0f, at("conv2dBackwardInput", o), g.ohw(), g.imageFloats());
                return;
            }
            int chunk = g.chunk();
            try (CudaStorage col = new CudaStorage(dev, (int) (chunk * g.columnFloats()), false)) {
                for (int i0 = 0; i0 < g.n; i0 += chunk) {
                    int nb = Math.min(chunk, g.n - i0);
                    Operand gyChunk = new Operand(grads.address() + 4L * i0 * g.outFloats(), g.ohw(), 1, g.outFloats(), 0);
                    GemmOps.sgemm(dev, g.ckk(), g.ohw(), g.f, weightT, gyChunk, 1, nb, 0f, col.address(), g.ohw(), g.columnFloats());
                    dev.launch1d(Kernel.COL2IM, nb * g.imageFloats(), geometryArgs(g, nb).ptr(col.address())
                            .ptr(at("conv2dBackwardInput", o) + 4L * i0 * g.imageFloats()));
                }
            }
        });
        if (gy != gy0) gy.storage().close();
        if (w != w0) w.storage().close();
    }

    static void backwardWeight(Tensor x0, Tensor gy0, int stride, int pad, Tensor gw, Tensor gb) {
        CudaDevice dev = device("conv2dBackwardWeight", x0, gy0, gw, gb);
        Tensor x = dense(x0), gy = dense(gy0);
        Geometry g = geometry(x.shape(), gw.shape(), stride, pad);
        Operands.intoDense(gw, false, o -> {
            // gw [F x ckk] = sum over images of gy[img] [F x ohw] @ col[img]^T [ohw x ckk]: one batch-reduced GEMM per chunk.
            long gyAddress = at("conv2dBackwardWeight", gy);
            if (g.pointwise()) {
                Operand grads = new Operand(gyAddress, g.ohw(), 1, 0, g.outFloats());
                Operand colsT = new Operand(at("conv2dBackwardWeight", x), 1, g.ohw(), 0, g.imageFloats());
                GemmOps.sgemm(dev, g.f, g.ckk(), g.ohw(), grads, colsT, g.n, 1, 0f, at("conv2dBackwardWeight", o), g.ckk(), 0);
            } else {
                int chunk = g.chunk();
                try (CudaStorage col = new CudaStorage(dev, (int) (chunk * g.columnFloats()), false)) {
                    for (int i0 = 0; i0 < g.n; i0 += chunk) {
                        int nb = Math.min(chunk, g.n - i0);
                        im2col(dev, g, nb, at("conv2dBackwardWeight", x) + 4L * i0 * g.imageFloats(), col.address());
                        Operand grads = new Operand(gyAddress + 4L * i0 * g.outFloats(), g.ohw(), 1, 0, g.outFloats());
                        Operand colsT = new Operand(col.address(), 1, g.ohw(), 0, g.columnFloats());
                        GemmOps.sgemm(dev, g.f, g.ckk(), g.ohw(), grads, colsT, nb, 1, i0 == 0 ? 0f : 1f,
                                at("conv2dBackwardWeight", o), g.ckk(), 0);
                    }
                }
            }
        });
        if (gb != null) {
            // gb[f] = sum over images and pixels of gy[img][f]
            Tensor gy3 = gy.view(g.n, g.f, g.ohw());
            ReduceOps.reduce(mma4j.tensor.ReduceOp.SUM, gy3, new int[] {0, 2}, gb.view(1, g.f, 1));
        }
        if (x != x0) x.storage().close();
        if (gy != gy0) gy.storage().close();
    }
}
