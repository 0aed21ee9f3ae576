//! BatchNorm, LayerNorm, SGD and Adam for the browser (packages/core/src/kernels/norm-args.ts,
//! optim-args.ts), on (pointer, length) buffers as in lib.rs. An optional buffer's pointer is
//! `undefined` when absent (as softmax_cross_entropy's dlogits). Every output must be separate
//! from every input and every other output, checked before any slice is formed. One thread.

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::{
    AdamStep, BatchNormBackward, BatchNormInference, BatchNormShape, BatchNormTrain, LayerNorm, LayerNormBackward,
    SgdStep,
};
use wasm_bindgen::prelude::*;

use crate::{js, Buffer};

/// An optional buffer: `None` when JS passed no pointer.
fn maybe<'a>(kernel: &str, name: &'a str, ptr: Option<usize>, len: usize) -> Result<Option<Buffer<'a>>, JsError> {
    ptr.map(|ptr| Buffer::new(kernel, name, ptr, len)).transpose()
}

/// Every output separate from every input and from the other outputs.
fn all_separate(kernel: &str, outputs: &[Option<&Buffer>], inputs: &[Option<&Buffer>]) -> Result<(), JsError> {
    alias::check_all_separate(kernel, &operands(outputs), &operands(inputs)).map_err(js)
}

fn operands<'a>(buffers: &[Option<&Buffer<'a>>]) -> Vec<Option<Operand<'a>>> {
    buffers.iter().map(|b| b.map(Buffer::operand)).collect()
}

/// # Safety
/// As `Buffer::slice`.
unsafe fn slice_of<'a>(buffer: &Option<Buffer<'a>>) -> Option<&'a [f32]> {
    buffer.as_ref().map(|b| unsafe { b.slice() })
}

/// # Safety
/// As `Buffer::slice_mut`.
unsafe fn slice_mut_of<'a>(buffer: &Option<Buffer<'a>>) -> Option<&'a mut [f32]> {
    buffer.as_ref().map(|b| unsafe { b.slice_mut() })
}

fn shape(outer: usize, channels: usize, inner: usize) -> BatchNormShape {
    BatchNormShape { outer, channels, inner }
}

/// Training-mode BatchNorm over x viewed as [outer, channels, inner]: writes out, mean and
/// invStd, and updates runningMean/runningVar when their pointers are given.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_train(
    x_ptr: usize,
    x_len: usize,
    outer: usize,
    channels: usize,
    inner: usize,
    gamma_ptr: Option<usize>,
    gamma_len: usize,
    beta_ptr: Option<usize>,
    beta_len: usize,
    eps: f64,
    out_ptr: usize,
    out_len: usize,
    mean_ptr: usize,
    mean_len: usize,
    inv_std_ptr: usize,
    inv_std_len: usize,
    running_mean_ptr: Option<usize>,
    running_mean_len: usize,
    running_var_ptr: Option<usize>,
    running_var_len: usize,
    momentum: f64,
) -> Result<(), JsError> {
    const K: &str = "batchNormTrain";
    let x = Buffer::new(K, "x", x_ptr, x_len)?;
    let (gamma, beta) = (maybe(K, "gamma", gamma_ptr, gamma_len)?, maybe(K, "beta", beta_ptr, beta_len)?);
    let out = Buffer::new(K, "out", out_ptr, out_len)?;
    let (mean, inv_std) = (Buffer::new(K, "mean", mean_ptr, mean_len)?, Buffer::new(K, "invStd", inv_std_ptr, inv_std_len)?);
    let running_mean = maybe(K, "runningMean", running_mean_ptr, running_mean_len)?;
    let running_var = maybe(K, "runningVar", running_var_ptr, running_var_len)?;
    all_separate(
        K,
        &[Some(&out), Some(&mean), Some(&inv_std), running_mean.as_ref(), running_var.as_ref()],
        &[Some(&x), gamma.as_ref(), beta.as_ref()],
    )?;
    // SAFETY: the outputs overlap no input and no other output (checked above).
    let args = unsafe {
        BatchNormTrain {
            x: x.slice(),
            shape: shape(outer, channels, inner),
            gamma: slice_of(&gamma),
            beta: slice_of(&beta),
            eps,
            out: out.slice_mut(),
            mean: mean.slice_mut(),
            inv_std: inv_std.slice_mut(),
            running_mean: slice_mut_of(&running_mean),
            running_var: slice_mut_of(&running_var),
            momentum,
        }
    };
    dlp_kernels::batch_norm_train(args, 1).map_err(js)
}

/// Eval-mode BatchNorm with the running statistics.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_inference(
    x_ptr: usize,
    x_len: usize,
    outer: usize,
    channels: usize,
    inner: usize,
    running_mean_ptr: usize,
    running_mean_len: usize,
    running_var_ptr: usize,
    running_var_len: usize,
    gamma_ptr: Option<usize>,
    gamma_len: usize,
    beta_ptr: Option<usize>,
    beta_len: usize,
    eps: f64,
    out_ptr: usize,
    out_len: usize,
) -> Result<(), JsError> {
    const K: &str = "batchNormInference";
    let x = Buffer::new(K, "x", x_ptr, x_len)?;
    let running_mean = Buffer::new(K, "runningMean", running_mean_ptr, running_mean_len)?;
    let running_var = Buffer::new(K, "runningVar", running_var_ptr, running_var_len)?;
    let (gamma, beta) = (maybe(K, "gamma", gamma_ptr, gamma_len)?, maybe(K, "beta", beta_ptr, beta_len)?);
    let out = Buffer::new(K, "out", out_ptr, out_len)?;
    all_separate(K, &[Some(&out)], &[Some(&x), Some(&running_mean), Some(&running_var), gamma.as_ref(), beta.as_ref()])?;
    // SAFETY: out overlaps no input (checked above).
    let args = unsafe {
        BatchNormInference {
            x: x.slice(),
            shape: shape(outer, channels, inner),
            running_mean: running_mean.slice(),
            running_var: running_var.slice(),
            gamma: slice_of(&gamma),
            beta: slice_of(&beta),
            eps,
            out: out.slice_mut(),
        }
    };
    dlp_kernels::batch_norm_inference(args, 1).map_err(js)
}

/// The buffers both normalisation backwards take: inputs x, dout, mean, invStd and optional
/// gamma; optional outputs dx, dgamma, dbeta, checked separate from the inputs and each other.
struct BackwardBuffers<'a> {
    x: Buffer<'a>,
    dout: Buffer<'a>,
    mean: Buffer<'a>,
    inv_std: Buffer<'a>,
    gamma: Option<Buffer<'a>>,
    dx: Option<Buffer<'a>>,
    dgamma: Option<Buffer<'a>>,
    dbeta: Option<Buffer<'a>>,
}

impl BackwardBuffers<'_> {
    /// (pointer, length) of x, dout, mean, invStd, then of the optional gamma, dx, dgamma, dbeta.
    fn new(kernel: &str, inputs: [(usize, usize); 4], optional: [(Option<usize>, usize); 4]) -> Result<Self, JsError> {
        let [x, dout, mean, inv_std] = inputs;
        let [gamma, dx, dgamma, dbeta] = optional;
        let b = Self {
            x: Buffer::new(kernel, "x", x.0, x.1)?,
            dout: Buffer::new(kernel, "dout", dout.0, dout.1)?,
            mean: Buffer::new(kernel, "mean", mean.0, mean.1)?,
            inv_std: Buffer::new(kernel, "invStd", inv_std.0, inv_std.1)?,
            gamma: maybe(kernel, "gamma", gamma.0, gamma.1)?,
            dx: maybe(kernel, "dx", dx.0, dx.1)?,
            dgamma: maybe(kernel, "dgamma", dgamma.0, dgamma.1)?,
            dbeta: maybe(kernel, "dbeta", dbeta.0, dbeta.1)?,
        };
        all_separate(
            kernel,
            &[b.dx.as_ref(), b.dgamma.as_ref(), b.dbeta.as_ref()],
            &[Some(&b.x), Some(&b.dout), Some(&b.mean), Some(&b.inv_std), b.gamma.as_ref()],
        )?;
        Ok(b)
    }
}

/// BatchNorm backward from the saved mean/invStd: fills whichever of dx, dgamma, dbeta are given.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward(
    x_ptr: usize,
    x_len: usize,
    dout_ptr: usize,
    dout_len: usize,
    outer: usize,
    channels: usize,
    inner: usize,
    mean_ptr: usize,
    mean_len: usize,
    inv_std_ptr: usize,
    inv_std_len: usize,
    gamma_ptr: Option<usize>,
    gamma_len: usize,
    dx_ptr: Option<usize>,
    dx_len: usize,
    dgamma_ptr: Option<usize>,
    dgamma_len: usize,
    dbeta_ptr: Option<usize>,
    dbeta_len: usize,
) -> Result<(), JsError> {
    let b = BackwardBuffers::new(
        "batchNormBackward",
        [(x_ptr, x_len), (dout_ptr, dout_len), (mean_ptr, mean_len), (inv_std_ptr, inv_std_len)],
        [(gamma_ptr, gamma_len), (dx_ptr, dx_len), (dgamma_ptr, dgamma_len), (dbeta_ptr, dbeta_len)],
    )?;
    // SAFETY: the outputs overlap no input and no other output (checked by BackwardBuffers::new).
    let args = unsafe {
        BatchNormBackward {
            x: b.x.slice(),
            dout: b.dout.slice(),
            shape: shape(outer, channels, inner),
            mean: b.mean.slice(),
            inv_std: b.inv_std.slice(),
            gamma: slice_of(&b.gamma),
            dx: slice_mut_of(&b.dx),
            dgamma: slice_mut_of(&b.dgamma),
            dbeta: slice_mut_of(&b.dbeta),
        }
    };
    dlp_kernels::batch_norm_backward(args, 1).map_err(js)
}

/// LayerNorm over each row of a rows×cols matrix: writes out, mean and invStd.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn layer_norm(
    x_ptr: usize,
    x_len: usize,
    rows: usize,
    cols: usize,
    gamma_ptr: Option<usize>,
    gamma_len: usize,
    beta_ptr: Option<usize>,
    beta_len: usize,
    eps: f64,
    out_ptr: usize,
    out_len: usize,
    mean_ptr: usize,
    mean_len: usize,
    inv_std_ptr: usize,
    inv_std_len: usize,
) -> Result<(), JsError> {
    const K: &str = "layerNorm";
    let x = Buffer::new(K, "x", x_ptr, x_len)?;
    let (gamma, beta) = (maybe(K, "gamma", gamma_ptr, gamma_len)?, maybe(K, "beta", beta_ptr, beta_len)?);
    let out = Buffer::new(K, "out", out_ptr, out_len)?;
    let (mean, inv_std) = (Buffer::new(K, "mean", mean_ptr, mean_len)?, Buffer::new(K, "invStd", inv_std_ptr, inv_std_len)?);
    all_separate(K, &[Some(&out), Some(&mean), Some(&inv_std)], &[Some(&x), gamma.as_ref(), beta.as_ref()])?;
    // SAFETY: the outputs overlap no input and no other output (checked above).
    let args = unsafe {
        LayerNorm {
            x: x.slice(),
            rows,
            cols,
            gamma: slice_of(&gamma),
            beta: slice_of(&beta),
            eps,
            out: out.slice_mut(),
            mean: mean.slice_mut(),
            inv_std: inv_std.slice_mut(),
        }
    };
    dlp_kernels::layer_norm(args).map_err(js)
}

/// LayerNorm backward from the saved mean/invStd: fills whichever of dx, dgamma, dbeta are given.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    x_ptr: usize,
    x_len: usize,
    dout_ptr: usize,
    dout_len: usize,
    rows: usize,
    cols: usize,
    mean_ptr: usize,
    mean_len: usize,
    inv_std_ptr: usize,
    inv_std_len: usize,
    gamma_ptr: Option<usize>,
    gamma_len: usize,
    dx_ptr: Option<usize>,
    dx_len: usize,
    dgamma_ptr: Option<usize>,
    dgamma_len: usize,
    dbeta_ptr: Option<usize>,
    dbeta_len: usize,
) -> Result<(), JsError> {
    let b = BackwardBuffers::new(
        "layerNormBackward",
        [(x_ptr, x_len), (dout_ptr, dout_len), (mean_ptr, mean_len), (inv_std_ptr, inv_std_len)],
        [(gamma_ptr, gamma_len), (dx_ptr, dx_len), (dgamma_ptr, dgamma_len), (dbeta_ptr, dbeta_len)],
    )?;
    // SAFETY: the outputs overlap no input and no other output (checked by BackwardBuffers::new).
    let args = unsafe {
        LayerNormBackward {
            x: b.x.slice(),
            dout: b.dout.slice(),
            rows,
            cols,
            mean: b.mean.slice(),
            inv_std: b.inv_std.slice(),
            gamma: slice_of(&b.gamma),
            dx: slice_mut_of(&b.dx),
            dgamma: slice_mut_of(&b.dgamma),
            dbeta: slice_mut_of(&b.dbeta),
        }
    };
    dlp_kernels::layer_norm_backward(args).map_err(js)
}

/// One torch.optim.SGD step in place; the momentum buffer's pointer is required when momentum ≠ 0.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn sgd_step(
    param_ptr: usize,
    param_len: usize,
    grad_ptr: usize,
    grad_len: usize,
    momentum_buffer_ptr: Option<usize>,
    momentum_buffer_len: usize,
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    first_step: bool,
) -> Result<(), JsError> {
    const K: &str = "sgdStep";
    let (param, grad) = (Buffer::new(K, "param", param_ptr, param_len)?, Buffer::new(K, "grad", grad_ptr, grad_len)?);
    let buffer = maybe(K, "momentumBuffer", momentum_buffer_ptr, momentum_buffer_len)?;
    all_separate(K, &[Some(&param), buffer.as_ref()], &[Some(&grad)])?;
    // SAFETY: param and the buffer overlap neither grad nor each other (checked above).
    let args = unsafe {
        SgdStep {
            param: param.slice_mut(),
            grad: grad.slice(),
            momentum_buffer: slice_mut_of(&buffer),
            lr,
            momentum,
            dampening,
            nesterov,
            weight_decay,
            first_step,
        }
    };
    dlp_kernels::sgd_step(args, 1).map_err(js)
}

/// One torch.optim.Adam step (amsgrad off) in place; `step` counts from 1.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn adam_step(
    param_ptr: usize,
    param_len: usize,
    grad_ptr: usize,
    grad_len: usize,
    exp_avg_ptr: usize,
    exp_avg_len: usize,
    exp_avg_sq_ptr: usize,
    exp_avg_sq_len: usize,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: f64,
) -> Result<(), JsError> {
    const K: &str = "adamStep";
    let (param, grad) = (Buffer::new(K, "param", param_ptr, param_len)?, Buffer::new(K, "grad", grad_ptr, grad_len)?);
    let exp_avg = Buffer::new(K, "expAvg", exp_avg_ptr, exp_avg_len)?;
    let exp_avg_sq = Buffer::new(K, "expAvgSq", exp_avg_sq_ptr, exp_avg_sq_len)?;
    all_separate(K, &[Some(&param), Some(&exp_avg), Some(&exp_avg_sq)], &[Some(&grad)])?;
    // SAFETY: param, expAvg and expAvgSq overlap neither grad nor each other (checked above).
    let args = unsafe {
        AdamStep {
            param: param.slice_mut(),
            grad: grad.slice(),
            exp_avg: exp_avg.slice_mut(),
            exp_avg_sq: exp_avg_sq.slice_mut(),
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
            step,
        }
    };
    dlp_kernels::adam_step(args, 1).map_err(js)
}
