// Elementwise kernels over strided views (broadcast inputs have stride 0): fill, copy,
// unary, binary, where, and the fused SGD step. One thread per element, grid-stride.
#include "common.cuh"

// Order must match mma4j.tensor.UnaryOp (PtxSourcesTest checks it).
enum UnaryOp {
    U_NEG, U_ABS, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SQUARE, U_RECIPROCAL, U_SIGN,
    U_RELU, U_SIGMOID, U_TANH, U_ACOS, U_POW, U_CLAMP, U_ADD_SCALAR, U_MUL_SCALAR, U_GT_SCALAR
};

// Order must match mma4j.tensor.BinaryOp (PtxSourcesTest checks it).
enum BinaryOp {
    B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_POW, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE
};

// The definitions of UnaryOp.apply; transcendentals Java computes in double are done in
// double here too, so results agree to about one rounding.
__device__ __forceinline__ float unary_apply(int op, float x, float p, float q) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return fabsf(x);
        case U_EXP: return (float)exp((double)x);
        case U_LOG: return (float)log((double)x);
        case U_SQRT: return sqrtf(x);
        case U_RSQRT: return (float)(1.0 / sqrt((double)x));
        case U_SQUARE: return __fmul_rn(x, x);
        case U_RECIPROCAL: return 1.0f / x;
        case U_SIGN: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);
        case U_RELU: return x > 0.0f ? x : 0.0f;
        case U_SIGMOID: return (float)(1.0 / (1.0 + exp(-(double)x)));
        case U_TANH: return (float)tanh((double)x);
        case U_ACOS: return (float)acos((double)x);
        case U_POW: return (float)pow((double)x, (double)p);
        case U_CLAMP: return jmin(jmax(x, p), q);
        case U_ADD_SCALAR: return __fadd_rn(x, p);
        case U_MUL_SCALAR: return __fmul_rn(x, p);
        case U_GT_SCALAR: return x > p ? 1.0f : 0.0f;
        default: return __int_as_float(0x7fc00000);
    }
}

__device__ __forceinline__ float binary_apply(int op, float a, float b) {
    switch (op) {
        case B_ADD: return __fadd_rn(a, b);
        case B_SUB: return __fsub_rn(a, b);
        case B_MUL: return __fmul_rn(a, b);
        case B_DIV: return __fdiv_rn(a, b);
        case B_MAX: return jmax(a, b);
        case B_MIN: return jmin(a, b);
        case B_POW: return (float)pow((double)a, (double)b);
        case B_EQ: return a == b ? 1.0f : 0.0f;
        case B_NE: return a != b ? 1.0f : 0.0f;
        case B_LT: return a < b ? 1.0f : 0.0f;
        case B_LE: return a <= b ? 1.0f : 0.0f;
        case B_GT: return a > b ? 1.0f : 0.0f;
        case B_GE: return a >= b ? 1.0f : 0.0f;
        default: return __int_as_float(0x7fc00000);
    }
}

// Operand 0 of L is out.
extern "C" __global__ void fill_strided(Layout L, long long n, float value, float* out) {
    MMA4J_FOR_EACH(i, n) {
        long long o[1];
        layout_offsets<1>(L, i, o);
        out[o[0]] = value;
    }
}

// Operands: 0 src, 1 dst.
extern "C" __global__ void copy_strided(Layout L, long long n, const float* src, float* dst) {
    MMA4J_FOR_EACH(i, n) {
        long long o[2];
        layout_offsets<2>(L, i, o);
        dst[o[1]] = src[o[0]];
    }
}

// Operands: 0 x, 1 out.
extern "C" __global__ void unary_strided(Layout L, long long n, int op, float p, float q, const float* x, float* out) {
    MMA4J_FOR_EACH(i, n) {
        long long o[2];
        layout_offsets<2>(L, i, o);
        out[o[1]] = unary_apply(op, x[o[0]], p, q);
    }
}

// Operands: 0 a, 1 b, 2 out.
extern "C" __global__ void binary_strided(Layout L, long long n, int op, const float* a, const float* b, float* out) {
    MMA4J_FOR_EACH(i, n) {
        long long o[3];
        layout_offsets<3>(L, i, o);
        out[o[2]] = binary_apply(op, a[o[0]], b[o[1]]);
    }
}

// Operands: 0 cond, 1 a, 2 b, 3 out.
extern "C" __global__ void where_strided(Layout L, long long n, const float* cond, const float* a, const float* b, float* out) {
    MMA4J_FOR_EACH(i, n) {
        long long o[4];
        layout_offsets<4>(L, i, o);
        out[o[3]] = cond[o[0]] != 0.0f ? a[o[1]] : b[o[2]];
    }
}

// torch.optim.SGD on contiguous arrays, rounding exactly as Kernels.sgdStep's composed
// default (no fused multiply-adds), so both give the same bits.
extern "C" __global__ void sgd_step(long long n, float* param, const float* grad, float* buf,
                                    float lr, float momentum, float dampening, float weightDecay,
                                    int nesterov, int firstStep) {
    MMA4J_FOR_EACH(i, n) {
        float p = param[i];
        float g = grad[i];
        if (weightDecay != 0.0f) g = __fadd_rn(g, __fmul_rn(p, weightDecay));
        if (momentum != 0.0f) {
            float b;
            if (firstStep) {
                b = g;
            } else {
                float keep = 1.0f - dampening;
                float scaled = keep == 1.0f ? g : __fmul_rn(g, keep);
                b = __fadd_rn(__fmul_rn(buf[i], momentum), scaled);
            }
            buf[i] = b;
            g = nesterov ? __fadd_rn(g, __fmul_rn(b, momentum)) : b;
        }
        param[i] = __fadd_rn(p, __fmul_rn(g, -lr));
    }
}
