//! The f64 oracles of `batch_norm.rs`: the formulas written out channel by channel, two passes
//! for the variance, every value in f64. The tests compare the kernels with these.

use crate::error::KernelError;
use crate::norm::batch_norm::{BatchNormBackward, BatchNormInference, BatchNormTrain};
use crate::norm::per_channel::BatchNormShape;

/// What [`batch_norm_train`](crate::batch_norm_train) writes, in f64 (running statistics only
/// when given).
#[derive(Debug, Clone)]
pub struct BatchNormTrainReference {
    pub out: Vec<f64>,
    pub mean: Vec<f64>,
    pub inv_std: Vec<f64>,
    pub running_mean: Option<Vec<f64>>,
    pub running_var: Option<Vec<f64>>,
}

/// Every element index of channel `c`.
fn channel(shape: BatchNormShape, c: usize) -> impl Iterator<Item = usize> + Clone {
    (0..shape.outer).flat_map(move |o| (0..shape.inner).map(move |i| shape.index(o, c, i)))
}

/// Training-mode BatchNorm in f64, reading the inputs (and the running statistics) of `args`.
pub fn batch_norm_train_reference(args: &BatchNormTrain<'_>) -> Result<BatchNormTrainReference, KernelError> {
    args.check()?;
    let shape = args.shape;
    let n = shape.per_channel() as f64;
    let mut r = BatchNormTrainReference {
        out: vec![0.0; args.x.len()],
        mean: vec![0.0; shape.channels],
        inv_std: vec![0.0; shape.channels],
        running_mean: args.running_mean.as_ref().map(|r| r.iter().map(|&v| v as f64).collect()),
        running_var: args.running_var.as_ref().map(|r| r.iter().map(|&v| v as f64).collect()),
    };
    for c in 0..shape.channels {
        let mean = if n > 0.0 { channel(shape, c).map(|j| args.x[j] as f64).sum::<f64>() / n } else { 0.0 };
        let squares: f64 = channel(shape, c).map(|j| (args.x[j] as f64 - mean).powi(2)).sum();
        let var = if n > 0.0 { squares / n } else { 0.0 };
        let inv_std = 1.0 / (var + args.eps).sqrt();
        let (g, b) = affine(args.gamma, args.beta, c);
        for j in channel(shape, c) {
            r.out[j] = g * (args.x[j] as f64 - mean) * inv_std + b;
        }
        (r.mean[c], r.inv_std[c]) = (mean, inv_std);
        let m = args.momentum;
        if let Some(rm) = &mut r.running_mean {
            rm[c] = (1.0 - m) * rm[c] + m * mean;
        }
        if let Some(rv) = &mut r.running_var {
            rv[c] = (1.0 - m) * rv[c] + m * squares / (n - 1.0);
        }
    }
    Ok(r)
}

/// Eval-mode BatchNorm in f64.
pub fn batch_norm_inference_reference(args: &BatchNormInference<'_>) -> Result<Vec<f64>, KernelError> {
    args.check()?;
    let shape = args.shape;
    let mut out = vec![0.0; args.x.len()];
    for c in 0..shape.channels {
        let inv_std = 1.0 / (args.running_var[c] as f64 + args.eps).sqrt();
        let (g, b) = affine(args.gamma, args.beta, c);
        for j in channel(shape, c) {
            out[j] = g * (args.x[j] as f64 - args.running_mean[c] as f64) * inv_std + b;
        }
    }
    Ok(out)
}

/// All three BatchNorm gradients in f64, whichever outputs `args` asks for.
#[derive(Debug, Clone)]
pub struct BatchNormBackwardReference {
    pub dx: Vec<f64>,
    pub dgamma: Vec<f64>,
    pub dbeta: Vec<f64>,
}

/// BatchNorm backward in f64, from `args`' saved mean and invStd.
pub fn batch_norm_backward_reference(args: &BatchNormBackward<'_>) -> Result<BatchNormBackwardReference, KernelError> {
    args.check()?;
    let shape = args.shape;
    let n = shape.per_channel() as f64;
    let mut r = BatchNormBackwardReference {
        dx: vec![0.0; args.x.len()],
        dgamma: vec![0.0; shape.channels],
        dbeta: vec![0.0; shape.channels],
    };
    for c in 0..shape.channels {
        let (mean, inv_std) = (args.mean[c] as f64, args.inv_std[c] as f64);
        let xhat = |j: usize| (args.x[j] as f64 - mean) * inv_std;
        let sum_dout: f64 = channel(shape, c).map(|j| args.dout[j] as f64).sum();
        let sum_dout_xhat: f64 = channel(shape, c).map(|j| args.dout[j] as f64 * xhat(j)).sum();
        (r.dgamma[c], r.dbeta[c]) = (sum_dout_xhat, sum_dout);
        let g = args.gamma.map_or(1.0, |g| g[c] as f64);
        for j in channel(shape, c) {
            r.dx[j] = g * inv_std / n * (n * args.dout[j] as f64 - sum_dout - xhat(j) * sum_dout_xhat);
        }
    }
    Ok(r)
}

/// gamma_c and beta_c, 1 and 0 when absent.
fn affine(gamma: Option<&[f32]>, beta: Option<&[f32]>, c: usize) -> (f64, f64) {
    (gamma.map_or(1.0, |g| g[c] as f64), beta.map_or(0.0, |b| b[c] as f64))
}
