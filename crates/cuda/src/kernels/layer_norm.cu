// LayerNorm over the rows of a rows×cols matrix and its backward, mirroring dlp-kernels'
// layer_norm / layer_norm_backward (crates/kernels/src/norm/layer_norm.rs): the row statistics
// and the backward's row sums in f64 (where the CPU moves its f32 partial sums into f64), the
// elementwise passes in f32 with the same coefficients and FMAs. The row kernels run one block
// of 256 threads per row (a shared-memory tree, so the sums come out the same every run);
// dgamma and dbeta one thread per column, summed over the rows in row order (no atomics).
// gamma and beta may be null (1 and 0), and so may each backward output.

// Row r (block r): mean and biased variance as on the CPU, from sums of x − x₀ (x₀ the row's
// first value: a mean far from 0 cannot cancel the digits that tell the values apart) and then
// of (x − m)², m the mean rounded to f32, corrected by (mean − m)². A row of 0 columns still
// gets mean 0 and invStd 1/√eps, as on the CPU.
extern "C" __global__ void layer_norm(const float* x, u64 rows, u64 cols, const float* gamma, const float* beta, double eps,
                                      float* out, float* mean, float* inv_std) {
    __shared__ double scratch[2 * THREADS];
    const u64 r = blockIdx.x;
    const float* row = x + r * cols;
    const double n = cols > 0 ? (double)cols : 1.0;
    const float x0 = cols > 0 ? row[0] : 0.0f;
    double sum = 0.0, unused = 0.0;
    for (u64 j = threadIdx.x; j < cols; j += THREADS) sum += (double)(row[j] - x0);
    block_sum2(sum, unused, scratch);
    const double mu = (double)x0 + sum / n;
    const float m = (float)mu;
    double squares = 0.0;
    for (u64 j = threadIdx.x; j < cols; j += THREADS) {
        const double d = (double)(row[j] - m);
        squares += d * d;
    }
    block_sum2(squares, unused, scratch);
    const double shift = mu - (double)m;
    const double var = fmax(squares / n - shift * shift, 0.0);
    const float istd = (float)(1.0 / sqrt(var + eps));
    if (threadIdx.x == 0) {
        mean[r] = m;
        inv_std[r] = istd;
    }
    for (u64 j = threadIdx.x; j < cols; j += THREADS) {
        const float xhat = (row[j] - m) * istd;
        out[r * cols + j] = fmaf(xhat, gamma ? gamma[j] : 1.0f, beta ? beta[j] : 0.0f);
    }
}

// dx of row r (block r), g = gamma·dout: dx = invStd·g + K·x̂ + B with B = −invStd·Σg/n and
// K = −invStd·Σ(g·x̂)/n, the row sums in f64 and B, K rounded to f32 as on the CPU.
extern "C" __global__ void layer_norm_backward_rows(const float* x, const float* dout, u64 rows, u64 cols, const float* mean,
                                                    const float* inv_std, const float* gamma, float* dx) {
    __shared__ double scratch[2 * THREADS];
    const u64 r = blockIdx.x;
    const float m = mean[r], inv = inv_std[r];
    double sum_g = 0.0, sum_g_xhat = 0.0;
    for (u64 j = threadIdx.x; j < cols; j += THREADS) {
        const u64 k = r * cols + j;
        const float g = (gamma ? gamma[j] : 1.0f) * dout[k];
        const float xhat = (x[k] - m) * inv;
        sum_g += (double)g;
        sum_g_xhat += (double)g * (double)xhat;
    }
    block_sum2(sum_g, sum_g_xhat, scratch);
    const double n = (double)cols;
    const float b = (float)(-(double)inv * sum_g / n), k_xhat = (float)(-(double)inv * sum_g_xhat / n);
    for (u64 j = threadIdx.x; j < cols; j += THREADS) {
        const u64 k = r * cols + j;
        const float g = (gamma ? gamma[j] : 1.0f) * dout[k];
        const float xhat = (x[k] - m) * inv;
        dx[k] = fmaf(inv, g, fmaf(k_xhat, xhat, b));
    }
}

// dgamma[j] = Σ_r dout·x̂ and dbeta[j] = Σ_r dout (either may be null), one thread per column
// (neighbouring threads read neighbouring columns), in f64, in row order; 0 for no rows.
extern "C" __global__ void layer_norm_param_grads(const float* x, const float* dout, u64 rows, u64 cols, const float* mean,
                                                  const float* inv_std, float* dgamma, float* dbeta) {
    FOR_EACH(j, cols) {
        double sum_dout_xhat = 0.0, sum_dout = 0.0;
        for (u64 r = 0; r < rows; r++) {
            const u64 k = r * cols + j;
            const float xhat = (x[k] - mean[r]) * inv_std[r];
            sum_dout_xhat += (double)dout[k] * (double)xhat;
            sum_dout += (double)dout[k];
        }
        if (dgamma) dgamma[j] = (float)sum_dout_xhat;
        if (dbeta) dbeta[j] = (float)sum_dout;
    }
}
