//! Softmax on the device, as dlp-kernels' softmax and softmax_backward (softmax.cu), checked by
//! the CPU's own length checks.

use dlp_kernels::{check_softmax, check_softmax_backward};

use crate::device::{launch, Device, DeviceBuffer};
use crate::error::CudaError;

impl Device {
    /// out = softmax of each row of x, as [`dlp_kernels::softmax`].
    pub fn softmax(&self, x: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>, rows: usize, cols: usize) -> Result<(), CudaError> {
        check_softmax(rows, cols, x.len(), out.len())?;
        let (x, out, r, c) = (self.ptr(x), self.ptr(out), rows as u64, cols as u64);
        launch!(self, "softmax", blocks = if c > 0 { r } else { 0 }; x, out, r, c)
    }

    /// dx = s∘(dout − rowwise Σ dout·s) from the forward's output s, as
    /// [`dlp_kernels::softmax_backward`].
    pub fn softmax_backward(&self, s: &DeviceBuffer<f32>, dout: &DeviceBuffer<f32>, dx: &DeviceBuffer<f32>, rows: usize, cols: usize) -> Result<(), CudaError> {
        check_softmax_backward(rows, cols, [s.len(), dout.len(), dx.len()])?;
        let (s, dout, dx, r, c) = (self.ptr(s), self.ptr(dout), self.ptr(dx), rows as u64, cols as u64);
        launch!(self, "softmax_backward", blocks = if c > 0 { r } else { 0 }; s, dout, dx, r, c)
    }
}
