//! A classifier's outputs and losses: the cross-entropy losses (this file), `softmax`,
//! `log_softmax` and the negative log-likelihood (`nll`).
//!
//! Classification losses over a row-major rows×cols matrix (one row per sample), mean over rows:
//!
//! - `cross_entropy`: loss = −(1/rows)·Σ t·ln p over probabilities p and (one-hot or soft)
//!   targets t, terms with t = 0 skipped (so p = 0 there costs nothing).
//! - `cross_entropy_backward`: dprobs = −t / (p·rows), and 0 where t = 0.
//! - `softmax_cross_entropy`: the two fused on logits with integer labels: per row
//!   loss_r = ln Σ_c exp(x_c − m) + m − x_label (m = row max, so nothing overflows), and
//!   dlogits = (softmax − onehot)/rows, the gradient that never forms 1/p.
//!
//! Losses are accumulated in f64 and returned as f64 (a JS number). Caveat: the fused loss
//! takes ln of an f32 sum, so each row carries ~1e-7 absolute error; the relative error of a
//! loss below ~1e-3 (a nearly perfect classifier) is larger than that of the gradient.

pub mod log_softmax;
pub mod nll;
pub mod softmax;

use crate::check;
use crate::error::KernelError;
use crate::simd::stream::map2;
use crate::simd::{dispatch, Simd, SimdKernel};
use softmax::{exp_shifted, row_max, scale};

/// −(1/rows)·Σ t·ln p, skipping t = 0.
///
/// ```
/// let probs = [0.5, 0.5, 0.9, 0.1];
/// let targets = [1.0, 0.0, 0.0, 1.0];
/// let loss = dlp_kernels::cross_entropy(&probs, &targets, 2, 2).unwrap();
/// assert!((loss - (-(0.5f64.ln() + (0.1f32 as f64).ln()) / 2.0)).abs() < 1e-12);
/// ```
pub fn cross_entropy(probs: &[f32], targets: &[f32], rows: usize, cols: usize) -> Result<f64, KernelError> {
    check_cross_entropy(rows, cols, probs.len(), targets.len())?;
    // Plain loop, no SIMD: ln is taken only where t ≠ 0, one element per row for one-hot targets.
    let total: f64 =
        probs.iter().zip(targets).filter(|(_, &t)| t != 0.0).map(|(&p, &t)| t as f64 * (p as f64).ln()).sum();
    Ok(-total / rows as f64)
}

/// `cross_entropy`'s checks, for every device that runs it: probs and targets each hold rows×cols.
pub fn check_cross_entropy(rows: usize, cols: usize, probs_len: usize, targets_len: usize) -> Result<(), KernelError> {
    check::matrix("crossEntropy", "probs", rows, cols, probs_len)?;
    check::matrix("crossEntropy", "targets", rows, cols, targets_len)
}

/// `cross_entropy_backward`'s checks, for every device that runs it: probs, targets and dprobs
/// each hold rows×cols.
pub fn check_cross_entropy_backward(rows: usize, cols: usize, [probs, targets, dprobs]: [usize; 3]) -> Result<(), KernelError> {
    check::matrix("crossEntropyBackward", "probs", rows, cols, probs)?;
    check::matrix("crossEntropyBackward", "targets", rows, cols, targets)?;
    check::matrix("crossEntropyBackward", "dprobs", rows, cols, dprobs)
}

/// dprobs = −t / (p·rows), 0 where t = 0 (the skipped terms have no gradient).
pub fn cross_entropy_backward(
    probs: &[f32],
    targets: &[f32],
    dprobs: &mut [f32],
    rows: usize,
    cols: usize,
) -> Result<(), KernelError> {
    check_cross_entropy_backward(rows, cols, [probs.len(), targets.len(), dprobs.len()])?;
    dispatch(CrossEntropyBackward {
        probs: probs.as_ptr(),
        targets: targets.as_ptr(),
        dprobs: dprobs.as_mut_ptr(),
        len: probs.len(),
        rows,
    });
    Ok(())
}

/// Cross-entropy's gradient in f64: the oracle for `cross_entropy_backward`.
pub fn cross_entropy_backward_reference(
    probs: &[f32],
    targets: &[f32],
    rows: usize,
    cols: usize,
) -> Result<Vec<f64>, KernelError> {
    check::matrix("crossEntropyBackward", "probs", rows, cols, probs.len())?;
    check::matrix("crossEntropyBackward", "targets", rows, cols, targets.len())?;
    Ok(probs
        .iter()
        .zip(targets)
        .map(|(&p, &t)| if t == 0.0 { 0.0 } else { -(t as f64) / (p as f64 * rows as f64) })
        .collect())
}

struct CrossEntropyBackward {
    probs: *const f32,
    targets: *const f32,
    dprobs: *mut f32,
    len: usize,
    rows: usize,
}

impl SimdKernel for CrossEntropyBackward {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (zero, minus_inv_rows) = (S::splat(0.0), S::splat(-1.0 / self.rows as f32));
        map2::<S>(
            self.probs,
            self.targets,
            self.dprobs,
            self.len,
            #[inline(always)]
            |p, t| S::select(S::eq(t, zero), zero, S::div(S::mul(t, minus_inv_rows), p)),
        );
    }
}

/// Fused softmax + cross-entropy on logits and integer labels (0..cols): returns the mean loss
/// and, when given, writes dlogits = (softmax − onehot)/rows and probs = softmax. Labels are
/// all checked before anything is written.
///
/// ```
/// let logits = [0.0, 0.0]; // one row, two classes: p = [0.5, 0.5]
/// let mut dlogits = [0.0; 2];
/// let loss = dlp_kernels::softmax_cross_entropy(&logits, &[1], 1, 2, Some(&mut dlogits), None).unwrap();
/// assert!((loss - 2f64.ln()).abs() < 1e-7);
/// assert_eq!(dlogits, [0.5, -0.5]);
/// ```
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    cols: usize,
    dlogits: Option<&mut [f32]>,
    probs: Option<&mut [f32]>,
) -> Result<f64, KernelError> {
    const K: &str = "softmaxCrossEntropy";
    check::matrix(K, "logits", rows, cols, logits.len())?;
    check::labels(K, labels, rows, cols)?;
    if let Some(d) = &dlogits {
        check::matrix(K, "dlogits", rows, cols, d.len())?;
    }
    if let Some(p) = &probs {
        check::matrix(K, "probs", rows, cols, p.len())?;
    }
    Ok(dispatch(SoftmaxCrossEntropy {
        logits: logits.as_ptr(),
        labels,
        rows,
        cols,
        dlogits: dlogits.map(|d| d.as_mut_ptr()),
        probs: probs.map(|p| p.as_mut_ptr()),
    }))
}

/// What the fused kernel computes, in f64: the oracle for `softmax_cross_entropy`.
#[derive(Clone, Debug)]
pub struct SoftmaxCrossEntropyReference {
    pub loss: f64,
    pub probs: Vec<f64>,
    pub dlogits: Vec<f64>,
}

/// Softmax, then −mean ln p_label, then (p − onehot)/rows, each in f64.
pub fn softmax_cross_entropy_reference(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    cols: usize,
) -> Result<SoftmaxCrossEntropyReference, KernelError> {
    check::matrix("softmaxCrossEntropy", "logits", rows, cols, logits.len())?;
    check::labels("softmaxCrossEntropy", labels, rows, cols)?;
    let probs = softmax::softmax_reference(logits, rows, cols)?;
    let mut dlogits: Vec<f64> = probs.iter().map(|p| p / rows as f64).collect();
    let mut total = 0.0;
    for (r, &label) in labels.iter().enumerate() {
        let at = r * cols + label as usize;
        total -= probs[at].ln();
        dlogits[at] = (probs[at] - 1.0) / rows as f64;
    }
    Ok(SoftmaxCrossEntropyReference { loss: total / rows as f64, probs, dlogits })
}

struct SoftmaxCrossEntropy<'a> {
    logits: *const f32,
    labels: &'a [i32],
    rows: usize,
    cols: usize,
    dlogits: Option<*mut f32>,
    probs: Option<*mut f32>,
}

impl SimdKernel for SoftmaxCrossEntropy<'_> {
    type Output = f64;
    #[inline(always)]
    unsafe fn run<S: Simd>(self) -> f64 {
        let cols = self.cols;
        let inv_rows = 1.0 / self.rows as f32;
        let mut total = 0.0f64;
        for (r, &label) in self.labels.iter().enumerate() {
            let at = r * cols;
            let label = label as usize;
            let x = self.logits.add(at);
            let probs = self.probs.map(|p| p.add(at));
            let dlogits = self.dlogits.map(|d| d.add(at));
            let max = row_max::<S>(x, cols);
            // exp(x − max) lands in probs, else in dlogits, else nowhere (loss only).
            let sum = exp_shifted::<S>(x, probs.or(dlogits), cols, max);
            total += (sum as f64).ln() + max as f64 - *x.add(label) as f64;
            let inv_sum = 1.0 / sum;
            match (probs, dlogits) {
                (Some(p), dlogits) => {
                    let e_label = *p.add(label);
                    scale::<S>(p, p, cols, inv_sum);
                    if let Some(d) = dlogits {
                        scale::<S>(p, d, cols, inv_rows);
                        *d.add(label) = (e_label * inv_sum - 1.0) * inv_rows;
                    }
                }
                (None, Some(d)) => {
                    let e_label = *d.add(label);
                    scale::<S>(d, d, cols, inv_sum * inv_rows);
                    *d.add(label) = (e_label * inv_sum - 1.0) * inv_rows;
                }
                (None, None) => {}
            }
        }
        total / self.rows as f64
    }
}
