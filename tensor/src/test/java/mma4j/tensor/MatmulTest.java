package mma4j.tensor;

import static mma4j.tensor.TensorTesting.assertBadInput;
import static mma4j.tensor.TensorTesting.assertClose;
import static mma4j.tensor.TensorTesting.at;
import static mma4j.tensor.TensorTesting.describe;
import static mma4j.tensor.TensorTesting.inEveryMode;
import static mma4j.tensor.TensorTesting.numel;
import static mma4j.tensor.TensorTesting.randomSize;
import static mma4j.tensor.TensorTesting.randomTensor;
import static mma4j.tensor.TensorTesting.unravel;
import static mma4j.tensor.TensorTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Tensor.matmul with PyTorch's promotion and batch broadcasting, against a double-precision triple loop. */
class MatmulTest {
    private static final double EPS = 0x1p-24;

    /** Reference: promotes 1-d operands, broadcasts batch dims, sums in double; tol from sum |a||b|. */
    private record Ref(int[] shape, double[] value, double[] tol) {}

    private static Ref reference(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        boolean aVec = as.length == 1, bVec = bs.length == 1;
        int m = aVec ? 1 : as[as.length - 2], k = as[as.length - 1];
        int n = bVec ? 1 : bs[bs.length - 1];
        int[] ab = aVec ? new int[0] : Arrays.copyOf(as, as.length - 2);
        int[] bb = bVec ? new int[0] : Arrays.copyOf(bs, bs.length - 2);
        int[] batch = ElementwiseTest.broadcastShape(ab, bb);
        int nb = numel(batch);
        int[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = m;
        full[batch.length + 1] = n;
        double[] out = new double[nb * m * n], tol = new double[out.length];
        for (int bi = 0; bi < nb; bi++) {
            int[] bidx = unravel(bi, batch);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        float x = aVec ? at(a, p) : at(a, idx(bidx, ab, i, p));
                        float y = bVec ? at(b, p) : at(b, idx(bidx, bb, p, j));
                        s += (double) x * y;
                        abs += Math.abs((double) x * y);
                    }
                    int o = (bi * m + i) * n + j;
                    out[o] = s;
                    tol[o] = (k + 2) * 2 * EPS * abs + 1e-30;
                }
            }
        }
        int rank = full.length - (aVec ? 1 : 0) - (bVec ? 1 : 0);
        int[] shape = new int[rank];
        int r = 0;
        for (int d = 0; d < full.length; d++) {
            if (aVec && d == full.length - 2) continue;
            if (bVec && d == full.length - 1) continue;
            shape[r++] = full[d];
        }
        return new Ref(shape, out, tol);
    }

    /** Index into an operand with batch dims {@code own} (right-aligned, size-1 broadcast) for batch index bidx. */
    private static int[] idx(int[] bidx, int[] own, int row, int col) {
        int[] i = new int[own.length + 2];
        int lead = bidx.length - own.length;
        for (int d = 0; d < own.length; d++) i[d] = own[d] == 1 ? 0 : bidx[lead + d];
        i[own.length] = row;
        i[own.length + 1] = col;
        return i;
    }

    /** A tensor of the shape; half the time built as the transpose of a [.., cols, rows] tensor (a view, no copy). */
    private static Tensor operand(Random rnd, int[] shape) {
        if (shape.length >= 2 && rnd.nextBoolean()) {
            int[] t = shape.clone();
            t[t.length - 1] = shape[shape.length - 2];
            t[t.length - 2] = shape[shape.length - 1];
            return randomTensor(rnd, t, true).transpose(-1, -2);
        }
        return randomTensor(rnd, shape, true);
    }

    @Property(tries = 120)
    void matmulMatchesTheReference(@ForAll Random rnd) {
        int m = randomSize(rnd, true), k = randomSize(rnd, true), n = randomSize(rnd, true);
        int kind = rnd.nextInt(6);
        int[] as, bs;
        switch (kind) {
            case 0 -> { as = new int[] {k}; bs = new int[] {k}; }              // dot
            case 1 -> { as = new int[] {k}; bs = withBatch(rnd, new int[] {k, n}, batch(rnd)); } // vector @ (batched) matrix
            case 2 -> { as = withBatch(rnd, new int[] {m, k}, batch(rnd)); bs = new int[] {k}; } // (batched) matrix @ vector
            case 3 -> { as = new int[] {m, k}; bs = new int[] {k, n}; }                          // 2-d
            default -> {                                                                          // batched, broadcasting
                int[] batch = batch(rnd);
                as = withBatch(rnd, new int[] {m, k}, batch);
                bs = withBatch(rnd, new int[] {k, n}, batch);
            }
        }
        Tensor a = operand(rnd, as), b = operand(rnd, bs);
        Ref ref = reference(a, b);
        String what = describe(a) + " @ " + describe(b);
        inEveryMode(mode -> {
            Tensor c = a.matmul(b);
            assertArrayEquals(ref.shape(), c.shape(), what);
            assertClose(ref.value(), values(c), ref.tol(), what);
        });
    }

    private static int[] batch(Random rnd) {
        return new int[] {randomSize(rnd, true), randomSize(rnd, false)};
    }

    /** Prepends a random suffix of batch (with some dims turned to 1) to a matrix shape. */
    private static int[] withBatch(Random rnd, int[] mat, int[] batch) {
        int keep = rnd.nextInt(batch.length + 1);
        int[] out = new int[keep + 2];
        for (int i = 0; i < keep; i++) {
            int b = batch[batch.length - keep + i];
            out[i] = rnd.nextInt(3) == 0 ? 1 : b;
        }
        out[keep] = mat[0];
        out[keep + 1] = mat[1];
        return out;
    }

    @Test
    void knownProductsAndShapes() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        inEveryMode(mode -> {
            assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).toArray());
            assertArrayEquals(new float[] {58, 139, 64, 154}, b.t().matmul(a.t()).toArray(), "(AB)^T = B^T A^T via views");
            assertEquals(14f, Tensor.vector(1, 2, 3).matmul(Tensor.vector(1, 2, 3)).item());
            assertArrayEquals(new int[] {}, Tensor.vector(1, 2, 3).matmul(Tensor.vector(1, 2, 3)).shape());
            assertArrayEquals(new float[] {14, 32}, a.matmul(Tensor.vector(1, 2, 3)).toArray());
            assertArrayEquals(new int[] {5, 2, 2}, Tensor.ones(5, 2, 3).matmul(b).shape());
            assertArrayEquals(new int[] {4, 5, 2, 7}, Tensor.ones(4, 1, 2, 3).matmul(Tensor.ones(5, 3, 7)).shape());
            assertArrayEquals(new float[] {0, 0, 0, 0}, Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 2)).toArray(), "k = 0 gives zeros");
            assertArrayEquals(new int[] {0, 2, 2}, Tensor.zeros(0, 2, 3).matmul(b).shape());
        });
    }

    @Test
    void transposedOperandsReachTheKernelAsViews() {
        // matmul brings operands to [B, m, k] with expand + reshape; for a transposed matrix that
        // must stay a view of the same storage (the kernel reads the swapped strides).
        Tensor base = Tensor.arange(12).view(3, 4);
        Tensor a3 = base.t().expand(4, 3).reshape(1, 4, 3);
        assertSame(base.storage(), a3.storage());
        assertArrayEquals(new int[] {1, 4}, Arrays.copyOfRange(a3.strides(), 1, 3));
        Tensor b3 = Tensor.arange(24).view(2, 3, 4).transpose(1, 2).reshape(2, 4, 3);
        assertArrayEquals(new int[] {12, 1, 4}, b3.strides());
        inEveryMode(mode -> assertArrayEquals(values(base.t().contiguous().matmul(base)), base.t().matmul(base).toArray()));
    }

    @Test
    void shapeErrorsNameMatmulAndBothShapes() {
        assertBadInput(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)), "matmul", "[2, 3]", "[4, 5]");
        assertBadInput(() -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
        assertBadInput(() -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 5)), "matmul", "[2]", "[3]");
        assertBadInput(() -> Tensor.scalar(1f).matmul(Tensor.zeros(3)), "matmul", "[]", "[3]");
    }
}
