// The fused softmax + cross-entropy of dlp-kernels (crates/kernels/src/loss/mod.rs), for the
// classifier heads (a few to a thousand classes): one thread per row. The row losses are
// summed on the device (`sum_to_first`), so that one float comes back per step.

// The row's max m and Σ exp(x − m): the shift of softmax and log-softmax (no overflow).
__device__ void row_max_and_sum(const float* x, u64 cols, float& max, float& sum) {
    max = x[0];
    for (u64 c = 1; c < cols; c++) max = fmaxf(max, x[c]);
    sum = 0.0f;
    for (u64 c = 0; c < cols; c++) sum += expf(x[c] - max);
}

// For each row: p = softmax(logits row); loss[r] = −ln p[label]; probs (if not null) = p;
// dlogits (if not null) = (p − onehot(label)) / rows. Labels were checked by the host.
extern "C" __global__ void softmax_cross_entropy(const float* logits, const int* labels, u64 rows, u64 cols,
                                                 float* dlogits, float* probs, float* row_loss) {
    for (u64 r = blockIdx.x * (u64)blockDim.x + threadIdx.x; r < rows; r += (u64)gridDim.x * blockDim.x) {
        const float* x = logits + r * cols;
        float max, sum;
        row_max_and_sum(x, cols, max, sum);
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

// Row log-softmax, as dlp-kernels' log_softmax: out = x − (m + ln Σ exp(x − m)), m the row's
// max; one thread per row.
extern "C" __global__ void log_softmax(const float* x, float* out, u64 rows, u64 cols) {
    for (u64 r = blockIdx.x * (u64)blockDim.x + threadIdx.x; r < rows; r += (u64)gridDim.x * blockDim.x) {
        const float* row = x + r * cols;
        float max, sum;
        row_max_and_sum(row, cols, max, sum);
        const float shift = max + logf(sum);
        for (u64 c = 0; c < cols; c++) out[r * cols + c] = row[c] - shift;
    }
}

// dx = dout − exp(y)·Σ_c dout from the log-softmax output y; dx may be dout (each row's sum is
// taken before it is written).
extern "C" __global__ void log_softmax_backward(const float* y, const float* dout, float* dx, u64 rows, u64 cols) {
    for (u64 r = blockIdx.x * (u64)blockDim.x + threadIdx.x; r < rows; r += (u64)gridDim.x * blockDim.x) {
        float sum = 0.0f;
        for (u64 c = 0; c < cols; c++) sum += dout[r * cols + c];
        for (u64 c = 0; c < cols; c++) dx[r * cols + c] = dout[r * cols + c] - expf(y[r * cols + c]) * sum;
    }
}

// row_loss[r] = −logp[r][labels[r]] (summed by sum_to_first: the mean NLL on the host).
extern "C" __global__ void nll_rows(const float* logp, const int* labels, u64 rows, u64 cols, float* row_loss) {
    for (u64 r = blockIdx.x * (u64)blockDim.x + threadIdx.x; r < rows; r += (u64)gridDim.x * blockDim.x)
        row_loss[r] = -logp[r * cols + labels[r]];
}

// dlogp = value (−scale/rows, from the host) at each row's label, 0 elsewhere.
extern "C" __global__ void nll_loss_backward(const int* labels, u64 rows, u64 cols, float value, float* dlogp) {
    for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < rows * cols; i += (u64)gridDim.x * blockDim.x)
        dlogp[i] = (int)(i % cols) == labels[i / cols] ? value : 0.0f;
}
