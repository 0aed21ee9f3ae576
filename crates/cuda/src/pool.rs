//! Max pooling on the device, as dlp-kernels' max_pool2d and max_pool2d_backward (pool.cu).

use cudarc::driver::DeviceRepr;
use dlp_kernels::MaxPool2dShape;

use crate::device::{check_len, launch, Device, DeviceBuffer};
use crate::error::CudaError;

/// pool.cu's `Pool`, field for field: a sliding window's geometry over `planes` planes (also
/// the head of avg_pool.cu's `AvgPool`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Pool {
    pub(crate) planes: u64,
    pub(crate) height: u64,
    pub(crate) width: u64,
    pub(crate) kernel_h: u64,
    pub(crate) kernel_w: u64,
    pub(crate) stride_h: u64,
    pub(crate) stride_w: u64,
    pub(crate) pad_h: u64,
    pub(crate) pad_w: u64,
    pub(crate) out_h: u64,
    pub(crate) out_w: u64,
}

// SAFETY: plain old data with pool.cu's layout (eleven 64-bit integers).
unsafe impl DeviceRepr for Pool {}

/// The window geometry of a pooling shape (max or average: the same fields, by name).
macro_rules! pool_window {
    ($s:expr) => {{
        let s = $s;
        let u = |x: usize| x as u64;
        $crate::pool::Pool {
            planes: u(s.batch * s.channels),
            height: u(s.height),
            width: u(s.width),
            kernel_h: u(s.kernel_h),
            kernel_w: u(s.kernel_w),
            stride_h: u(s.stride_h),
            stride_w: u(s.stride_w),
            pad_h: u(s.pad_h),
            pad_w: u(s.pad_w),
            out_h: u(s.out_h()),
            out_w: u(s.out_w()),
        }
    }};
}
pub(crate) use pool_window;

fn pool(s: &MaxPool2dShape) -> Pool {
    pool_window!(s)
}

impl Device {
    /// out and indices (h·W + w of each window's maximum), as [`dlp_kernels::max_pool2d`].
    pub fn max_pool2d(&self, x: &DeviceBuffer<f32>, s: MaxPool2dShape, out: &DeviceBuffer<f32>, indices: &DeviceBuffer<i32>) -> Result<(), CudaError> {
        const K: &str = "maxPool2d";
        s.check(K)?;
        let (planes, outputs) = (s.batch * s.channels, s.batch * s.channels * s.out_h() * s.out_w());
        check_len(K, "x", planes * s.height * s.width, x.len())?;
        check_len(K, "out", outputs, out.len())?;
        check_len(K, "indices", outputs, indices.len())?;
        let (x, out, indices, g) = (self.ptr(x), self.ptr(out), self.ptr(indices), pool(&s));
        launch!(self, "max_pool2d", outputs as u64; x, out, indices, g)
    }

    /// dx = dout routed to the forward's indices, as [`dlp_kernels::max_pool2d_backward`]. The
    /// indices are the device's own forward's (not checked on the host: an index outside the
    /// plane would reach no pixel).
    pub fn max_pool2d_backward(&self, dout: &DeviceBuffer<f32>, indices: &DeviceBuffer<i32>, s: MaxPool2dShape, dx: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        const K: &str = "maxPool2dBackward";
        s.check(K)?;
        let (planes, outputs) = (s.batch * s.channels, s.batch * s.channels * s.out_h() * s.out_w());
        check_len(K, "dout", outputs, dout.len())?;
        check_len(K, "indices", outputs, indices.len())?;
        check_len(K, "dx", planes * s.height * s.width, dx.len())?;
        let (dout, indices, dx, g) = (self.ptr(dout), self.ptr(indices), self.ptr(dx), pool(&s));
        launch!(self, "max_pool2d_backward", (planes * s.height * s.width) as u64; dout, indices, dx, g)
    }
}
