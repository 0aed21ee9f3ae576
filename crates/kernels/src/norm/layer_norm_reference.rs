//! The f64 oracles of `layer_norm.rs`: the formulas written out row by row, two passes for the
//! variance, every value in f64. The tests compare the kernels with these.

use crate::error::KernelError;
use crate::norm::layer_norm::{LayerNorm, LayerNormBackward};

/// What [`layer_norm`](crate::layer_norm) writes, in f64.
#[derive(Debug, Clone)]
pub struct LayerNormReference {
    pub out: Vec<f64>,
    pub mean: Vec<f64>,
    pub inv_std: Vec<f64>,
}

/// LayerNorm forward in f64, reading the inputs of `args`.
pub fn layer_norm_reference(args: &LayerNorm<'_>) -> Result<LayerNormReference, KernelError> {
    args.check()?;
    let cols = args.cols;
    let mut r = LayerNormReference { out: Vec::with_capacity(args.x.len()), mean: vec![], inv_std: vec![] };
    for row in args.x.chunks(cols.max(1)).take(args.rows) {
        let n = cols.max(1) as f64;
        let mean = row.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = row.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        let inv_std = 1.0 / (var + args.eps).sqrt();
        r.out.extend(row.iter().enumerate().map(|(j, &v)| {
            args.gamma.map_or(1.0, |g| g[j] as f64) * (v as f64 - mean) * inv_std + args.beta.map_or(0.0, |b| b[j] as f64)
        }));
        r.mean.push(mean);
        r.inv_std.push(inv_std);
    }
    Ok(r)
}

/// All three LayerNorm gradients in f64, whichever outputs `args` asks for.
#[derive(Debug, Clone)]
pub struct LayerNormBackwardReference {
    pub dx: Vec<f64>,
    pub dgamma: Vec<f64>,
    pub dbeta: Vec<f64>,
}

/// LayerNorm backward in f64, from `args`' saved mean and invStd.
pub fn layer_norm_backward_reference(args: &LayerNormBackward<'_>) -> Result<LayerNormBackwardReference, KernelError> {
    args.check()?;
    let cols = args.cols;
    let n = cols as f64;
    let mut r = LayerNormBackwardReference { dx: vec![0.0; args.x.len()], dgamma: vec![0.0; cols], dbeta: vec![0.0; cols] };
    for row in 0..args.rows {
        let (mean, inv_std) = (args.mean[row] as f64, args.inv_std[row] as f64);
        let at = |j: usize| row * cols + j;
        let xhat = |j: usize| (args.x[at(j)] as f64 - mean) * inv_std;
        let g = |j: usize| args.gamma.map_or(1.0, |g| g[j] as f64) * args.dout[at(j)] as f64;
        let mean_g = (0..cols).map(g).sum::<f64>() / n;
        let mean_g_xhat = (0..cols).map(|j| g(j) * xhat(j)).sum::<f64>() / n;
        for j in 0..cols {
            r.dx[at(j)] = inv_std * (g(j) - mean_g - xhat(j) * mean_g_xhat);
            r.dgamma[j] += args.dout[at(j)] as f64 * xhat(j);
            r.dbeta[j] += args.dout[at(j)] as f64;
        }
    }
    Ok(r)
}
