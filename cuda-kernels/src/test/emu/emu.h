// A CPU emulation of the few CUDA features the mma4j kernels use, so the .cu files compile as
// plain C++ and run in tests on machines without a GPU (see EmulatedRuntime.java).
//
// Each block runs as one fiber per thread on a single OS thread (ucontext): __syncthreads and
// warp shuffles switch fibers, so the emulation is deterministic and a barrier that not every
// thread reaches is reported instead of hanging. __shared__ becomes static, which is right as
// long as blocks run one after another, as they do here.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

namespace emu {
extern dim3 grid_dim, block_dim, block_idx;
extern dim3* thread_idx;
void sync_block();
// Every lane of the calling warp publishes `bytes` of *value; each then reads lane src_lane's.
void warp_exchange(const void* value, void* result, int bytes, int src_lane);
}  // namespace emu

#define threadIdx (*emu::thread_idx)
#define blockIdx (emu::block_idx)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

using std::max;
using std::min;
using std::signbit;

inline void __syncthreads() { emu::sync_block(); }

template <class T>
T __shfl_down_sync(unsigned, T v, unsigned delta) {
    int lane = threadIdx.x & 31, src = lane + (int)delta;
    T r;
    emu::warp_exchange(&v, &r, sizeof(T), src > 31 ? lane : src);  // out of range: own value
    return r;
}

template <class T>
T __shfl_xor_sync(unsigned, T v, int mask) {
    T r;
    emu::warp_exchange(&v, &r, sizeof(T), (threadIdx.x & 31) ^ mask);
    return r;
}

// Compiled with -ffp-contract=off, so these round once each, as the _rn intrinsics do.
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, sizeof f);
    return f;
}
