//! PyTorch's single-tensor optimiser updates, elementwise over a parameter and its state:
//!
//! - `sgd_step` (torch.optim.SGD): d = grad + weightDecay·param; with momentum,
//!   buf = firstStep ? d : momentum·buf + (1 − dampening)·d and d = nesterov ? d + momentum·buf : buf;
//!   then param −= lr·d.
//! - `adam_step` (torch.optim.Adam, amsgrad off, torch 1.13's `_single_tensor_adam`), step from 1:
//!   g = grad + weightDecay·param; m = beta1·m + (1 − beta1)·g; v = beta2·v + (1 − beta2)·g²;
//!   param −= (lr / (1 − beta1^step)) · m / (√v / √(1 − beta2^step) + eps).
//!
//! Pure streaming over millions of floats every step: one SIMD pass, split natively over the
//! thread pool. Hyperparameters arrive as f64; the bias corrections are computed in f64 and the
//! per-element arithmetic runs in f32, as PyTorch does for float32 tensors.

use crate::check;
use crate::error::KernelError;
use crate::simd::stream::{load, store};
use crate::simd::{dispatch, Simd, SimdKernel};
use crate::threads::{for_each_range, SharedMut};

/// Elements per thread below which splitting costs more than it saves.
const MIN_PART: usize = 1 << 15;

/// Arguments of [`sgd_step`]. `momentum_buffer` is required when momentum ≠ 0 (written, not
/// read, on the first step) and ignored otherwise.
pub struct SgdStep<'a> {
    pub param: &'a mut [f32],
    pub grad: &'a [f32],
    pub momentum_buffer: Option<&'a mut [f32]>,
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub nesterov: bool,
    pub weight_decay: f64,
    pub first_step: bool,
}

impl SgdStep<'_> {
    pub(crate) fn check(&self) -> Result<(), KernelError> {
        const K: &str = "sgdStep";
        let len = self.param.len();
        check::same_len(K, "grad", self.grad.len(), "param", len)?;
        if let Some(buf) = &self.momentum_buffer {
            check::same_len(K, "momentumBuffer", buf.len(), "param", len)?;
        }
        if self.momentum != 0.0 && self.momentum_buffer.is_none() {
            return Err(KernelError::new(format!("{K}: momentumBuffer is required when momentum is not 0")));
        }
        Ok(())
    }
}

/// One SGD step on up to `threads` threads (0 = all of the shared pool).
///
/// ```
/// use dlp_kernels::{sgd_step, SgdStep};
/// let (mut param, mut buf) = ([1.0], [0.0]);
/// for first_step in [true, false] {
///     sgd_step(SgdStep {
///         param: &mut param, grad: &[1.0], momentum_buffer: Some(&mut buf), lr: 0.5, momentum: 0.5,
///         dampening: 0.0, nesterov: false, weight_decay: 0.0, first_step,
///     }, 1).unwrap();
/// }
/// // Step 1: buf = grad = 1, param 1 − 0.5 = 0.5. Step 2: buf = 0.5·1 + 1 = 1.5, param 0.5 − 0.75.
/// assert_eq!((param, buf), ([-0.25], [1.5]));
/// ```
pub fn sgd_step(args: SgdStep<'_>, threads: usize) -> Result<(), KernelError> {
    args.check()?;
    let len = args.param.len();
    let (param, grad) = (SharedMut(args.param.as_mut_ptr()), args.grad);
    let buffer = args.momentum_buffer.filter(|_| args.momentum != 0.0).map(|b| SharedMut(b.as_mut_ptr()));
    for_each_range(len, threads, MIN_PART, |range| {
        // SAFETY: lengths were checked; each part reads and writes only its own range.
        unsafe {
            dispatch(Sgd {
                param: param.ptr().add(range.start),
                grad: grad.as_ptr().add(range.start),
                buffer: buffer.map(|b| b.ptr().add(range.start)),
                len: range.len(),
                lr: args.lr as f32,
                momentum: args.momentum as f32,
                // 1 − dampening in f64: 1 − 0.1f32 would carry 0.1's rounding error forward.
                keep: (1.0 - args.dampening) as f32,
                nesterov: args.nesterov,
                weight_decay: args.weight_decay as f32,
                first_step: args.first_step,
            })
        }
    });
    Ok(())
}

struct Sgd {
    param: *mut f32,
    grad: *const f32,
    /// Present when momentum ≠ 0.
    buffer: Option<*mut f32>,
    len: usize,
    lr: f32,
    momentum: f32,
    /// 1 − dampening.
    keep: f32,
    nesterov: bool,
    weight_decay: f32,
    first_step: bool,
}

impl SimdKernel for Sgd {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (weight_decay, momentum) = (S::splat(self.weight_decay), S::splat(self.momentum));
        let (keep, minus_lr) = (S::splat(self.keep), S::splat(-self.lr));
        let mut i = 0;
        while i < self.len {
            let n = (self.len - i).min(S::LANES);
            let p = load::<S>(self.param.add(i), n);
            let g = load::<S>(self.grad.add(i), n);
            // Skipped at 0, as PyTorch does: 0·∞ would turn an infinite parameter into NaN.
            let mut d = if self.weight_decay != 0.0 { S::mul_add(weight_decay, p, g) } else { g };
            if let Some(buffer) = self.buffer {
                let b = if self.first_step {
                    d
                } else {
                    S::mul_add(momentum, load::<S>(buffer.add(i), n), S::mul(keep, d))
                };
                store::<S>(buffer.add(i), n, b);
                d = if self.nesterov { S::mul_add(momentum, b, d) } else { b };
            }
            store::<S>(self.param.add(i), n, S::mul_add(minus_lr, d, p));
            i += n;
        }
    }
}

/// What [`sgd_step`] writes, in f64.
#[derive(Debug, Clone)]
pub struct SgdStepReference {
    pub param: Vec<f64>,
    /// Present when momentum ≠ 0.
    pub momentum_buffer: Option<Vec<f64>>,
}

/// One SGD step in f64 from the values in `args`: the oracle for [`sgd_step`].
pub fn sgd_step_reference(args: &SgdStep<'_>) -> Result<SgdStepReference, KernelError> {
    args.check()?;
    let with_momentum = args.momentum != 0.0;
    let mut r = SgdStepReference {
        param: Vec::with_capacity(args.param.len()),
        momentum_buffer: with_momentum.then(|| Vec::with_capacity(args.param.len())),
    };
    for (i, (&p, &g)) in args.param.iter().zip(args.grad).enumerate() {
        let p = p as f64;
        let mut d = g as f64 + args.weight_decay * p;
        if let (Some(out), Some(buf)) = (&mut r.momentum_buffer, &args.momentum_buffer) {
            let b = if args.first_step { d } else { args.momentum * buf[i] as f64 + (1.0 - args.dampening) * d };
            out.push(b);
            d = if args.nesterov { d + args.momentum * b } else { b };
        }
        r.param.push(p - args.lr * d);
    }
    Ok(r)
}

/// Arguments of [`adam_step`]: `step` counts from 1 (the step being taken).
pub struct AdamStep<'a> {
    pub param: &'a mut [f32],
    pub grad: &'a [f32],
    pub exp_avg: &'a mut [f32],
    pub exp_avg_sq: &'a mut [f32],
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub step: f64,
}

impl AdamStep<'_> {
    pub(crate) fn check(&self) -> Result<(), KernelError> {
        const K: &str = "adamStep";
        let len = self.param.len();
        check::same_len(K, "grad", self.grad.len(), "param", len)?;
        check::same_len(K, "expAvg", self.exp_avg.len(), "param", len)?;
        check::same_len(K, "expAvgSq", self.exp_avg_sq.len(), "param", len)?;
        adam_bias_corrections(self.lr, self.beta1, self.beta2, self.step).map(|_| ())
    }

    fn bias_corrections(&self) -> (f64, f64) {
        adam_bias_corrections(self.lr, self.beta1, self.beta2, self.step).expect("checked by check()")
    }
}

/// Adam's step size lr / (1 − beta1^step) and 1/√(1 − beta2^step), in f64 as PyTorch computes
/// them (other devices' Adam kernels take the same two scalars); an error unless step is an
/// integer ≥ 1.
pub fn adam_bias_corrections(lr: f64, beta1: f64, beta2: f64, step: f64) -> Result<(f64, f64), KernelError> {
    // Step 0 would divide by the bias correction 1 − beta^0 = 0.
    if !(step >= 1.0 && step.fract() == 0.0) {
        return Err(KernelError::new(format!("adamStep: step should be an integer >= 1 (steps count from 1) but is {step}")));
    }
    Ok((lr / (1.0 - beta1.powf(step)), 1.0 / (1.0 - beta2.powf(step)).sqrt()))
}

/// One Adam step on up to `threads` threads (0 = all of the shared pool).
///
/// ```
/// use dlp_kernels::{adam_step, AdamStep};
/// let (mut param, mut m, mut v) = ([1.0], [0.0], [0.0]);
/// adam_step(AdamStep {
///     param: &mut param, grad: &[0.5], exp_avg: &mut m, exp_avg_sq: &mut v,
///     lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0.0, weight_decay: 0.0, step: 1.0,
/// }, 1).unwrap();
/// assert!((param[0] - 0.9).abs() < 1e-6); // the first step moves by lr·sign(grad)
/// ```
pub fn adam_step(args: AdamStep<'_>, threads: usize) -> Result<(), KernelError> {
    args.check()?;
    let (step_size, inv_bias2_sqrt) = args.bias_corrections();
    let len = args.param.len();
    let grad = args.grad;
    let (param, m, v) =
        (SharedMut(args.param.as_mut_ptr()), SharedMut(args.exp_avg.as_mut_ptr()), SharedMut(args.exp_avg_sq.as_mut_ptr()));
    for_each_range(len, threads, MIN_PART, |at| {
        // SAFETY: lengths were checked; each part reads and writes only its own range.
        unsafe {
            dispatch(Adam {
                param: param.ptr().add(at.start),
                grad: grad.as_ptr().add(at.start),
                exp_avg: m.ptr().add(at.start),
                exp_avg_sq: v.ptr().add(at.start),
                len: at.len(),
                // 1 − beta in f64, as PyTorch's Python floats: 1 − 0.999f32 is off by 5e-5.
                beta1: args.beta1 as f32,
                one_minus_beta1: (1.0 - args.beta1) as f32,
                beta2: args.beta2 as f32,
                one_minus_beta2: (1.0 - args.beta2) as f32,
                eps: args.eps as f32,
                weight_decay: args.weight_decay as f32,
                step_size: step_size as f32,
                inv_bias2_sqrt: inv_bias2_sqrt as f32,
            })
        }
    });
    Ok(())
}

struct Adam {
    param: *mut f32,
    grad: *const f32,
    exp_avg: *mut f32,
    exp_avg_sq: *mut f32,
    len: usize,
    beta1: f32,
    one_minus_beta1: f32,
    beta2: f32,
    one_minus_beta2: f32,
    eps: f32,
    weight_decay: f32,
    step_size: f32,
    inv_bias2_sqrt: f32,
}

impl SimdKernel for Adam {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (beta1, one_minus_beta1) = (S::splat(self.beta1), S::splat(self.one_minus_beta1));
        let (beta2, one_minus_beta2) = (S::splat(self.beta2), S::splat(self.one_minus_beta2));
        let (eps, weight_decay) = (S::splat(self.eps), S::splat(self.weight_decay));
        let (minus_step_size, inv_bias2_sqrt) = (S::splat(-self.step_size), S::splat(self.inv_bias2_sqrt));
        let mut i = 0;
        while i < self.len {
            let n = (self.len - i).min(S::LANES);
            let p = load::<S>(self.param.add(i), n);
            let mut g = load::<S>(self.grad.add(i), n);
            if self.weight_decay != 0.0 {
                g = S::mul_add(weight_decay, p, g);
            }
            let m = S::mul_add(beta1, load::<S>(self.exp_avg.add(i), n), S::mul(one_minus_beta1, g));
            let v = S::mul_add(beta2, load::<S>(self.exp_avg_sq.add(i), n), S::mul(one_minus_beta2, S::mul(g, g)));
            let denom = S::mul_add(S::sqrt(v), inv_bias2_sqrt, eps);
            store::<S>(self.exp_avg.add(i), n, m);
            store::<S>(self.exp_avg_sq.add(i), n, v);
            store::<S>(self.param.add(i), n, S::mul_add(minus_step_size, S::div(m, denom), p));
            i += n;
        }
    }
}

/// What [`adam_step`] writes, in f64.
#[derive(Debug, Clone)]
pub struct AdamStepReference {
    pub param: Vec<f64>,
    pub exp_avg: Vec<f64>,
    pub exp_avg_sq: Vec<f64>,
}

/// One Adam step in f64 from the values in `args`, operation for operation as torch 1.13's
/// `_single_tensor_adam`: the oracle for [`adam_step`].
pub fn adam_step_reference(args: &AdamStep<'_>) -> Result<AdamStepReference, KernelError> {
    args.check()?;
    let step_size = args.lr / (1.0 - args.beta1.powf(args.step));
    let bias2_sqrt = (1.0 - args.beta2.powf(args.step)).sqrt();
    let len = args.param.len();
    let mut r = AdamStepReference { param: vec![0.0; len], exp_avg: vec![0.0; len], exp_avg_sq: vec![0.0; len] };
    for i in 0..len {
        let p = args.param[i] as f64;
        let g = args.grad[i] as f64 + args.weight_decay * p;
        let m = args.beta1 * args.exp_avg[i] as f64 + (1.0 - args.beta1) * g;
        let v = args.beta2 * args.exp_avg_sq[i] as f64 + (1.0 - args.beta2) * g * g;
        (r.exp_avg[i], r.exp_avg_sq[i]) = (m, v);
        r.param[i] = p - step_size * m / (v.sqrt() / bias2_sqrt + args.eps);
    }
    Ok(r)
}
