// 2-D max pooling on NCHW planes and its backward, mirroring dlp-kernels' max_pool2d
// (crates/kernels/src/conv/max_pool.rs): implicit −∞ padding; the index (h·W + w in the plane)
// of the first maximum in row-major window order, a NaN winning over every number and the
// first NaN kept. The backward gathers: each input pixel sums the gradients of the outputs
// whose index names it (no atomics; an index outside the plane reaches no pixel).

struct Pool {
    u64 planes, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out_h, out_w;
};

extern "C" __global__ void max_pool2d(const float* x, float* out, int* indices, Pool g) {
    FOR_EACH(o, g.planes * g.out_h * g.out_w) {
        const u64 plane = o / (g.out_h * g.out_w), oy = o / g.out_w % g.out_h, ox = o % g.out_w;
        const long long y0 = (long long)(oy * g.stride_h) - (long long)g.pad_h;
        const long long x0 = (long long)(ox * g.stride_w) - (long long)g.pad_w;
        const float* p = x + plane * g.height * g.width;
        float best = 0.0f;
        int at = -1;
        for (long long y = y0 < 0 ? 0 : y0; y < y0 + (long long)g.kernel_h && y < (long long)g.height; y++) {
            for (long long xx = x0 < 0 ? 0 : x0; xx < x0 + (long long)g.kernel_w && xx < (long long)g.width; xx++) {
                const int index = (int)(y * (long long)g.width + xx);
                const float v = p[index];
                if (at < 0 || (!isnan(best) && (isnan(v) || v > best))) {
                    best = v;
                    at = index;
                }
            }
        }
        out[o] = best;
        indices[o] = at;
    }
}

extern "C" __global__ void max_pool2d_backward(const float* dout, const int* indices, float* dx, Pool g) {
    FOR_EACH(i, g.planes * g.height * g.width) {
        const u64 plane = i / (g.height * g.width), h = i / g.width % g.height, w = i % g.width;
        const int self = (int)(h * g.width + w);
        // The outputs whose windows cover (h, w): oy·sH − pH ≤ h < oy·sH − pH + KH.
        const long long lo_y = ((long long)(h + g.pad_h) - (long long)g.kernel_h + (long long)g.stride_h) / (long long)g.stride_h;
        const long long lo_x = ((long long)(w + g.pad_w) - (long long)g.kernel_w + (long long)g.stride_w) / (long long)g.stride_w;
        const u64 hi_y = (h + g.pad_h) / g.stride_h, hi_x = (w + g.pad_w) / g.stride_w;
        float sum = 0.0f;
        for (u64 oy = lo_y < 0 ? 0 : lo_y; oy <= hi_y && oy < g.out_h; oy++) {
            for (u64 ox = lo_x < 0 ? 0 : lo_x; ox <= hi_x && ox < g.out_w; ox++) {
                const u64 o = (plane * g.out_h + oy) * g.out_w + ox;
                if (indices[o] == self) sum += dout[o];
            }
        }
        dx[i] = sum;
    }
}
