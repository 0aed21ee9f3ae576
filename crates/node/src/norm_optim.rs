//! napi functions for BatchNorm, LayerNorm, SGD and Adam (dlp-kernels' `batch_norm`,
//! `layer_norm`, `optim_steps`). Optional buffers arrive as `Option` (JS `undefined`/`null`);
//! every output must be separate from every input and every other output, checked before any
//! slice is formed. `threads` = 0 uses every thread of the shared pool.

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::{
    AdamStep, BatchNormBackward, BatchNormInference, BatchNormShape, BatchNormTrain, LayerNorm, LayerNormBackward,
    SgdStep,
};
use napi::bindgen_prelude::{Float32ArraySlice, Result};
use napi_derive::napi;

use crate::{js, operand, output};

/// An optional array's operand.
fn maybe<'a>(name: &'a str, array: &Option<Float32ArraySlice>) -> Option<Operand<'a>> {
    array.as_ref().map(|a| operand(name, a))
}

/// An optional output's memory.
///
/// # Safety
/// As `output`: the caller has checked that nothing else overlaps it.
unsafe fn maybe_output<'a>(array: &'a mut Option<Float32ArraySlice<'_>>) -> Option<&'a mut [f32]> {
    array.as_mut().map(|a| unsafe { output(a) })
}

fn shape(outer: u32, channels: u32, inner: u32) -> BatchNormShape {
    BatchNormShape { outer: outer as usize, channels: channels as usize, inner: inner as usize }
}

/// Training-mode BatchNorm over x viewed as [outer, channels, inner]: writes out, mean and
/// invStd, and updates runningMean/runningVar when given.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_train(
    x: Float32ArraySlice,
    outer: u32,
    channels: u32,
    inner: u32,
    gamma: Option<Float32ArraySlice>,
    beta: Option<Float32ArraySlice>,
    eps: f64,
    mut out: Float32ArraySlice,
    mut mean: Float32ArraySlice,
    mut inv_std: Float32ArraySlice,
    mut running_mean: Option<Float32ArraySlice>,
    mut running_var: Option<Float32ArraySlice>,
    momentum: f64,
    threads: u32,
) -> Result<()> {
    alias::check_all_separate(
        "batchNormTrain",
        &[
            Some(operand("out", &out)),
            Some(operand("mean", &mean)),
            Some(operand("invStd", &inv_std)),
            maybe("runningMean", &running_mean),
            maybe("runningVar", &running_var),
        ],
        &[Some(operand("x", &x)), maybe("gamma", &gamma), maybe("beta", &beta)],
    )
    .map_err(js)?;
    // SAFETY: the outputs overlap no input and no other output (checked above).
    let args = unsafe {
        BatchNormTrain {
            x: &x,
            shape: shape(outer, channels, inner),
            gamma: gamma.as_deref(),
            beta: beta.as_deref(),
            eps,
            out: output(&mut out),
            mean: output(&mut mean),
            inv_std: output(&mut inv_std),
            running_mean: maybe_output(&mut running_mean),
            running_var: maybe_output(&mut running_var),
            momentum,
        }
    };
    dlp_kernels::batch_norm_train(args, threads as usize).map_err(js)
}

/// Eval-mode BatchNorm with the running statistics.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_inference(
    x: Float32ArraySlice,
    outer: u32,
    channels: u32,
    inner: u32,
    running_mean: Float32ArraySlice,
    running_var: Float32ArraySlice,
    gamma: Option<Float32ArraySlice>,
    beta: Option<Float32ArraySlice>,
    eps: f64,
    mut out: Float32ArraySlice,
    threads: u32,
) -> Result<()> {
    alias::check_all_separate(
        "batchNormInference",
        &[Some(operand("out", &out))],
        &[
            Some(operand("x", &x)),
            Some(operand("runningMean", &running_mean)),
            Some(operand("runningVar", &running_var)),
            maybe("gamma", &gamma),
            maybe("beta", &beta),
        ],
    )
    .map_err(js)?;
    let args = BatchNormInference {
        x: &x,
        shape: shape(outer, channels, inner),
        running_mean: &running_mean,
        running_var: &running_var,
        gamma: gamma.as_deref(),
        beta: beta.as_deref(),
        eps,
        // SAFETY: out overlaps no input (checked above).
        out: unsafe { output(&mut out) },
    };
    dlp_kernels::batch_norm_inference(args, threads as usize).map_err(js)
}

/// BatchNorm backward from the saved mean/invStd: fills whichever of dx, dgamma, dbeta are given.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward(
    x: Float32ArraySlice,
    dout: Float32ArraySlice,
    outer: u32,
    channels: u32,
    inner: u32,
    mean: Float32ArraySlice,
    inv_std: Float32ArraySlice,
    gamma: Option<Float32ArraySlice>,
    mut dx: Option<Float32ArraySlice>,
    mut dgamma: Option<Float32ArraySlice>,
    mut dbeta: Option<Float32ArraySlice>,
    threads: u32,
) -> Result<()> {
    check_backward("batchNormBackward", [&x, &dout, &mean, &inv_std], &gamma, [&dx, &dgamma, &dbeta])?;
    // SAFETY: the outputs overlap no input and no other output (checked above).
    let args = unsafe {
        BatchNormBackward {
            x: &x,
            dout: &dout,
            shape: shape(outer, channels, inner),
            mean: &mean,
            inv_std: &inv_std,
            gamma: gamma.as_deref(),
            dx: maybe_output(&mut dx),
            dgamma: maybe_output(&mut dgamma),
            dbeta: maybe_output(&mut dbeta),
        }
    };
    dlp_kernels::batch_norm_backward(args, threads as usize).map_err(js)
}

/// The aliasing rule of both normalisation backwards: outputs dx, dgamma, dbeta separate from
/// the inputs x, dout, mean, invStd, gamma and from each other.
fn check_backward(
    kernel: &str,
    [x, dout, mean, inv_std]: [&Float32ArraySlice; 4],
    gamma: &Option<Float32ArraySlice>,
    [dx, dgamma, dbeta]: [&Option<Float32ArraySlice>; 3],
) -> Result<()> {
    alias::check_all_separate(
        kernel,
        &[maybe("dx", dx), maybe("dgamma", dgamma), maybe("dbeta", dbeta)],
        &[
            Some(operand("x", x)),
            Some(operand("dout", dout)),
            Some(operand("mean", mean)),
            Some(operand("invStd", inv_std)),
            maybe("gamma", gamma),
        ],
    )
    .map_err(js)
}

/// LayerNorm over each row of a rows×cols matrix: writes out, mean and invStd.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn layer_norm(
    x: Float32ArraySlice,
    rows: u32,
    cols: u32,
    gamma: Option<Float32ArraySlice>,
    beta: Option<Float32ArraySlice>,
    eps: f64,
    mut out: Float32ArraySlice,
    mut mean: Float32ArraySlice,
    mut inv_std: Float32ArraySlice,
) -> Result<()> {
    alias::check_all_separate(
        "layerNorm",
        &[Some(operand("out", &out)), Some(operand("mean", &mean)), Some(operand("invStd", &inv_std))],
        &[Some(operand("x", &x)), maybe("gamma", &gamma), maybe("beta", &beta)],
    )
    .map_err(js)?;
    // SAFETY: the outputs overlap no input and no other output (checked above).
    let args = unsafe {
        LayerNorm {
            x: &x,
            rows: rows as usize,
            cols: cols as usize,
            gamma: gamma.as_deref(),
            beta: beta.as_deref(),
            eps,
            out: output(&mut out),
            mean: output(&mut mean),
            inv_std: output(&mut inv_std),
        }
    };
    dlp_kernels::layer_norm(args).map_err(js)
}

/// LayerNorm backward from the saved mean/invStd: fills whichever of dx, dgamma, dbeta are given.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    x: Float32ArraySlice,
    dout: Float32ArraySlice,
    rows: u32,
    cols: u32,
    mean: Float32ArraySlice,
    inv_std: Float32ArraySlice,
    gamma: Option<Float32ArraySlice>,
    mut dx: Option<Float32ArraySlice>,
    mut dgamma: Option<Float32ArraySlice>,
    mut dbeta: Option<Float32ArraySlice>,
) -> Result<()> {
    check_backward("layerNormBackward", [&x, &dout, &mean, &inv_std], &gamma, [&dx, &dgamma, &dbeta])?;
    // SAFETY: the outputs overlap no input and no other output (checked above).
    let args = unsafe {
        LayerNormBackward {
            x: &x,
            dout: &dout,
            rows: rows as usize,
            cols: cols as usize,
            mean: &mean,
            inv_std: &inv_std,
            gamma: gamma.as_deref(),
            dx: maybe_output(&mut dx),
            dgamma: maybe_output(&mut dgamma),
            dbeta: maybe_output(&mut dbeta),
        }
    };
    dlp_kernels::layer_norm_backward(args).map_err(js)
}

/// One torch.optim.SGD step in place; momentumBuffer is required when momentum ≠ 0.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn sgd_step(
    mut param: Float32ArraySlice,
    grad: Float32ArraySlice,
    mut momentum_buffer: Option<Float32ArraySlice>,
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    first_step: bool,
    threads: u32,
) -> Result<()> {
    alias::check_all_separate(
        "sgdStep",
        &[Some(operand("param", &param)), maybe("momentumBuffer", &momentum_buffer)],
        &[Some(operand("grad", &grad))],
    )
    .map_err(js)?;
    // SAFETY: param and momentumBuffer overlap neither grad nor each other (checked above).
    let args = unsafe {
        SgdStep {
            param: output(&mut param),
            grad: &grad,
            momentum_buffer: maybe_output(&mut momentum_buffer),
            lr,
            momentum,
            dampening,
            nesterov,
            weight_decay,
            first_step,
        }
    };
    dlp_kernels::sgd_step(args, threads as usize).map_err(js)
}

/// One torch.optim.Adam step (amsgrad off) in place; `step` counts from 1.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn adam_step(
    mut param: Float32ArraySlice,
    grad: Float32ArraySlice,
    mut exp_avg: Float32ArraySlice,
    mut exp_avg_sq: Float32ArraySlice,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: f64,
    threads: u32,
) -> Result<()> {
    alias::check_all_separate(
        "adamStep",
        &[Some(operand("param", &param)), Some(operand("expAvg", &exp_avg)), Some(operand("expAvgSq", &exp_avg_sq))],
        &[Some(operand("grad", &grad))],
    )
    .map_err(js)?;
    // SAFETY: param, expAvg and expAvgSq overlap neither grad nor each other (checked above).
    let args = unsafe {
        AdamStep {
            param: output(&mut param),
            grad: &grad,
            exp_avg: output(&mut exp_avg),
            exp_avg_sq: output(&mut exp_avg_sq),
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
            step,
        }
    };
    dlp_kernels::adam_step(args, threads as usize).map_err(js)
}
