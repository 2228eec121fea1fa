// The 64x64 output tile of a single-precision matrix product that gemm.cu and mma.cu share:
// 256 threads, each owning a 4x4 block of the tile (rows ty+16r, columns tx+16s), operands
// staged through shared memory 16 deep along k. Operands are read through arbitrary strides,
// and each load picks the thread order that makes its unit-stride direction coalesced.
#pragma once

#define TILE_M 64
#define TILE_N 64
#define TILE_K 16
#define TILE_PAD 4
#define TILE_THREADS 256

struct TileAcc {
    float v[4][4];
};

__device__ __forceinline__ void tile_zero(TileAcc& acc) {
#pragma unroll
    for (int r = 0; r < 4; r++)
#pragma unroll
        for (int s = 0; s < 4; s++) acc.v[r][s] = 0.0f;
}

// As[p][i] = A(i0+i, p0+p) where A(i,p) = a[i*rs + p*cs]; zeros outside m x k.
__device__ __forceinline__ void tile_load_a(float (*As)[TILE_M + TILE_PAD], const float* a, int rs, int cs,
                                            int i0, int p0, int m, int k) {
    int tid = threadIdx.x;
#pragma unroll
    for (int l = 0; l < 4; l++) {
        int e = tid + TILE_THREADS * l;
        int ii, pp;
        if (cs == 1) { pp = e & (TILE_K - 1); ii = e >> 4; }   // a row is contiguous: walk p fastest
        else { ii = e & (TILE_M - 1); pp = e >> 6; }            // walk i fastest (transposed A)
        int i = i0 + ii, p = p0 + pp;
        As[pp][ii] = (i < m && p < k) ? a[(long long)i * rs + (long long)p * cs] : 0.0f;
    }
}

// Bs[p][j] = B(p0+p, j0+j) where B(p,j) = b[p*rs + j*cs]; zeros outside k x n.
__device__ __forceinline__ void tile_load_b(float (*Bs)[TILE_N + TILE_PAD], const float* b, int rs, int cs,
                                            int j0, int p0, int n, int k) {
    int tid = threadIdx.x;
#pragma unroll
    for (int l = 0; l < 4; l++) {
        int e = tid + TILE_THREADS * l;
        int jj, pp;
        if (cs == 1) { jj = e & (TILE_N - 1); pp = e >> 6; }    // a row of B is contiguous: walk j fastest
        else { pp = e & (TILE_K - 1); jj = e >> 4; }            // walk p fastest (transposed B)
        int j = j0 + jj, p = p0 + pp;
        Bs[pp][jj] = (j < n && p < k) ? b[(long long)p * rs + (long long)j * cs] : 0.0f;
    }
}

__device__ __forceinline__ void tile_multiply(TileAcc& acc, const float (*As)[TILE_M + TILE_PAD],
                                              const float (*Bs)[TILE_N + TILE_PAD]) {
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
#pragma unroll
    for (int p = 0; p < TILE_K; p++) {
        float av[4], bv[4];
#pragma unroll
        for (int r = 0; r < 4; r++) av[r] = As[p][ty + 16 * r];
#pragma unroll
        for (int s = 0; s < 4; s++) bv[s] = Bs[p][tx + 16 * s];
#pragma unroll
        for (int r = 0; r < 4; r++)
#pragma unroll
            for (int s = 0; s < 4; s++) acc.v[r][s] = fmaf(av[r], bv[s], acc.v[r][s]);
    }
}
