//! Convolution on the device, as dlp-kernels' conv2d and its two backwards: im2col into a
//! scratch buffer (conv.cu), then one cuBLAS GEMM per image; the backward input runs the GEMM
//! the other way and gathers back with col2im; the backward weight sums the images' GEMMs
//! (beta = 1 after the first). No Winograd here; cuDNN would be the faster path later.

use cudarc::driver::DeviceRepr;
use dlp_kernels::{Conv2dShape, GemmSpec};

use crate::device::{check_len, launch, Device, DeviceBuffer};
use crate::error::CudaError;

/// conv.cu's `Geometry`, field for field.
#[repr(C)]
#[derive(Clone, Copy)]
struct Geometry {
    batch: u64,
    channels: u64,
    height: u64,
    width: u64,
    kernel_h: u64,
    kernel_w: u64,
    stride_h: u64,
    stride_w: u64,
    pad_h: u64,
    pad_w: u64,
    out_h: u64,
    out_w: u64,
}

// SAFETY: plain old data with conv.cu's layout (twelve 64-bit integers).
unsafe impl DeviceRepr for Geometry {}

/// The sizes one call works with, from a checked shape.
struct Sizes {
    geometry: Geometry,
    /// C·KH·KW: rows of a column matrix.
    ckk: usize,
    /// OH·OW.
    plane: usize,
}

fn sizes(kernel: &str, s: &Conv2dShape) -> Result<Sizes, CudaError> {
    s.check(kernel)?;
    let (out_h, out_w) = (s.out_h(), s.out_w());
    let u = |x: usize| x as u64;
    let geometry = Geometry {
        batch: u(s.batch),
        channels: u(s.in_channels),
        height: u(s.height),
        width: u(s.width),
        kernel_h: u(s.kernel_h),
        kernel_w: u(s.kernel_w),
        stride_h: u(s.stride_h),
        stride_w: u(s.stride_w),
        pad_h: u(s.pad_h),
        pad_w: u(s.pad_w),
        out_h: u(out_h),
        out_w: u(out_w),
    };
    Ok(Sizes { geometry, ckk: s.in_channels * s.kernel_h * s.kernel_w, plane: out_h * out_w })
}

impl Device {
    /// out = conv(x, weight) + bias, as [`dlp_kernels::conv2d`].
    pub fn conv2d(
        &self,
        x: &DeviceBuffer<f32>,
        weight: &DeviceBuffer<f32>,
        bias: Option<&DeviceBuffer<f32>>,
        out: &DeviceBuffer<f32>,
        s: Conv2dShape,
    ) -> Result<(), CudaError> {
        const K: &str = "conv2d";
        let z = sizes(K, &s)?;
        check_conv(K, &s, &z, [("x", x.len()), ("weight", weight.len()), ("out", out.len())])?;
        if let Some(b) = bias {
            check_len(K, "bias", s.out_channels, b.len())?;
        }
        if s.batch == 0 || z.plane == 0 {
            return Ok(());
        }
        let col = self.im2col(x, &z)?;
        let spec = GemmSpec::new(false, false, s.out_channels, z.plane, z.ckk);
        for b in 0..s.batch {
            let (col_b, out_b) = (self.ptr(&col) + bytes(b * z.ckk * z.plane), self.ptr(out) + bytes(b * s.out_channels * z.plane));
            self.gemm_raw(&spec, self.ptr(weight), col_b, out_b)?;
        }
        if let Some(bias) = bias {
            let (out, bias, batch, channels, plane) = (self.ptr(out), self.ptr(bias), s.batch as u64, s.out_channels as u64, z.plane as u64);
            launch!(self, "add_channel_bias", batch * channels * plane; out, bias, batch, channels, plane)?;
        }
        // `col` is freed on return, after the work queued on this stream.
        Ok(())
    }

    /// dx from dout, as [`dlp_kernels::conv2d_backward_input`].
    pub fn conv2d_backward_input(&self, dout: &DeviceBuffer<f32>, weight: &DeviceBuffer<f32>, dx: &DeviceBuffer<f32>, s: Conv2dShape) -> Result<(), CudaError> {
        const K: &str = "conv2dBackwardInput";
        let z = sizes(K, &s)?;
        check_conv(K, &s, &z, [("dx", dx.len()), ("weight", weight.len()), ("dout", dout.len())])?;
        if s.batch == 0 {
            return Ok(());
        }
        let dcol = self.zeros::<f32>(s.batch * z.ckk * z.plane)?;
        if z.plane > 0 && s.out_channels > 0 {
            // dcol_b (CKK × OHW) = weightᵀ (CKK × OC) · dout_b (OC × OHW).
            let spec = GemmSpec::new(true, false, z.ckk, z.plane, s.out_channels);
            for b in 0..s.batch {
                let (dout_b, dcol_b) = (self.ptr(dout) + bytes(b * s.out_channels * z.plane), self.ptr(&dcol) + bytes(b * z.ckk * z.plane));
                self.gemm_raw(&spec, self.ptr(weight), dout_b, dcol_b)?;
            }
        }
        let (dcol, dx, g) = (self.ptr(&dcol), self.ptr(dx), z.geometry);
        launch!(self, "col2im", g.batch * g.channels * g.height * g.width; dcol, dx, g)
    }

    /// dweight (and dbias) from x and dout, as [`dlp_kernels::conv2d_backward_weight`].
    pub fn conv2d_backward_weight(
        &self,
        x: &DeviceBuffer<f32>,
        dout: &DeviceBuffer<f32>,
        dweight: &DeviceBuffer<f32>,
        dbias: Option<&DeviceBuffer<f32>>,
        s: Conv2dShape,
    ) -> Result<(), CudaError> {
        const K: &str = "conv2dBackwardWeight";
        let z = sizes(K, &s)?;
        check_conv(K, &s, &z, [("x", x.len()), ("dweight", dweight.len()), ("dout", dout.len())])?;
        if let Some(b) = dbias {
            check_len(K, "dbias", s.out_channels, b.len())?;
        }
        let (batch, channels, plane) = (s.batch as u64, s.out_channels as u64, z.plane as u64);
        if s.batch == 0 || z.plane == 0 {
            // Nothing to sum: the gradients are zero.
            self.fill_zero(dweight)?;
            return dbias.map_or(Ok(()), |db| self.fill_zero(db));
        }
        let col = self.im2col(x, &z)?;
        for b in 0..s.batch {
            // dweight (OC × CKK) (+)= dout_b (OC × OHW) · col_bᵀ (OHW × CKK).
            let spec = GemmSpec { beta: if b == 0 { 0.0 } else { 1.0 }, ..GemmSpec::new(false, true, s.out_channels, z.ckk, z.plane) };
            let (dout_b, col_b) = (self.ptr(dout) + bytes(b * s.out_channels * z.plane), self.ptr(&col) + bytes(b * z.ckk * z.plane));
            self.gemm_raw(&spec, dout_b, col_b, self.ptr(dweight))?;
        }
        if let Some(db) = dbias {
            let (dout, db) = (self.ptr(dout), self.ptr(db));
            launch!(self, "channel_sum", channels; dout, db, batch, channels, plane)?;
        }
        Ok(())
    }

    /// x's column matrix [B, C·KH·KW, OH·OW] in a new buffer.
    fn im2col(&self, x: &DeviceBuffer<f32>, z: &Sizes) -> Result<DeviceBuffer<f32>, CudaError> {
        let g = z.geometry;
        // SAFETY: im2col writes every element before anything reads it.
        let col = unsafe { self.scratch(g.batch as usize * z.ckk * z.plane)? };
        let (x, col_p) = (self.ptr(x), self.ptr(&col));
        launch!(self, "im2col", g.batch * z.ckk as u64 * z.plane as u64; x, col_p, g)?;
        Ok(col)
    }

}

/// Checks x (or dx), weight and out (or dout) against the shape, in that order.
fn check_conv(kernel: &str, s: &Conv2dShape, z: &Sizes, [x, w, out]: [(&str, usize); 3]) -> Result<(), CudaError> {
    check_len(kernel, x.0, s.batch * s.in_channels * s.height * s.width, x.1)?;
    check_len(kernel, w.0, s.out_channels * z.ckk, w.1)?;
    check_len(kernel, out.0, s.batch * s.out_channels * z.plane, out.1)
}

/// Bytes of `floats` f32 values, for offsets into a device buffer.
fn bytes(floats: usize) -> u64 {
    (floats * std::mem::size_of::<f32>()) as u64
}
