// Batch-norm over x [N, C, hw...]: statistics per channel over N and the trailing axes, in
// double as on the CPU. Statistics kernels run one block per channel; the per-element kernels
// one thread per element. Rounding follows the CPU kernels (no fused multiply-adds). Tensors
// hold fewer than 2^31 elements, so positions are decoded with 32-bit divisions.
#include "common.cuh"

__device__ __forceinline__ float at_or(const float* t, int ch, float dflt) {
    return t == nullptr ? dflt : t[ch];
}

// mean, 1/sqrt(biased var + eps) and the unbiased variance of each channel (grid: c blocks).
extern "C" __global__ void bn_stats(int n, int c, int hw, float eps, const float* x,
                                   float* mean, float* invStd, float* unbiasedVar) {
    int ch = blockIdx.x;
    long long m = (long long)n * hw;
    double sum = 0.0;
    for (long long t = threadIdx.x; t < m; t += blockDim.x) {
        unsigned b = (unsigned)t / hw, j = (unsigned)t % hw;
        sum += x[((long long)b * c + ch) * hw + j];
    }
    double mu = block_reduce(0, sum) / m;
    double sq = 0.0;
    for (long long t = threadIdx.x; t < m; t += blockDim.x) {
        unsigned b = (unsigned)t / hw, j = (unsigned)t % hw;
        double dv = x[((long long)b * c + ch) * hw + j] - mu;
        sq += dv * dv;
    }
    sq = block_reduce(0, sq);
    if (threadIdx.x == 0) {
        double var = sq / m;
        mean[ch] = (float)mu;
        invStd[ch] = (float)(1.0 / sqrt(var + eps));
        unbiasedVar[ch] = (float)(m > 1 ? sq / (m - 1) : 0.0);
    }
}

// y = x * (invStd*gamma) + (beta - mean*invStd*gamma); gamma/beta may be null.
extern "C" __global__ void bn_apply(long long total, int c, int hw, const float* x, const float* mean, const float* invStd,
                                   const float* gamma, const float* beta, float* y) {
    MMA4J_FOR_EACH(e, total) {
        int ch = (int)(((unsigned)e / hw) % c);
        float scale = __fmul_rn(invStd[ch], at_or(gamma, ch, 1.0f));
        float shift = __fsub_rn(at_or(beta, ch, 0.0f), __fmul_rn(mean[ch], scale));
        y[e] = __fadd_rn(__fmul_rn(x[e], scale), shift);
    }
}

// Per channel: sums[ch] = sum gy, sums[c + ch] = sum gy * xhat; also gBeta / gGamma when given.
extern "C" __global__ void bn_backward_stats(int n, int c, int hw, const float* gy, const float* x, const float* mean,
                                            const float* invStd, float* sums, float* gGamma, float* gBeta) {
    int ch = blockIdx.x;
    long long m = (long long)n * hw;
    float mu = mean[ch], is = invStd[ch];
    double sg = 0.0, sgx = 0.0;
    for (long long t = threadIdx.x; t < m; t += blockDim.x) {
        unsigned b = (unsigned)t / hw, j = (unsigned)t % hw;
        long long at = ((long long)b * c + ch) * hw + j;
        float g = gy[at];
        sg += g;
        sgx += g * (double)__fmul_rn(__fsub_rn(x[at], mu), is);
    }
    sg = block_reduce(0, sg);
    sgx = block_reduce(0, sgx);
    if (threadIdx.x == 0) {
        sums[ch] = (float)(sg / m);
        sums[c + ch] = (float)(sgx / m);
        if (gBeta != nullptr) gBeta[ch] = (float)sg;
        if (gGamma != nullptr) gGamma[ch] = (float)sgx;
    }
}

// gx = gamma*invStd * (gy - mean(gy) - xhat * mean(gy*xhat)), the means from bn_backward_stats.
extern "C" __global__ void bn_backward_apply(long long total, int c, int hw, const float* gy, const float* x,
                                            const float* mean, const float* invStd, const float* gamma,
                                            const float* sums, float* gx) {
    MMA4J_FOR_EACH(e, total) {
        int ch = (int)(((unsigned)e / hw) % c);
        float is = invStd[ch];
        float k = __fmul_rn(is, at_or(gamma, ch, 1.0f));
        float xhat = __fmul_rn(__fsub_rn(x[e], mean[ch]), is);
        float inner = __fsub_rn(__fsub_rn(gy[e], sums[ch]), __fmul_rn(xhat, sums[c + ch]));
        gx[e] = __fmul_rn(k, inner);
    }
}
