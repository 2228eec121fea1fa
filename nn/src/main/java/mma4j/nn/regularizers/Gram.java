package mma4j.nn.regularizers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import mma4j.tensor.cpu.Gemm;
import mma4j.tensor.cpu.Parallel;

/**
 * Cosine matrices C = U U^T of unit rows, computed through {@link Gemm#sgemm} and only on and
 * above the diagonal: C is symmetric, so half the product is all there is to know.
 *
 * <p>Two shapes of the same work: {@link #upper} writes the upper triangle into one n x n
 * array (the fused ops, n up to a few thousand), {@link #forEachTile} streams square tiles
 * to a visitor and never holds more than one tile per worker (very large n).
 */
public final class Gram {
    /** Default tile side for the streamed form. */
    public static final int TILE = 256;

    private Gram() {}

    /**
     * C[i*n + j] = u_i . u_j for j >= i; entries below the diagonal are unspecified. One
     * symmetric product ({@link Gemm#syrkUpper}): B is packed once and only the register tiles
     * that reach the diagonal are computed, about half of the full product's work.
     */
    public static void upper(float[] u, int n, int d, float[] c) {
        Gemm.syrkUpper(n, d, u, 0, d, 1, c, 0, n);
    }

    /** The full symmetric C (upper product, then mirrored). */
    public static float[] full(float[] u, int n, int d) {
        float[] c = new float[n * n];
        upper(u, n, d, c);
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) c[j * n + i] = c[i * n + j];
        return c;
    }

    /** Receives one tile of C: rows i0.., columns j0.., {@code tile[a * cols + b] = C(i0 + a, j0 + b)}. */
    @FunctionalInterface
    public interface TileVisitor<S> {
        /** On a diagonal tile (i0 == j0) only the entries with b > a are pairs of distinct rows to visit. */
        void visit(S state, float[] tile, int i0, int rows, int j0, int cols);
    }

    /**
     * Streams the tiles on and above the diagonal to the visitor, split over the worker pool.
     * Each task owns one state (made by {@code newState}) and one tile buffer, so memory is
     * O(threads * (state + tile^2)) however large n is. The tiles are split by position only,
     * so each task's share is fixed for a given thread count; merge the states in list order.
     */
    public static <S> List<S> forEachTile(float[] u, int n, int d, int tile, Supplier<S> newState, TileVisitor<S> visitor) {
        if (tile < 1) throw new IllegalArgumentException("Gram.forEachTile: tile size must be >= 1, got " + tile);
        int blocks = (n + tile - 1) / tile;
        long tiles = (long) blocks * (blocks + 1) / 2;
        int tasks = (int) Math.max(1, Math.min(Parallel.threads(), tiles));
        // Little work in all: one task, so tiny problems do not pay for thread hand-offs.
        if ((long) n * n * d < (1L << 22)) tasks = 1;
        List<S> states = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) states.add(newState.get());
        int taskCount = tasks;
        Parallel.forEach(taskCount, t -> {
            S state = states.get(t);
            float[] buf = new float[Math.min(tile, n) * Math.min(tile, n)];
            long from = tiles * t / taskCount, to = tiles * (t + 1) / taskCount;
            // Walk the triangle in row-major order and act on the tiles numbered [from, to).
            long index = 0;
            for (int bi = 0; bi < blocks && index < to; bi++) {
                long rowTiles = blocks - bi;
                if (index + rowTiles <= from) {
                    index += rowTiles;
                    continue;
                }
                int i0 = bi * tile, rows = Math.min(tile, n - i0);
                for (int bj = bi; bj < blocks; bj++, index++) {
                    if (index < from) continue;
                    if (index >= to) break;
                    int j0 = bj * tile, cols = Math.min(tile, n - j0);
                    Gemm.sgemm(rows, cols, d, u, i0 * d, d, 1, u, j0 * d, 1, d, 0f, buf, 0, cols);
                    visitor.visit(state, buf, i0, rows, j0, cols);
                }
            }
        });
        return states;
    }
}
