//! BatchNorm over an input viewed as [outer, channels, inner] (BatchNorm1d: [N, C, 1];
//! BatchNorm2d: [N, C, H·W]), each channel normalised over its n = outer·inner values:
//!
//! - `batch_norm_train`: out = gamma·(x − mean_c)·invStd_c + beta, invStd_c = 1/√(var_c + eps)
//!   with the biased variance; saves mean and invStd, and updates running statistics as PyTorch
//!   does, r ← (1 − momentum)·r + momentum·stat, with the unbiased variance var·n/(n − 1).
//! - `batch_norm_inference`: the same normalisation with the running statistics.
//! - `batch_norm_backward`: dbeta = Σ dout, dgamma = Σ dout·x̂,
//!   dx = gamma·invStd/n·(n·dout − Σ dout − x̂·Σ dout·x̂), x̂ = (x − mean)·invStd; each optional.
//!
//! Statistics are summed in f64 (exact enough for any n and any offset of the data); the
//! elementwise passes run over the SIMD layer (`per_channel::map_channels`). Channels are
//! independent, so natively they are split over the thread pool.

use std::ops::Range;

use crate::error::KernelError;
use crate::norm::per_channel::{map_channels, BatchNormShape, CenteredRunSums, CenteredSums};
use crate::simd::{dispatch, Simd, SimdKernel};
use crate::threads::{parallel_map, parts, SharedMut};

/// Elements per thread below which splitting the channels costs more than it saves.
const MIN_PART: usize = 1 << 14;

/// Arguments of [`batch_norm_train`]; gamma/beta absent mean 1 and 0, running statistics absent
/// are not updated.
pub struct BatchNormTrain<'a> {
    pub x: &'a [f32],
    pub shape: BatchNormShape,
    pub gamma: Option<&'a [f32]>,
    pub beta: Option<&'a [f32]>,
    pub eps: f64,
    pub out: &'a mut [f32],
    pub mean: &'a mut [f32],
    pub inv_std: &'a mut [f32],
    pub running_mean: Option<&'a mut [f32]>,
    pub running_var: Option<&'a mut [f32]>,
    pub momentum: f64,
}

impl BatchNormTrain<'_> {
    pub(crate) fn check(&self) -> Result<(), KernelError> {
        const K: &str = "batchNormTrain";
        let s = self.shape;
        s.check_tensor(K, "x", self.x.len())?;
        check_optional(K, "gamma", s, self.gamma.map(<[f32]>::len))?;
        check_optional(K, "beta", s, self.beta.map(<[f32]>::len))?;
        s.check_tensor(K, "out", self.out.len())?;
        s.check_channels(K, "mean", self.mean.len())?;
        s.check_channels(K, "invStd", self.inv_std.len())?;
        check_optional(K, "runningMean", s, self.running_mean.as_deref().map(<[f32]>::len))?;
        check_optional(K, "runningVar", s, self.running_var.as_deref().map(<[f32]>::len))?;
        let n = s.per_channel();
        if self.running_var.is_some() && n < 2 {
            // The unbiased variance divides by n − 1 (PyTorch refuses one value per channel too).
            return Err(KernelError::new(format!(
                "{K}: runningVar needs at least 2 values per channel (outer·inner) but there are {n}"
            )));
        }
        Ok(())
    }
}

/// Training-mode BatchNorm forward on up to `threads` threads (0 = all of the shared pool).
///
/// ```
/// use dlp_kernels::{batch_norm_train, BatchNormShape, BatchNormTrain};
/// let (mut out, mut mean, mut inv_std, mut running_var) = ([0.0; 2], [0.0], [0.0], [1.0]);
/// batch_norm_train(BatchNormTrain {
///     x: &[1.0, 3.0], shape: BatchNormShape { outer: 2, channels: 1, inner: 1 },
///     gamma: None, beta: None, eps: 0.0, out: &mut out, mean: &mut mean, inv_std: &mut inv_std,
///     running_mean: None, running_var: Some(&mut running_var), momentum: 0.5,
/// }, 1).unwrap();
/// assert_eq!((out, mean, inv_std), ([-1.0, 1.0], [2.0], [1.0]));
/// assert_eq!(running_var, [1.5]); // (1 − 0.5)·1 + 0.5·2, the unbiased variance
/// ```
pub fn batch_norm_train(args: BatchNormTrain<'_>, threads: usize) -> Result<(), KernelError> {
    args.check()?;
    let shape = args.shape;
    let part = TrainPart {
        x: args.x,
        shape,
        gamma: args.gamma,
        beta: args.beta,
        eps: args.eps,
        momentum: args.momentum,
        out: SharedMut(args.out.as_mut_ptr()),
        mean: SharedMut(args.mean.as_mut_ptr()),
        inv_std: SharedMut(args.inv_std.as_mut_ptr()),
        running_mean: args.running_mean.map(|r| SharedMut(r.as_mut_ptr())),
        running_var: args.running_var.map(|r| SharedMut(r.as_mut_ptr())),
    };
    let count = channel_parts(shape, threads);
    // SAFETY: lengths were checked; part p writes only the channels of its own range.
    parallel_map(count, |p| unsafe { part.run(shape.channel_part(p, count)) });
    Ok(())
}

struct TrainPart<'a> {
    x: &'a [f32],
    shape: BatchNormShape,
    gamma: Option<&'a [f32]>,
    beta: Option<&'a [f32]>,
    eps: f64,
    momentum: f64,
    out: SharedMut,
    mean: SharedMut,
    inv_std: SharedMut,
    running_mean: Option<SharedMut>,
    running_var: Option<SharedMut>,
}

impl TrainPart<'_> {
    unsafe fn run(&self, channels: Range<usize>) {
        let stats = channel_stats(self.x, self.shape, channels.clone());
        let n = self.shape.per_channel() as f64;
        let m = self.momentum;
        let mut scale = vec![0.0f32; channels.len()];
        let mut shift = vec![0.0f32; channels.len()];
        for (k, c) in channels.clone().enumerate() {
            let (mean, var) = stats[k];
            let inv_std = 1.0 / (var + self.eps).sqrt();
            *self.mean.ptr().add(c) = mean as f32;
            *self.inv_std.ptr().add(c) = inv_std as f32;
            scale[k] = (self.gamma.map_or(1.0, |g| g[c] as f64) * inv_std) as f32;
            shift[k] = self.beta.map_or(0.0, |b| b[c]);
            if let Some(r) = self.running_mean {
                let r = r.ptr().add(c);
                *r = ((1.0 - m) * *r as f64 + m * mean) as f32;
            }
            if let Some(r) = self.running_var {
                let r = r.ptr().add(c);
                *r = ((1.0 - m) * *r as f64 + m * var * n / (n - 1.0)) as f32;
            }
        }
        // (x − mean)·scale + beta with the mean as saved: the backward sees the same x̂.
        let mean = self.mean.ptr().add(channels.start) as *const f32;
        dispatch(Normalize {
            shape: self.shape,
            channels,
            x: self.x.as_ptr(),
            coefs: [mean, scale.as_ptr(), shift.as_ptr()],
            out: self.out.ptr(),
        });
    }
}

/// Mean and biased variance of each channel in `channels`, in f64. Sums of x − x₀ and
/// (x − x₀)² with x₀ the channel's first value: one pass, and the shift keeps the variance
/// from cancelling when the mean is large against the spread.
fn channel_stats(x: &[f32], shape: BatchNormShape, channels: Range<usize>) -> Vec<(f64, f64)> {
    let n = shape.per_channel();
    if n == 0 {
        return vec![(0.0, 0.0); channels.len()];
    }
    // One pass of SIMD sums of x − x₀ and (x − x₀)²: across channels for BatchNorm1d (the
    // values of one channel are a column), along each contiguous run for BatchNorm2d.
    let shifts: Vec<f32> = channels.clone().map(|c| x[shape.index(0, c, 0)]).collect();
    let (a, ka) = (x.as_ptr(), shifts.as_ptr());
    let sums = if shape.inner == 1 {
        dispatch(CenteredSums { shape, channels, a, ka, b: a, kb: ka })
    } else {
        dispatch(CenteredRunSums(CenteredSums { shape, channels, a, ka, b: a, kb: ka }))
    };
    let n = n as f64;
    sums.iter()
        .zip(&shifts)
        .map(|(&(s1, s2), &shift)| (shift as f64 + s1 / n, ((s2 - s1 * s1 / n) / n).max(0.0)))
        .collect()
}

/// out = (x − m_c)·s_c + b_c: the normalisation of train and inference mode.
struct Normalize {
    shape: BatchNormShape,
    channels: Range<usize>,
    x: *const f32,
    /// Per channel of `channels`: m, s, b.
    coefs: [*const f32; 3],
    out: *mut f32,
}

impl SimdKernel for Normalize {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        map_channels::<S, 1, 3>(
            self.shape,
            self.channels,
            [self.x],
            self.coefs,
            self.out,
            #[inline(always)]
            |[x], [m, s, b]| S::mul_add(S::sub(x, m), s, b),
        );
    }
}

/// Arguments of [`batch_norm_inference`]; gamma/beta absent mean 1 and 0.
pub struct BatchNormInference<'a> {
    pub x: &'a [f32],
    pub shape: BatchNormShape,
    pub running_mean: &'a [f32],
    pub running_var: &'a [f32],
    pub gamma: Option<&'a [f32]>,
    pub beta: Option<&'a [f32]>,
    pub eps: f64,
    pub out: &'a mut [f32],
}

impl BatchNormInference<'_> {
    pub(crate) fn check(&self) -> Result<(), KernelError> {
        const K: &str = "batchNormInference";
        let s = self.shape;
        s.check_tensor(K, "x", self.x.len())?;
        s.check_channels(K, "runningMean", self.running_mean.len())?;
        s.check_channels(K, "runningVar", self.running_var.len())?;
        check_optional(K, "gamma", s, self.gamma.map(<[f32]>::len))?;
        check_optional(K, "beta", s, self.beta.map(<[f32]>::len))?;
        s.check_tensor(K, "out", self.out.len())
    }
}

/// Eval-mode BatchNorm: out = gamma·(x − runningMean)/√(runningVar + eps) + beta.
pub fn batch_norm_inference(args: BatchNormInference<'_>, threads: usize) -> Result<(), KernelError> {
    args.check()?;
    let shape = args.shape;
    let scale: Vec<f32> = (0..shape.channels)
        .map(|c| (args.gamma.map_or(1.0, |g| g[c] as f64) / (args.running_var[c] as f64 + args.eps).sqrt()) as f32)
        .collect();
    let shift: Vec<f32> = args.beta.map_or_else(|| vec![0.0; shape.channels], <[f32]>::to_vec);
    let (x, mean, out) = (args.x, args.running_mean, SharedMut(args.out.as_mut_ptr()));
    let count = channel_parts(shape, threads);
    parallel_map(count, |p| {
        let channels = shape.channel_part(p, count);
        let c0 = channels.start;
        // SAFETY: lengths were checked; part p writes only the channels of its own range.
        dispatch(Normalize {
            shape,
            channels,
            x: x.as_ptr(),
            coefs: unsafe { [mean.as_ptr().add(c0), scale.as_ptr().add(c0), shift.as_ptr().add(c0)] },
            out: out.ptr(),
        })
    });
    Ok(())
}

/// Arguments of [`batch_norm_backward`], from the forward's saved mean and invStd; each output
/// is computed only when given (dgamma/dbeta are overwritten).
pub struct BatchNormBackward<'a> {
    pub x: &'a [f32],
    pub dout: &'a [f32],
    pub shape: BatchNormShape,
    pub mean: &'a [f32],
    pub inv_std: &'a [f32],
    pub gamma: Option<&'a [f32]>,
    pub dx: Option<&'a mut [f32]>,
    pub dgamma: Option<&'a mut [f32]>,
    pub dbeta: Option<&'a mut [f32]>,
}

impl BatchNormBackward<'_> {
    pub(crate) fn check(&self) -> Result<(), KernelError> {
        const K: &str = "batchNormBackward";
        let s = self.shape;
        s.check_tensor(K, "x", self.x.len())?;
        s.check_tensor(K, "dout", self.dout.len())?;
        s.check_channels(K, "mean", self.mean.len())?;
        s.check_channels(K, "invStd", self.inv_std.len())?;
        check_optional(K, "gamma", s, self.gamma.map(<[f32]>::len))?;
        if let Some(dx) = &self.dx {
            s.check_tensor(K, "dx", dx.len())?;
        }
        check_optional(K, "dgamma", s, self.dgamma.as_deref().map(<[f32]>::len))?;
        check_optional(K, "dbeta", s, self.dbeta.as_deref().map(<[f32]>::len))
    }
}

/// BatchNorm backward: the gradients wrt x, gamma and beta that were asked for.
pub fn batch_norm_backward(args: BatchNormBackward<'_>, threads: usize) -> Result<(), KernelError> {
    args.check()?;
    let shape = args.shape;
    let part = BackwardPart {
        x: args.x,
        dout: args.dout,
        shape,
        mean: args.mean,
        inv_std: args.inv_std,
        gamma: args.gamma,
        dx: args.dx.map(|d| SharedMut(d.as_mut_ptr())),
        dgamma: args.dgamma.map(|d| SharedMut(d.as_mut_ptr())),
        dbeta: args.dbeta.map(|d| SharedMut(d.as_mut_ptr())),
    };
    let count = channel_parts(shape, threads);
    // SAFETY: lengths were checked; part p writes only the channels of its own range.
    parallel_map(count, |p| unsafe { part.run(shape.channel_part(p, count)) });
    Ok(())
}

struct BackwardPart<'a> {
    x: &'a [f32],
    dout: &'a [f32],
    shape: BatchNormShape,
    mean: &'a [f32],
    inv_std: &'a [f32],
    gamma: Option<&'a [f32]>,
    dx: Option<SharedMut>,
    dgamma: Option<SharedMut>,
    dbeta: Option<SharedMut>,
}

impl BackwardPart<'_> {
    unsafe fn run(&self, channels: Range<usize>) {
        // Σ dout and Σ dout·(x − mean) per channel, accumulated in f64.
        let first = channels.start;
        let zeros = vec![0.0f32; channels.len()];
        let (a, ka, b, kb) = (self.dout.as_ptr(), zeros.as_ptr(), self.x.as_ptr(), self.mean.as_ptr().add(first));
        let sums = if self.shape.inner == 1 {
            dispatch(CenteredSums { shape: self.shape, channels: channels.clone(), a, ka, b, kb })
        } else {
            dispatch(CenteredRunSums(CenteredSums { shape: self.shape, channels: channels.clone(), a, ka, b, kb }))
        };
        let n = self.shape.per_channel().max(1) as f64;
        // dx = A·dout + K·(x − mean) + B per channel (the formula above, expanded).
        let (mut a, mut kx, mut b) = (vec![0.0f32; sums.len()], vec![0.0f32; sums.len()], vec![0.0f32; sums.len()]);
        for (k, &(sum_dout, sum_dout_centered)) in sums.iter().enumerate() {
            let c = first + k;
            let inv_std = self.inv_std[c] as f64;
            let sum_dout_xhat = sum_dout_centered * inv_std;
            if let Some(dgamma) = self.dgamma {
                *dgamma.ptr().add(c) = sum_dout_xhat as f32;
            }
            if let Some(dbeta) = self.dbeta {
                *dbeta.ptr().add(c) = sum_dout as f32;
            }
            let scale = self.gamma.map_or(1.0, |g| g[c] as f64) * inv_std;
            a[k] = scale as f32;
            kx[k] = (-scale * inv_std * sum_dout_xhat / n) as f32;
            b[k] = (-scale * sum_dout / n) as f32;
        }
        if let Some(dx) = self.dx {
            dispatch(BackwardDx {
                shape: self.shape,
                channels,
                x: self.x.as_ptr(),
                dout: self.dout.as_ptr(),
                coefs: [self.mean.as_ptr().add(first), a.as_ptr(), kx.as_ptr(), b.as_ptr()],
                dx: dx.ptr(),
            });
        }
    }
}

/// dx = A_c·dout + K_c·(x − m_c) + B_c.
struct BackwardDx {
    shape: BatchNormShape,
    channels: Range<usize>,
    x: *const f32,
    dout: *const f32,
    /// Per channel of `channels`: m, A, K, B.
    coefs: [*const f32; 4],
    dx: *mut f32,
}

impl SimdKernel for BackwardDx {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        map_channels::<S, 2, 4>(
            self.shape,
            self.channels,
            [self.x, self.dout],
            self.coefs,
            self.dx,
            #[inline(always)]
            |[x, dout], [m, a, k, b]| S::mul_add(a, dout, S::mul_add(k, S::sub(x, m), b)),
        );
    }
}

/// Parts to split the channels into: one per thread, none with fewer than MIN_PART elements.
fn channel_parts(shape: BatchNormShape, threads: usize) -> usize {
    let total = shape.per_channel() * shape.channels;
    parts(total, threads, MIN_PART).min(shape.channels).max(1)
}

fn check_optional(kernel: &str, name: &str, shape: BatchNormShape, len: Option<usize>) -> Result<(), KernelError> {
    len.map_or(Ok(()), |len| shape.check_channels(kernel, name, len))
}
