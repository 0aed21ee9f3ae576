//! Negative log-likelihood of row log-probabilities (a log-softmax output) against integer
//! labels, mean over rows, and its gradient:
//!
//! - `nll_loss`: −(1/rows)·Σ_r logp[r][labels[r]], summed in f64 and returned as f64 (a JS number).
//! - `nll_loss_backward`: dlogp = 0 except dlogp[r][labels[r]] = −scale/rows, where scale is the
//!   loss's incoming gradient.
//!
//! One element per row: plain loops. Labels are checked before anything is written.

use crate::check;
use crate::error::KernelError;

/// The mean negative log-likelihood.
///
/// ```
/// let logp = [0.5f32.ln(), 0.5f32.ln(), 0.25f32.ln(), 0.75f32.ln()];
/// let loss = dlp_kernels::nll_loss(&logp, &[0, 1], 2, 2).unwrap();
/// assert!((loss - -(0.5f64.ln() + 0.75f64.ln()) / 2.0).abs() < 1e-7);
/// ```
pub fn nll_loss(logp: &[f32], labels: &[i32], rows: usize, cols: usize) -> Result<f64, KernelError> {
    check::matrix("nllLoss", "logp", rows, cols, logp.len())?;
    check::labels("nllLoss", labels, rows, cols)?;
    Ok(nll_loss_reference(logp, labels, cols))
}

/// The loss from checked arguments; already in f64, it is also `nll_loss`'s oracle.
pub fn nll_loss_reference(logp: &[f32], labels: &[i32], cols: usize) -> f64 {
    let total: f64 = labels.iter().enumerate().map(|(r, &l)| logp[r * cols + l as usize] as f64).sum();
    -total / labels.len() as f64
}

/// dlogp = −scale/rows at each row's label, 0 elsewhere.
///
/// ```
/// let mut dlogp = [7.0; 4];
/// dlp_kernels::nll_loss_backward(&[1, 0], 2, 2, 1.0, &mut dlogp).unwrap();
/// assert_eq!(dlogp, [0.0, -0.5, -0.5, 0.0]);
/// ```
pub fn nll_loss_backward(
    labels: &[i32],
    rows: usize,
    cols: usize,
    scale: f32,
    dlogp: &mut [f32],
) -> Result<(), KernelError> {
    check::matrix("nllLossBackward", "dlogp", rows, cols, dlogp.len())?;
    check::labels("nllLossBackward", labels, rows, cols)?;
    let value = (-(scale as f64) / rows as f64) as f32;
    dlogp.fill(0.0);
    for (r, &l) in labels.iter().enumerate() {
        dlogp[r * cols + l as usize] = value;
    }
    Ok(())
}

/// The gradient in f64: the oracle for `nll_loss_backward`.
pub fn nll_loss_backward_reference(labels: &[i32], rows: usize, cols: usize, scale: f32) -> Vec<f64> {
    let mut dlogp = vec![0.0; rows * cols];
    for (r, &l) in labels.iter().enumerate() {
        dlogp[r * cols + l as usize] = -(scale as f64) / rows as f64;
    }
    dlogp
}
