// The optimisers' update kernels, mirroring dlp-kernels' sgd_update (crates/kernels/src/optim/
// mod.rs), sgd_step and adam_step (crates/kernels/src/optim/optim_steps.rs) operation for
// operation: the host derives the same f32 scalars in f64 (1 − dampening, 1 − beta, Adam's bias
// corrections) and passes them in.

// param −= lr·grad as dlp-kernels' sgd_update: fmaf(grad, −lr, param), the CPU's mul_add.
extern "C" __global__ void sgd_update(float* param, const float* grad, u64 n, float minus_lr) {
    FOR_EACH(i, n) param[i] = fmaf(grad[i], minus_lr, param[i]);
}

// One torch.optim.SGD step. `buffer` is null when momentum is 0; on the first step it is
// written, not read. `keep` = 1 − dampening.
extern "C" __global__ void sgd_step(float* param, const float* grad, float* buffer, u64 n, float lr, float momentum,
                                    float keep, int nesterov, float weight_decay, int first_step) {
    FOR_EACH(i, n) {
        float p = param[i];
        // Weight decay skipped at 0, as PyTorch does: 0·∞ would turn an infinite parameter into NaN.
        float d = weight_decay != 0.0f ? fmaf(weight_decay, p, grad[i]) : grad[i];
        if (buffer) {
            float b = first_step ? d : fmaf(momentum, buffer[i], keep * d);
            buffer[i] = b;
            d = nesterov ? fmaf(momentum, b, d) : b;
        }
        param[i] = fmaf(-lr, d, p);
    }
}

// One torch.optim.Adam step (no amsgrad): step_size = lr / (1 − beta1^t) and
// inv_bias2_sqrt = 1/√(1 − beta2^t), computed in f64 by the host.
extern "C" __global__ void adam_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, u64 n,
                                     float beta1, float one_minus_beta1, float beta2, float one_minus_beta2, float eps,
                                     float weight_decay, float step_size, float inv_bias2_sqrt) {
    FOR_EACH(i, n) {
        float p = param[i];
        float g = weight_decay != 0.0f ? fmaf(weight_decay, p, grad[i]) : grad[i];
        float m = fmaf(beta1, exp_avg[i], one_minus_beta1 * g);
        float v = fmaf(beta2, exp_avg_sq[i], one_minus_beta2 * (g * g));
        float denom = fmaf(sqrtf(v), inv_bias2_sqrt, eps);
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        param[i] = fmaf(-step_size, m / denom, p);
    }
}
