//! The autograd ops' kernels for the browser (packages/core/src/kernels/tensor-op-args.ts), on
//! (pointer, length) buffers as in lib.rs.
//!
//! JS-side conventions: ops are their names ('relu', 'add', ...); shapes and strides arrive as
//! `Float64Array`s (copied in by wasm-bindgen; each entry checked to be a non-negative integer
//! by `dlp_kernels::layout::counts`, as on the other backends), axis flags as a `Uint8Array`
//! of 0/1; labels and argmax indices as `Int32Array`s: wasm-bindgen copies an `&mut [i32]` in
//! and back out, so `max_along` writes the caller's indices array.

use dlp_kernels::layout::counts;
use dlp_kernels::{BinaryOp, Input, KernelError, UnaryOp};
use wasm_bindgen::prelude::*;

use crate::{in_place, js, separate, Buffer};

/// out = op(x) elementwise for op in neg, exp, log, sqrt, relu, tanh, sigmoid; `out` may be `x`.
#[wasm_bindgen]
pub fn unary(op: &str, x_ptr: usize, x_len: usize, out_ptr: usize, out_len: usize) -> Result<(), JsError> {
    const K: &str = "unary";
    let op = UnaryOp::parse(K, op).map_err(js)?;
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    let in_place = |out: &mut [f32]| {
        dlp_kernels::unary_in_place(op, out);
        Ok(())
    };
    // SAFETY: x is the only input.
    unsafe { in_place_or(K, &out, &x, in_place, |x, out| dlp_kernels::unary(op, x, out)) }
}

/// Runs `same(out)` when `out` is `input` itself (no slice of input is formed), `apart(input,
/// out)` when they are disjoint; refuses a partial overlap.
///
/// # Safety
/// `out` must be disjoint from every other buffer the closures read (the caller checks that).
unsafe fn in_place_or<R>(
    kernel: &str,
    out: &Buffer,
    input: &Buffer,
    same: impl FnOnce(&mut [f32]) -> Result<R, KernelError>,
    apart: impl FnOnce(&[f32], &mut [f32]) -> Result<R, KernelError>,
) -> Result<R, JsError> {
    // SAFETY: out is input (of which no slice is formed) or disjoint from it; the caller
    // vouches for the rest.
    unsafe {
        if in_place(kernel, out, input)? {
            same(out.slice_mut())
        } else {
            apart(input.slice(), out.slice_mut())
        }
    }
    .map_err(js)
}

/// dx = dout·op'(x), from the forward's input x and output y; `dx` may be `dout`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn unary_backward(
    op: &str,
    x_ptr: usize,
    x_len: usize,
    y_ptr: usize,
    y_len: usize,
    dout_ptr: usize,
    dout_len: usize,
    dx_ptr: usize,
    dx_len: usize,
) -> Result<(), JsError> {
    const K: &str = "unaryBackward";
    let op = UnaryOp::parse(K, op).map_err(js)?;
    let (x, y) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "y", y_ptr, y_len)?);
    let (dout, dx) = (Buffer::new(K, "dout", dout_ptr, dout_len)?, Buffer::new(K, "dx", dx_ptr, dx_len)?);
    separate(K, &dx, &x)?;
    separate(K, &dx, &y)?;
    // SAFETY: dx is disjoint from x and y (checked above).
    unsafe {
        let (x, y) = (x.slice(), y.slice());
        let same = |dx: &mut [f32]| dlp_kernels::unary_backward_in_place(op, x, y, dx);
        in_place_or(K, &dx, &dout, same, |dout, dx| dlp_kernels::unary_backward(op, x, y, dout, dx))
    }
}

/// out = a op b (add, sub, mul, div) over `shape`, each operand read through its strides
/// (0 broadcasts); out row-major. `out` may be `a` or `b` itself when that one is read row-major.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn binary(
    op: &str,
    shape: &[f64],
    a_ptr: usize,
    a_len: usize,
    a_strides: &[f64],
    b_ptr: usize,
    b_len: usize,
    b_strides: &[f64],
    out_ptr: usize,
    out_len: usize,
) -> Result<(), JsError> {
    const K: &str = "binary";
    let op = BinaryOp::parse(K, op).map_err(js)?;
    let shape = counts(K, "shape", shape).map_err(js)?;
    let a_strides = counts(K, "aStrides", a_strides).map_err(js)?;
    let b_strides = counts(K, "bStrides", b_strides).map_err(js)?;
    let (a, b) = (Buffer::new(K, "a", a_ptr, a_len)?, Buffer::new(K, "b", b_ptr, b_len)?);
    let out = Buffer::new(K, "out", out_ptr, out_len)?;
    let (a_is_out, b_is_out) = (in_place(K, &out, &a)?, in_place(K, &out, &b)?);
    // SAFETY: out is disjoint from every operand given as a slice; an operand that is out is
    // passed as `Input::Out`, never as a slice.
    unsafe {
        let (a, b) = (input(a_is_out, &a), input(b_is_out, &b));
        dlp_kernels::binary_into(op, &shape, a, &a_strides, b, &b_strides, out.slice_mut())
    }
    .map_err(js)
}

/// An operand of `binary`: the output itself, or its own slice.
///
/// # Safety
/// Unless `is_out`, no `&mut` slice overlapping the buffer may be alive.
unsafe fn input<'a>(is_out: bool, buffer: &Buffer<'a>) -> Input<'a> {
    if is_out {
        Input::Out
    } else {
        Input::Slice(unsafe { buffer.slice() })
    }
}

/// out (row-major, `shape`) = x read through `strides`: makes a view contiguous.
#[wasm_bindgen]
pub fn copy_strided(
    shape: &[f64],
    x_ptr: usize,
    x_len: usize,
    strides: &[f64],
    out_ptr: usize,
    out_len: usize,
) -> Result<(), JsError> {
    const K: &str = "copy";
    let shape = counts(K, "shape", shape).map_err(js)?;
    let strides = counts(K, "strides", strides).map_err(js)?;
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    separate(K, &out, &x)?;
    // SAFETY: out is disjoint from x.
    unsafe { dlp_kernels::copy_strided(&shape, x.slice(), &strides, out.slice_mut()) }.map_err(js)
}

/// out = beta·out + Σ of x (row-major, `shape`) over the axes flagged 1 in `axes`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn reduce_sum(
    x_ptr: usize,
    x_len: usize,
    shape: &[f64],
    axes: &[u8],
    out_ptr: usize,
    out_len: usize,
    beta: f32,
) -> Result<(), JsError> {
    const K: &str = "reduceSum";
    let shape = counts(K, "shape", shape).map_err(js)?;
    let axes: Vec<bool> = axes.iter().map(|&a| a != 0).collect();
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    separate(K, &out, &x)?;
    // SAFETY: out is disjoint from x.
    unsafe { dlp_kernels::reduce_sum(x.slice(), &shape, &axes, out.slice_mut(), beta) }.map_err(js)
}

/// Max along the middle axis of x as [outer, size, inner] into `out`, and the first index
/// reaching it into `indices` (copied back to the caller's Int32Array by wasm-bindgen).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn max_along(
    x_ptr: usize,
    x_len: usize,
    outer: usize,
    size: usize,
    inner: usize,
    out_ptr: usize,
    out_len: usize,
    indices: &mut [i32],
) -> Result<(), JsError> {
    const K: &str = "maxAlong";
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    separate(K, &out, &x)?;
    // SAFETY: out is disjoint from x; indices is wasm-bindgen's own copy.
    unsafe { dlp_kernels::max_along(x.slice(), outer, size, inner, out.slice_mut(), indices) }.map_err(js)
}

/// dx = 0, then dout routed to the argmax positions given by `indices`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn max_along_backward(
    dout_ptr: usize,
    dout_len: usize,
    indices: &[i32],
    outer: usize,
    size: usize,
    inner: usize,
    dx_ptr: usize,
    dx_len: usize,
) -> Result<(), JsError> {
    const K: &str = "maxAlongBackward";
    let (dout, dx) = (Buffer::new(K, "dout", dout_ptr, dout_len)?, Buffer::new(K, "dx", dx_ptr, dx_len)?);
    separate(K, &dx, &dout)?;
    // SAFETY: dx is disjoint from dout.
    unsafe { dlp_kernels::max_along_backward(dout.slice(), indices, outer, size, inner, dx.slice_mut()) }.map_err(js)
}

/// Row log-softmax of a rows×cols matrix; `out` must be a separate buffer.
#[wasm_bindgen]
pub fn log_softmax(
    x_ptr: usize,
    x_len: usize,
    out_ptr: usize,
    out_len: usize,
    rows: usize,
    cols: usize,
) -> Result<(), JsError> {
    const K: &str = "logSoftmax";
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    separate(K, &out, &x)?;
    // SAFETY: out is disjoint from x.
    unsafe { dlp_kernels::log_softmax(x.slice(), out.slice_mut(), rows, cols) }.map_err(js)
}

/// dx = dout − exp(y)·rowwise Σ dout, from the log-softmax output y; `dx` may be `dout`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn log_softmax_backward(
    y_ptr: usize,
    y_len: usize,
    dout_ptr: usize,
    dout_len: usize,
    dx_ptr: usize,
    dx_len: usize,
    rows: usize,
    cols: usize,
) -> Result<(), JsError> {
    const K: &str = "logSoftmaxBackward";
    let y = Buffer::new(K, "y", y_ptr, y_len)?;
    let (dout, dx) = (Buffer::new(K, "dout", dout_ptr, dout_len)?, Buffer::new(K, "dx", dx_ptr, dx_len)?);
    separate(K, &dx, &y)?;
    // SAFETY: dx is disjoint from y (checked above).
    unsafe {
        let y = y.slice();
        let same = |dx: &mut [f32]| dlp_kernels::log_softmax_backward_in_place(y, dx, rows, cols);
        in_place_or(K, &dx, &dout, same, |dout, dx| dlp_kernels::log_softmax_backward(y, dout, dx, rows, cols))
    }
}

/// −(1/rows)·Σ_r logp[r][labels[r]]: the mean negative log-likelihood.
#[wasm_bindgen]
pub fn nll_loss(logp_ptr: usize, logp_len: usize, labels: &[i32], rows: usize, cols: usize) -> Result<f64, JsError> {
    let logp = Buffer::new("nllLoss", "logp", logp_ptr, logp_len)?;
    // SAFETY: only shared slices.
    unsafe { dlp_kernels::nll_loss(logp.slice(), labels, rows, cols) }.map_err(js)
}

/// dlogp = −scale/rows at each row's label, 0 elsewhere.
#[wasm_bindgen]
pub fn nll_loss_backward(
    labels: &[i32],
    rows: usize,
    cols: usize,
    scale: f32,
    dlogp_ptr: usize,
    dlogp_len: usize,
) -> Result<(), JsError> {
    let dlogp = Buffer::new("nllLossBackward", "dlogp", dlogp_ptr, dlogp_len)?;
    // SAFETY: the only slice of dlogp; labels is wasm-bindgen's own copy.
    unsafe { dlp_kernels::nll_loss_backward(labels, rows, cols, scale, dlogp.slice_mut()) }.map_err(js)
}

/// y += alpha·x, in place.
#[wasm_bindgen]
pub fn axpy(x_ptr: usize, x_len: usize, y_ptr: usize, y_len: usize, alpha: f32) -> Result<(), JsError> {
    const K: &str = "axpy";
    let (x, y) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "y", y_ptr, y_len)?);
    separate(K, &y, &x)?;
    // SAFETY: y is disjoint from x.
    unsafe { dlp_kernels::axpy(x.slice(), y.slice_mut(), alpha) }.map_err(js)
}
