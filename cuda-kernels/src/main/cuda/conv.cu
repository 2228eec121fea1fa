// Convolution as im2col + GEMM: these kernels move pixels between an image batch [nb,C,H,W]
// and its column matrices [nb, C*kh*kw, OH*OW]; gemm.cu does the arithmetic. Both index spaces
// stay below 2^31 (the host chunks images), so positions are decoded with 32-bit divisions.
#include "common.cuh"

// col[b][(ch*kh + ki)*kw + kj][oy*ow + ox] = x[b][ch][oy*stride - pad + ki][ox*stride - pad + kj], 0 in the padding.
extern "C" __global__ void im2col(int nb, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow,
                                  const float* x, float* col) {
    long long ohw = (long long)oh * ow, ckk = (long long)c * kh * kw;
    MMA4J_FOR_EACH(e, nb * ckk * ohw) {
        unsigned t = (unsigned)e;
        int ox = (int)(t % ow);
        t /= ow;
        int oy = (int)(t % oh);
        t /= oh;
        int kj = (int)(t % kw);
        t /= kw;
        int ki = (int)(t % kh);
        t /= kh;
        int ch = (int)(t % c);
        long long b = t / c;
        int iy = oy * stride - pad + ki, ix = ox * stride - pad + kj;
        col[e] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[((b * c + ch) * h + iy) * w + ix] : 0.0f;
    }
}

// The adjoint of im2col: x[b][ch][iy][ix] = sum of every column entry taken from that pixel,
// gathered per pixel (no atomics) in (ki, kj) order, the order the CPU's scatter adds them.
extern "C" __global__ void col2im(int nb, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow,
                                  const float* col, float* x) {
    long long ohw = (long long)oh * ow;
    MMA4J_FOR_EACH(e, (long long)nb * c * h * w) {
        unsigned t = (unsigned)e;
        int ix = (int)(t % w);
        t /= w;
        int iy = (int)(t % h);
        t /= h;
        int ch = (int)(t % c);
        long long b = t / c;
        const float* cb = col + (b * c + ch) * (long long)kh * kw * ohw;
        float sum = 0.0f;
        for (int ki = 0; ki < kh; ki++) {
            int ty = iy + pad - ki;
            if (ty < 0 || ty % stride != 0) continue;
            int oy = ty / stride;
            if (oy >= oh) continue;
            for (int kj = 0; kj < kw; kj++) {
                int tx = ix + pad - kj;
                if (tx < 0 || tx % stride != 0) continue;
                int ox = tx / stride;
                if (ox >= ow) continue;
                sum += cb[(long long)(ki * kw + kj) * ohw + oy * ow + ox];
            }
        }
        x[e] = sum;
    }
}
