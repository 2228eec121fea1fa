package mma4j.tensor;

import static mma4j.tensor.TensorTesting.assertBadInput;
import static mma4j.tensor.TensorTesting.assertSameBits;
import static mma4j.tensor.TensorTesting.at;
import static mma4j.tensor.TensorTesting.broadcastPartner;
import static mma4j.tensor.TensorTesting.describe;
import static mma4j.tensor.TensorTesting.inEveryMode;
import static mma4j.tensor.TensorTesting.numel;
import static mma4j.tensor.TensorTesting.randomShape;
import static mma4j.tensor.TensorTesting.randomTensor;
import static mma4j.tensor.TensorTesting.randomValueWithSpecials;
import static mma4j.tensor.TensorTesting.unravel;
import static mma4j.tensor.TensorTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Every unary and binary op, where, and the in-place variants against the scalar definitions. */
class ElementwiseTest {

    // ------------------------------------------------------------ references

    /** Reads t at an index of the broadcast shape: size-1 dims read index 0, missing leading dims are ignored. */
    static float atBroadcast(Tensor t, int[] outIdx) {
        int[] s = t.shape();
        int lead = outIdx.length - s.length;
        int[] idx = new int[s.length];
        for (int i = 0; i < s.length; i++) idx[i] = s[i] == 1 ? 0 : outIdx[lead + i];
        return at(t, idx);
    }

    /** NumPy broadcasting, written out independently of Shapes.broadcast. */
    static int[] broadcastShape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static Tensor callUnary(Tensor x, UnaryOp op, float p, float q) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case RSQRT -> x.rsqrt();
            case SQUARE -> x.square();
            case RECIPROCAL -> x.reciprocal();
            case SIGN -> x.sign();
            case RELU -> x.relu();
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case ACOS -> x.acos();
            case POW -> x.pow(p);
            case CLAMP -> x.clamp(p, q);
            case ADD_SCALAR -> x.add(p);
            case MUL_SCALAR -> x.mul(p);
            case GT_SCALAR -> x.gt(p);
        };
    }

    static Tensor callBinary(Tensor a, BinaryOp op, Tensor b) {
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

    private static final float[] EXPONENTS = {2f, 3f, 0.5f, -1f, 0f, 1.7f, -2.5f};

    // ------------------------------------------------------------ unary

    @Property(tries = 60)
    void everyUnaryOpMatchesItsScalarDefinition(@ForAll Random rnd) {
        int[] shape = randomShape(rnd, 4, true);
        Tensor x = randomTensor(rnd, shape, true, TensorTesting::randomValueWithSpecials);
        float[] xv = values(x);
        for (UnaryOp op : UnaryOp.values()) {
            float p = op == UnaryOp.POW ? EXPONENTS[rnd.nextInt(EXPONENTS.length)] : randomValueWithSpecials(rnd);
            float q = p + Math.abs(TensorTesting.randomValue(rnd));
            if (op == UnaryOp.CLAMP && Float.isNaN(p)) p = q = 0.5f;
            float fp = p, fq = q;
            float[] expected = new float[xv.length];
            for (int i = 0; i < xv.length; i++) expected[i] = op.apply(xv[i], p, q);
            inEveryMode(mode -> {
                Tensor y = callUnary(x, op, fp, fq);
                assertArrayEquals(shape, y.shape());
                assertTrue(y.isContiguous());
                assertSameBits(expected, values(y), op + "(" + fp + ", " + fq + ") on " + describe(x));
            });
        }
    }

    @Test
    void unaryOpsOnIeeeCorners() {
        // Every special value, long enough for a vector body and a tail in both paths.
        float[] v = new float[3 * TensorTesting.SPECIAL.length + 1];
        for (int i = 0; i < v.length; i++) v[i] = TensorTesting.SPECIAL[i % TensorTesting.SPECIAL.length];
        Tensor x = Tensor.of(v, v.length);
        inEveryMode(mode -> {
            assertSameBits(new float[] {0f, 0f, 0f}, Tensor.vector(-0f, Float.NaN, -3f).relu().toArray(), "relu of -0, NaN, -3");
            assertSameBits(new float[] {-0f, 0f}, Tensor.vector(0f, -0f).neg().toArray(), "neg of signed zeros");
            assertSameBits(new float[] {0f, Float.POSITIVE_INFINITY}, Tensor.vector(-0f, Float.NEGATIVE_INFINITY).abs().toArray(), "abs");
            assertSameBits(new float[] {Float.NaN, -1f, 1f}, Tensor.vector(Float.NaN, -7f, 7f).clamp(-1f, 1f).toArray(), "clamp keeps NaN");
            for (UnaryOp op : UnaryOp.values()) {
                float p = op == UnaryOp.POW ? 2f : -0.5f, q = 0.5f;
                float[] expected = new float[v.length];
                for (int i = 0; i < v.length; i++) expected[i] = op.apply(v[i], p, q);
                assertSameBits(expected, callUnary(x, op, p, q).toArray(), op + " on specials");
            }
        });
    }

    @Test
    void scalarArithmetic() {
        Random rnd = new Random(3);
        float[] v = new float[37];
        for (int i = 0; i < v.length; i++) v[i] = TensorTesting.randomValue(rnd);
        Tensor x = Tensor.of(v, v.length);
        inEveryMode(mode -> {
            float[] sub = x.sub(1.25f).toArray(), div = x.div(3f).toArray();
            for (int i = 0; i < v.length; i++) {
                assertEquals(Float.floatToIntBits(v[i] - 1.25f), Float.floatToIntBits(sub[i]), "sub(s) at " + i);
                assertEquals(Float.floatToIntBits(v[i] / 3f), Float.floatToIntBits(div[i]), "div(s) at " + i);
            }
            assertSameBits(new float[] {0f, 1f}, Tensor.vector(1f, 2f).gt(1f).toArray(), "gt(s)");
        });
    }

    // ------------------------------------------------------------ binary

    @Property(tries = 60)
    void everyBinaryOpBroadcastsAndMatchesItsScalarDefinition(@ForAll Random rnd) {
        int[] sa = randomShape(rnd, 4, true);
        int[] sb = broadcastPartner(rnd, sa);
        if (rnd.nextBoolean()) {
            int[] t = sa;
            sa = sb;
            sb = t;
        }
        Tensor a = randomTensor(rnd, sa, true, TensorTesting::randomValueWithSpecials);
        Tensor b = randomTensor(rnd, sb, true, TensorTesting::randomValueWithSpecials);
        int[] out = broadcastShape(sa, sb);
        for (BinaryOp op : BinaryOp.values()) {
            float[] expected = new float[numel(out)];
            for (int i = 0; i < expected.length; i++) {
                int[] idx = unravel(i, out);
                expected[i] = op.apply(atBroadcast(a, idx), atBroadcast(b, idx));
            }
            String what = op + " of " + describe(a) + " and " + describe(b);
            inEveryMode(mode -> {
                Tensor y = callBinary(a, op, b);
                assertArrayEquals(out, y.shape(), what);
                assertSameBits(expected, values(y), what);
            });
        }
    }

    @Test
    void binaryOpsOnIeeeCorners() {
        float[] s = TensorTesting.SPECIAL;
        int n = s.length;
        // Every pair of specials, as a [n, n] outer broadcast, plus a same-shape contiguous pass.
        Tensor col = Tensor.of(s, n, 1), row = Tensor.of(s, 1, n);
        Tensor a = col.expand(n, n).contiguous(), b = row.expand(n, n).contiguous();
        inEveryMode(mode -> {
            for (BinaryOp op : BinaryOp.values()) {
                float[] expected = new float[n * n];
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) expected[i * n + j] = op.apply(s[i], s[j]);
                assertSameBits(expected, callBinary(col, op, row).toArray(), op + " outer");
                assertSameBits(expected, callBinary(a, op, b).toArray(), op + " dense");
            }
        });
    }

    @Property(tries = 100)
    void whereBroadcastsAllThree(@ForAll Random rnd) {
        int[] full = randomShape(rnd, 4, true);
        int[] sc = TensorTesting.broadcastsTo(rnd, full), sa = TensorTesting.broadcastsTo(rnd, full), sb = TensorTesting.broadcastsTo(rnd, full);
        if (rnd.nextBoolean()) sa = full; // often one operand has the full shape
        int[] out = broadcastShape(broadcastShape(sc, sa), sb);
        // cond includes NaN (true) and -0 (false).
        Tensor cond = randomTensor(rnd, sc, true, r -> new float[] {0f, -0f, 1f, -2f, Float.NaN}[r.nextInt(5)]);
        Tensor a = randomTensor(rnd, sa, true), b = randomTensor(rnd, sb, true);
        float[] expected = new float[numel(out)];
        for (int i = 0; i < expected.length; i++) {
            int[] idx = unravel(i, out);
            expected[i] = atBroadcast(cond, idx) != 0f ? atBroadcast(a, idx) : atBroadcast(b, idx);
        }
        inEveryMode(mode -> {
            Tensor y = Tensor.where(cond, a, b);
            assertArrayEquals(out, y.shape());
            assertSameBits(expected, values(y), "where " + describe(cond));
        });
    }

    // ------------------------------------------------------------ in place

    @Property(tries = 80)
    void inPlaceOpsWriteThroughViewsAndBumpTheVersion(@ForAll Random rnd) {
        int[] s = randomShape(rnd, 4, true);
        int[] so = broadcastPartner(rnd, s);
        so = Arrays.copyOfRange(so, Math.max(0, so.length - s.length), so.length); // no extra leading dims
        for (int k = 0; k < so.length; k++) if (so[k] != 1) so[k] = s[s.length - so.length + k];
        int[] fso = so;
        BinaryOp[] ops = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV};
        for (BinaryOp op : ops) {
            inEveryMode(mode -> {
                Tensor x = randomTensor(rnd, s, false);
                Tensor o = randomTensor(rnd, fso, true);
                float[] base = x.array().clone();
                float[] expected = new float[numel(s)];
                for (int i = 0; i < expected.length; i++) {
                    int[] idx = unravel(i, s);
                    expected[i] = op.apply(at(x, idx), atBroadcast(o, idx));
                }
                int v0 = x.version();
                Tensor r = switch (op) {
                    case ADD -> x.addInPlace(o);
                    case SUB -> x.subInPlace(o);
                    case MUL -> x.mulInPlace(o);
                    default -> x.divInPlace(o);
                };
                String what = op + "InPlace on " + describe(x) + " with " + describe(o);
                assertTrue(r == x, what + " returns this");
                assertSameBits(expected, values(x), what);
                assertTrue(x.version() > v0, what + " bumps the version");
                assertOnlyViewChanged(x, base, what);
            });
        }
    }

    @Property(tries = 60)
    void scalarInPlaceOpsAndFill(@ForAll Random rnd) {
        int[] s = randomShape(rnd, 4, true);
        inEveryMode(mode -> {
            Tensor x = randomTensor(rnd, s, false);
            float[] base = x.array().clone();
            float[] xv = values(x);
            int v0 = x.version();
            x.mulInPlace(-1.5f).addInPlace(0.25f).clampInPlace(-2f, 3f).reluInPlace();
            float[] expected = new float[xv.length];
            for (int i = 0; i < xv.length; i++) expected[i] = UnaryOp.RELU.apply(Math.min(Math.max(xv[i] * -1.5f + 0.25f, -2f), 3f), 0, 0);
            assertSameBits(expected, values(x), "mul/add/clamp/relu in place on " + describe(x));
            assertTrue(x.version() >= v0 + 4 || xv.length == 0 && x.version() > v0);
            assertOnlyViewChanged(x, base, "scalar in place");

            Tensor y = randomTensor(rnd, s, false);
            float[] yb = y.array().clone();
            y.fillInPlace(7f);
            float[] sevens = new float[xv.length];
            Arrays.fill(sevens, 7f);
            assertSameBits(sevens, values(y), "fill " + describe(y));
            assertOnlyViewChanged(y, yb, "fill");
            y.zeroInPlace();
            assertSameBits(new float[xv.length], values(y), "zero");

            Tensor z = randomTensor(rnd, s, false), src = randomTensor(rnd, s, true);
            float[] zb = z.array().clone();
            z.copyFrom(src);
            assertSameBits(values(src), values(z), "copyFrom " + describe(src) + " into " + describe(z));
            assertOnlyViewChanged(z, zb, "copyFrom");

            Tensor w = randomTensor(rnd, s, false), g = randomTensor(rnd, s, true);
            float[] wv = values(w), gv = values(g), axpy = new float[wv.length];
            for (int i = 0; i < wv.length; i++) axpy[i] = wv[i] + gv[i] * -0.1f;
            w.addInPlace(g, -0.1f);
            assertSameBits(axpy, values(w), "axpy");
        });
    }

    /** Elements of the storage outside the view must be untouched. */
    private static void assertOnlyViewChanged(Tensor view, float[] before, String what) {
        boolean[] inView = new boolean[before.length];
        for (int i = 0; i < view.numel(); i++) inView[TensorTesting.address(view, unravel(i, view.shape()))] = true;
        float[] after = view.array();
        for (int i = 0; i < before.length; i++) {
            if (!inView[i] && Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(after[i])) {
                throw new AssertionError(what + ": storage element " + i + " outside the view changed");
            }
        }
    }

    @Test
    void inPlaceWithAnOverlappingOperandReadsTheOldValues() {
        inEveryMode(mode -> {
            for (int n : new int[] {3, 17}) {
                Tensor x = Tensor.arange(n * n).view(n, n);
                float[] old = x.toArray();
                x.addInPlace(x.t());
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) assertEquals(old[i * n + j] + old[j * n + i], x.get(i, j), "x += x.t() at " + i + "," + j);
                }
                Tensor y = Tensor.arange(n * n).view(n, n);
                y.narrow(0, 1, n - 1).copyFrom(y.narrow(0, 0, n - 1)); // shift rows down by one
                for (int i = 1; i < n; i++) assertEquals((i - 1) * n, y.get(i, 0), "row shift " + i);
                Tensor z = Tensor.arange(n * n).view(n, n);
                z.mulInPlace(z.select(0, 0)); // row 0 is both target and (broadcast) operand
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) assertEquals((float) (i * n + j) * j, z.get(i, j));
            }
        });
    }

    @Test
    void inPlaceErrors() {
        Tensor x = Tensor.zeros(2, 3);
        assertBadInput(() -> x.addInPlace(Tensor.zeros(2, 2)), "addInPlace", "[2, 3]", "[2, 2]");
        assertBadInput(() -> x.mulInPlace(Tensor.zeros(4, 2, 3)), "mulInPlace", "[2, 3]", "[4, 2, 3]");
        assertBadInput(() -> x.copyFrom(Tensor.zeros(3, 2)), "copyFrom", "[2, 3]", "[3, 2]");
        assertBadInput(() -> x.copyFrom(Tensor.zeros(1, 2, 3)), "copyFrom", "[2, 3]", "[1, 2, 3]");
        Tensor e = Tensor.zeros(3).expand(2, 3);
        assertBadInput(() -> e.addInPlace(Tensor.ones(2, 3)), "addInPlace", "[2, 3]");
        assertBadInput(() -> e.fillInPlace(1f), "fillInPlace", "[2, 3]");
        assertBadInput(() -> x.clampInPlace(2f, 1f), "clampInPlace", "2.0", "1.0");
    }

    @Test
    void binaryShapeMismatchNamesOpAndShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4, 3);
        for (BinaryOp op : BinaryOp.values()) {
            assertBadInput(() -> callBinary(a, op, b), op.name().toLowerCase(), "[2, 3]", "[4, 3]");
        }
        assertBadInput(() -> Tensor.where(Tensor.zeros(5), a, a), "where", "[5]", "[2, 3]");
        assertBadInput(() -> a.clamp(1f, 0f), "clamp", "1.0", "0.0");
    }

    @Test
    void emptyTensorsFlowThroughEveryOp() {
        Tensor e = Tensor.zeros(3, 0, 2);
        inEveryMode(mode -> {
            for (UnaryOp op : UnaryOp.values()) assertArrayEquals(new int[] {3, 0, 2}, callUnary(e, op, 1f, 2f).shape());
            for (BinaryOp op : BinaryOp.values()) {
                assertArrayEquals(new int[] {3, 0, 2}, callBinary(e, op, Tensor.ones(2)).shape());
                assertArrayEquals(new int[] {4, 3, 0, 2}, callBinary(Tensor.ones(4, 1, 1, 1), op, e).shape());
            }
            assertArrayEquals(new int[] {3, 0, 2}, Tensor.where(e, e, Tensor.ones(1)).shape());
            e.addInPlace(Tensor.ones(2)).fillInPlace(3f).copyFrom(Tensor.ones(1));
            assertEquals(0, e.copy().numel());
        });
    }
}
