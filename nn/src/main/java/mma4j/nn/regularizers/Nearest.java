package mma4j.nn.regularizers;

import java.util.Arrays;
import java.util.List;

/**
 * For each row, the largest cosine to another row and which row that is. Ties go to the
 * lower index, as argmax does; candidates are compared as (cosine, -index), a total order,
 * so merging partial results in any grouping gives the same answer.
 */
public final class Nearest {
    public final float[] cos;
    public final int[] index;

    public Nearest(int n) {
        cos = new float[n];
        index = new int[n];
        Arrays.fill(cos, Float.NEGATIVE_INFINITY);
        Arrays.fill(index, Integer.MAX_VALUE);
    }

    /** Offers row j at cosine v as row i's neighbour. */
    public void offer(int i, float v, int j) {
        if (v > cos[i] || (v == cos[i] && j < index[i])) {
            cos[i] = v;
            index[i] = j;
        }
    }

    /** Rows of the upper triangle of a full n x n cosine array (see {@link Gram#upper}). */
    public static Nearest ofUpper(float[] c, int n) {
        return ofUpper(c, n, null);
    }

    /**
     * The same from the upper triangle of a raw Gram W W^T and the row lengths: the cosine of
     * rows i, j is c_ij / (norm_i norm_j), rounded to float. (norm null: c holds cosines.)
     */
    public static Nearest ofUpper(float[] c, int n, float[] norm) {
        double[] inv = null;
        if (norm != null) {
            inv = new double[n];
            for (int i = 0; i < n; i++) inv[i] = 1.0 / norm[i];
        }
        Nearest r = new Nearest(n);
        // Row k sees its candidates in ascending index order (first from the rows above it,
        // then its own columns to the right), so a strict '>' keeps the first maximum.
        for (int i = 0; i < n; i++) {
            int o = i * n;
            float best = r.cos[i];
            int arg = r.index[i];
            double invI = inv == null ? 1.0 : inv[i];
            for (int j = i + 1; j < n; j++) {
                float v = inv == null ? c[o + j] : (float) (c[o + j] * invI * inv[j]);
                if (v > best) {
                    best = v;
                    arg = j;
                }
                if (v > r.cos[j]) {
                    r.cos[j] = v;
                    r.index[j] = i;
                }
            }
            r.cos[i] = best;
            r.index[i] = arg;
        }
        return r;
    }

    /** Nearest neighbours from tiles, never holding the n x n matrix. */
    public static Nearest ofTiles(float[] u, int n, int d, int tile) {
        List<Nearest> parts = Gram.forEachTile(u, n, d, tile, () -> new Nearest(n), Nearest::visitTile);
        Nearest r = parts.get(0);
        for (int t = 1; t < parts.size(); t++) r.merge(parts.get(t));
        return r;
    }

    /** Takes the other's candidates too (same rows); the result does not depend on merge order. */
    public void merge(Nearest other) {
        for (int i = 0; i < cos.length; i++) offer(i, other.cos[i], other.index[i]);
    }

    private static void visitTile(Nearest s, float[] tile, int i0, int rows, int j0, int cols) {
        boolean diagonal = i0 == j0;
        for (int a = 0; a < rows; a++) {
            int i = i0 + a, o = a * cols;
            for (int b = diagonal ? a + 1 : 0; b < cols; b++) {
                float v = tile[o + b];
                int j = j0 + b;
                s.offer(i, v, j);
                s.offer(j, v, i);
            }
        }
    }
}
