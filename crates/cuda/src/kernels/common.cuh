// What every kernel source shares, put before each one when it is compiled (compile.rs, with a
// #line directive after it, so NVRTC's messages keep the source's own line numbers).

typedef unsigned long long u64;

// Threads per block of the kernels that run a block per row or channel: dlp_cuda's BLOCK.
#define THREADS 256

// Grid-stride loop over n elements, one thread each.
#define FOR_EACH(i, n) for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < (n); i += (u64)gridDim.x * blockDim.x)

// Sums a and b over the block (shared scratch of 2·THREADS doubles) in a fixed tree order;
// every thread gets the sums.
__device__ void block_sum2(double& a, double& b, double* scratch) {
    scratch[threadIdx.x] = a;
    scratch[THREADS + threadIdx.x] = b;
    __syncthreads();
    for (unsigned s = THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            scratch[threadIdx.x] += scratch[threadIdx.x + s];
            scratch[THREADS + threadIdx.x] += scratch[THREADS + threadIdx.x + s];
        }
        __syncthreads();
    }
    a = scratch[0];
    b = scratch[THREADS];
    __syncthreads();
}
