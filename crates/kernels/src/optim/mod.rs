//! Optimiser updates of a parameter from its gradient: plain `sgd_update` (this file), and
//! PyTorch's SGD and Adam steps with their state (`optim_steps`).
//!
//! Optimizer steps, elementwise over a parameter and its gradient (any length):
//!
//! - `sgd_update`: param ← param − lr·grad (fused multiply-add where the CPU has FMA).

pub mod optim_steps;

use crate::check;
use crate::error::KernelError;
use crate::simd::stream::map2;
use crate::simd::{dispatch, Simd, SimdKernel};

/// param −= lr·grad, in place.
///
/// ```
/// let mut w = [1.0, 2.0];
/// dlp_kernels::sgd_update(&mut w, &[10.0, -10.0], 0.5).unwrap();
/// assert_eq!(w, [-4.0, 7.0]);
/// ```
pub fn sgd_update(param: &mut [f32], grad: &[f32], lr: f32) -> Result<(), KernelError> {
    check_sgd_update(param.len(), grad.len())?;
    let p = param.as_mut_ptr();
    dispatch(SgdUpdate { param: p, grad: grad.as_ptr(), len: grad.len(), lr });
    Ok(())
}

/// `sgd_update`'s check, for every device that runs it: grad holds as many elements as param.
pub fn check_sgd_update(param_len: usize, grad_len: usize) -> Result<(), KernelError> {
    check::same_len("sgdUpdate", "grad", grad_len, "param", param_len)
}

/// param − lr·grad in f64: the oracle for `sgd_update`.
pub fn sgd_update_reference(param: &[f32], grad: &[f32], lr: f32) -> Result<Vec<f64>, KernelError> {
    check::same_len("sgdUpdate", "grad", grad.len(), "param", param.len())?;
    Ok(param.iter().zip(grad).map(|(&p, &g)| p as f64 - lr as f64 * g as f64).collect())
}

struct SgdUpdate {
    param: *mut f32,
    grad: *const f32,
    len: usize,
    lr: f32,
}

impl SimdKernel for SgdUpdate {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let minus_lr = S::splat(-self.lr);
        map2::<S>(
            self.param,
            self.grad,
            self.param,
            self.len,
            #[inline(always)]
            |p, g| S::mul_add(g, minus_lr, p),
        );
    }
}
