package mma4j.cuda;

import static mma4j.cuda.CudaTestSupport.assertClose;
import static mma4j.cuda.CudaTestSupport.assertSameBits;
import static mma4j.cuda.CudaTestSupport.gpu;
import static mma4j.cuda.CudaTestSupport.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mma4j.tensor.BinaryOp;
import mma4j.tensor.Generator;
import mma4j.tensor.Kernels;
import mma4j.tensor.NnOps;
import mma4j.tensor.Tensor;
import mma4j.tensor.UnaryOp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA kernel against the CPU backend on random inputs, including strided and broadcast
 * views. Kernels written to round exactly as the CPU does are compared bit for bit; the others
 * (different summation orders) within tolerances scaled to the work. Skips without a GPU.
 */
class CudaParityTest {
    private final Generator g = new Generator(20260101);

    @BeforeEach
    void gpuPresent() {
        CudaTestSupport.assumeGpu();
    }

    // ------------------------------------------------------------ fill, copy, elementwise

    @Test
    void fillAndCopyThroughViews() {
        Tensor c = randn(g, 4, 6), d = gpu(c);
        c.t().narrow(0, 1, 3).fillInPlace(2.5f);
        d.t().narrow(0, 1, 3).fillInPlace(2.5f);
        assertSameBits(c, d, "fill of a strided view");
        c.narrow(0, 1, 2).fillInPlace(-1f);
        d.narrow(0, 1, 2).fillInPlace(-1f);
        assertSameBits(c, d, "fill of a contiguous slice");

        Tensor row = randn(g, 6);
        c.copyFrom(row);
        d.copyFrom(gpu(row));
        assertSameBits(c, d, "broadcast copy");

        Tensor x = randn(g, 5, 7);
        assertSameBits(x.t().contiguous(), gpu(x).t().contiguous(), "transpose copy");

        Tensor s = randn(g, 10), t = gpu(s);
        s.narrow(0, 0, 8).copyFrom(s.narrow(0, 2, 8));
        t.narrow(0, 0, 8).copyFrom(t.narrow(0, 2, 8));
        assertSameBits(s, t, "overlapping copy within one storage");
    }

    /** Inputs inside each op's domain, so both sides compute finite values. */
    private Tensor domainInput(UnaryOp op, int... shape) {
        Tensor x = randn(g, shape);
        return switch (op) {
            case LOG, SQRT, RSQRT, POW -> x.abs().add(0.1f);
            case ACOS -> x.tanh().mul(0.99f);
            case RECIPROCAL -> x.abs().add(0.5f).mul(x.sign().add(0.5f).sign());
            default -> x.mul(3f);
        };
    }

    @Test
    void everyUnaryOpOnATransposedView() {
        for (UnaryOp op : UnaryOp.values()) {
            Tensor base = domainInput(op, 7, 5);
            float p = op == UnaryOp.CLAMP ? -0.5f : 1.7f, q = 0.8f;
            Tensor expected = Tensor.zeros(5, 7), actual = gpu(Tensor.zeros(5, 7));
            expected.kernels().unary(op, base.t(), p, q, expected);
            actual.kernels().unary(op, gpu(base).t(), p, q, actual);
            assertClose(expected, actual, 1e-6, 1e-7, op.name());
        }
    }

    @Test
    void everyBinaryOpBroadcastsLikeTheCpu() {
        for (BinaryOp op : BinaryOp.values()) {
            Tensor a = op == BinaryOp.POW ? randn(g, 3, 1, 5).abs().add(0.1f) : randn(g, 3, 1, 5);
            Tensor b = op == BinaryOp.DIV ? randn(g, 5, 4).abs().add(0.5f) : randn(g, 5, 4);
            if (op == BinaryOp.EQ || op == BinaryOp.NE || op == BinaryOp.LE || op == BinaryOp.GE) {
                a = a.mul(2f).relu().sign();  // small integers, so equal values occur
                b = b.mul(2f).relu().sign();
            }
            Tensor bt = b.t();  // [4,5], strided
            Tensor expected = binary(op, a, bt);
            Tensor actual = binary(op, gpu(a), gpu(b).t());
            if (op == BinaryOp.POW) assertClose(expected, actual, 1e-6, 0, op.name());
            else assertSameBits(expected, actual, op.name());
        }
    }

    private static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.maximum(b);
            case MIN -> a.minimum(b);
            case POW -> a.pow(b);
            case EQ -> a.eq(b);
            case NE -> a.ne(b);
            case LT -> a.lt(b);
            case LE -> a.le(b);
            case GT -> a.gt(b);
            case GE -> a.ge(b);
        };
    }

    @Test
    void whereAndInPlaceOps() {
        Tensor cond = randn(g, 4, 1).gt(0f), a = randn(g, 4, 6), b = randn(g, 6);
        assertSameBits(Tensor.where(cond, a, b), Tensor.where(gpu(cond), gpu(a), gpu(b)), "where");

        Tensor c = randn(g, 6, 4), d = gpu(c), inc = randn(g, 6);
        c.t().addInPlace(inc);
        d.t().addInPlace(gpu(inc));
        c.mulInPlace(0.3f).clampInPlace(-0.2f, 0.25f);
        d.mulInPlace(0.3f).clampInPlace(-0.2f, 0.25f);
        assertSameBits(c, d, "in-place ops on a view");
    }

    // ------------------------------------------------------------ reductions

    @Test
    void reductionsOverEveryAxisSet() {
        Tensor base = randn(g, 4, 5, 6, 7);
        Tensor x = base.permute(2, 0, 3, 1), gx = gpu(base).permute(2, 0, 3, 1);  // [6,4,7,5], strided
        int[][] axesSets = {{0}, {1}, {3}, {0, 2}, {1, 3}, {0, 1, 2}, {0, 1, 2, 3}};
        for (int[] axes : axesSets) {
            for (boolean keep : new boolean[] {true, false}) {
                String what = java.util.Arrays.toString(axes) + " keep " + keep;
                assertClose(x.sum(axes, keep), gx.sum(axes, keep), 1e-5, 1e-5, "sum " + what);
                assertSameBits(x.max(axes, keep), gx.max(axes, keep), "max " + what);
                assertSameBits(x.min(axes, keep), gx.min(axes, keep), "min " + what);
            }
        }
        assertClose(x.sum(), gx.sum(), 1e-5, 1e-4, "sum of all");
        assertClose(x.mean(new int[] {1}, false), gx.mean(new int[] {1}, false), 1e-5, 1e-6, "mean");
    }

    @Test
    void longShortAndEmptyReductions() {
        // Long sums accumulate in double on the device, so they are checked against an exact
        // reference (the CPU's float accumulation can be further off than the device's).
        Tensor longRows = randn(g, 3, 200_000);
        assertClose(doubleSums(longRows.t()), gpu(longRows).sum(1), 1e-6, 1e-5, "long rows");
        Tensor columns = randn(g, 100_000, 3);
        assertClose(doubleSums(columns), gpu(columns).sum(0), 1e-6, 1e-5, "column sums");
        Tensor shortRows = randn(g, 70_000, 4);
        assertClose(shortRows.sum(1), gpu(shortRows).sum(1), 1e-6, 1e-6, "short rows");
        assertSameBits(shortRows.max(new int[] {1}, false), gpu(shortRows).max(new int[] {1}, false), "short max");
        Tensor empty = Tensor.zeros(3, 0);
        assertSameBits(empty.sum(1), gpu(empty).sum(1), "empty sum");
    }

    /** Column sums of a 2-d tensor in double, rounded once. */
    private static Tensor doubleSums(Tensor x) {
        int rows = x.size(0), cols = x.size(1);
        float[] v = x.contiguous().toArray(), out = new float[cols];
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s += v[i * cols + j];
            out[j] = (float) s;
        }
        return Tensor.wrap(out, cols);
    }

    @Test
    void argmaxAndArgminIncludingTies() {
        Tensor ties = randn(g, 6, 50).mul(1.5f).relu().sign();  // zeros and ones: many ties
        Tensor y = randn(g, 6, 50);
        Tensor[][] pairs = {{ties, gpu(ties)}, {y, gpu(y)}, {y.t(), gpu(y).t()}};
        for (Tensor[] pair : pairs) {
            for (int axis = 0; axis < 2; axis++) {
                assertSameBits(pair[0].argmax(axis, false), pair[1].argmax(axis, false), "argmax axis " + axis);
                assertSameBits(pair[0].argmin(axis, true), pair[1].argmin(axis, true), "argmin axis " + axis);
            }
        }
    }

    @Test
    void softmaxAndLogSoftmaxAlongEachAxis() {
        Tensor x = randn(g, 3, 4, 5).mul(20f);
        Tensor d = gpu(x);
        for (int axis = 0; axis < 3; axis++) {
            assertClose(x.softmax(axis), d.softmax(axis), 1e-5, 1e-7, "softmax axis " + axis);
            assertClose(x.logSoftmax(axis), d.logSoftmax(axis), 1e-5, 1e-5, "logSoftmax axis " + axis);
        }
        Tensor wide = randn(g, 2, 5000).mul(100f);
        assertClose(wide.logSoftmax(1), gpu(wide).logSoftmax(1), 1e-5, 1e-4, "wide logSoftmax");
        Tensor tb = randn(g, 6, 4);
        assertClose(tb.t().softmax(1), gpu(tb).t().softmax(1), 1e-5, 1e-7, "softmax of a transposed view");
    }

    // ------------------------------------------------------------ matmul

    private static double gemmAtol(int k) {
        return 1e-5 + 2e-6 * k;
    }

    @Test
    void matmulOverShapesAndTransposes() {
        int[][] mnk = {{1, 1, 1}, {3, 5, 7}, {64, 64, 64}, {65, 63, 17}, {130, 70, 300}, {8, 8, 4096}, {200, 1000, 33}, {1, 300, 257}};
        for (int[] s : mnk) {
            int m = s[0], n = s[1], k = s[2];
            Tensor a = randn(g, m, k), b = randn(g, k, n);
            String what = m + "x" + n + "x" + k;
            assertClose(a.matmul(b), gpu(a).matmul(gpu(b)), 1e-5, gemmAtol(k), "matmul " + what);
            Tensor at = randn(g, k, m), bt = randn(g, n, k);
            assertClose(at.t().matmul(bt.t()), gpu(at).t().matmul(gpu(bt).t()), 1e-5, gemmAtol(k), "transposed matmul " + what);
        }
    }

    @Test
    void batchedBroadcastAndVectorMatmul() {
        Tensor a = randn(g, 2, 1, 9, 11), b = randn(g, 3, 11, 5);
        assertClose(a.matmul(b), gpu(a).matmul(gpu(b)), 1e-5, gemmAtol(11), "broadcast batch");
        Tensor v = randn(g, 11), m = randn(g, 11, 4);
        assertClose(v.matmul(m), gpu(v).matmul(gpu(m)), 1e-5, gemmAtol(11), "vector @ matrix");
        Tensor batch = randn(g, 70, 3, 200), w = randn(g, 70, 200, 2);
        assertClose(batch.matmul(w), gpu(batch).matmul(gpu(w)), 1e-5, gemmAtol(200), "many small products");
    }

    @Test
    void matmulAccumulateScalesTheOutput() {
        Tensor a = randn(g, 2, 20, 30), b = randn(g, 2, 30, 10), c = randn(g, 2, 20, 10);
        Tensor expected = c.copy(), actual = gpu(c);
        expected.kernels().matmulAccumulate(a, b, 0.5f, expected);
        actual.kernels().matmulAccumulate(gpu(a), gpu(b), 0.5f, actual);
        assertClose(expected, actual, 1e-5, gemmAtol(30), "beta 0.5");
        Tensor deep = randn(g, 1, 4, 3000), deepB = randn(g, 1, 3000, 4), start = randn(g, 1, 4, 4);
        Tensor e2 = start.copy(), a2 = gpu(start);
        e2.kernels().matmulAccumulate(deep, deepB, 1f, e2);
        a2.kernels().matmulAccumulate(gpu(deep), gpu(deepB), 1f, a2);
        assertClose(e2, a2, 1e-5, gemmAtol(3000), "beta 1 with split-K");
    }

    @Test
    void resultsRepeatBitForBit() {
        Tensor a = gpu(randn(g, 16, 5000)), b = gpu(randn(g, 5000, 16));  // split-K
        assertSameBits(a.matmul(b), a.matmul(b), "split-K matmul twice");
        Tensor x = gpu(randn(g, 8, 16, 12, 12)), w = gpu(randn(g, 32, 16, 3, 3));
        Tensor gy = NnOps.conv2d(x, w, null, 1, 1);
        Tensor gw1 = NnOps.conv2dBackwardWeight(x, gy, w.shape(), true, 1, 1)[0];
        Tensor gw2 = NnOps.conv2dBackwardWeight(x, gy, w.shape(), true, 1, 1)[0];
        assertSameBits(gw1, gw2, "conv weight gradient twice");
    }

    // ------------------------------------------------------------ convolution

    @Test
    void conv2dForwardAndBothBackwards() {
        // n, c, h, w, f, k, stride, pad, bias
        int[][] cases = {{2, 3, 8, 8, 4, 3, 1, 1, 1}, {3, 4, 9, 7, 5, 3, 2, 0, 0}, {2, 6, 5, 5, 3, 1, 1, 0, 1},
                {1, 2, 11, 11, 3, 5, 2, 2, 1}, {4, 8, 6, 6, 16, 3, 1, 1, 0}, {2, 3, 7, 7, 2, 2, 3, 1, 1}};
        for (int[] cs : cases) {
            String what = java.util.Arrays.toString(cs);
            Tensor x = randn(g, cs[0], cs[1], cs[2], cs[3]), w = randn(g, cs[4], cs[1], cs[5], cs[5]);
            Tensor b = cs[8] == 1 ? randn(g, cs[4]) : null;
            int s = cs[6], p = cs[7];
            double atol = gemmAtol(cs[1] * cs[5] * cs[5]);
            Tensor y = NnOps.conv2d(x, w, b, s, p);
            Tensor gyv = NnOps.conv2d(gpu(x), gpu(w), b == null ? null : gpu(b), s, p);
            assertClose(y, gyv, 1e-5, atol, "conv2d " + what);

            Tensor up = randn(g, y.shape());
            Tensor gx = NnOps.conv2dBackwardInput(up, w, x.shape(), s, p);
            Tensor gxv = NnOps.conv2dBackwardInput(gpu(up), gpu(w), x.shape(), s, p);
            assertClose(gx, gxv, 1e-5, gemmAtol(cs[4] * cs[5] * cs[5]), "conv2d input grad " + what);

            Tensor[] gw = NnOps.conv2dBackwardWeight(x, up, w.shape(), b != null, s, p);
            Tensor[] gwv = NnOps.conv2dBackwardWeight(gpu(x), gpu(up), w.shape(), b != null, s, p);
            int pixels = cs[0] * y.size(2) * y.size(3);
            assertClose(gw[0], gwv[0], 1e-5, gemmAtol(pixels), "conv2d weight grad " + what);
            if (b != null) assertClose(gw[1], gwv[1], 1e-5, gemmAtol(pixels), "conv2d bias grad " + what);
        }
    }

    @Test
    void chunkedConvolutionAndBatchChunkedSplitK() {
        long columns = ConvOps.columnBudget, workspace = GemmOps.workspaceFloats;
        try {
            // Column buffers of 2 images at a time: forward and both backwards walk 3 chunks,
            // and the weight gradient adds the chunks with beta = 1.
            Tensor x = randn(g, 5, 3, 6, 6), w = randn(g, 4, 3, 3, 3), b = randn(g, 4);
            Tensor up = randn(g, 5, 4, 6, 6);
            ConvOps.columnBudget = 2L * 27 * 36;
            assertClose(NnOps.conv2d(x, w, b, 1, 1), NnOps.conv2d(gpu(x), gpu(w), gpu(b), 1, 1), 1e-5, gemmAtol(27), "chunked conv2d");
            assertClose(NnOps.conv2dBackwardInput(up, w, x.shape(), 1, 1), NnOps.conv2dBackwardInput(gpu(up), gpu(w), x.shape(), 1, 1),
                    1e-5, gemmAtol(36), "chunked input grad");
            Tensor[] cw = NnOps.conv2dBackwardWeight(x, up, w.shape(), true, 1, 1);
            Tensor[] dw = NnOps.conv2dBackwardWeight(gpu(x), gpu(up), w.shape(), true, 1, 1);
            assertClose(cw[0], dw[0], 1e-5, gemmAtol(180), "chunked weight grad");
            assertClose(cw[1], dw[1], 1e-5, gemmAtol(180), "chunked bias grad");

            // Split-K partials for only a few matrices of a batch at a time.
            GemmOps.workspaceFloats = 3L * 4 * 4 * 4;
            Tensor a = randn(g, 7, 4, 600), c = randn(g, 7, 600, 4);
            assertClose(a.matmul(c), gpu(a).matmul(gpu(c)), 1e-5, gemmAtol(600), "batch-chunked split-K");
        } finally {
            ConvOps.columnBudget = columns;
            GemmOps.workspaceFloats = workspace;
        }
    }

    @Test
    void stridedOutputsPassedStraightToTheKernels() {
        // Tensor always hands kernels dense outputs (the CPU kernels rely on it); other callers of
        // Kernels may pass views, which the CUDA kernels honour. Expected values come from Tensor ops.
        Tensor a = randn(g, 1, 5, 7), b = randn(g, 1, 7, 3), c = randn(g, 1, 3, 5);
        Tensor dc = gpu(c);
        dc.kernels().matmulAccumulate(gpu(a), gpu(b), 2f, dc.transpose(1, 2));
        assertClose(c.transpose(1, 2).mul(2f).add(a.matmul(b)), dc.transpose(1, 2), 1e-5, gemmAtol(7), "matmulAccumulate into a transposed view");

        Tensor x = randn(g, 4, 6), dout = gpu(Tensor.zeros(6, 4));
        dout.kernels().softmax(gpu(x), 1, true, dout.t());
        assertClose(x.logSoftmax(1), dout.t(), 1e-6, 1e-6, "logSoftmax into a transposed view");

        Tensor y = randn(g, 2, 5, 3), dsums = gpu(Tensor.zeros(3, 2));
        dsums.kernels().reduce(mma4j.tensor.ReduceOp.SUM, gpu(y), new int[] {1}, dsums.t().unsqueeze(1));
        assertClose(y.sum(1), dsums.t(), 1e-6, 1e-6, "sum into a transposed view");
    }

    // ------------------------------------------------------------ pooling

    @Test
    void poolingForwardAndBackward() {
        int[][] kspCases = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {2, 1, 0}};
        for (int[] ksp : kspCases) {
            int k = ksp[0], s = ksp[1], p = ksp[2];
            String what = "k" + k + " s" + s + " p" + p;
            Tensor x = randn(g, 2, 3, 9, 8);
            NnOps.MaxPoolResult cm = NnOps.maxPool2d(x, k, s, p);
            NnOps.MaxPoolResult dm = NnOps.maxPool2d(gpu(x), k, s, p);
            assertSameBits(cm.output(), dm.output(), "maxPool " + what);
            assertSameBits(cm.indices(), dm.indices(), "maxPool indices " + what);
            Tensor up = randn(g, cm.output().shape());
            assertSameBits(NnOps.maxPool2dBackward(up, cm.indices(), x.shape()),
                    NnOps.maxPool2dBackward(gpu(up), dm.indices(), x.shape()), "maxPool backward " + what);

            assertSameBits(NnOps.avgPool2d(x, k, s, p), NnOps.avgPool2d(gpu(x), k, s, p), "avgPool " + what);
            Tensor upA = randn(g, NnOps.avgPool2d(x, k, s, p).shape());
            // The CPU kernel scales and scatters in a vectorized order, so overlapping windows round differently.
            assertClose(NnOps.avgPool2dBackward(upA, x.shape(), k, s, p),
                    NnOps.avgPool2dBackward(gpu(upA), x.shape(), k, s, p), 1e-6, 1e-7, "avgPool backward " + what);
        }
    }

    // ------------------------------------------------------------ batch-norm

    @Test
    void batchNormTrainApplyBackward() {
        for (int[] shape : new int[][] {{8, 4, 5, 5}, {16, 6}, {3, 2, 4, 1, 3}}) {
            for (boolean affine : new boolean[] {true, false}) {
                String what = java.util.Arrays.toString(shape) + " affine " + affine;
                int c = shape[1];
                Tensor x = randn(g, shape).mul(2f).add(0.5f);
                Tensor gamma = affine ? randn(g, c) : null, beta = affine ? randn(g, c) : null;
                Tensor dg = gamma == null ? null : gpu(gamma), db = beta == null ? null : gpu(beta);
                NnOps.BatchNormResult cr = NnOps.batchNormTrain(x, gamma, beta, 1e-5f);
                NnOps.BatchNormResult dr = NnOps.batchNormTrain(gpu(x), dg, db, 1e-5f);
                assertClose(cr.mean(), dr.mean(), 1e-6, 1e-6, "mean " + what);
                assertClose(cr.invStd(), dr.invStd(), 1e-6, 0, "invStd " + what);
                assertClose(cr.unbiasedVar(), dr.unbiasedVar(), 1e-6, 0, "unbiased var " + what);
                assertClose(cr.output(), dr.output(), 1e-5, 1e-5, "batchNorm train " + what);

                // Given the same statistics, apply agrees to float rounding (the CPU folds scale and shift differently).
                assertClose(NnOps.batchNormApply(x, cr.mean(), cr.invStd(), gamma, beta),
                        NnOps.batchNormApply(gpu(x), gpu(cr.mean()), gpu(cr.invStd()), dg, db), 1e-6, 1e-7, "batchNorm apply " + what);

                Tensor up = randn(g, shape);
                Tensor[] cb = NnOps.batchNormBackward(up, x, cr.mean(), cr.invStd(), gamma, affine);
                Tensor[] gb = NnOps.batchNormBackward(gpu(up), gpu(x), gpu(cr.mean()), gpu(cr.invStd()), dg, affine);
                assertClose(cb[0], gb[0], 1e-4, 1e-5, "batchNorm grad input " + what);
                if (affine) {
                    assertClose(cb[1], gb[1], 1e-5, 1e-4, "batchNorm grad gamma " + what);
                    assertClose(cb[2], gb[2], 1e-5, 1e-4, "batchNorm grad beta " + what);
                }
            }
        }
    }

    // ------------------------------------------------------------ MMA and SGD

    @Test
    void nearestCosineMatchesTheComposedReference() {
        Kernels cpu = Tensor.zeros(1).kernels();
        for (int[] nd : new int[][] {{2, 1}, {3, 5}, {64, 64}, {65, 17}, {200, 130}, {700, 32}}) {
            int n = nd[0], d = nd[1];
            String what = n + "x" + d;
            Tensor w = KernelsDefaultsTest.normalizedRows(g, n, d);
            Tensor cm = Tensor.zeros(n), cn = Tensor.zeros(n);
            cpu.nearestCosine(w, cm, cn);
            Tensor gw = gpu(w), dm = gpu(Tensor.zeros(n)), dn = gpu(Tensor.zeros(n));
            gw.kernels().nearestCosine(gw, dm, dn);
            assertClose(cm, dm, 1e-5, 1e-6, "maxCos " + what);
            float[] ci = cn.toArray(), di = dn.toArray(), wa = w.toArray();
            for (int i = 0; i < n; i++) {
                if (ci[i] == di[i]) continue;
                // A different pick is fine only for a near-tie: its cosine must equal the max.
                int j = (int) di[i];
                assertTrue(j >= 0 && j < n && j != i, what + ": row " + i + " got neighbour " + j);
                double dot = 0;
                for (int p = 0; p < d; p++) dot += (double) wa[i * d + p] * wa[j * d + p];
                assertEquals(cm.get(i), dot, 1e-5, what + ": row " + i + " picked " + j + " instead of " + (int) ci[i]);
            }
        }
    }

    @Test
    void nearestCosineTiesGoToTheFirstIndex() {
        // Entries 0 and +-0.5 make every dot product exact, so ties are real ties.
        int n = 150, d = 4;
        float[] w = new float[n * d];
        for (int i = 0; i < n; i++) {
            int pattern = g.nextInt(6);
            for (int p = 0; p < d; p++) w[i * d + p] = ((pattern >> (p % 3)) & 1) == 1 ? (p % 2 == 0 ? 0.5f : -0.5f) : 0f;
            w[i * d + 3] = 0.5f;
        }
        Tensor t = Tensor.wrap(w, n, d);
        Kernels cpu = t.kernels();
        Tensor cm = Tensor.zeros(n), cn = Tensor.zeros(n);
        cpu.nearestCosine(t, cm, cn);
        Tensor dm = gpu(Tensor.zeros(n)), dn = gpu(Tensor.zeros(n));
        gpu(t).kernels().nearestCosine(gpu(t), dm, dn);
        assertSameBits(cm, dm, "maxCos with exact ties");
        assertSameBits(cn, dn, "first index on ties");
    }

    @Test
    void nearestCosineBackwardIsBitForBitTheReference() {
        Kernels cpu = Tensor.zeros(1).kernels();
        int n = 300, d = 70;
        Tensor w = KernelsDefaultsTest.normalizedRows(g, n, d), cm = Tensor.zeros(n), cn = Tensor.zeros(n);
        cpu.nearestCosine(w, cm, cn);
        Tensor up = randn(g, n);
        Tensor expected = Tensor.zeros(n, d);
        cpu.nearestCosineBackward(w, cn, up, expected);
        Tensor actual = gpu(Tensor.zeros(n, d));
        actual.kernels().nearestCosineBackward(gpu(w), gpu(cn), gpu(up), actual);
        assertSameBits(expected, actual, "nearestCosineBackward");
    }

    @Test
    void sgdStepIsBitForBitTheComposedDefault() {
        Kernels cpu = Tensor.zeros(1).kernels();
        float[][] configs = {{0.1f, 0f, 0f, 0f, 0}, {0.1f, 0.9f, 0f, 5e-4f, 0}, {0.05f, 0.9f, 0.1f, 0f, 0}, {0.1f, 0.9f, 0f, 1e-4f, 1}};
        for (float[] cfg : configs) {
            boolean nesterov = cfg[4] == 1;
            Tensor p = randn(g, 37, 13), buf = Tensor.zeros(37, 13);
            Tensor dp = gpu(p), dbuf = gpu(buf);
            for (int step = 0; step < 3; step++) {
                Tensor grad = randn(g, 37, 13);
                cpu.sgdStep(p, grad, buf, cfg[0], cfg[1], cfg[2], cfg[3], nesterov, step == 0);
                dp.kernels().sgdStep(dp, gpu(grad), dbuf, cfg[0], cfg[1], cfg[2], cfg[3], nesterov, step == 0);
            }
            String what = java.util.Arrays.toString(cfg);
            assertSameBits(p, dp, "param " + what);
            if (cfg[1] != 0f) assertSameBits(buf, dbuf, "momentum buffer " + what);
        }
        // A strided parameter takes the composed path on the device; same bits again.
        Tensor p = randn(g, 6, 5), grad = randn(g, 5, 6), buf = Tensor.zeros(5, 6);
        Tensor dp = gpu(p), dbuf = gpu(buf);
        cpu.sgdStep(p.t(), grad, buf, 0.1f, 0.9f, 0f, 1e-3f, false, true);
        dp.kernels().sgdStep(dp.t(), gpu(grad), dbuf, 0.1f, 0.9f, 0f, 1e-3f, false, true);
        assertSameBits(p, dp, "strided parameter");
    }
}
