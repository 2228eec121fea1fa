package mma4j.cuda;

import static mma4j.cuda.Operands.at;
import static mma4j.cuda.Operands.dense;
import static mma4j.cuda.Operands.device;

import java.util.Arrays;
import mma4j.tensor.Tensor;

/**
 * The fused MMA regularizer on the GPU (mma.cu): each row's nearest neighbour by cosine in one
 * tiled pass that never stores the n x n cosine matrix, and the backward that touches only the
 * nearest-neighbour pairs.
 */
final class NearestCosineOps {
    private NearestCosineOps() {}

    /** Slices of the column tiles: enough row-tile x slice blocks for two waves of the GPU. */
    static int splits(int n, int multiprocessors) {
        int rowTiles = GemmOps.ceil(n, GemmOps.TILE_M), colTiles = GemmOps.ceil(n, GemmOps.TILE_N);
        int s = Math.max(1, Math.min(colTiles, GemmOps.ceil(2 * Math.max(1, multiprocessors), rowTiles)));
        s = Math.min(s, 65535);
        int per = GemmOps.ceil(colTiles, s);
        return GemmOps.ceil(colTiles, per);  // no empty slice
    }

    private static void check(String op, Tensor w, Tensor... perRow) {
        if (w.dim() != 2 || w.size(0) < 2) {
            throw new IllegalArgumentException(op + ": weight must be 2-d [n, d] with n >= 2, got shape " + Arrays.toString(w.shape()));
        }
        for (Tensor t : perRow) {
            if (t.numel() != w.size(0)) {
                throw new IllegalArgumentException(op + ": per-row tensor of shape " + Arrays.toString(t.shape()) + " must hold " + w.size(0)
                        + " values for weight " + Arrays.toString(w.shape()));
            }
        }
    }

    static void forward(Tensor w0, Tensor maxCos, Tensor nearest) {
        check("nearestCosine", w0, maxCos, nearest);
        CudaDevice dev = device("nearestCosine", w0, maxCos, nearest);
        Tensor w = dense(w0);
        int n = w.size(0), d = w.size(1);
        int splits = splits(n, dev.multiprocessors);
        int colTiles = GemmOps.ceil(n, GemmOps.TILE_N), per = GemmOps.ceil(colTiles, splits);
        try (CudaStorage pmax = new CudaStorage(dev, splits * n, false); CudaStorage pidx = new CudaStorage(dev, splits * n, false)) {
            dev.launch(Kernel.NEAREST_COSINE_PARTIAL, GemmOps.ceil(n, GemmOps.TILE_M), splits, 1, 256,
                    new Args().i(n).i(d).ptr(at("nearestCosine", w)).i(per).ptr(pmax.address()).ptr(pidx.address()));
            Operands.intoDense(maxCos, false, mc -> Operands.intoDense(nearest, false, nn ->
                    dev.launch1d(Kernel.NEAREST_COSINE_COMBINE, n, new Args().i(n).i(splits).ptr(pmax.address()).ptr(pidx.address())
                            .ptr(at("nearestCosine", mc)).ptr(at("nearestCosine", nn)))));
        }
        if (w != w0) w.storage().close();
    }

    /**
     * For each row r, the rows i whose nearest neighbour is r, ascending: list[start[r] .. start[r+1]).
     * Built on the host (a counting sort), so the backward adds in a fixed order without atomics.
     */
    record Incoming(int[] start, int[] list) {}

    static Incoming incoming(float[] nearest) {
        int n = nearest.length;
        int[] start = new int[n + 1], list = new int[n];
        for (int i = 0; i < n; i++) {
            float f = nearest[i];
            int j = (int) f;
            if (j != f || j < 0 || j >= n || j == i) {
                throw new IllegalArgumentException("nearestCosineBackward: nearest[" + i + "] = " + f + " is not another row index in [0, " + n + ")");
            }
            start[j + 1]++;
        }
        for (int r = 0; r < n; r++) start[r + 1] += start[r];
        int[] fill = Arrays.copyOf(start, n);
        for (int i = 0; i < n; i++) list[fill[(int) nearest[i]]++] = i;
        return new Incoming(start, list);
    }

    static void backward(Tensor w0, Tensor nearest, Tensor g0, Tensor gw) {
        check("nearestCosineBackward", w0, nearest, g0);
        CudaDevice dev = device("nearestCosineBackward", w0, nearest, g0, gw);
        float[] nn = nearest.toArray();  // synchronizes; n floats, small next to w
        Incoming in = incoming(nn);
        Tensor w = dense(w0), g = dense(g0), near = dense(nearest);
        int n = w.size(0), d = w.size(1);
        try (CudaStorage start = new CudaStorage(dev, n + 1, false); CudaStorage list = new CudaStorage(dev, n, false)) {
            dev.runtime.copyToDevice(start.address(), in.start(), 0, n + 1);
            dev.runtime.copyToDevice(list.address(), in.list(), 0, n);
            Operands.intoDense(gw, false, o -> dev.launch1d(Kernel.NEAREST_COSINE_BACKWARD, (long) n * d, new Args().i(n).i(d)
                    .ptr(at("nearestCosineBackward", w)).ptr(at("nearestCosineBackward", near)).ptr(at("nearestCosineBackward", g))
                    .ptr(start.address()).ptr(list.address()).ptr(at("nearestCosineBackward", o))));
        }
        if (w != w0) w.storage().close();
        if (g != g0) g.storage().close();
        if (near != nearest) near.storage().close();
    }
}
