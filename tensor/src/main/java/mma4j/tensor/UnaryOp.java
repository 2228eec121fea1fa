package mma4j.tensor;

/** Elementwise ops of one input; {@code p} and {@code q} are the scalar parameters some take. */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, RSQRT, SQUARE, RECIPROCAL, SIGN,
    RELU, SIGMOID, TANH, ACOS,
    /** x^p */
    POW,
    /** min(max(x, p), q) */
    CLAMP,
    /** x + p */
    ADD_SCALAR,
    /** x * p */
    MUL_SCALAR,
    /** 1 where x > p else 0 */
    GT_SCALAR;

    /** The scalar reference definition; kernels must agree with it. */
    public float apply(float x, float p, float q) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case RSQRT -> (float) (1.0 / Math.sqrt(x));
            case SQUARE -> x * x;
            case RECIPROCAL -> 1f / x;
            case SIGN -> Math.signum(x);
            case RELU -> x > 0 ? x : 0f;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case ACOS -> (float) Math.acos(x);
            case POW -> (float) Math.pow(x, p);
            case CLAMP -> Math.min(Math.max(x, p), q);
            case ADD_SCALAR -> x + p;
            case MUL_SCALAR -> x * p;
            case GT_SCALAR -> x > p ? 1f : 0f;
        };
    }
}
