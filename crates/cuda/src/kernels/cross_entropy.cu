// Cross-entropy on probabilities and its backward, mirroring dlp-kernels' cross_entropy and
// cross_entropy_backward (crates/kernels/src/loss/mod.rs). The loss −(1/rows)·Σ t·ln p (t = 0
// skipped) is summed in f64, as the CPU sums it: each block folds its grid-stride share into one
// partial (a shared-memory tree), then one block adds the partials, so the total is the same
// every run (no atomics) and one double comes back to the host.

// Sums v over the block into scratch[0] (THREADS doubles).
__device__ void block_sum_to_first(double v, double* scratch) {
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
        __syncthreads();
    }
}

// partials[block] = Σ t·ln p over the block's elements with t ≠ 0 (ln in f64, as on the CPU).
extern "C" __global__ void cross_entropy_partials(const float* probs, const float* targets, u64 n, double* partials) {
    __shared__ double scratch[THREADS];
    double sum = 0.0;
    FOR_EACH(i, n) {
        const float t = targets[i];
        if (t != 0.0f) sum += (double)t * log((double)probs[i]);
    }
    block_sum_to_first(sum, scratch);
    if (threadIdx.x == 0) partials[blockIdx.x] = scratch[0];
}

// values[0] = Σ values[0..n], in one block.
extern "C" __global__ void sum_f64_to_first(double* values, u64 n) {
    __shared__ double scratch[THREADS];
    double sum = 0.0;
    for (u64 i = threadIdx.x; i < n; i += THREADS) sum += values[i];
    block_sum_to_first(sum, scratch);
    if (threadIdx.x == 0) values[0] = scratch[0];
}

// dprobs = t·(−1/rows) / p, 0 where t = 0; minus_inv_rows rounded to f32 by the host, as on the CPU.
extern "C" __global__ void cross_entropy_backward(const float* probs, const float* targets, float* dprobs, u64 n, float minus_inv_rows) {
    FOR_EACH(i, n) {
        const float t = targets[i];
        dprobs[i] = t == 0.0f ? 0.0f : t * minus_inv_rows / probs[i];
    }
}
