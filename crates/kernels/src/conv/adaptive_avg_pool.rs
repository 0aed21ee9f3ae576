//! 2-D adaptive average pooling on NCHW tensors (PyTorch's AdaptiveAvgPool2d), and its backward:
//!
//! - `adaptive_avg_pool2d`: out [N, C, OH, OW], out[n][c][y][x] = the mean of x[n][c] over rows
//!   ⌊y·H/OH⌋ .. ⌈(y+1)·H/OH⌉ and columns ⌊x·W/OW⌋ .. ⌈(x+1)·W/OW⌉ (PyTorch's bins: they cover
//!   the plane, overlap where OH does not divide H, and repeat rows where OH > H);
//! - `adaptive_avg_pool2d_backward`: dx[pixel] = Σ over the bins holding it of dout / bin size.
//!
//! (1, 1) is a global average (DenseNet's and ResNet's head). The sums run in `window_mean`.

use std::ops::Range;

use crate::check;
use crate::conv::window_mean::{self, Windows};
use crate::error::KernelError;

const K: &str = "adaptiveAvgPool2d";
const KB: &str = "adaptiveAvgPool2dBackward";

/// The geometry of an adaptive average pooling (packages/core/src/kernels/conv.ts' AdaptiveAvgPool2dGeometry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveAvgPool2dShape {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub out_h: usize,
    pub out_w: usize,
}

/// PyTorch's bin `i` of `out` over an axis of `size`: ⌊i·size/out⌋ .. ⌈(i+1)·size/out⌉.
pub fn adaptive_bin(i: usize, size: usize, out: usize) -> Range<usize> {
    let (i, size, out) = (i as u64, size as u64, out as u64);
    ((i * size / out) as usize)..((((i + 1) * size).div_ceil(out)) as usize)
}

impl AdaptiveAvgPool2dShape {
    fn x_dims(&self) -> [usize; 4] {
        [self.batch, self.channels, self.height, self.width]
    }

    fn out_dims(&self) -> [usize; 4] {
        [self.batch, self.channels, self.out_h, self.out_w]
    }

    /// An output of at least 1×1 over a non-empty plane: every bin then holds a pixel.
    pub fn check(&self, kernel: &str) -> Result<(), KernelError> {
        for (name, value) in [("outH", self.out_h), ("outW", self.out_w)] {
            if value == 0 {
                return Err(KernelError::new(format!("{kernel}: {name} should be at least 1 but is 0")));
            }
        }
        if self.height == 0 || self.width == 0 {
            return Err(KernelError::new(format!(
                "{kernel}: the input plane is {}x{}; a bin needs at least one pixel",
                self.height, self.width
            )));
        }
        Ok(())
    }

    /// `adaptive_avg_pool2d`'s checks, for every device that runs it: the geometry, then x and out.
    pub fn check_forward(&self, x_len: usize, out_len: usize) -> Result<(), KernelError> {
        self.check(K)?;
        check::tensor(K, "x", &self.x_dims(), x_len)?;
        check::tensor(K, "out", &self.out_dims(), out_len)
    }

    /// `adaptive_avg_pool2d_backward`'s checks, for every device that runs it: the geometry, then dout and dx.
    pub fn check_backward(&self, dout_len: usize, dx_len: usize) -> Result<(), KernelError> {
        self.check(KB)?;
        check::tensor(KB, "dout", &self.out_dims(), dout_len)?;
        check::tensor(KB, "dx", &self.x_dims(), dx_len)
    }

    fn windows(&self) -> Windows {
        let rows: Vec<_> = (0..self.out_h).map(|y| adaptive_bin(y, self.height, self.out_h)).collect();
        let cols: Vec<_> = (0..self.out_w).map(|x| adaptive_bin(x, self.width, self.out_w)).collect();
        let divisors = rows.iter().flat_map(|r| cols.iter().map(move |c| (r.len() * c.len()) as f32)).collect();
        Windows { rows, cols, divisors }
    }
}

/// The mean of each bin.
///
/// ```
/// use dlp_kernels::{adaptive_avg_pool2d, AdaptiveAvgPool2dShape};
/// let s = AdaptiveAvgPool2dShape { batch: 1, channels: 1, height: 2, width: 2, out_h: 1, out_w: 1 };
/// let mut out = [0.0];
/// adaptive_avg_pool2d(&[1.0, 2.0, 3.0, 6.0], s, &mut out).unwrap();
/// assert_eq!(out, [3.0]);
/// ```
pub fn adaptive_avg_pool2d(x: &[f32], s: AdaptiveAvgPool2dShape, out: &mut [f32]) -> Result<(), KernelError> {
    s.check_forward(x.len(), out.len())?;
    window_mean::forward(x, s.batch * s.channels, s.height, s.width, &s.windows(), out);
    Ok(())
}

/// dx from dout: each output's gradient shared out over its bin; dx is overwritten.
///
/// ```
/// use dlp_kernels::{adaptive_avg_pool2d_backward, AdaptiveAvgPool2dShape};
/// let s = AdaptiveAvgPool2dShape { batch: 1, channels: 1, height: 1, width: 3, out_h: 1, out_w: 2 };
/// let mut dx = [9.0; 3];
/// adaptive_avg_pool2d_backward(&[2.0, 4.0], s, &mut dx).unwrap(); // bins 0..2 and 1..3
/// assert_eq!(dx, [1.0, 3.0, 2.0]);
/// ```
pub fn adaptive_avg_pool2d_backward(dout: &[f32], s: AdaptiveAvgPool2dShape, dx: &mut [f32]) -> Result<(), KernelError> {
    s.check_backward(dout.len(), dx.len())?;
    window_mean::backward(dout, s.batch * s.channels, s.height, s.width, &s.windows(), dx);
    Ok(())
}

/// PyTorch's loops in f64, bin by bin (start = ⌊i·H/OH⌋ and end = ⌈(i+1)·H/OH⌉ computed in
/// floating point, as PyTorch's kernel does): the oracle for `adaptive_avg_pool2d`.
pub fn adaptive_avg_pool2d_reference(x: &[f32], s: AdaptiveAvgPool2dShape) -> Result<Vec<f64>, KernelError> {
    s.check(K)?;
    check::tensor(K, "x", &s.x_dims(), x.len())?;
    let mut out = Vec::new();
    for p in 0..s.batch * s.channels {
        let plane = &x[p * s.height * s.width..][..s.height * s.width];
        for y in 0..s.out_h {
            for xo in 0..s.out_w {
                let (rows, cols) = (float_bin(y, s.height, s.out_h), float_bin(xo, s.width, s.out_w));
                let count = (rows.len() * cols.len()) as f64;
                let sum: f64 = rows.flat_map(|i| cols.clone().map(move |j| plane[i * s.width + j] as f64)).sum();
                out.push(sum / count);
            }
        }
    }
    Ok(out)
}

/// The gradient in f64, bin by bin: the oracle for `adaptive_avg_pool2d_backward`.
pub fn adaptive_avg_pool2d_backward_reference(dout: &[f32], s: AdaptiveAvgPool2dShape) -> Result<Vec<f64>, KernelError> {
    s.check(KB)?;
    check::tensor(KB, "dout", &s.out_dims(), dout.len())?;
    let mut dx = vec![0.0f64; s.batch * s.channels * s.height * s.width];
    for p in 0..s.batch * s.channels {
        for y in 0..s.out_h {
            for xo in 0..s.out_w {
                let (rows, cols) = (float_bin(y, s.height, s.out_h), float_bin(xo, s.width, s.out_w));
                let g = dout[(p * s.out_h + y) * s.out_w + xo] as f64 / (rows.len() * cols.len()) as f64;
                for i in rows {
                    for j in cols.clone() {
                        dx[(p * s.height + i) * s.width + j] += g;
                    }
                }
            }
        }
    }
    Ok(dx)
}

/// PyTorch's start_index/end_index: floor(i·size/out) and ceil((i+1)·size/out) in floating point.
fn float_bin(i: usize, size: usize, out: usize) -> Range<usize> {
    let (i, size, out) = (i as f64, size as f64, out as f64);
    ((i * size / out).floor() as usize)..(((i + 1.0) * size / out).ceil() as usize)
}
