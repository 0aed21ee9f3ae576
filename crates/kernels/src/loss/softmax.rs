//! Row-wise softmax over a row-major rows×cols matrix, and its backward from the output s:
//!
//! - `softmax`: out[r] = exp(x[r] − max x[r]) / Σ_c exp(x[r][c] − max x[r]); subtracting the
//!   row max (the "max trick") keeps exp from overflowing and changes nothing mathematically.
//! - `softmax_backward`: dx[r] = s[r] ∘ (dout[r] − Σ_c dout[r][c]·s[r][c]).
//!
//! The row passes (`row_max`, `exp_shifted`, `scale`) are shared with the fused softmax +
//! cross-entropy in `loss/mod.rs`.

use crate::check;
use crate::error::KernelError;
use crate::simd::math::exp;
use crate::simd::stream::{fold1, fold2, map1, map2};
use crate::simd::{dispatch, Simd, SimdKernel};

/// out = softmax of each row of x.
///
/// ```
/// let mut out = [0.0; 2];
/// dlp_kernels::softmax(&[1000.0, 1000.0], &mut out, 1, 2).unwrap();
/// assert_eq!(out, [0.5, 0.5]); // no overflow: the row max is subtracted first
/// ```
pub fn softmax(x: &[f32], out: &mut [f32], rows: usize, cols: usize) -> Result<(), KernelError> {
    check_softmax(rows, cols, x.len(), out.len())?;
    dispatch(Softmax { x: x.as_ptr(), out: out.as_mut_ptr(), rows, cols });
    Ok(())
}

/// `softmax`'s checks, for every device that runs it: x and out each hold rows×cols.
pub fn check_softmax(rows: usize, cols: usize, x_len: usize, out_len: usize) -> Result<(), KernelError> {
    check::matrix("softmax", "x", rows, cols, x_len)?;
    check::matrix("softmax", "out", rows, cols, out_len)
}

/// Softmax in f64: the oracle for `softmax`.
pub fn softmax_reference(x: &[f32], rows: usize, cols: usize) -> Result<Vec<f64>, KernelError> {
    check::matrix("softmax", "x", rows, cols, x.len())?;
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(cols.max(1)) {
        let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
        let exps: Vec<f64> = row.iter().map(|&v| (v as f64 - max).exp()).collect();
        let sum: f64 = exps.iter().sum();
        out.extend(exps.iter().map(|e| e / sum));
    }
    Ok(out)
}

struct Softmax {
    x: *const f32,
    out: *mut f32,
    rows: usize,
    cols: usize,
}

impl SimdKernel for Softmax {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        for r in 0..self.rows {
            let (x, out) = (self.x.add(r * self.cols), self.out.add(r * self.cols));
            let sum = exp_shifted::<S>(x, Some(out), self.cols, row_max::<S>(x, self.cols));
            scale::<S>(out, out, self.cols, 1.0 / sum);
        }
    }
}

/// The largest of `len` elements (−∞ for none).
#[inline(always)]
pub(crate) unsafe fn row_max<S: Simd>(x: *const f32, len: usize) -> f32 {
    let acc = fold1::<S>(
        x,
        len,
        f32::NEG_INFINITY,
        S::splat(f32::NEG_INFINITY),
        #[inline(always)]
        |m, v| S::max(m, v),
    );
    S::reduce_max(acc)
}

/// Σ exp(x[i] − shift), also written to `dst` when given.
#[inline(always)]
pub(crate) unsafe fn exp_shifted<S: Simd>(x: *const f32, dst: Option<*mut f32>, len: usize, shift: f32) -> f32 {
    let shift_v = S::splat(shift);
    let mut sum = S::splat(0.0);
    let mut i = 0;
    while i + S::LANES <= len {
        let e = exp::<S>(S::sub(S::load(x.add(i)), shift_v));
        if let Some(dst) = dst {
            S::store(dst.add(i), e);
        }
        sum = S::add(sum, e);
        i += S::LANES;
    }
    if i < len {
        // Padding with −∞ makes the spare lanes exp(−∞) = 0: they add nothing to the sum.
        let n = len - i;
        let e = exp::<S>(S::sub(S::load_partial(x.add(i), n, f32::NEG_INFINITY), shift_v));
        if let Some(dst) = dst {
            S::store_partial(dst.add(i), n, e);
        }
        sum = S::add(sum, e);
    }
    S::reduce_sum(sum)
}

/// dst[i] = src[i]·k (dst may be src).
#[inline(always)]
pub(crate) unsafe fn scale<S: Simd>(src: *const f32, dst: *mut f32, len: usize, k: f32) {
    let k = S::splat(k);
    map1::<S>(
        src,
        dst,
        len,
        #[inline(always)]
        |v| S::mul(v, k),
    );
}

/// dx = s ∘ (dout − rowwise Σ dout·s), from the softmax output s.
///
/// ```
/// let s = [0.25, 0.75];
/// let mut dx = [0.0; 2];
/// dlp_kernels::softmax_backward(&s, &[1.0, 1.0], &mut dx, 1, 2).unwrap();
/// assert_eq!(dx, [0.0, 0.0]); // a constant shift of the logits changes nothing
/// ```
pub fn softmax_backward(s: &[f32], dout: &[f32], dx: &mut [f32], rows: usize, cols: usize) -> Result<(), KernelError> {
    check_softmax_backward(rows, cols, [s.len(), dout.len(), dx.len()])?;
    dispatch(SoftmaxBackward { s: s.as_ptr(), dout: dout.as_ptr(), dx: dx.as_mut_ptr(), rows, cols });
    Ok(())
}

/// `softmax_backward`'s checks, for every device that runs it: s, dout and dx each hold rows×cols.
pub fn check_softmax_backward(rows: usize, cols: usize, [s, dout, dx]: [usize; 3]) -> Result<(), KernelError> {
    check::matrix("softmaxBackward", "s", rows, cols, s)?;
    check::matrix("softmaxBackward", "dout", rows, cols, dout)?;
    check::matrix("softmaxBackward", "dx", rows, cols, dx)
}

/// Softmax backward in f64: the oracle for `softmax_backward`.
pub fn softmax_backward_reference(s: &[f32], dout: &[f32], rows: usize, cols: usize) -> Result<Vec<f64>, KernelError> {
    check::matrix("softmaxBackward", "s", rows, cols, s.len())?;
    check::matrix("softmaxBackward", "dout", rows, cols, dout.len())?;
    let mut dx = Vec::with_capacity(s.len());
    for (s, d) in s.chunks(cols.max(1)).zip(dout.chunks(cols.max(1))) {
        let dot: f64 = s.iter().zip(d).map(|(&s, &d)| s as f64 * d as f64).sum();
        dx.extend(s.iter().zip(d).map(|(&s, &d)| s as f64 * (d as f64 - dot)));
    }
    Ok(dx)
}

struct SoftmaxBackward {
    s: *const f32,
    dout: *const f32,
    dx: *mut f32,
    rows: usize,
    cols: usize,
}

impl SimdKernel for SoftmaxBackward {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        for r in 0..self.rows {
            let at = r * self.cols;
            let (s, dout) = (self.s.add(at), self.dout.add(at));
            let dot = S::reduce_sum(fold2::<S>(
                s,
                dout,
                self.cols,
                0.0,
                S::splat(0.0),
                #[inline(always)]
                |acc, s, d| S::mul_add(s, d, acc),
            ));
            let dot = S::splat(dot);
            map2::<S>(
                s,
                dout,
                self.dx.add(at),
                self.cols,
                #[inline(always)]
                |s, d| S::mul(s, S::sub(d, dot)),
            );
        }
    }
}
