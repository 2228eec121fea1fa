// Shared definitions of the mma4j CUDA kernels: the strided layout the Java side builds
// (mma4j.cuda.Layout), Java's float semantics for max/min, and block-wide reductions.
#pragma once

#define MMA4J_MAX_RANK 8
#define MMA4J_MAX_OPERANDS 4

// Up to four operands walked in lock step over one shape. The Java side has already dropped
// size-1 dimensions and merged dimensions that are back to back in every operand, so a
// contiguous tensor arrives as rank 1 with stride 1. Passed by value as 45 ints.
struct Layout {
    int rank;
    int shape[MMA4J_MAX_RANK];
    int stride[MMA4J_MAX_OPERANDS][MMA4J_MAX_RANK];
    int offset[MMA4J_MAX_OPERANDS];
};

// Offsets (in floats) of the first K operands at row-major position idx of the layout.
// Tensors hold fewer than 2^31 elements, so the index is decoded with 32-bit divisions (much
// cheaper than 64-bit ones on a GPU); a merged contiguous layout (rank 1) needs none.
template <int K>
__device__ __forceinline__ void layout_offsets(const Layout& L, long long idx, long long* off) {
    if (L.rank == 1) {
#pragma unroll
        for (int k = 0; k < K; k++) off[k] = L.offset[k] + idx * L.stride[k][0];
        return;
    }
#pragma unroll
    for (int k = 0; k < K; k++) off[k] = L.offset[k];
    unsigned rest = (unsigned)idx;
    for (int d = L.rank - 1; d >= 0; d--) {
        unsigned s = (unsigned)L.shape[d];
        unsigned i = rest % s;
        rest /= s;
#pragma unroll
        for (int k = 0; k < K; k++) off[k] += (long long)i * L.stride[k][d];
    }
}

// Math.max / Math.min: NaN wins, and -0 < +0.
__device__ __forceinline__ float jmax(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a > b ? a : b;
}
__device__ __forceinline__ float jmin(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
    return a < b ? a : b;
}
__device__ __forceinline__ double jmaxd(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0 && b == 0.0) return signbit(a) ? b : a;
    return a > b ? a : b;
}
__device__ __forceinline__ double jmind(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0 && b == 0.0) return signbit(a) ? a : b;
    return a < b ? a : b;
}

// Whether (v, j) should replace the current best (bv, bj) of a max (or min) search: NaN
// counts as the extreme (as in torch.argmax), ties go to the lower index, j < 0 is "none".
// Order independent, so tree reductions agree with a sequential first-index scan.
__device__ __forceinline__ bool arg_better(bool isMax, float v, int j, float bv, int bj) {
    if (j < 0) return false;
    if (bj < 0) return true;
    bool vn = v != v, bn = bv != bv;
    if (vn != bn) return vn;
    if (!vn && v != bv) return isMax ? v > bv : v < bv;
    return j < bj;
}

// Sum / max / min of one value per thread over the whole block (blockDim.x a multiple of
// 32, at most 1024); every thread gets the result. Tree order is fixed, so it is deterministic.
// op: 0 sum, 1 max, 2 min (mma4j.tensor.ReduceOp's order).
__device__ __forceinline__ double combine_reduce(int op, double a, double b) {
    return op == 0 ? a + b : (op == 1 ? jmaxd(a, b) : jmind(a, b));
}

__device__ double block_reduce(int op, double v) {
    __shared__ double partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = combine_reduce(op, v, __shfl_down_sync(0xffffffffu, v, o));
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = partial[lane < warps ? lane : 0];
        // Lanes past the last warp repeat warp 0's value; for a sum they must add nothing.
        if (lane >= warps && op == 0) v = 0.0;
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) v = combine_reduce(op, v, __shfl_down_sync(0xffffffffu, v, o));
        if (lane == 0) partial[0] = v;
    }
    __syncthreads();
    v = partial[0];
    __syncthreads();  // the next call may overwrite partial
    return v;
}

// The best (value, index) over the block under arg_better; every thread gets it.
__device__ void block_arg_reduce(bool isMax, float& v, int& j) {
    __shared__ float pv[32];
    __shared__ int pj[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_down_sync(0xffffffffu, v, o);
        int oj = __shfl_down_sync(0xffffffffu, j, o);
        if (arg_better(isMax, ov, oj, v, j)) { v = ov; j = oj; }
    }
    if (lane == 0) { pv[warp] = v; pj[warp] = j; }
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? pv[lane] : 0.0f;
        j = lane < warps ? pj[lane] : -1;
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            float ov = __shfl_down_sync(0xffffffffu, v, o);
            int oj = __shfl_down_sync(0xffffffffu, j, o);
            if (arg_better(isMax, ov, oj, v, j)) { v = ov; j = oj; }
        }
        if (lane == 0) { pv[0] = v; pj[0] = j; }
    }
    __syncthreads();
    v = pv[0];
    j = pj[0];
    __syncthreads();
}

// Grid-stride loop over [0, n).
#define MMA4J_FOR_EACH(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)
