// Reductions mirroring dlp-kernels' reduce_sum and max_along / max_along_backward
// (crates/kernels/src/reduce/). reduce_sum: the host has checked the operands and collapsed the
// axes (dlp_kernels::reduce_sum_layout) into runs that are kept (out row-major over them) or
// summed, each with x's strides. Each output's sum is taken in f64, as the CPU's totals are:
// by one thread where few values go into it, else by one block of 256 threads (a shared-memory
// tree). Either way the order is fixed, so the sums are the same every run (no atomics).

#define MAX_RANK 8

// As dlp_cuda's ReduceLayout: the kept and the summed axes of x, in order, with x's strides.
struct ReduceLayout {
    u64 kept[MAX_RANK];
    u64 kept_strides[MAX_RANK];
    u64 summed[MAX_RANK];
    u64 summed_strides[MAX_RANK];
    u64 kept_rank;
    u64 summed_rank;
};

// The offset in x of row-major index i over (dims, strides).
__device__ __forceinline__ u64 offset_of(const u64* dims, const u64* strides, u64 rank, u64 i) {
    u64 offset = 0;
    for (int d = (int)rank - 1; d >= 0; d--) {
        offset += (i % dims[d]) * strides[d];
        i /= dims[d];
    }
    return offset;
}

// beta·out + total as the CPU's `finish`: beta = 0 ignores out's old contents, NaN included.
__device__ __forceinline__ float finish(double total, const float* out, float beta) {
    return beta == 0.0f ? (float)total : (float)((double)beta * (double)*out + total);
}

// One thread per output o: Σ of its `count` values.
extern "C" __global__ void reduce_sum_threads(const float* x, float* out, u64 outputs, u64 count, ReduceLayout l, float beta) {
    FOR_EACH(o, outputs) {
        const float* base = x + offset_of(l.kept, l.kept_strides, l.kept_rank, o);
        double total = 0.0;
        for (u64 j = 0; j < count; j++) total += (double)base[offset_of(l.summed, l.summed_strides, l.summed_rank, j)];
        out[o] = finish(total, out + o, beta);
    }
}

// One block per output (block o): its threads stride over the `count` values, then a tree.
extern "C" __global__ void reduce_sum_blocks(const float* x, float* out, u64 outputs, u64 count, ReduceLayout l, float beta) {
    __shared__ double scratch[THREADS];
    const u64 o = blockIdx.x;
    const float* base = x + offset_of(l.kept, l.kept_strides, l.kept_rank, o);
    double total = 0.0;
    for (u64 j = threadIdx.x; j < count; j += THREADS) total += (double)base[offset_of(l.summed, l.summed_strides, l.summed_rank, j)];
    scratch[threadIdx.x] = total;
    __syncthreads();
    for (unsigned s = THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = finish(scratch[0], out + o, beta);
}

// x as [outer, size, inner]: out[o][i] = max_s x[o][s][i] and indices[o][i] = the first s
// reaching it, a NaN winning over every number and the first NaN kept (as on the CPU). One
// thread per (o, i): neighbouring threads read neighbouring floats of each row s.
extern "C" __global__ void max_along(const float* x, u64 outer, u64 size, u64 inner, float* out, int* indices) {
    FOR_EACH(k, outer * inner) {
        const float* p = x + k / inner * size * inner + k % inner;
        float best = p[0];
        int at = 0;
        for (u64 s = 1; s < size; s++) {
            const float v = p[s * inner];
            if (v > best || (isnan(v) && !isnan(best))) {
                best = v;
                at = (int)s;
            }
        }
        out[k] = best;
        indices[k] = at;
    }
}

// dx[o][s][i] = dout[o][i] where indices[o][i] = s, else 0: a gather, one thread per element of
// dx (no atomics). The indices are the device's own forward's; one outside 0..size reaches no
// element.
extern "C" __global__ void max_along_backward(const float* dout, const int* indices, u64 outer, u64 size, u64 inner, float* dx) {
    FOR_EACH(e, outer * size * inner) {
        const u64 i = e % inner, s = e / inner % size, k = e / (inner * size) * inner + i;
        dx[e] = indices[k] == (long long)s ? dout[k] : 0.0f;
    }
}
