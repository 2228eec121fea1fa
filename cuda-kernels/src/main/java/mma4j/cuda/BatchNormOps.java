package mma4j.cuda;

import static mma4j.cuda.Operands.at;
import static mma4j.cuda.Operands.dense;
import static mma4j.cuda.Operands.device;

import mma4j.tensor.Tensor;

/** Batch-norm over x [N, C, ...] (batchnorm.cu): per-channel statistics, then per-element work. */
final class BatchNormOps {
    private BatchNormOps() {}

    private static int spatial(int[] s) {
        int hw = 1;
        for (int i = 2; i < s.length; i++) hw *= s[i];
        return hw;
    }

    private static void closeCopies(Tensor[] copies, Tensor[] originals) {
        closeCopies(copies, originals, false);
    }

    /** Frees the dense stand-ins made for strided arguments, first copying outputs back when asked. */
    private static void closeCopies(Tensor[] copies, Tensor[] originals, boolean copyBack) {
        for (int i = 0; i < copies.length; i++) {
            if (copies[i] == null || copies[i] == originals[i]) continue;
            if (copyBack) ElementwiseOps.copy(copies[i], originals[i]);
            copies[i].storage().close();
        }
    }

    static void train(Tensor x0, Tensor gamma0, Tensor beta0, float eps, Tensor y, Tensor mean, Tensor invStd, Tensor unbiasedVar) {
        CudaDevice dev = device("batchNorm", x0, gamma0, beta0, y, mean, invStd, unbiasedVar);
        Tensor[] in = {x0, gamma0, beta0};
        Tensor[] d = {dense(x0), dense(gamma0), dense(beta0)};
        Tensor x = d[0];
        int[] s = x.shape();
        int n = s[0], c = s[1], hw = spatial(s);
        Operands.intoDense(mean, false, m -> Operands.intoDense(invStd, false, is -> Operands.intoDense(unbiasedVar, false, uv -> {
            if (c > 0) {
                dev.launch(Kernel.BN_STATS, c, 1, 1, 256, new Args().i(n).i(c).i(hw).f(eps).ptr(at("batchNorm", x))
                        .ptr(at("batchNorm", m)).ptr(at("batchNorm", is)).ptr(at("batchNorm", uv)));
            }
            applyInto(dev, x, m, is, d[1], d[2], y);
        })));
        closeCopies(d, in);
    }

    static void apply(Tensor x0, Tensor mean0, Tensor invStd0, Tensor gamma0, Tensor beta0, Tensor y) {
        CudaDevice dev = device("batchNorm", x0, mean0, invStd0, gamma0, beta0, y);
        Tensor[] in = {x0, mean0, invStd0, gamma0, beta0};
        Tensor[] d = {dense(x0), dense(mean0), dense(invStd0), dense(gamma0), dense(beta0)};
        applyInto(dev, d[0], d[1], d[2], d[3], d[4], y);
        closeCopies(d, in);
    }

    private static void applyInto(CudaDevice dev, Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor y) {
        int[] s = x.shape();
        long total = x.numel();
        Operands.intoDense(y, false, o -> dev.launch1d(Kernel.BN_APPLY, total, new Args().l(total).i(s[1]).i(spatial(s))
                .ptr(at("batchNorm", x)).ptr(at("batchNorm", mean)).ptr(at("batchNorm", invStd))
                .ptr(at("batchNorm", gamma)).ptr(at("batchNorm", beta)).ptr(at("batchNorm", o))));
    }

    static void backward(Tensor gy0, Tensor x0, Tensor mean0, Tensor invStd0, Tensor gamma0, Tensor gx, Tensor gGamma, Tensor gBeta) {
        CudaDevice dev = device("batchNormBackward", gy0, x0, mean0, invStd0, gamma0, gx, gGamma, gBeta);
        Tensor[] in = {gy0, x0, mean0, invStd0, gamma0};
        Tensor[] d = {dense(gy0), dense(x0), dense(mean0), dense(invStd0), dense(gamma0)};
        Tensor gy = d[0], x = d[1], mean = d[2], invStd = d[3], gamma = d[4];
        int[] s = x.shape();
        int n = s[0], c = s[1], hw = spatial(s);
        long total = x.numel();
        try (CudaStorage sums = new CudaStorage(dev, 2 * c, false)) {
            // Gradient outputs that are strided views get dense stand-ins, copied back after.
            Tensor gg = dense(gGamma), gbt = dense(gBeta);
            if (c > 0) {
                dev.launch(Kernel.BN_BACKWARD_STATS, c, 1, 1, 256, new Args().i(n).i(c).i(hw).ptr(at("batchNormBackward", gy))
                        .ptr(at("batchNormBackward", x)).ptr(at("batchNormBackward", mean)).ptr(at("batchNormBackward", invStd))
                        .ptr(sums.address()).ptr(at("batchNormBackward", gg)).ptr(at("batchNormBackward", gbt)));
            }
            closeCopies(new Tensor[] {gg, gbt}, new Tensor[] {gGamma, gBeta}, true);
            Operands.intoDense(gx, false, o -> dev.launch1d(Kernel.BN_BACKWARD_APPLY, total, new Args().l(total).i(c).i(hw)
                    .ptr(at("batchNormBackward", gy)).ptr(at("batchNormBackward", x)).ptr(at("batchNormBackward", mean))
                    .ptr(at("batchNormBackward", invStd)).ptr(at("batchNormBackward", gamma)).ptr(sums.address())
                    .ptr(at("batchNormBackward", o))));
        }
        closeCopies(d, in);
    }
}
