// Reductions over axes, arg-max/min along one axis, and softmax / log-softmax along one axis.
// A reduction sees x through two layouts: `rows` walks the kept dimensions (operand 0: x,
// operand 1: out) and `red` walks the reduced ones (operand 0: x, offset 0). Sums accumulate
// in double; every block reduction has a fixed order, so results are deterministic.
#include "common.cuh"

// One block per output row: long rows.
extern "C" __global__ void reduce_rows_block(Layout rows, Layout red, long long outer, long long inner,
                                             int op, const float* x, float* out) {
    for (long long r = blockIdx.x; r < outer; r += gridDim.x) {
        long long ro[2];
        layout_offsets<2>(rows, r, ro);
        double acc = op == 0 ? 0.0 : (op == 1 ? -INFINITY : INFINITY);
        for (long long t = threadIdx.x; t < inner; t += blockDim.x) {
            long long o[1];
            layout_offsets<1>(red, t, o);
            acc = combine_reduce(op, acc, (double)x[ro[0] + o[0]]);
        }
        acc = block_reduce(op, acc);
        if (threadIdx.x == 0) out[ro[1]] = (float)acc;
    }
}

// One thread per output row: short rows, many of them.
extern "C" __global__ void reduce_rows_thread(Layout rows, Layout red, long long outer, long long inner,
                                              int op, const float* x, float* out) {
    MMA4J_FOR_EACH(r, outer) {
        long long ro[2];
        layout_offsets<2>(rows, r, ro);
        double acc = op == 0 ? 0.0 : (op == 1 ? -INFINITY : INFINITY);
        for (long long t = 0; t < inner; t++) {
            long long o[1];
            layout_offsets<1>(red, t, o);
            acc = combine_reduce(op, acc, (double)x[ro[0] + o[0]]);
        }
        out[ro[1]] = (float)acc;
    }
}

// Index of the max (isMax != 0) or min along an axis of length len and stride xs; one block
// per row. Written as a float, as the CPU kernel does.
extern "C" __global__ void argreduce_rows(Layout rows, long long outer, int len, int xs, int isMax,
                                          const float* x, float* out) {
    bool mx = isMax != 0;
    for (long long r = blockIdx.x; r < outer; r += gridDim.x) {
        long long ro[2];
        layout_offsets<2>(rows, r, ro);
        float bv = 0.0f;
        int bj = -1;
        for (int i = threadIdx.x; i < len; i += blockDim.x) {
            float v = x[ro[0] + (long long)i * xs];
            if (arg_better(mx, v, i, bv, bj)) { bv = v; bj = i; }
        }
        block_arg_reduce(mx, bv, bj);
        if (threadIdx.x == 0) out[ro[1]] = (float)bj;
    }
}

// Max-shifted softmax (or log-softmax) along an axis of length len, x stride xs and out
// stride os; one block per row, the sum of exponentials in double as on the CPU.
extern "C" __global__ void softmax_rows(Layout rows, long long outer, int len, int xs, int os, int logOut,
                                        const float* x, float* out) {
    for (long long r = blockIdx.x; r < outer; r += gridDim.x) {
        long long ro[2];
        layout_offsets<2>(rows, r, ro);
        const float* xr = x + ro[0];
        float* orow = out + ro[1];
        double m = -INFINITY;
        for (int i = threadIdx.x; i < len; i += blockDim.x) m = jmaxd(m, (double)xr[(long long)i * xs]);
        float mf = (float)block_reduce(1, m);
        if (mf == -INFINITY) mf = 0.0f;
        double s = 0.0;
        for (int i = threadIdx.x; i < len; i += blockDim.x) s += exp((double)__fsub_rn(xr[(long long)i * xs], mf));
        s = block_reduce(0, s);
        if (logOut) {
            float ls = (float)log(s);
            for (int i = threadIdx.x; i < len; i += blockDim.x) {
                orow[(long long)i * os] = __fsub_rn(__fsub_rn(xr[(long long)i * xs], mf), ls);
            }
        } else {
            double inv = 1.0 / s;
            for (int i = threadIdx.x; i < len; i += blockDim.x) {
                orow[(long long)i * os] = (float)(exp((double)__fsub_rn(xr[(long long)i * xs], mf)) * inv);
            }
        }
    }
}
