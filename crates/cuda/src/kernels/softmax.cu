// Row-wise softmax and its backward from the output s, mirroring dlp-kernels' softmax and
// softmax_backward (crates/kernels/src/loss/softmax.rs): out = exp(x − max)·(1/Σ exp(x − max)),
// dx = s·(dout − Σ dout·s). One block of 256 threads per row, its max and sums taken by a
// shared-memory tree (the same result every run; rows of attention scores are long enough to
// want more than one thread).

// The block's maximum (is_max) or sum of v; every thread gets it.
__device__ float block_reduce(float v, bool is_max, float* scratch) {
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            const float a = scratch[threadIdx.x], b = scratch[threadIdx.x + s];
            scratch[threadIdx.x] = is_max ? fmaxf(a, b) : a + b;
        }
        __syncthreads();
    }
    const float result = scratch[0];
    __syncthreads();
    return result;
}

// Row r = block r. Each thread rescales the very elements it wrote, so out needs no barrier.
extern "C" __global__ void softmax(const float* x, float* out, u64 rows, u64 cols) {
    __shared__ float scratch[THREADS];
    const float* row = x + blockIdx.x * cols;
    float* o = out + blockIdx.x * cols;
    float max = __int_as_float(0xff800000);  // −∞: the max of no values, as on the CPU
    for (u64 j = threadIdx.x; j < cols; j += THREADS) max = fmaxf(max, row[j]);
    max = block_reduce(max, true, scratch);
    float sum = 0.0f;
    for (u64 j = threadIdx.x; j < cols; j += THREADS) {
        const float e = expf(row[j] - max);
        o[j] = e;
        sum += e;
    }
    const float inv_sum = 1.0f / block_reduce(sum, false, scratch);
    for (u64 j = threadIdx.x; j < cols; j += THREADS) o[j] *= inv_sum;
}

// Row r = block r: dx = s·(dout − Σ_c dout·s).
extern "C" __global__ void softmax_backward(const float* s, const float* dout, float* dx, u64 rows, u64 cols) {
    __shared__ float scratch[THREADS];
    const u64 at = blockIdx.x * cols;
    float dot = 0.0f;
    for (u64 j = threadIdx.x; j < cols; j += THREADS) dot = fmaf(s[at + j], dout[at + j], dot);
    dot = block_reduce(dot, false, scratch);
    for (u64 j = threadIdx.x; j < cols; j += THREADS) dx[at + j] = s[at + j] * (dout[at + j] - dot);
}
