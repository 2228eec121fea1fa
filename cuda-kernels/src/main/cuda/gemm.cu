// Tiled single-precision GEMM, the always-available matmul of the CUDA backend:
//   C[z] = beta*C[z] + sum over r < reduceCount of A[z,r] @ B[z,r]
// with A(i,p) = a[z*aZs + r*aRb + i*aRs + p*aCs] and likewise for B, so transposed, broadcast
// (stride 0) and batched operands need no copies, and a convolution's weight gradient (a sum
// over images) is one launch. Work along (r, k) is cut into `splits` slices (split-K) when the
// output alone has too few tiles to fill the GPU; the slices land in `partial` and
// sgemm_split_sum adds them in slice order, so results do not depend on timing.
#include "common.cuh"
#include "gemm_tile.cuh"

extern "C" __global__ void __launch_bounds__(TILE_THREADS)
sgemm_tiled(int m, int n, int k,
            const float* a, int aRs, int aCs, long long aZs, long long aRb,
            const float* b, int bRs, int bCs, long long bZs, long long bRb,
            int reduceCount, int splits, float beta,
            float* c, int ldc, long long cZs, float* partial) {
    __shared__ float As[TILE_K][TILE_M + TILE_PAD];
    __shared__ float Bs[TILE_K][TILE_N + TILE_PAD];
    int z = blockIdx.z / splits, slice = blockIdx.z % splits;
    int i0 = blockIdx.y * TILE_M, j0 = blockIdx.x * TILE_N;
    int kTiles = (k + TILE_K - 1) / TILE_K;
    long long steps = (long long)reduceCount * kTiles;
    long long first = steps * slice / splits, last = steps * (slice + 1) / splits;

    TileAcc acc;
    tile_zero(acc);
    for (long long step = first; step < last; step++) {
        long long r = step / kTiles;
        int p0 = (int)(step % kTiles) * TILE_K;
        tile_load_a(As, a + z * aZs + r * aRb, aRs, aCs, i0, p0, m, k);
        tile_load_b(Bs, b + z * bZs + r * bRb, bRs, bCs, j0, p0, n, k);
        __syncthreads();
        tile_multiply(acc, As, Bs);
        __syncthreads();
    }

    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    if (splits == 1) {
        float* cz = c + z * cZs;
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int i = i0 + ty + 16 * r;
            if (i >= m) continue;
#pragma unroll
            for (int s = 0; s < 4; s++) {
                int j = j0 + tx + 16 * s;
                if (j >= n) continue;
                float* dst = cz + (long long)i * ldc + j;
                // beta == 0 must not read C: it may hold NaN garbage, and 0 * NaN is NaN.
                *dst = beta == 0.0f ? acc.v[r][s] : fmaf(beta, *dst, acc.v[r][s]);
            }
        }
    } else {
        float* pz = partial + (long long)blockIdx.z * m * n;
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int i = i0 + ty + 16 * r;
            if (i >= m) continue;
#pragma unroll
            for (int s = 0; s < 4; s++) {
                int j = j0 + tx + 16 * s;
                if (j < n) pz[(long long)i * n + j] = acc.v[r][s];
            }
        }
    }
}

// C[z] = beta*C[z] + the slices of partial [batch][splits][m][n], added in slice order.
extern "C" __global__ void sgemm_split_sum(int m, int n, int batch, int splits, float beta,
                                           const float* partial, float* c, int ldc, long long cZs) {
    long long mn = (long long)m * n;
    MMA4J_FOR_EACH(e, batch * mn) {
        long long z = e / mn, q = e % mn;
        int i = (int)(q / n), j = (int)(q % n);
        const float* p = partial + z * splits * mn + q;
        float sum = 0.0f;
        for (int s = 0; s < splits; s++) sum += p[s * mn];
        float* dst = c + z * cZs + (long long)i * ldc + j;
        *dst = beta == 0.0f ? sum : fmaf(beta, *dst, sum);
    }
}
