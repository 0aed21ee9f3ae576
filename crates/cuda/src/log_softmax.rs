//! Log-softmax and the negative log-likelihood on the device, as dlp-kernels' log_softmax,
//! log_softmax_backward, nll_loss and nll_loss_backward (loss.cu): the classifier head of
//! models that take log-probabilities apart from their loss.

use crate::device::{check_labels, check_matrix, launch, Device, DeviceBuffer};
use crate::error::CudaError;

impl Device {
    /// out = log-softmax of each row of x.
    pub fn log_softmax(&self, x: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>, rows: usize, cols: usize) -> Result<(), CudaError> {
        check_matrix("logSoftmax", "x", rows, cols, x.len())?;
        check_matrix("logSoftmax", "out", rows, cols, out.len())?;
        if cols == 0 {
            return Ok(());
        }
        let (x, out, r, c) = (self.ptr(x), self.ptr(out), rows as u64, cols as u64);
        launch!(self, "log_softmax", r; x, out, r, c)
    }

    /// dx = dout − exp(y)·Σ dout per row, from the forward's output y; dx may be dout.
    pub fn log_softmax_backward(&self, y: &DeviceBuffer<f32>, dout: &DeviceBuffer<f32>, dx: &DeviceBuffer<f32>, rows: usize, cols: usize) -> Result<(), CudaError> {
        const K: &str = "logSoftmaxBackward";
        check_matrix(K, "y", rows, cols, y.len())?;
        check_matrix(K, "dout", rows, cols, dout.len())?;
        check_matrix(K, "dx", rows, cols, dx.len())?;
        let (y, dout, dx, r, c) = (self.ptr(y), self.ptr(dout), self.ptr(dx), rows as u64, cols as u64);
        launch!(self, "log_softmax_backward", r; y, dout, dx, r, c)
    }

    /// The mean negative log-likelihood −(1/rows)·Σ logp[r][labels[r]] (one float comes back).
    pub fn nll_loss(&self, logp: &DeviceBuffer<f32>, labels: &[i32], rows: usize, cols: usize) -> Result<f64, CudaError> {
        check_matrix("nllLoss", "logp", rows, cols, logp.len())?;
        check_labels("nllLoss", labels, rows, cols)?;
        if rows == 0 {
            return Ok(0.0);
        }
        let labels = self.upload(labels)?;
        let losses = self.zeros::<f32>(rows)?;
        let (logp, labels_p, losses_p, r, c) = (self.ptr(logp), self.ptr(&labels), self.ptr(&losses), rows as u64, cols as u64);
        launch!(self, "nll_rows", r; logp, labels_p, r, c, losses_p)?;
        self.mean_of(&losses)
    }

    /// dlogp = −scale/rows at each row's label, 0 elsewhere.
    pub fn nll_loss_backward(&self, labels: &[i32], rows: usize, cols: usize, scale: f32, dlogp: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        check_matrix("nllLossBackward", "dlogp", rows, cols, dlogp.len())?;
        check_labels("nllLossBackward", labels, rows, cols)?;
        if rows == 0 {
            return Ok(());
        }
        let labels = self.upload(labels)?;
        let value = (-(scale as f64) / rows as f64) as f32;
        let (labels_p, dlogp, r, c) = (self.ptr(&labels), self.ptr(dlogp), rows as u64, cols as u64);
        // `labels` is freed on return in stream order (cudarc), after the kernel has read it.
        launch!(self, "nll_loss_backward", r * c; labels_p, r, c, value, dlogp)
    }
}
