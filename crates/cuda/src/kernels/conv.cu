// Convolution as im2col + GEMM (cuBLAS, on the host side of crate::Device) and its inverse,
// col2im, as gathers (one thread per output element: no atomics, the same sums every run).
// Layouts as dlp-kernels' conv2d (crates/kernels/src/conv/): x [B, C, H, W], weight
// [OC, C, KH, KW], out [B, OC, OH, OW]; col [B, C·KH·KW, OH·OW].

struct Geometry {
    u64 batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out_h, out_w;
};

// col[b][(c·KH + kh)·KW + kw][oh·OW + ow] = x[b][c][oh·SH − PH + kh][ow·SW − PW + kw], 0 in the padding.
extern "C" __global__ void im2col(const float* x, float* col, Geometry g) {
    const u64 kk = g.kernel_h * g.kernel_w, rows = g.channels * kk, plane = g.out_h * g.out_w;
    FOR_EACH(i, g.batch * rows * plane) {
        const u64 p = i % plane, r = i / plane % rows, b = i / (plane * rows);
        const u64 c = r / kk, kh = r / g.kernel_w % g.kernel_h, kw = r % g.kernel_w;
        const long long ih = (long long)(p / g.out_w * g.stride_h + kh) - (long long)g.pad_h;
        const long long iw = (long long)(p % g.out_w * g.stride_w + kw) - (long long)g.pad_w;
        const bool inside = ih >= 0 && iw >= 0 && ih < (long long)g.height && iw < (long long)g.width;
        col[i] = inside ? x[((b * g.channels + c) * g.height + ih) * g.width + iw] : 0.0f;
    }
}

// dx[b][c][ih][iw] = Σ over the kernel positions (kh, kw) whose output pixel covers (ih, iw) of
// dcol[b][(c·KH + kh)·KW + kw][oh·OW + ow].
extern "C" __global__ void col2im(const float* dcol, float* dx, Geometry g) {
    const u64 kk = g.kernel_h * g.kernel_w, rows = g.channels * kk, plane = g.out_h * g.out_w;
    FOR_EACH(i, g.batch * g.channels * g.height * g.width) {
        const u64 iw = i % g.width, ih = i / g.width % g.height, c = i / (g.width * g.height) % g.channels;
        const u64 b = i / (g.width * g.height * g.channels);
        float sum = 0.0f;
        for (u64 kh = 0; kh < g.kernel_h; kh++) {
            const long long th = (long long)(ih + g.pad_h) - (long long)kh;
            if (th < 0 || th % (long long)g.stride_h != 0) continue;
            const u64 oh = th / g.stride_h;
            if (oh >= g.out_h) continue;
            for (u64 kw = 0; kw < g.kernel_w; kw++) {
                const long long tw = (long long)(iw + g.pad_w) - (long long)kw;
                if (tw < 0 || tw % (long long)g.stride_w != 0) continue;
                const u64 ow = tw / g.stride_w;
                if (ow >= g.out_w) continue;
                sum += dcol[(b * rows + (c * g.kernel_h + kh) * g.kernel_w + kw) * plane + oh * g.out_w + ow];
            }
        }
        dx[i] = sum;
    }
}

// out[b][oc][p] += bias[oc].
extern "C" __global__ void add_channel_bias(float* out, const float* bias, u64 batch, u64 channels, u64 plane) {
    FOR_EACH(i, batch * channels * plane) out[i] += bias[i / plane % channels];
}

// dbias[oc] = Σ_b Σ_p dout[b][oc][p], one thread per channel, in (b, p) order.
extern "C" __global__ void channel_sum(const float* dout, float* dbias, u64 batch, u64 channels, u64 plane) {
    FOR_EACH(oc, channels) {
        float sum = 0.0f;
        for (u64 b = 0; b < batch; b++)
            for (u64 p = 0; p < plane; p++) sum += dout[(b * channels + oc) * plane + p];
        dbias[oc] = sum;
    }
}
