//! Average and adaptive average pooling on the device, as dlp-kernels' avg_pool2d,
//! adaptive_avg_pool2d and their backwards (avg_pool.cu), checked by the CPU's own checks
//! (the shapes' `check_forward` / `check_backward`).

use cudarc::driver::DeviceRepr;
use dlp_kernels::{AdaptiveAvgPool2dShape, AvgPool2dShape};

use crate::device::{launch, Device, DeviceBuffer};
use crate::pool::{pool_window, Pool};
use crate::error::CudaError;

/// avg_pool.cu's `AvgPool`, field for field: pool.cu's window, then whether the padding counts.
#[repr(C)]
#[derive(Clone, Copy)]
struct AvgPool {
    window: Pool,
    count_include_pad: u64,
}

// SAFETY: plain old data with avg_pool.cu's layout (twelve 64-bit integers).
unsafe impl DeviceRepr for AvgPool {}

/// avg_pool.cu's `AdaptivePool`, field for field.
#[repr(C)]
#[derive(Clone, Copy)]
struct AdaptivePool {
    planes: u64,
    height: u64,
    width: u64,
    out_h: u64,
    out_w: u64,
}

// SAFETY: plain old data with avg_pool.cu's layout (five 64-bit integers).
unsafe impl DeviceRepr for AdaptivePool {}

/// The geometry of a checked shape.
fn avg_pool(s: &AvgPool2dShape) -> AvgPool {
    AvgPool { window: pool_window!(s), count_include_pad: s.count_include_pad as u64 }
}

fn adaptive_pool(s: &AdaptiveAvgPool2dShape) -> AdaptivePool {
    let u = |x: usize| x as u64;
    AdaptivePool { planes: u(s.batch * s.channels), height: u(s.height), width: u(s.width), out_h: u(s.out_h), out_w: u(s.out_w) }
}

impl Device {
    /// out = the mean of each window, as [`dlp_kernels::avg_pool2d`].
    pub fn avg_pool2d(&self, x: &DeviceBuffer<f32>, s: AvgPool2dShape, out: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        s.check_forward(x.len(), out.len())?;
        let (x, out, g) = (self.ptr(x), self.ptr(out), avg_pool(&s));
        launch!(self, "avg_pool2d", g.window.planes * g.window.out_h * g.window.out_w; x, out, g)
    }

    /// dx = each output's dout / divisor spread over its window, as
    /// [`dlp_kernels::avg_pool2d_backward`].
    pub fn avg_pool2d_backward(&self, dout: &DeviceBuffer<f32>, s: AvgPool2dShape, dx: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        s.check_backward(dout.len(), dx.len())?;
        let (dout, dx, g) = (self.ptr(dout), self.ptr(dx), avg_pool(&s));
        launch!(self, "avg_pool2d_backward", g.window.planes * g.window.height * g.window.width; dout, dx, g)
    }

    /// out = the mean of each of PyTorch's adaptive bins, as [`dlp_kernels::adaptive_avg_pool2d`].
    pub fn adaptive_avg_pool2d(&self, x: &DeviceBuffer<f32>, s: AdaptiveAvgPool2dShape, out: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        s.check_forward(x.len(), out.len())?;
        let (x, out, g) = (self.ptr(x), self.ptr(out), adaptive_pool(&s));
        launch!(self, "adaptive_avg_pool2d", g.planes * g.out_h * g.out_w; x, out, g)
    }

    /// dx = each output's dout / bin size spread over its bin, as
    /// [`dlp_kernels::adaptive_avg_pool2d_backward`].
    pub fn adaptive_avg_pool2d_backward(&self, dout: &DeviceBuffer<f32>, s: AdaptiveAvgPool2dShape, dx: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        s.check_backward(dout.len(), dx.len())?;
        let (dout, dx, g) = (self.ptr(dout), self.ptr(dx), adaptive_pool(&s));
        launch!(self, "adaptive_avg_pool2d_backward", g.planes * g.height * g.width; dout, dx, g)
    }
}
