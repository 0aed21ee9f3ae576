// Batches gathered and centred on the device from the uint8 data set uploaded once, as
// dlp-kernels' gather_center_u8 (crates/kernels/src/data/images.rs) does on the CPU.

// out[r][j] = pixels[indices[r]·d + j] − mean[j] for r < count, j < d. Indices were checked by
// the host.
extern "C" __global__ void gather_center(const unsigned char* pixels, const unsigned int* indices, const float* mean,
                                         float* out, u64 count, u64 d) {
    for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < count * d; i += (u64)gridDim.x * blockDim.x) {
        const u64 r = i / d, j = i % d;
        out[i] = (float)pixels[(u64)indices[r] * d + j] - mean[j];
    }
}
