//! The autograd ops' kernels for Node (packages/core/src/kernels/tensor-op-args.ts), on
//! `Float32ArraySlice`s as in lib.rs: zero-copy, outputs checked against inputs before any
//! slice is formed.
//!
//! JS-side conventions: ops are their names ('relu', 'add', ...); shapes and strides are plain
//! arrays of numbers (`Vec<f64>`, each checked to be a non-negative integer by
//! `dlp_kernels::layout::counts`, so a bad entry reads the same on every backend); axis flags
//! are an array of booleans; labels and argmax indices are `Int32Array`s, the argmax written
//! in place into the caller's array.

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::layout::counts;
use dlp_kernels::{BinaryOp, Input, KernelError, UnaryOp};
use napi::bindgen_prelude::{Float32ArraySlice, Int32ArraySlice, Result};
use napi_derive::napi;

use crate::{js, operand, output};

/// out = op(x) elementwise for op in neg, exp, log, sqrt, relu, tanh, sigmoid; `out` may be `x`.
#[napi]
pub fn unary(op: String, x: Float32ArraySlice, mut out: Float32ArraySlice) -> Result<()> {
    const K: &str = "unary";
    let op = UnaryOp::parse(K, &op).map_err(js)?;
    let in_place = |out: &mut [f32]| {
        dlp_kernels::unary_in_place(op, out);
        Ok(())
    };
    // SAFETY: x is the only input.
    unsafe { in_place_or(K, ("out", &mut out), ("x", &x), in_place, |x, out| dlp_kernels::unary(op, x, out)) }
}

/// Runs `same(out)` when `out` is `input` itself (no slice of input is formed), `apart(input,
/// out)` when they are disjoint; refuses a partial overlap.
///
/// # Safety
/// `out` must be disjoint from every other array the closures read (the caller checks that).
unsafe fn in_place_or<R>(
    kernel: &str,
    (out_name, out): (&str, &mut Float32ArraySlice),
    (input_name, input): (&str, &Float32ArraySlice),
    same: impl FnOnce(&mut [f32]) -> std::result::Result<R, KernelError>,
    apart: impl FnOnce(&[f32], &mut [f32]) -> std::result::Result<R, KernelError>,
) -> Result<R> {
    if alias::in_place(kernel, &operand(out_name, out), &operand(input_name, input)).map_err(js)? {
        // SAFETY: out is input, of which no slice is formed; the caller vouches for the rest.
        same(unsafe { output(out) })
    } else {
        // SAFETY: out is disjoint from input; the caller vouches for the rest.
        apart(input, unsafe { output(out) })
    }
    .map_err(js)
}

/// dx = dout·op'(x), from the forward's input x and output y; `dx` may be `dout`.
#[napi]
pub fn unary_backward(
    op: String,
    x: Float32ArraySlice,
    y: Float32ArraySlice,
    dout: Float32ArraySlice,
    mut dx: Float32ArraySlice,
) -> Result<()> {
    const K: &str = "unaryBackward";
    let op = UnaryOp::parse(K, &op).map_err(js)?;
    let dst = operand("dx", &dx);
    alias::check_separate(K, &dst, &operand("x", &x)).map_err(js)?;
    alias::check_separate(K, &dst, &operand("y", &y)).map_err(js)?;
    let same = |dx: &mut [f32]| dlp_kernels::unary_backward_in_place(op, &x, &y, dx);
    let apart = |dout: &[f32], dx: &mut [f32]| dlp_kernels::unary_backward(op, &x, &y, dout, dx);
    // SAFETY: dx overlaps neither x nor y (checked above).
    unsafe { in_place_or(K, ("dx", &mut dx), ("dout", &dout), same, apart) }
}

/// out = a op b (add, sub, mul, div) over `shape`, each operand read through its strides
/// (0 broadcasts); out row-major. `out` may be `a` or `b` itself when that one is read row-major.
#[napi]
pub fn binary(
    op: String,
    shape: Vec<f64>,
    a: Float32ArraySlice,
    a_strides: Vec<f64>,
    b: Float32ArraySlice,
    b_strides: Vec<f64>,
    mut out: Float32ArraySlice,
) -> Result<()> {
    const K: &str = "binary";
    let op = BinaryOp::parse(K, &op).map_err(js)?;
    let shape = counts(K, "shape", &shape).map_err(js)?;
    let a_strides = counts(K, "aStrides", &a_strides).map_err(js)?;
    let b_strides = counts(K, "bStrides", &b_strides).map_err(js)?;
    let dst = operand("out", &out);
    let a_is_out = alias::in_place(K, &dst, &operand("a", &a)).map_err(js)?;
    let b_is_out = alias::in_place(K, &dst, &operand("b", &b)).map_err(js)?;
    let (a_in, b_in) = (input(a_is_out, &a), input(b_is_out, &b));
    // SAFETY: out is disjoint from every operand given as a slice; an operand that is out is
    // passed as `Input::Out`, never as a slice.
    dlp_kernels::binary_into(op, &shape, a_in, &a_strides, b_in, &b_strides, unsafe { output(&mut out) }).map_err(js)
}

/// An operand of `binary`: the output itself, or its own (disjoint) array.
fn input<'a>(is_out: bool, array: &'a Float32ArraySlice) -> Input<'a> {
    if is_out {
        Input::Out
    } else {
        Input::Slice(array)
    }
}

/// out (row-major, `shape`) = x read through `strides`: makes a view contiguous.
#[napi]
pub fn copy_strided(
    shape: Vec<f64>,
    x: Float32ArraySlice,
    strides: Vec<f64>,
    mut out: Float32ArraySlice,
) -> Result<()> {
    const K: &str = "copy";
    let shape = counts(K, "shape", &shape).map_err(js)?;
    let strides = counts(K, "strides", &strides).map_err(js)?;
    alias::check_separate(K, &operand("out", &out), &operand("x", &x)).map_err(js)?;
    // SAFETY: out does not overlap x.
    dlp_kernels::copy_strided(&shape, &x, &strides, unsafe { output(&mut out) }).map_err(js)
}

/// out = beta·out + Σ of x (row-major, `shape`) over the axes flagged true.
#[napi]
pub fn reduce_sum(
    x: Float32ArraySlice,
    shape: Vec<f64>,
    axes: Vec<bool>,
    mut out: Float32ArraySlice,
    beta: f64,
) -> Result<()> {
    const K: &str = "reduceSum";
    let shape = counts(K, "shape", &shape).map_err(js)?;
    alias::check_separate(K, &operand("out", &out), &operand("x", &x)).map_err(js)?;
    // SAFETY: out does not overlap x.
    dlp_kernels::reduce_sum(&x, &shape, &axes, unsafe { output(&mut out) }, beta as f32).map_err(js)
}

/// Max along the middle axis of x as [outer, size, inner] into `out`, and the first index
/// reaching it into `indices` (an Int32Array, written in place).
#[napi]
pub fn max_along(
    x: Float32ArraySlice,
    outer: u32,
    size: u32,
    inner: u32,
    mut out: Float32ArraySlice,
    mut indices: Int32ArraySlice,
) -> Result<()> {
    const K: &str = "maxAlong";
    let (dst, at) = (operand("out", &out), Operand::of("indices", &indices));
    let src = operand("x", &x);
    alias::check_separate(K, &dst, &src).map_err(js)?;
    alias::check_separate(K, &at, &src).map_err(js)?;
    alias::check_separate(K, &at, &dst).map_err(js)?;
    // SAFETY: out, indices and x are pairwise disjoint.
    let (out, indices) = unsafe { (output(&mut out), indices.as_mut()) };
    dlp_kernels::max_along(&x, outer as usize, size as usize, inner as usize, out, indices).map_err(js)
}

/// dx = 0, then dout routed to the argmax positions given by `indices`.
#[napi]
pub fn max_along_backward(
    dout: Float32ArraySlice,
    indices: Int32ArraySlice,
    outer: u32,
    size: u32,
    inner: u32,
    mut dx: Float32ArraySlice,
) -> Result<()> {
    const K: &str = "maxAlongBackward";
    let dst = operand("dx", &dx);
    alias::check_separate(K, &dst, &operand("dout", &dout)).map_err(js)?;
    alias::check_separate(K, &dst, &Operand::of("indices", &indices)).map_err(js)?;
    // SAFETY: dx overlaps neither input.
    let dx = unsafe { output(&mut dx) };
    dlp_kernels::max_along_backward(&dout, &indices, outer as usize, size as usize, inner as usize, dx).map_err(js)
}

/// Row log-softmax of a rows×cols matrix; `out` must be a separate buffer.
#[napi]
pub fn log_softmax(x: Float32ArraySlice, mut out: Float32ArraySlice, rows: u32, cols: u32) -> Result<()> {
    alias::check_separate("logSoftmax", &operand("out", &out), &operand("x", &x)).map_err(js)?;
    // SAFETY: out does not overlap x.
    dlp_kernels::log_softmax(&x, unsafe { output(&mut out) }, rows as usize, cols as usize).map_err(js)
}

/// dx = dout − exp(y)·rowwise Σ dout, from the log-softmax output y; `dx` may be `dout`.
#[napi]
pub fn log_softmax_backward(
    y: Float32ArraySlice,
    dout: Float32ArraySlice,
    mut dx: Float32ArraySlice,
    rows: u32,
    cols: u32,
) -> Result<()> {
    const K: &str = "logSoftmaxBackward";
    alias::check_separate(K, &operand("dx", &dx), &operand("y", &y)).map_err(js)?;
    let (rows, cols) = (rows as usize, cols as usize);
    let same = |dx: &mut [f32]| dlp_kernels::log_softmax_backward_in_place(&y, dx, rows, cols);
    let apart = |dout: &[f32], dx: &mut [f32]| dlp_kernels::log_softmax_backward(&y, dout, dx, rows, cols);
    // SAFETY: dx does not overlap y (checked above).
    unsafe { in_place_or(K, ("dx", &mut dx), ("dout", &dout), same, apart) }
}

/// −(1/rows)·Σ_r logp[r][labels[r]]: the mean negative log-likelihood.
#[napi]
pub fn nll_loss(logp: Float32ArraySlice, labels: Int32ArraySlice, rows: u32, cols: u32) -> Result<f64> {
    dlp_kernels::nll_loss(&logp, &labels, rows as usize, cols as usize).map_err(js)
}

/// dlogp = −scale/rows at each row's label, 0 elsewhere.
#[napi]
pub fn nll_loss_backward(
    labels: Int32ArraySlice,
    rows: u32,
    cols: u32,
    scale: f64,
    mut dlogp: Float32ArraySlice,
) -> Result<()> {
    alias::check_separate("nllLossBackward", &operand("dlogp", &dlogp), &Operand::of("labels", &labels)).map_err(js)?;
    // SAFETY: dlogp does not overlap labels.
    dlp_kernels::nll_loss_backward(&labels, rows as usize, cols as usize, scale as f32, unsafe { output(&mut dlogp) })
        .map_err(js)
}

/// y += alpha·x, in place.
#[napi]
pub fn axpy(x: Float32ArraySlice, mut y: Float32ArraySlice, alpha: f64) -> Result<()> {
    alias::check_separate("axpy", &operand("y", &y), &operand("x", &x)).map_err(js)?;
    // SAFETY: y does not overlap x.
    dlp_kernels::axpy(&x, unsafe { output(&mut y) }, alpha as f32).map_err(js)
}
