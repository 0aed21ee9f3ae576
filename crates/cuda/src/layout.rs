//! The strided kernels on the device (`binary`, `copy_strided`, layout.cu), the slices along an
//! axis that concatenation is made of (`copy_slice`, `copy_into_slice`), and the range copies
//! and fill that a backend's host access (read, write, fill) is made of.

use cudarc::driver::DeviceRepr;
use dlp_kernels::{binary_layout, check_copy_into_slice, check_copy_slice, copy_layout, BinaryOp};

use crate::device::{launch, Device, DeviceBuffer};
use crate::error::CudaError;

/// The most axes a collapsed layout may keep (layout.cu's MAX_RANK). Collapsing merges every
/// axis that is contiguous in all operands, so only a view with more than eight axes that
/// are not (a rank-9 permutation) is refused.
const MAX_RANK: usize = 8;

/// layout.cu's `StridedLayout`, field for field.
#[repr(C)]
#[derive(Clone, Copy)]
struct StridedLayout {
    shape: [u64; MAX_RANK],
    strides: [[u64; MAX_RANK]; 2],
    rank: u64,
}

// SAFETY: plain old data with layout.cu's layout (25 64-bit integers).
unsafe impl DeviceRepr for StridedLayout {}

fn strided_layout(kernel: &str, shape: &[usize], strides: &[Vec<usize>]) -> Result<StridedLayout, CudaError> {
    if shape.len() > MAX_RANK {
        return Err(CudaError::argument(format!(
            "{kernel}: this view keeps {} axes after merging the contiguous ones; the GPU kernel takes at most {MAX_RANK}",
            shape.len()
        )));
    }
    let mut layout = StridedLayout { shape: [1; MAX_RANK], strides: [[0; MAX_RANK]; 2], rank: shape.len() as u64 };
    for (d, &size) in shape.iter().enumerate() {
        layout.shape[d] = size as u64;
        for (k, s) in strides.iter().enumerate() {
            layout.strides[k][d] = s[d] as u64;
        }
    }
    Ok(layout)
}

/// The op's code in layout.cu's switch (BinaryOp's order).
fn binary_code(op: BinaryOp) -> i32 {
    BinaryOp::ALL.iter().position(|&o| o == op).expect("every op is in ALL") as i32
}

impl Device {
    /// out = a op b over `shape`, each operand read through its strides (0 broadcasts), as
    /// [`dlp_kernels::binary`]; a or b may be out itself when read row-major.
    #[allow(clippy::too_many_arguments)]
    pub fn binary(
        &self,
        op: BinaryOp,
        shape: &[usize],
        a: &DeviceBuffer<f32>,
        a_strides: &[usize],
        b: &DeviceBuffer<f32>,
        b_strides: &[usize],
        out: &DeviceBuffer<f32>,
    ) -> Result<(), CudaError> {
        let (a_is_out, b_is_out) = (self.ptr(a) == self.ptr(out), self.ptr(b) == self.ptr(out));
        let operands = [(a.len(), a_strides, a_is_out), (b.len(), b_strides, b_is_out)];
        let (collapsed, strides) = binary_layout(shape, operands, out.len())?;
        let layout = strided_layout("binary", &collapsed, &strides)?;
        let (code, n, a, b, out) = (binary_code(op), out.len() as u64, self.ptr(a), self.ptr(b), self.ptr(out));
        launch!(self, "binary", n; code, a, b, out, n, layout)
    }

    /// out (row-major, `shape`) = x read through `strides`, as [`dlp_kernels::copy_strided`].
    pub fn copy_strided(&self, shape: &[usize], x: &DeviceBuffer<f32>, strides: &[usize], out: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        let (collapsed, [strides]) = copy_layout(shape, x.len(), strides, out.len())?;
        let layout = strided_layout("copy", &collapsed, &[strides])?;
        let (n, x, out) = (out.len() as u64, self.ptr(x), self.ptr(out));
        launch!(self, "copy_strided", n; x, out, n, layout)
    }

    /// out [outer, size, inner] = x[o][offset + s][i] for x [outer, total, inner], as
    /// [`dlp_kernels::copy_slice`].
    #[allow(clippy::too_many_arguments)]
    pub fn copy_slice(
        &self,
        x: &DeviceBuffer<f32>,
        out: &DeviceBuffer<f32>,
        outer: usize,
        total: usize,
        inner: usize,
        offset: usize,
        size: usize,
    ) -> Result<(), CudaError> {
        check_copy_slice(outer, total, inner, offset, size, x.len(), out.len())?;
        self.slice_copy(false, x, out, [outer, total, inner, offset, size])
    }

    /// out[o][offset + s][i] = x[o][s][i] for x [outer, size, inner] and out [outer, total,
    /// inner], the rest of out left as it is, as [`dlp_kernels::copy_into_slice`].
    #[allow(clippy::too_many_arguments)]
    pub fn copy_into_slice(
        &self,
        x: &DeviceBuffer<f32>,
        out: &DeviceBuffer<f32>,
        outer: usize,
        total: usize,
        inner: usize,
        offset: usize,
        size: usize,
    ) -> Result<(), CudaError> {
        check_copy_into_slice(outer, total, inner, offset, size, x.len(), out.len())?;
        self.slice_copy(true, x, out, [outer, total, inner, offset, size])
    }

    /// Launches layout.cu's `copy_into_slice` (`into`) or `copy_slice`, checked by the caller:
    /// one thread per element of the slice, outer·size·inner.
    fn slice_copy(&self, into: bool, x: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>, geometry: [usize; 5]) -> Result<(), CudaError> {
        let [outer, total, inner, offset, size] = geometry.map(|v| v as u64);
        let (x, out, n) = (self.ptr(x), self.ptr(out), outer * size * inner);
        if into {
            launch!(self, "copy_into_slice", n; x, out, outer, total, inner, offset, size)
        } else {
            launch!(self, "copy_slice", n; x, out, outer, total, inner, offset, size)
        }
    }

    /// Sets every element to `value` (queued on the stream).
    pub fn fill(&self, buffer: &DeviceBuffer<f32>, value: f32) -> Result<(), CudaError> {
        let (n, out) = (buffer.len() as u64, self.ptr(buffer));
        launch!(self, "fill", n; out, n, value)
    }

    /// A copy of `len` elements from element `offset`, after every queued call has run.
    pub fn read(&self, buffer: &DeviceBuffer<f32>, offset: usize, len: usize) -> Result<Vec<f32>, CudaError> {
        let end = range_end("read", buffer.len(), offset, len)?;
        let mut host = vec![0.0f32; len];
        if len > 0 {
            self.stream.memcpy_dtoh(&buffer.slice.slice(offset..end), &mut host).map_err(|e| CudaError::cuda("cuMemcpyDtoH", e))?;
        }
        Ok(host)
    }

    /// Copies `data` into the buffer from element `offset`, in stream order.
    pub fn write(&self, buffer: &mut DeviceBuffer<f32>, data: &[f32], offset: usize) -> Result<(), CudaError> {
        let end = range_end("write", buffer.len(), offset, data.len())?;
        if data.is_empty() {
            return Ok(());
        }
        self.stream.memcpy_htod(data, &mut buffer.slice.slice_mut(offset..end)).map_err(|e| CudaError::cuda("cuMemcpyHtoD", e))
    }
}

/// offset + len, which must stay inside the buffer's `total` elements.
fn range_end(what: &str, total: usize, offset: usize, len: usize) -> Result<usize, CudaError> {
    match offset.checked_add(len) {
        Some(end) if end <= total => Ok(end),
        _ => Err(CudaError::argument(format!("{what}: elements {offset}..{offset}+{len} are outside the buffer's {total}"))),
    }
}
