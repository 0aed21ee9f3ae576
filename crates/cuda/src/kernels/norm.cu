// BatchNorm over an input viewed as [outer, channels, inner], mirroring dlp-kernels'
// batch_norm_train / batch_norm_inference / batch_norm_backward
// (crates/kernels/src/norm/batch_norm.rs): statistics summed in f64, the elementwise passes in
// f32 with the same per-channel coefficients. The train and backward kernels run one block of
// 256 threads per channel; gamma, beta and the running statistics may be null.

// Element i (of n = outer·inner) of channel c.
__device__ __forceinline__ u64 at(u64 i, u64 c, u64 channels, u64 inner) {
    return (i / inner * channels + c) * inner + i % inner;
}

// Training mode: mean and biased variance per channel (sums of x − x₀ and (x − x₀)², x₀ the
// channel's first value, as on the CPU), saved mean and invStd, the running statistics updated
// as PyTorch does (unbiased variance), out = (x − mean)·(gamma·invStd) + beta.
extern "C" __global__ void batch_norm_train(const float* x, u64 outer, u64 channels, u64 inner, const float* gamma,
                                            const float* beta, double eps, float* out, float* mean, float* inv_std,
                                            float* running_mean, float* running_var, double momentum) {
    __shared__ double scratch[2 * THREADS];
    __shared__ float coef[3];
    const u64 c = blockIdx.x, n = outer * inner;
    const float x0 = x[at(0, c, channels, inner)];
    double s1 = 0.0, s2 = 0.0;
    for (u64 i = threadIdx.x; i < n; i += THREADS) {
        const double d = (double)x[at(i, c, channels, inner)] - (double)x0;
        s1 += d;
        s2 += d * d;
    }
    block_sum2(s1, s2, scratch);
    if (threadIdx.x == 0) {
        const double nn = (double)n;
        const double m = (double)x0 + s1 / nn;
        const double var = fmax((s2 - s1 * s1 / nn) / nn, 0.0);
        const double istd = 1.0 / sqrt(var + eps);
        mean[c] = (float)m;
        inv_std[c] = (float)istd;
        if (running_mean) running_mean[c] = (float)((1.0 - momentum) * (double)running_mean[c] + momentum * m);
        if (running_var) running_var[c] = (float)((1.0 - momentum) * (double)running_var[c] + momentum * var * nn / (nn - 1.0));
        coef[0] = (float)m;
        coef[1] = (float)((gamma ? (double)gamma[c] : 1.0) * istd);
        coef[2] = beta ? beta[c] : 0.0f;
    }
    __syncthreads();
    for (u64 i = threadIdx.x; i < n; i += THREADS) {
        const u64 k = at(i, c, channels, inner);
        out[k] = fmaf(x[k] - coef[0], coef[1], coef[2]);
    }
}

// Eval mode: out = (x − runningMean)·(gamma/√(runningVar + eps)) + beta, one thread per element.
extern "C" __global__ void batch_norm_inference(const float* x, u64 outer, u64 channels, u64 inner, const float* running_mean,
                                                const float* running_var, const float* gamma, const float* beta, double eps,
                                                float* out) {
    const u64 total = outer * channels * inner;
    for (u64 k = blockIdx.x * (u64)blockDim.x + threadIdx.x; k < total; k += (u64)gridDim.x * blockDim.x) {
        const u64 c = k / inner % channels;
        const float scale = (float)((gamma ? (double)gamma[c] : 1.0) / sqrt((double)running_var[c] + eps));
        out[k] = fmaf(x[k] - running_mean[c], scale, beta ? beta[c] : 0.0f);
    }
}

// Backward from the saved mean and invStd: dbeta = Σ dout, dgamma = Σ dout·x̂ and
// dx = A·dout + K·(x − mean) + B per channel, A = gamma·invStd, K = −A·invStd·dgamma/n,
// B = −A·dbeta/n; each output may be null.
extern "C" __global__ void batch_norm_backward(const float* x, const float* dout, u64 outer, u64 channels, u64 inner,
                                               const float* mean, const float* inv_std, const float* gamma, float* dx,
                                               float* dgamma, float* dbeta) {
    __shared__ double scratch[2 * THREADS];
    __shared__ float coef[3];
    const u64 c = blockIdx.x, n = outer * inner;
    const float m = mean[c];
    double sum_dout = 0.0, sum_dout_centered = 0.0;
    for (u64 i = threadIdx.x; i < n; i += THREADS) {
        const u64 k = at(i, c, channels, inner);
        sum_dout += (double)dout[k];
        sum_dout_centered += (double)dout[k] * (double)(x[k] - m);
    }
    block_sum2(sum_dout, sum_dout_centered, scratch);
    if (threadIdx.x == 0) {
        const double nn = n > 0 ? (double)n : 1.0;
        const double istd = (double)inv_std[c];
        const double sum_dout_xhat = sum_dout_centered * istd;
        if (dgamma) dgamma[c] = (float)sum_dout_xhat;
        if (dbeta) dbeta[c] = (float)sum_dout;
        const double scale = (gamma ? (double)gamma[c] : 1.0) * istd;
        coef[0] = (float)scale;
        coef[1] = (float)(-scale * istd * sum_dout_xhat / nn);
        coef[2] = (float)(-scale * sum_dout / nn);
    }
    __syncthreads();
    if (!dx) return;
    for (u64 i = threadIdx.x; i < n; i += THREADS) {
        const u64 k = at(i, c, channels, inner);
        dx[k] = fmaf(coef[0], dout[k], fmaf(coef[1], x[k] - m, coef[2]));
    }
}
