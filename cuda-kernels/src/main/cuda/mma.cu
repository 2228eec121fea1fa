// The fused MMA regularizer kernels. For a row-normalized weight w [n,d], the forward finds
// each row's nearest neighbour by cosine: maxCos[i] = max over j != i of w_i . w_j and its j.
// It multiplies 64x64 tiles of w w^T exactly as the GEMM does but keeps only a running max per
// row, so memory stays O(n d) however large n is (a 100k-class classifier). The backward
// touches only each row's nearest-neighbour pair: O(n d).
#include "common.cuh"
#include "gemm_tile.cuh"

// Grid (row tiles, splits): block (t, s) scans column tiles [s*per, (s+1)*per) for the 64 rows
// of tile t and writes its best (value, index) per row to pmax/pidx [splits][n].
extern "C" __global__ void __launch_bounds__(TILE_THREADS)
nearest_cosine_partial(int n, int d, const float* w, int colTilesPerSplit, float* pmax, int* pidx) {
    __shared__ float As[TILE_K][TILE_M + TILE_PAD];
    __shared__ float Bs[TILE_K][TILE_N + TILE_PAD];
    int i0 = blockIdx.x * TILE_M, slice = blockIdx.y;
    int colTiles = (n + TILE_N - 1) / TILE_N;
    int ct0 = slice * colTilesPerSplit, ct1 = min(colTiles, ct0 + colTilesPerSplit);
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;

    float best[4];
    int bestJ[4];
#pragma unroll
    for (int r = 0; r < 4; r++) { best[r] = 0.0f; bestJ[r] = -1; }

    for (int ct = ct0; ct < ct1; ct++) {
        int j0 = ct * TILE_N;
        TileAcc acc;
        tile_zero(acc);
        for (int p0 = 0; p0 < d; p0 += TILE_K) {
            tile_load_a(As, w, d, 1, i0, p0, n, d);  // A(i,p) = w[i*d + p]
            tile_load_b(Bs, w, 1, d, j0, p0, n, d);  // B(p,j) = w[j*d + p], i.e. w^T
            __syncthreads();
            tile_multiply(acc, As, Bs);
            __syncthreads();
        }
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int i = i0 + ty + 16 * r;
            float v = 0.0f;
            int jb = -1;
#pragma unroll
            for (int s = 0; s < 4; s++) {
                int j = j0 + tx + 16 * s;
                if (i < n && j < n && j != i && arg_better(true, acc.v[r][s], j, v, jb)) { v = acc.v[r][s]; jb = j; }
            }
            // The 16 threads of one row are one half-warp: combine them by xor shuffles.
#pragma unroll
            for (int o = 8; o > 0; o >>= 1) {
                float ov = __shfl_xor_sync(0xffffffffu, v, o);
                int oj = __shfl_xor_sync(0xffffffffu, jb, o);
                if (arg_better(true, ov, oj, v, jb)) { v = ov; jb = oj; }
            }
            if (arg_better(true, v, jb, best[r], bestJ[r])) { best[r] = v; bestJ[r] = jb; }
        }
    }
    if (tx == 0) {
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int i = i0 + ty + 16 * r;
            if (i < n) {
                pmax[(long long)slice * n + i] = best[r];
                pidx[(long long)slice * n + i] = bestJ[r];
            }
        }
    }
}

// maxCos[i], nearest[i] = the best of the slices' candidates for row i.
extern "C" __global__ void nearest_cosine_combine(int n, int splits, const float* pmax, const int* pidx,
                                                  float* maxCos, float* nearest) {
    MMA4J_FOR_EACH(i, n) {
        float v = 0.0f;
        int j = -1;
        for (int s = 0; s < splits; s++) {
            float sv = pmax[(long long)s * n + i];
            int sj = pidx[(long long)s * n + i];
            if (arg_better(true, sv, sj, v, j)) { v = sv; j = sj; }
        }
        maxCos[i] = v;
        nearest[i] = (float)j;
    }
}

// gw[r] = g[r] * w[nearest[r]] + sum over i with nearest[i] == r of g[i] * w[i], the terms
// added in ascending i exactly as Kernels.nearestCosineBackward's default does (same bits).
// The rows i pointing at r are list[start[r] .. start[r+1]), ascending: a CSR built on the host.
extern "C" __global__ void nearest_cosine_backward(int n, int d, const float* w, const float* nearest, const float* g,
                                                   const int* start, const int* list, float* gw) {
    MMA4J_FOR_EACH(e, (long long)n * d) {
        int r = (int)(e / d), p = (int)(e % d);
        int nr = (int)nearest[r];
        float own = __fmul_rn(g[r], w[(long long)nr * d + p]);
        float v = 0.0f;
        bool ownDone = false;
        for (int t = start[r]; t < start[r + 1]; t++) {
            int i = list[t];
            if (!ownDone && i > r) { v = __fadd_rn(v, own); ownDone = true; }
            v = __fadd_rn(v, __fmul_rn(g[i], w[(long long)i * d + p]));
        }
        if (!ownDone) v = __fadd_rn(v, own);
        gw[e] = v;
    }
}
