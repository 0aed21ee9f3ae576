// dlp's strided CUDA kernels: `binary` (a op b with broadcasting) and `copy_strided` (a view
// made contiguous), each mirroring the dlp-kernels function of the same name. The host has
// checked the operands and collapsed the layout (dlp_kernels::binary_layout / copy_layout), so
// rank ≤ MAX_RANK and every offset is inside its buffer. One thread per output element, which
// finds its operands' offsets from its row-major index; an operand may be out itself (read
// row-major, so each thread reads only the element it then writes).

#define MAX_RANK 8

// The collapsed shape and up to two operands' strides (in elements; 0 broadcasts), as
// dlp_cuda's StridedLayout lays them out.
struct StridedLayout {
    u64 shape[MAX_RANK];
    u64 strides[2][MAX_RANK];
    u64 rank;
};

// Operand k's offset of the element at row-major index i.
__device__ __forceinline__ u64 offset_of(const StridedLayout& l, int k, u64 i) {
    u64 offset = 0;
    for (int d = (int)l.rank - 1; d >= 0; d--) {
        u64 size = l.shape[d];
        offset += (i % size) * l.strides[k][d];
        i /= size;
    }
    return offset;
}

// out[i] = a op b, op in dlp-kernels' BinaryOp order: add, sub, mul, div.
extern "C" __global__ void binary(int op, const float* a, const float* b, float* out, u64 n, StridedLayout layout) {
    FOR_EACH(i, n) {
        float x = a[offset_of(layout, 0, i)], y = b[offset_of(layout, 1, i)];
        float r;
        switch (op) {
            case 0: r = x + y; break;
            case 1: r = x - y; break;
            case 2: r = x * y; break;
            default: r = x / y; break;
        }
        out[i] = r;
    }
}

// out[i] = x[offset of i through strides 0].
extern "C" __global__ void copy_strided(const float* x, float* out, u64 n, StridedLayout layout) {
    FOR_EACH(i, n) out[i] = x[offset_of(layout, 0, i)];
}

// out[i] = value.
extern "C" __global__ void fill(float* out, u64 n, float value) {
    FOR_EACH(i, n) out[i] = value;
}

// Slices along the middle axis of [outer, total, inner], as dlp-kernels' copy_slice and
// copy_into_slice (crates/kernels/src/layout/slice.rs): one thread per element of the slice,
// run = size·inner contiguous floats per outer row. out[o][s][i] = x[o][offset + s][i].
extern "C" __global__ void copy_slice(const float* x, float* out, u64 outer, u64 total, u64 inner, u64 offset, u64 size) {
    const u64 run = size * inner;
    FOR_EACH(k, outer * run) out[k] = x[k / run * total * inner + offset * inner + k % run];
}

// out[o][offset + s][i] = x[o][s][i]; the rest of out is left as it is.
extern "C" __global__ void copy_into_slice(const float* x, float* out, u64 outer, u64 total, u64 inner, u64 offset, u64 size) {
    const u64 run = size * inner;
    FOR_EACH(k, outer * run) out[k / run * total * inner + offset * inner + k % run] = x[k];
}
