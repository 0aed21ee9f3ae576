// dlp's elementwise CUDA kernels. Each mirrors the dlp-kernels function of the same name
// (crates/kernels/src/elementwise/), whose f64 reference is the oracle of the parity tests.
// Grid-stride loops over 64-bit counts; outputs may be an input itself where the CPU kernel
// allows it (each thread reads its element before writing it).

// out[r][c] = x[r][c] + bias[c] over rows×cols.
extern "C" __global__ void bias_add(const float* x, const float* bias, float* out, u64 rows, u64 cols) {
    FOR_EACH(i, rows * cols) out[i] = x[i] + bias[i % cols];
}

// out[c] = beta·out[c] + Σ_r x[r][c]; beta = 0 ignores out's old contents. One thread per column
// (neighbouring threads read neighbouring columns), summed in row order as the CPU does.
extern "C" __global__ void column_sum(const float* x, float* out, u64 rows, u64 cols, float beta) {
    FOR_EACH(c, cols) {
        float sum = 0.0f;
        for (u64 r = 0; r < rows; r++) sum += x[r * cols + c];
        out[c] = beta == 0.0f ? sum : fmaf(beta, out[c], sum);
    }
}

// out = x > 0 ? x : alpha·(eˣ − 1).
extern "C" __global__ void elu(const float* x, float* out, u64 n, float alpha) {
    FOR_EACH(i, n) {
        float v = x[i];
        out[i] = v > 0.0f ? v : alpha * expm1f(v);
    }
}

// dx = dout · (x > 0 ? 1 : alpha·eˣ).
extern "C" __global__ void elu_backward(const float* x, const float* dout, float* dx, u64 n, float alpha) {
    FOR_EACH(i, n) {
        float v = x[i];
        dx[i] = v > 0.0f ? dout[i] : dout[i] * alpha * expf(v);
    }
}

// The unary ops by code, in dlp-kernels' UnaryOp order: neg, exp, log, sqrt, relu, tanh, sigmoid.
extern "C" __global__ void unary(int op, const float* x, float* out, u64 n) {
    FOR_EACH(i, n) {
        float v = x[i], r;
        switch (op) {
            case 0: r = -v; break;
            case 1: r = expf(v); break;
            case 2: r = logf(v); break;
            case 3: r = sqrtf(v); break;
            case 4: r = v < 0.0f ? 0.0f : v; break;  // NaN passes through, as on the CPU
            case 5: r = tanhf(v); break;
            default: r = 1.0f / (1.0f + expf(-v)); break;
        }
        out[i] = r;
    }
}

// dx = dout·op'(x), from the forward's input x and output y (same op codes as `unary`).
extern "C" __global__ void unary_backward(int op, const float* x, const float* y, const float* dout, float* dx, u64 n) {
    FOR_EACH(i, n) {
        float d = dout[i], r;
        switch (op) {
            case 0: r = -d; break;
            case 1: r = d * y[i]; break;
            case 2: r = d / x[i]; break;
            case 3: r = d / (2.0f * y[i]); break;
            case 4: r = x[i] > 0.0f ? d : 0.0f; break;
            case 5: r = d * (1.0f - y[i]) * (1.0f + y[i]); break;
            default: r = d * y[i] * (1.0f - y[i]); break;
        }
        dx[i] = r;
    }
}

// y += alpha·x (gradient accumulation).
extern "C" __global__ void axpy(const float* x, float* y, u64 n, float alpha) {
    FOR_EACH(i, n) y[i] = fmaf(alpha, x[i], y[i]);
}
