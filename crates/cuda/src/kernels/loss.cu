// The fused softmax + cross-entropy of dlp-kernels (crates/kernels/src/loss/mod.rs), for the
// classifier heads (a few to a thousand classes): one thread per row. The row losses are
// summed on the device (`sum_to_first`), so that one float comes back per step.

typedef unsigned long long u64;

// For each row: p = softmax(logits row); loss[r] = −ln p[label]; probs (if not null) = p;
// dlogits (if not null) = (p − onehot(label)) / rows. Labels were checked by the host.
extern "C" __global__ void softmax_cross_entropy(const float* logits, const int* labels, u64 rows, u64 cols,
                                                 float* dlogits, float* probs, float* row_loss) {
    for (u64 r = blockIdx.x * (u64)blockDim.x + threadIdx.x; r < rows; r += (u64)gridDim.x * blockDim.x) {
        const float* x = logits + r * cols;
        float max = x[0];
        for (u64 c = 1; c < cols; c++) max = fmaxf(max, x[c]);
        float sum = 0.0f;
        for (u64 c = 0; c < cols; c++) sum += expf(x[c] - max);
        const int label = labels[r];
        // ln p[label] = x[label] − max − ln Σ, without forming p[label] (no log of an underflow).
        row_loss[r] = -(x[label] - max - logf(sum));
        const float inv_sum = 1.0f / sum, inv_rows = 1.0f / (float)rows;
        for (u64 c = 0; c < cols; c++) {
            const float p = expf(x[c] - max) * inv_sum;
            if (probs) probs[r * cols + c] = p;
            if (dlogits) dlogits[r * cols + c] = ((int)c == label ? p - 1.0f : p) * inv_rows;
        }
    }
}

// values[0] = Σ values[0..n], in one block of 256 threads (a tree in shared memory). For the
// per-row losses of a batch, a few hundred floats.
extern "C" __global__ void sum_to_first(float* values, u64 n) {
    __shared__ float partial[256];
    float sum = 0.0f;
    for (u64 i = threadIdx.x; i < n; i += blockDim.x) sum += values[i];
    partial[threadIdx.x] = sum;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) values[0] = partial[0];
}
