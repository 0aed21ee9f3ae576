//! Cross-entropy on probabilities on the device, as dlp-kernels' cross_entropy and
//! cross_entropy_backward (cross_entropy.cu), checked by the CPU's own length checks.

use dlp_kernels::{check_cross_entropy, check_cross_entropy_backward};

use crate::device::{elementwise_config, launch, Device, DeviceBuffer};
use crate::error::CudaError;

impl Device {
    /// The mean loss −(1/rows)·Σ t·ln p, t = 0 skipped, as [`dlp_kernels::cross_entropy`]: summed
    /// in f64 on the device, one double comes back.
    pub fn cross_entropy(&self, probs: &DeviceBuffer<f32>, targets: &DeviceBuffer<f32>, rows: usize, cols: usize) -> Result<f64, CudaError> {
        check_cross_entropy(rows, cols, probs.len(), targets.len())?;
        let n = probs.len() as u64;
        let mut total = [0.0f64];
        if n > 0 {
            // One partial per block of the launch below (the same launch shape).
            let blocks = elementwise_config(n).grid_dim.0 as u64;
            let partials = self.zeros::<f64>(blocks as usize)?;
            let (probs, targets, partials_p) = (self.ptr(probs), self.ptr(targets), self.ptr(&partials));
            launch!(self, "cross_entropy_partials", n; probs, targets, n, partials_p)?;
            launch!(self, "sum_f64_to_first", blocks = 1; partials_p, blocks)?;
            self.stream.memcpy_dtoh(&partials.slice.slice(0..1), &mut total).map_err(|e| CudaError::cuda("cuMemcpyDtoH", e))?;
        }
        // As the CPU: no rows is 0/0.
        Ok(-total[0] / rows as f64)
    }

    /// dprobs = −t / (p·rows), 0 where t = 0, as [`dlp_kernels::cross_entropy_backward`].
    pub fn cross_entropy_backward(
        &self,
        probs: &DeviceBuffer<f32>,
        targets: &DeviceBuffer<f32>,
        dprobs: &DeviceBuffer<f32>,
        rows: usize,
        cols: usize,
    ) -> Result<(), CudaError> {
        check_cross_entropy_backward(rows, cols, [probs.len(), targets.len(), dprobs.len()])?;
        let n = probs.len() as u64;
        // The CPU's f32 −1/rows (no elements when rows = 0).
        let minus_inv_rows = -1.0f32 / rows as f32;
        let (probs, targets, dprobs) = (self.ptr(probs), self.ptr(targets), self.ptr(dprobs));
        launch!(self, "cross_entropy_backward", n; probs, targets, dprobs, n, minus_inv_rows)
    }
}
