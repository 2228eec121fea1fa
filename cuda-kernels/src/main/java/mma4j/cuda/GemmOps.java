package mma4j.cuda;

import static mma4j.cuda.Operands.at;
import static mma4j.cuda.Operands.device;

import mma4j.tensor.Tensor;

/**
 * Matrix products on the tiled SGEMM of gemm.cu: batched, strided, and batch-reduced
 * (C = sum over r of A_r @ B_r, which is how a convolution's weight gradient sums its images).
 */
final class GemmOps {
    static final int TILE_M = 64;
    static final int TILE_N = 64;
    static final int TILE_K = 16;
    /** Grid y counts row tiles and may not exceed 65535. */
    static final long MAX_ROWS = 65535L * TILE_M;
    /** Split-K partial sums kept at most (floats): 128 MiB; tests lower it to reach the batch-chunked path. */
    static volatile long workspaceFloats = 1L << 25;

    private GemmOps() {}

    /**
     * One operand: element (i, p) of matrix (z, r) lives at address + 4*(z*zs + r*rb + i*rs + p*cs).
     * Transposes swap rs and cs; broadcasting is a stride of 0.
     */
    record Operand(long address, int rs, int cs, long zs, long rb) {}

    /**
     * Slices of the (r, k) work per output tile: 1 when the output alone has enough tiles to keep
     * every multiprocessor busy, else enough slices to fill two waves, each at least 4 k-steps deep.
     * Depends only on the shapes and the GPU, so a given GPU always sums in the same order.
     */
    static int splits(int m, int n, int k, int reduceCount, int batch, int multiprocessors) {
        long tiles = (long) ceil(m, TILE_M) * ceil(n, TILE_N) * batch;
        long target = 2L * Math.max(1, multiprocessors);
        if (tiles >= target) return 1;
        long steps = (long) reduceCount * ceil(k, TILE_K);
        long s = Math.min(Math.min((target + tiles - 1) / tiles, steps / 4), 64);
        long perZ = (long) m * n;
        if (perZ > 0) s = Math.min(s, workspaceFloats / perZ);
        return (int) Math.max(1, s);
    }

    static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    /** C[z] = beta*C[z] + sum_r A[z,r] @ B[z,r] for z < batch; C(i,j) of matrix z at c + 4*(z*cZs + i*ldc + j). */
    static void sgemm(CudaDevice dev, int m, int n, int k, Operand a, Operand b, int reduceCount, int batch,
                      float beta, long c, int ldc, long cZs) {
        if (m == 0 || n == 0 || batch == 0) return;
        if (m > MAX_ROWS) throw new IllegalArgumentException("cuda matmul: " + m + " rows exceed the kernel's limit of " + MAX_ROWS);
        int splits = splits(m, n, k, reduceCount, batch, dev.multiprocessors);
        long perZ = (long) m * n;
        int zPerLaunch = Math.max(1, Math.min(batch, 65535 / splits));
        if (splits > 1) zPerLaunch = (int) Math.max(1, Math.min(zPerLaunch, workspaceFloats / (splits * perZ)));
        CudaStorage partial = splits > 1 ? new CudaStorage(dev, (int) (zPerLaunch * splits * perZ), false) : null;
        try {
            long partialAddress = partial == null ? 0L : partial.address();
            for (int z0 = 0; z0 < batch; z0 += zPerLaunch) {
                int zc = Math.min(zPerLaunch, batch - z0);
                long az = a.address() + 4L * z0 * a.zs(), bz = b.address() + 4L * z0 * b.zs(), cz = c + 4L * z0 * cZs;
                dev.launch(Kernel.SGEMM_TILED, ceil(n, TILE_N), ceil(m, TILE_M), zc * splits, 256, new Args()
                        .i(m).i(n).i(k)
                        .ptr(az).i(a.rs()).i(a.cs()).l(a.zs()).l(a.rb())
                        .ptr(bz).i(b.rs()).i(b.cs()).l(b.zs()).l(b.rb())
                        .i(reduceCount).i(splits).f(beta)
                        .ptr(cz).i(ldc).l(cZs).ptr(partialAddress));
                if (splits > 1) {
                    dev.launch1d(Kernel.SGEMM_SPLIT_SUM, zc * perZ, new Args()
                            .i(m).i(n).i(zc).i(splits).f(beta).ptr(partialAddress).ptr(cz).i(ldc).l(cZs));
                }
            }
        } finally {
            if (partial != null) partial.close();
        }
    }

    /** out = beta*out + a @ b for [B,M,K] x [B,K,N] -> [B,M,N] views of any strides. */
    static void matmul(Tensor a, Tensor b, float beta, Tensor out) {
        CudaDevice dev = device("matmul", a, b, out);
        int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
        int[] as = a.strides(), bs = b.strides();
        Operand oa = new Operand(at("matmul", a), as[1], as[2], as[0], 0);
        Operand ob = new Operand(at("matmul", b), bs[1], bs[2], bs[0], 0);
        Operands.intoDense(out, beta != 0f, o -> sgemm(dev, m, n, k, oa, ob, 1, batch, beta, at("matmul", o), n, (long) m * n));
    }
}
