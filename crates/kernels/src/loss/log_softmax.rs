//! Row log-softmax over a row-major rows×cols matrix, and its backward from the output y:
//!
//! - `log_softmax`: out[r] = x[r] − (m + ln Σ_c exp(x[r][c] − m)), m = max x[r] (no overflow,
//!   and unlike ln(softmax) no −∞ where a probability underflows).
//! - `log_softmax_backward`: dx[r] = dout[r] − exp(y[r])·Σ_c dout[r][c] (dx may be dout).
//!
//! The row max and Σ exp are softmax.rs's passes.

use crate::check;
use crate::error::KernelError;
use crate::loss::softmax::{exp_shifted, row_max};
use crate::simd::math::exp;
use crate::simd::stream::{fold1, map1, map2};
use crate::simd::{dispatch, Simd, SimdKernel};

/// out = log-softmax of each row of x.
///
/// ```
/// let mut out = [0.0; 2];
/// dlp_kernels::log_softmax(&[1000.0, 1000.0], &mut out, 1, 2).unwrap();
/// assert_eq!(out, [-std::f32::consts::LN_2; 2]);
/// ```
pub fn log_softmax(x: &[f32], out: &mut [f32], rows: usize, cols: usize) -> Result<(), KernelError> {
    check::matrix("logSoftmax", "x", rows, cols, x.len())?;
    check::matrix("logSoftmax", "out", rows, cols, out.len())?;
    dispatch(LogSoftmax { x: x.as_ptr(), out: out.as_mut_ptr(), rows, cols });
    Ok(())
}

/// Log-softmax in f64: the oracle for `log_softmax`.
pub fn log_softmax_reference(x: &[f32], rows: usize, cols: usize) -> Result<Vec<f64>, KernelError> {
    check::matrix("logSoftmax", "x", rows, cols, x.len())?;
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(cols.max(1)) {
        let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
        let shift = max + row.iter().map(|&v| (v as f64 - max).exp()).sum::<f64>().ln();
        out.extend(row.iter().map(|&v| v as f64 - shift));
    }
    Ok(out)
}

/// Elements per f32 partial sum of exp (see `LogSoftmax::run`).
const BLOCK: usize = 256;

struct LogSoftmax {
    x: *const f32,
    out: *mut f32,
    rows: usize,
    cols: usize,
}

impl SimdKernel for LogSoftmax {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        for r in 0..self.rows {
            let (x, out) = (self.x.add(r * self.cols), self.out.add(r * self.cols));
            let max = row_max::<S>(x, self.cols);
            // Σ exp in blocks joined in f64: one f32 accumulator over a long row (the scalar
            // path's one lane) would put ~cols·ε of error into every log-probability.
            let mut sum = 0.0f64;
            for start in (0..self.cols).step_by(BLOCK) {
                sum += exp_shifted::<S>(x.add(start), None, (self.cols - start).min(BLOCK), max) as f64;
            }
            let sum = sum as f32;
            // (x − m) − ln Σ rather than x − (m + ln Σ): x − m is exact near the max, where
            // the log-probability is small and a rounded m + ln Σ would swamp it.
            let (max_v, log_sum) = (S::splat(max), S::splat(sum.ln()));
            map1::<S>(
                x,
                out,
                self.cols,
                #[inline(always)]
                |v| S::sub(S::sub(v, max_v), log_sum),
            );
        }
    }
}

/// dx = dout − exp(y)·rowwise Σ dout, from the log-softmax output y.
///
/// ```
/// let y = [0.25f32.ln(), 0.75f32.ln()];
/// let mut dx = [0.0; 2];
/// dlp_kernels::log_softmax_backward(&y, &[1.0, 0.0], &mut dx, 1, 2).unwrap();
/// assert!((dx[0] - 0.75).abs() < 1e-6 && (dx[1] + 0.75).abs() < 1e-6); // dout − p·Σ dout
/// ```
pub fn log_softmax_backward(
    y: &[f32],
    dout: &[f32],
    dx: &mut [f32],
    rows: usize,
    cols: usize,
) -> Result<(), KernelError> {
    check_backward(y, dout.len(), rows, cols)?;
    check::matrix("logSoftmaxBackward", "dx", rows, cols, dx.len())?;
    dispatch(LogSoftmaxBackward { y: y.as_ptr(), dout: dout.as_ptr(), dx: dx.as_mut_ptr(), rows, cols });
    Ok(())
}

/// dout = `log_softmax_backward` with dx = dout.
pub fn log_softmax_backward_in_place(y: &[f32], dout: &mut [f32], rows: usize, cols: usize) -> Result<(), KernelError> {
    check_backward(y, dout.len(), rows, cols)?;
    let dx = dout.as_mut_ptr();
    dispatch(LogSoftmaxBackward { y: y.as_ptr(), dout: dx, dx, rows, cols });
    Ok(())
}

/// Log-softmax backward in f64: the oracle for `log_softmax_backward`.
pub fn log_softmax_backward_reference(
    y: &[f32],
    dout: &[f32],
    rows: usize,
    cols: usize,
) -> Result<Vec<f64>, KernelError> {
    check_backward(y, dout.len(), rows, cols)?;
    let mut dx = Vec::with_capacity(y.len());
    for (y, d) in y.chunks(cols.max(1)).zip(dout.chunks(cols.max(1))) {
        let sum: f64 = d.iter().map(|&d| d as f64).sum();
        dx.extend(y.iter().zip(d).map(|(&y, &d)| d as f64 - (y as f64).exp() * sum));
    }
    Ok(dx)
}

fn check_backward(y: &[f32], dout_len: usize, rows: usize, cols: usize) -> Result<(), KernelError> {
    check::matrix("logSoftmaxBackward", "y", rows, cols, y.len())?;
    check::matrix("logSoftmaxBackward", "dout", rows, cols, dout_len)
}

struct LogSoftmaxBackward {
    y: *const f32,
    dout: *const f32,
    dx: *mut f32,
    rows: usize,
    cols: usize,
}

impl SimdKernel for LogSoftmaxBackward {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        for r in 0..self.rows {
            let at = r * self.cols;
            let (y, dout) = (self.y.add(at), self.dout.add(at));
            let zero = S::splat(0.0);
            let sum = S::reduce_sum(fold1::<S>(
                dout,
                self.cols,
                0.0,
                zero,
                #[inline(always)]
                |acc, d| S::add(acc, d),
            ));
            // Summed before any write, so dx may be dout.
            let minus_sum = S::splat(-sum);
            map2::<S>(
                y,
                dout,
                self.dx.add(at),
                self.cols,
                #[inline(always)]
                |y, d| S::mul_add(exp::<S>(y), minus_sum, d),
            );
        }
    }
}
