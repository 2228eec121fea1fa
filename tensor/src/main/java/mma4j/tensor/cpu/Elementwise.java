package mma4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import mma4j.tensor.BinaryOp;
import mma4j.tensor.UnaryOp;

/**
 * Row kernels for elementwise ops: a vector body over unit-stride rows and a scalar tail
 * (or a plain scalar loop for strided rows and when SIMD is off). A stride of 0 is a broadcast.
 */
final class Elementwise {
    private static final VectorSpecies<Float> F = Simd.F;

    private Elementwise() {}

    static void unary(UnaryOp op, float[] x, int xo, int xs, float[] out, int oo, int os, int n, float p, float q) {
        int i = 0;
        if (Simd.enabled() && xs == 1 && os == 1 && vectorizable(op)) {
            int bound = F.loopBound(n);
            for (; i < bound; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, xo + i);
                unaryVector(op, v, p, q).intoArray(out, oo + i);
            }
        }
        for (; i < n; i++) out[oo + i * os] = op.apply(x[xo + i * xs], p, q);
    }

    private static boolean vectorizable(UnaryOp op) {
        // Transcendentals go through the scalar Math definitions so both paths agree to the bit.
        return switch (op) {
            case NEG, ABS, SQRT, SQUARE, RECIPROCAL, RELU, CLAMP, ADD_SCALAR, MUL_SCALAR, GT_SCALAR -> true;
            default -> false;
        };
    }

    private static FloatVector unaryVector(UnaryOp op, FloatVector v, float p, float q) {
        return switch (op) {
            case NEG -> v.neg();
            case ABS -> v.abs();
            case SQRT -> v.sqrt();
            case SQUARE -> v.mul(v);
            case RECIPROCAL -> FloatVector.broadcast(F, 1f).div(v);
            case RELU -> {
                // x > 0 ? x : 0, so that NaN maps to 0 exactly as the scalar definition does.
                VectorMask<Float> pos = v.compare(VectorOperators.GT, 0f);
                yield FloatVector.zero(F).blend(v, pos);
            }
            case CLAMP -> v.max(p).min(q);
            case ADD_SCALAR -> v.add(p);
            case MUL_SCALAR -> v.mul(p);
            case GT_SCALAR -> FloatVector.zero(F).blend(1f, v.compare(VectorOperators.GT, p));
            default -> throw new IllegalStateException("no vector form for " + op);
        };
    }

    static void binary(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        int i = 0;
        if (Simd.enabled() && os == 1 && (as == 1 || as == 0) && (bs == 1 || bs == 0) && op != BinaryOp.POW) {
            int bound = F.loopBound(n);
            FloatVector ca = as == 0 ? FloatVector.broadcast(F, a[ao]) : null;
            FloatVector cb = bs == 0 ? FloatVector.broadcast(F, b[bo]) : null;
            for (; i < bound; i += F.length()) {
                FloatVector va = ca != null ? ca : FloatVector.fromArray(F, a, ao + i);
                FloatVector vb = cb != null ? cb : FloatVector.fromArray(F, b, bo + i);
                binaryVector(op, va, vb).intoArray(out, oo + i);
            }
        }
        for (; i < n; i++) out[oo + i * os] = op.apply(a[ao + i * as], b[bo + i * bs]);
    }

    private static FloatVector binaryVector(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            case EQ -> mask(a.compare(VectorOperators.EQ, b));
            case NE -> mask(a.compare(VectorOperators.NE, b));
            case LT -> mask(a.compare(VectorOperators.LT, b));
            case LE -> mask(a.compare(VectorOperators.LE, b));
            case GT -> mask(a.compare(VectorOperators.GT, b));
            case GE -> mask(a.compare(VectorOperators.GE, b));
            case POW -> throw new IllegalStateException("pow has no vector form");
        };
    }

    /** out = c != 0 ? a : b (NaN selects a, -0 selects b); strides 0 (broadcast) or 1 take the vector body. */
    static void where(float[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        int i = 0;
        if (Simd.enabled() && os == 1 && cs <= 1 && as <= 1 && bs <= 1 && cs >= 0 && as >= 0 && bs >= 0) {
            int bound = F.loopBound(n);
            for (; i < bound; i += F.length()) {
                FloatVector vc = cs == 0 ? FloatVector.broadcast(F, c[co]) : FloatVector.fromArray(F, c, co + i);
                FloatVector va = as == 0 ? FloatVector.broadcast(F, a[ao]) : FloatVector.fromArray(F, a, ao + i);
                FloatVector vb = bs == 0 ? FloatVector.broadcast(F, b[bo]) : FloatVector.fromArray(F, b, bo + i);
                vb.blend(va, vc.compare(VectorOperators.NE, 0f)).intoArray(out, oo + i);
            }
        }
        for (; i < n; i++) out[oo + i * os] = c[co + i * cs] != 0f ? a[ao + i * as] : b[bo + i * bs];
    }

    private static FloatVector mask(VectorMask<Float> m) {
        return FloatVector.zero(F).blend(1f, m);
    }
}
