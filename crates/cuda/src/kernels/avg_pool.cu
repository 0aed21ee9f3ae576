// Average pooling and adaptive average pooling on NCHW planes, and their backwards, mirroring
// dlp-kernels' avg_pool2d, adaptive_avg_pool2d and their backwards (crates/kernels/src/conv/
// avg_pool.rs, adaptive_avg_pool.rs, window_mean.rs). Each output is a rectangle of its plane
// summed and divided by a divisor; the two kinds differ only in their rectangles and divisors.
//
// The sums are taken in the CPU's order, so the results match it to the rounding (bit for bit
// but for a window over the whole plane, which the CPU sums by SIMD lanes): forward, each
// column of the window summed down its rows, then those column sums left to right; backward
// (a gather, one thread per input pixel: no atomics), for each covering output row y in order,
// the sum over the covering outputs x in order of dout / divisor.

__device__ __forceinline__ u64 umin(u64 a, u64 b) { return a < b ? a : b; }

// As dlp_cuda's AvgPool: PyTorch's AvgPool2d (ceil_mode off).
struct AvgPool {
    u64 planes, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out_h, out_w, count_include_pad;
};

// As dlp_cuda's AdaptivePool: PyTorch's AdaptiveAvgPool2d.
struct AdaptivePool {
    u64 planes, height, width, out_h, out_w;
};

// One axis of an output's rectangle: input rows (or columns) lo..hi, and the extent divided by
// with count_include_pad.
struct Span {
    u64 lo, hi, padded;
};

// Output o's window along an axis of `size`: the window clipped to the padded axis (its extent
// is what count_include_pad divides by), then to the axis itself.
__device__ __forceinline__ Span window_span(u64 o, u64 size, u64 k, u64 stride, u64 pad) {
    const u64 start = o * stride, end = umin(start + k, size + 2 * pad);
    const u64 lo = start > pad ? start - pad : 0, hi = umin(end > pad ? end - pad : 0, size);
    return {lo, hi, end - start};
}

// PyTorch's adaptive bin o of `out` over an axis of `size`: ⌊o·size/out⌋ .. ⌈(o+1)·size/out⌉.
__device__ __forceinline__ Span bin_span(u64 o, u64 size, u64 out) {
    const u64 lo = o * size / out, hi = ((o + 1) * size + out - 1) / out;
    return {lo, hi, hi - lo};
}

struct AvgGeometry {
    AvgPool g;
    __device__ u64 planes() const { return g.planes; }
    __device__ u64 height() const { return g.height; }
    __device__ u64 width() const { return g.width; }
    __device__ u64 out_h() const { return g.out_h; }
    __device__ u64 out_w() const { return g.out_w; }
    __device__ Span row(u64 y) const { return window_span(y, g.height, g.kernel_h, g.stride_h, g.pad_h); }
    __device__ Span col(u64 x) const { return window_span(x, g.width, g.kernel_w, g.stride_w, g.pad_w); }
    __device__ float divisor(const Span& r, const Span& c) const {
        return (float)(g.count_include_pad ? r.padded * c.padded : (r.hi - r.lo) * (c.hi - c.lo));
    }
    // The outputs whose windows may cover input row h (a superset: membership is checked).
    __device__ void covering_rows(u64 h, u64& first, u64& end) const { covering(h, g.kernel_h, g.stride_h, g.pad_h, g.out_h, first, end); }
    __device__ void covering_cols(u64 w, u64& first, u64& end) const { covering(w, g.kernel_w, g.stride_w, g.pad_w, g.out_w, first, end); }
    // y·stride − pad ≤ i < y·stride − pad + k.
    __device__ static void covering(u64 i, u64 k, u64 stride, u64 pad, u64 out, u64& first, u64& end) {
        first = i + pad >= k ? (i + pad - k) / stride + 1 : 0;
        end = umin((i + pad) / stride + 1, out);
    }
};

struct AdaptiveGeometry {
    AdaptivePool g;
    __device__ u64 planes() const { return g.planes; }
    __device__ u64 height() const { return g.height; }
    __device__ u64 width() const { return g.width; }
    __device__ u64 out_h() const { return g.out_h; }
    __device__ u64 out_w() const { return g.out_w; }
    __device__ Span row(u64 y) const { return bin_span(y, g.height, g.out_h); }
    __device__ Span col(u64 x) const { return bin_span(x, g.width, g.out_w); }
    __device__ float divisor(const Span& r, const Span& c) const { return (float)((r.hi - r.lo) * (c.hi - c.lo)); }
    __device__ void covering_rows(u64 h, u64& first, u64& end) const { covering(h, g.height, g.out_h, first, end); }
    __device__ void covering_cols(u64 w, u64& first, u64& end) const { covering(w, g.width, g.out_w, first, end); }
    // ⌊i·out/size⌋ ≤ o < ⌈(i+1)·out/size⌉, widened by one each side against rounding.
    __device__ static void covering(u64 i, u64 size, u64 out, u64& first, u64& end) {
        const u64 lo = i * out / size;
        first = lo > 0 ? lo - 1 : 0;
        end = umin(((i + 1) * out + size - 1) / size + 1, out);
    }
};

template <typename G>
__device__ void pool_forward(const float* x, float* out, const G& g) {
    const u64 oh = g.out_h(), ow = g.out_w(), plane = g.height() * g.width();
    FOR_EACH(o, g.planes() * oh * ow) {
        const u64 p = o / (oh * ow), y = o / ow % oh, xo = o % ow;
        const Span r = g.row(y), c = g.col(xo);
        const float* base = x + p * plane;
        float sum = 0.0f;
        for (u64 j = c.lo; j < c.hi; j++) {
            float column = 0.0f;
            for (u64 h = r.lo; h < r.hi; h++) column += base[h * g.width() + j];
            sum += column;
        }
        out[o] = sum / g.divisor(r, c);
    }
}

template <typename G>
__device__ void pool_backward(const float* dout, float* dx, const G& g) {
    const u64 oh = g.out_h(), ow = g.out_w(), height = g.height(), width = g.width();
    FOR_EACH(i, g.planes() * height * width) {
        const u64 p = i / (height * width), h = i / width % height, w = i % width;
        const float* d = dout + p * oh * ow;
        u64 y0, y1, x0, x1;
        g.covering_rows(h, y0, y1);
        g.covering_cols(w, x0, x1);
        float sum = 0.0f;
        for (u64 y = y0; y < y1; y++) {
            const Span r = g.row(y);
            if (h < r.lo || h >= r.hi) continue;
            float spread = 0.0f;
            for (u64 xo = x0; xo < x1; xo++) {
                const Span c = g.col(xo);
                if (w < c.lo || w >= c.hi) continue;
                spread += d[y * ow + xo] / g.divisor(r, c);
            }
            sum += spread;
        }
        dx[i] = sum;
    }
}

extern "C" __global__ void avg_pool2d(const float* x, float* out, AvgPool g) { pool_forward(x, out, AvgGeometry{g}); }

extern "C" __global__ void avg_pool2d_backward(const float* dout, float* dx, AvgPool g) { pool_backward(dout, dx, AvgGeometry{g}); }

extern "C" __global__ void adaptive_avg_pool2d(const float* x, float* out, AdaptivePool g) { pool_forward(x, out, AdaptiveGeometry{g}); }

extern "C" __global__ void adaptive_avg_pool2d_backward(const float* dout, float* dx, AdaptivePool g) {
    pool_backward(dout, dx, AdaptiveGeometry{g});
}
