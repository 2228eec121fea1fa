// Max and average pooling over contiguous NCHW planes, forward and backward. Tensors hold
// fewer than 2^31 elements, so positions are decoded with 32-bit divisions.
#include "common.cuh"

// One thread per output; the same scan as the CPU: first max wins, NaN is taken (and ends the
// row of the window it is in). indices holds the flat iy*W + ix of the max within its plane.
extern "C" __global__ void maxpool_forward(long long planes, int h, int w, int oh, int ow, int k, int s, int p,
                                           const float* x, float* out, float* indices) {
    MMA4J_FOR_EACH(e, planes * oh * ow) {
        unsigned u = (unsigned)e;
        int ox = (int)(u % ow), oy = (int)((u / ow) % oh);
        long long pl = u / ((unsigned)oh * ow);
        const float* xp = x + pl * h * w;
        float best = -INFINITY;
        int bi = -1;
        for (int ky = 0; ky < k; ky++) {
            int iy = oy * s - p + ky;
            if (iy < 0 || iy >= h) continue;
            for (int kx = 0; kx < k; kx++) {
                int ix = ox * s - p + kx;
                if (ix < 0 || ix >= w) continue;
                float v = xp[iy * w + ix];
                bool nan = v != v;
                if (v > best || bi < 0 || nan) {
                    best = v;
                    bi = iy * w + ix;
                    if (nan) break;
                }
            }
        }
        out[e] = best;
        indices[e] = (float)bi;
    }
}

// One thread per plane, adding in output order: overlapping windows (kernel > stride) may send
// several outputs to one pixel, and this keeps the sums deterministic without atomics.
extern "C" __global__ void maxpool_backward(long long planes, int hw, int ohw, const float* gy, const float* indices,
                                            float* gx) {
    MMA4J_FOR_EACH(pl, planes) {
        float* g = gx + pl * hw;
        for (int i = 0; i < hw; i++) g[i] = 0.0f;
        const float* gp = gy + pl * ohw;
        const float* ip = indices + pl * ohw;
        for (int i = 0; i < ohw; i++) {
            int at = (int)ip[i];
            g[at] = __fadd_rn(g[at], gp[i]);
        }
    }
}

// Zero padding counts in the divisor (count_include_pad=True).
extern "C" __global__ void avgpool_forward(long long planes, int h, int w, int oh, int ow, int k, int s, int p,
                                           const float* x, float* out) {
    float inv = 1.0f / (k * k);
    MMA4J_FOR_EACH(e, planes * oh * ow) {
        unsigned u = (unsigned)e;
        int ox = (int)(u % ow), oy = (int)((u / ow) % oh);
        long long pl = u / ((unsigned)oh * ow);
        const float* xp = x + pl * h * w;
        float sum = 0.0f;
        for (int ky = 0; ky < k; ky++) {
            int iy = oy * s - p + ky;
            if (iy < 0 || iy >= h) continue;
            for (int kx = 0; kx < k; kx++) {
                int ix = ox * s - p + kx;
                if (ix >= 0 && ix < w) sum = __fadd_rn(sum, xp[iy * w + ix]);
            }
        }
        out[e] = __fmul_rn(sum, inv);
    }
}

// One thread per input pixel, gathering gy/(k*k) from every window that covers it, in the
// output order the CPU's scatter uses.
extern "C" __global__ void avgpool_backward(long long planes, int h, int w, int oh, int ow, int k, int s, int p,
                                            const float* gy, float* gx) {
    float inv = 1.0f / (k * k);
    MMA4J_FOR_EACH(e, planes * h * w) {
        unsigned u = (unsigned)e;
        int ix = (int)(u % w), iy = (int)((u / w) % h);
        long long pl = u / ((unsigned)h * w);
        const float* gp = gy + pl * oh * ow;
        // Windows oy with oy*s - p <= iy <= oy*s - p + k - 1.
        int oyLo = max(0, (iy + p - k + s) / s), oyHi = min(oh - 1, (iy + p) / s);
        int oxLo = max(0, (ix + p - k + s) / s), oxHi = min(ow - 1, (ix + p) / s);
        float sum = 0.0f;
        for (int oy = oyLo; oy <= oyHi; oy++) {
            for (int ox = oxLo; ox <= oxHi; ox++) sum = __fadd_rn(sum, __fmul_rn(gp[oy * ow + ox], inv));
        }
        gx[e] = sum;
    }
}
