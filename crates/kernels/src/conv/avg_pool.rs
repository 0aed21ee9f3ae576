//! 2-D average pooling on NCHW tensors (PyTorch's AvgPool2d, ceil_mode off), and its backward:
//!
//! - `avg_pool2d`: out[n][c][y][x] = Σ of x[n][c] over the window rows y·sH − pH .. + KH and
//!   columns x·sW − pW .. + KW clipped to the plane, divided by KH·KW (`count_include_pad`,
//!   PyTorch's default: the padding counts as zeros) or by the number of pixels inside the plane.
//! - `avg_pool2d_backward`: dx[pixel] = Σ over the windows holding it of dout / divisor.
//!
//! Output sizes and checks as max pooling: OH = ⌊(H + 2·pH − KH)/sH⌋ + 1, padding at most half
//! the kernel, so that every window holds at least one pixel. The sums run in `window_mean`.

use std::ops::Range;

use crate::check;
use crate::conv::window_mean::{self, Windows};
use crate::conv::{check_axis, out_size};
use crate::error::KernelError;

const K: &str = "avgPool2d";
const KB: &str = "avgPool2dBackward";

/// The geometry of an average pooling (packages/core/src/kernels/conv.ts' AvgPool2dGeometry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2dShape {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub pad_h: usize,
    pub pad_w: usize,
    /// Divide by the whole window, padding included (PyTorch's default), or by its pixels only.
    pub count_include_pad: bool,
}

impl AvgPool2dShape {
    /// Output height, PyTorch's rule (the geometry must have passed `check`).
    pub fn out_h(&self) -> usize {
        out_size(self.height, self.kernel_h, self.stride_h, self.pad_h)
    }

    /// Output width, PyTorch's rule (the geometry must have passed `check`).
    pub fn out_w(&self) -> usize {
        out_size(self.width, self.kernel_w, self.stride_w, self.pad_w)
    }

    fn x_dims(&self) -> [usize; 4] {
        [self.batch, self.channels, self.height, self.width]
    }

    fn out_dims(&self) -> [usize; 4] {
        [self.batch, self.channels, self.out_h(), self.out_w()]
    }

    /// As max pooling's: each axis as a convolution's, a non-empty plane, padding at most half
    /// the kernel (PyTorch's rule).
    pub fn check(&self, kernel: &str) -> Result<(), KernelError> {
        check_axis(kernel, "H", "height", self.height, self.kernel_h, self.stride_h, self.pad_h)?;
        check_axis(kernel, "W", "width", self.width, self.kernel_w, self.stride_w, self.pad_w)?;
        if self.height == 0 || self.width == 0 {
            return Err(KernelError::new(format!(
                "{kernel}: the input plane is {}x{}; a window needs at least one pixel",
                self.height, self.width
            )));
        }
        for (axis, pad, k) in [("H", self.pad_h, self.kernel_h), ("W", self.pad_w, self.kernel_w)] {
            if 2 * pad > k {
                return Err(KernelError::new(format!(
                    "{kernel}: pad{axis} {pad} should be at most half of kernel{axis} {k}, as in PyTorch"
                )));
            }
        }
        Ok(())
    }

    /// One axis' windows: the input range each output reads, and the extent PyTorch divides by
    /// with count_include_pad (the window clipped to the padded plane only).
    fn axis(out: usize, size: usize, k: usize, stride: usize, pad: usize) -> Vec<(Range<usize>, usize)> {
        (0..out)
            .map(|o| {
                let start = o * stride; // in padded coordinates
                let end = (start + k).min(size + 2 * pad);
                (start.saturating_sub(pad)..end.saturating_sub(pad).min(size), end - start)
            })
            .collect()
    }

    /// `avg_pool2d`'s checks, for every device that runs it: the geometry, then x and out.
    pub fn check_forward(&self, x_len: usize, out_len: usize) -> Result<(), KernelError> {
        self.check(K)?;
        check::tensor(K, "x", &self.x_dims(), x_len)?;
        check::tensor(K, "out", &self.out_dims(), out_len)
    }

    /// `avg_pool2d_backward`'s checks, for every device that runs it: the geometry, then dout and dx.
    pub fn check_backward(&self, dout_len: usize, dx_len: usize) -> Result<(), KernelError> {
        self.check(KB)?;
        check::tensor(KB, "dout", &self.out_dims(), dout_len)?;
        check::tensor(KB, "dx", &self.x_dims(), dx_len)
    }

    fn windows(&self) -> Windows {
        let rows = Self::axis(self.out_h(), self.height, self.kernel_h, self.stride_h, self.pad_h);
        let cols = Self::axis(self.out_w(), self.width, self.kernel_w, self.stride_w, self.pad_w);
        let mut divisors = Vec::with_capacity(rows.len() * cols.len());
        for (r, padded_h) in &rows {
            for (c, padded_w) in &cols {
                let count = if self.count_include_pad { padded_h * padded_w } else { r.len() * c.len() };
                divisors.push(count as f32);
            }
        }
        Windows {
            rows: rows.into_iter().map(|(r, _)| r).collect(),
            cols: cols.into_iter().map(|(c, _)| c).collect(),
            divisors,
        }
    }
}

/// The mean of each window.
///
/// ```
/// use dlp_kernels::{avg_pool2d, AvgPool2dShape};
/// let s = AvgPool2dShape { batch: 1, channels: 1, height: 2, width: 2, kernel_h: 2, kernel_w: 2,
///     stride_h: 2, stride_w: 2, pad_h: 0, pad_w: 0, count_include_pad: true };
/// let mut out = [0.0];
/// avg_pool2d(&[1.0, 2.0, 3.0, 6.0], s, &mut out).unwrap();
/// assert_eq!(out, [3.0]);
/// ```
pub fn avg_pool2d(x: &[f32], s: AvgPool2dShape, out: &mut [f32]) -> Result<(), KernelError> {
    s.check_forward(x.len(), out.len())?;
    window_mean::forward(x, s.batch * s.channels, s.height, s.width, &s.windows(), out);
    Ok(())
}

/// dx from dout: each output's gradient shared out over its window; dx is overwritten.
///
/// ```
/// use dlp_kernels::{avg_pool2d_backward, AvgPool2dShape};
/// let s = AvgPool2dShape { batch: 1, channels: 1, height: 2, width: 2, kernel_h: 2, kernel_w: 2,
///     stride_h: 2, stride_w: 2, pad_h: 0, pad_w: 0, count_include_pad: true };
/// let mut dx = [9.0; 4];
/// avg_pool2d_backward(&[4.0], s, &mut dx).unwrap();
/// assert_eq!(dx, [1.0; 4]);
/// ```
pub fn avg_pool2d_backward(dout: &[f32], s: AvgPool2dShape, dx: &mut [f32]) -> Result<(), KernelError> {
    s.check_backward(dout.len(), dx.len())?;
    window_mean::backward(dout, s.batch * s.channels, s.height, s.width, &s.windows(), dx);
    Ok(())
}

/// PyTorch's loops in f64, window by window: the oracle for `avg_pool2d`.
pub fn avg_pool2d_reference(x: &[f32], s: AvgPool2dShape) -> Result<Vec<f64>, KernelError> {
    s.check(K)?;
    check::tensor(K, "x", &s.x_dims(), x.len())?;
    let mut out = Vec::new();
    let (h, w) = (s.height as isize, s.width as isize);
    for p in 0..s.batch * s.channels {
        let plane = &x[p * s.height * s.width..][..s.height * s.width];
        for y in 0..s.out_h() as isize {
            for xo in 0..s.out_w() as isize {
                // As PyTorch's avg_pool2d: the window clipped to the padded plane, then to the plane.
                let h0 = y * s.stride_h as isize - s.pad_h as isize;
                let w0 = xo * s.stride_w as isize - s.pad_w as isize;
                let h1 = (h0 + s.kernel_h as isize).min(h + s.pad_h as isize);
                let w1 = (w0 + s.kernel_w as isize).min(w + s.pad_w as isize);
                let padded = (h1 - h0) * (w1 - w0);
                let (h0, w0, h1, w1) = (h0.max(0), w0.max(0), h1.min(h), w1.min(w));
                let mut sum = 0.0f64;
                for i in h0..h1 {
                    for j in w0..w1 {
                        sum += plane[(i * w + j) as usize] as f64;
                    }
                }
                let divisor = if s.count_include_pad { padded } else { (h1 - h0) * (w1 - w0) };
                out.push(sum / divisor as f64);
            }
        }
    }
    Ok(out)
}

/// The gradient in f64, output by output and pixel by pixel: the oracle for `avg_pool2d_backward`.
pub fn avg_pool2d_backward_reference(dout: &[f32], s: AvgPool2dShape) -> Result<Vec<f64>, KernelError> {
    s.check(KB)?;
    check::tensor(KB, "dout", &s.out_dims(), dout.len())?;
    // Each output spreads dout / divisor over its window, the divisor as in the forward.
    let mut dx = vec![0.0f64; s.batch * s.channels * s.height * s.width];
    let (h, w) = (s.height as isize, s.width as isize);
    let (oh, ow) = (s.out_h(), s.out_w());
    for p in 0..s.batch * s.channels {
        for y in 0..oh as isize {
            for xo in 0..ow as isize {
                let h0 = y * s.stride_h as isize - s.pad_h as isize;
                let w0 = xo * s.stride_w as isize - s.pad_w as isize;
                let h1 = (h0 + s.kernel_h as isize).min(h + s.pad_h as isize);
                let w1 = (w0 + s.kernel_w as isize).min(w + s.pad_w as isize);
                let padded = (h1 - h0) * (w1 - w0);
                let (h0, w0, h1, w1) = (h0.max(0), w0.max(0), h1.min(h), w1.min(w));
                let divisor = if s.count_include_pad { padded } else { (h1 - h0) * (w1 - w0) };
                let g = dout[(p * oh + y as usize) * ow + xo as usize] as f64 / divisor as f64;
                for i in h0..h1 {
                    for j in w0..w1 {
                        dx[p * s.height * s.width + (i * w + j) as usize] += g;
                    }
                }
            }
        }
    }
    Ok(dx)
}
