//! ELU, elementwise over buffers of any length, and its backward from the layer's input:
//!
//! - `elu`: out = x > 0 ? x : alpha·(eˣ − 1)
//! - `elu_backward`: dx = dout · (x > 0 ? 1 : alpha·eˣ)
//!
//! eˣ − 1 is computed as expm1, not exp(x) − 1, which would lose most digits near 0.

use crate::check;
use crate::error::KernelError;
use crate::simd::math::{exp, expm1};
use crate::simd::stream::{map1, map2};
use crate::simd::{dispatch, Simd, SimdKernel};
use crate::threads::{for_each_range, SharedMut};

/// Elements per thread below which a second thread costs more than it saves: the hidden
/// layers of setups 1–3 (200×100) stay on one thread, the wide ones (128×1024) are split.
const MIN_PART: usize = 1 << 14;

/// out = ELU(x), on up to `threads` threads (0 = all of the shared pool; each value is computed
/// alone, so any split gives the same bits).
///
/// ```
/// let mut out = [0.0; 3];
/// dlp_kernels::elu(&[2.0, 0.0, -1.0], &mut out, 1.0, 1).unwrap();
/// assert_eq!(out[..2], [2.0, 0.0]);
/// assert!((out[2] - (-0.632_120_56)).abs() < 1e-7);
/// ```
pub fn elu(x: &[f32], out: &mut [f32], alpha: f32, threads: usize) -> Result<(), KernelError> {
    check::same_len("elu", "out", out.len(), "x", x.len())?;
    let out = SharedMut(out.as_mut_ptr());
    // SAFETY: each range writes only its own elements of out (as long as x, checked above).
    for_each_range(x.len(), threads, MIN_PART, |r| {
        dispatch(Elu { x: x[r.clone()].as_ptr(), out: unsafe { out.ptr().add(r.start) }, len: r.len(), alpha })
    });
    Ok(())
}

/// x = ELU(x).
pub fn elu_in_place(x: &mut [f32], alpha: f32, threads: usize) {
    let len = x.len();
    let x = SharedMut(x.as_mut_ptr());
    // SAFETY: each range reads and writes only its own elements of x.
    for_each_range(len, threads, MIN_PART, |r| {
        let at = unsafe { x.ptr().add(r.start) };
        dispatch(Elu { x: at, out: at, len: r.len(), alpha })
    });
}

/// ELU in f64: the oracle for `elu`.
pub fn elu_reference(x: &[f32], alpha: f32) -> Vec<f64> {
    x.iter().map(|&v| if v > 0.0 { v as f64 } else { alpha as f64 * (v as f64).exp_m1() }).collect()
}

struct Elu {
    x: *const f32,
    out: *mut f32,
    len: usize,
    alpha: f32,
}

impl SimdKernel for Elu {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (alpha, zero) = (S::splat(self.alpha), S::splat(0.0));
        map1::<S>(
            self.x,
            self.out,
            self.len,
            #[inline(always)]
            |x| S::select(S::gt(x, zero), x, S::mul(alpha, expm1::<S>(x))),
        );
    }
}

/// dx = dout · ELU'(x), ELU' taken from the layer's input x; threads as [`elu`].
///
/// ```
/// let mut dx = [0.0; 2];
/// dlp_kernels::elu_backward(&[3.0, 0.0], &[2.0, 2.0], &mut dx, 0.5, 1).unwrap();
/// assert_eq!(dx, [2.0, 1.0]); // 2·1 and 2·0.5·e⁰
/// ```
pub fn elu_backward(x: &[f32], dout: &[f32], dx: &mut [f32], alpha: f32, threads: usize) -> Result<(), KernelError> {
    check::same_len("eluBackward", "dout", dout.len(), "x", x.len())?;
    check::same_len("eluBackward", "dx", dx.len(), "x", x.len())?;
    let dx = SharedMut(dx.as_mut_ptr());
    // SAFETY: each range writes only its own elements of dx (as long as x, checked above).
    for_each_range(x.len(), threads, MIN_PART, |r| {
        let (x, dout) = (x[r.clone()].as_ptr(), dout[r.clone()].as_ptr());
        dispatch(EluBackward { x, dout, dx: unsafe { dx.ptr().add(r.start) }, len: r.len(), alpha })
    });
    Ok(())
}

/// dout = dout · ELU'(x): `elu_backward` with dx = dout.
pub fn elu_backward_in_place(x: &[f32], dout: &mut [f32], alpha: f32, threads: usize) -> Result<(), KernelError> {
    check::same_len("eluBackward", "dout", dout.len(), "x", x.len())?;
    let dx = SharedMut(dout.as_mut_ptr());
    // SAFETY: each range reads and writes only its own elements of dout.
    for_each_range(x.len(), threads, MIN_PART, |r| {
        let at = unsafe { dx.ptr().add(r.start) };
        dispatch(EluBackward { x: x[r.clone()].as_ptr(), dout: at, dx: at, len: r.len(), alpha })
    });
    Ok(())
}

/// ELU backward in f64: the oracle for `elu_backward`.
pub fn elu_backward_reference(x: &[f32], dout: &[f32], alpha: f32) -> Result<Vec<f64>, KernelError> {
    check::same_len("eluBackward", "dout", dout.len(), "x", x.len())?;
    Ok(x.iter()
        .zip(dout)
        .map(|(&x, &d)| if x > 0.0 { d as f64 } else { d as f64 * alpha as f64 * (x as f64).exp() })
        .collect())
}

struct EluBackward {
    x: *const f32,
    dout: *const f32,
    dx: *mut f32,
    len: usize,
    alpha: f32,
}

impl SimdKernel for EluBackward {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (alpha, zero) = (S::splat(self.alpha), S::splat(0.0));
        map2::<S>(
            self.x,
            self.dout,
            self.dx,
            self.len,
            #[inline(always)]
            |x, d| S::select(S::gt(x, zero), d, S::mul(d, S::mul(alpha, exp::<S>(x)))),
        );
    }
}
