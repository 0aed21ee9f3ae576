//! LayerNorm on the device, as dlp-kernels' layer_norm and layer_norm_backward (layer_norm.cu),
//! checked by the CPU's own length checks (`check_layer_norm`, `check_layer_norm_backward`).

use dlp_kernels::{check_layer_norm, check_layer_norm_backward};

use crate::device::{launch, Device, DeviceBuffer};
use crate::error::CudaError;

impl Device {
    /// out, and each row's mean and invStd, as [`dlp_kernels::layer_norm`].
    #[allow(clippy::too_many_arguments)]
    pub fn layer_norm(
        &self,
        x: &DeviceBuffer<f32>,
        rows: usize,
        cols: usize,
        gamma: Option<&DeviceBuffer<f32>>,
        beta: Option<&DeviceBuffer<f32>>,
        eps: f64,
        out: &DeviceBuffer<f32>,
        mean: &DeviceBuffer<f32>,
        inv_std: &DeviceBuffer<f32>,
    ) -> Result<(), CudaError> {
        check_layer_norm(rows, cols, [x.len(), out.len(), mean.len(), inv_std.len()], [gamma.map(|b| b.len()), beta.map(|b| b.len())])?;
        let (x, gamma, beta, out, mean, inv_std) = (self.ptr(x), self.opt_ptr(gamma), self.opt_ptr(beta), self.ptr(out), self.ptr(mean), self.ptr(inv_std));
        let (r, c) = (rows as u64, cols as u64);
        launch!(self, "layer_norm", blocks = r; x, r, c, gamma, beta, eps, out, mean, inv_std)
    }

    /// Whichever of dx, dgamma and dbeta are given, from the forward's mean and invStd, as
    /// [`dlp_kernels::layer_norm_backward`] (dgamma and dbeta are 0 for no rows).
    #[allow(clippy::too_many_arguments)]
    pub fn layer_norm_backward(
        &self,
        x: &DeviceBuffer<f32>,
        dout: &DeviceBuffer<f32>,
        rows: usize,
        cols: usize,
        mean: &DeviceBuffer<f32>,
        inv_std: &DeviceBuffer<f32>,
        gamma: Option<&DeviceBuffer<f32>>,
        dx: Option<&DeviceBuffer<f32>>,
        dgamma: Option<&DeviceBuffer<f32>>,
        dbeta: Option<&DeviceBuffer<f32>>,
    ) -> Result<(), CudaError> {
        let len = |b: Option<&DeviceBuffer<f32>>| b.map(|b| b.len());
        check_layer_norm_backward(rows, cols, [x.len(), dout.len(), mean.len(), inv_std.len()], len(gamma), [len(dx), len(dgamma), len(dbeta)])?;
        let (x, dout, mean, inv_std, gamma) = (self.ptr(x), self.ptr(dout), self.ptr(mean), self.ptr(inv_std), self.opt_ptr(gamma));
        let (r, c) = (rows as u64, cols as u64);
        if let Some(dx) = dx {
            let dx = self.ptr(dx);
            launch!(self, "layer_norm_backward_rows", blocks = if c > 0 { r } else { 0 }; x, dout, r, c, mean, inv_std, gamma, dx)?;
        }
        if dgamma.is_some() || dbeta.is_some() {
            let (dgamma, dbeta) = (self.opt_ptr(dgamma), self.opt_ptr(dbeta));
            launch!(self, "layer_norm_param_grads", c; x, dout, r, c, mean, inv_std, dgamma, dbeta)?;
        }
        Ok(())
    }
}
