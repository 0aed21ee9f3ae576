//! Convolution and max pooling for the browser (packages/core/src/kernels/conv-args.ts), on
//! (pointer, length) buffers as in lib.rs, the geometry as a `Uint32Array` of conv-args.ts' fields in order. An
//! optional buffer's pointer is `undefined` when absent; indices are `Int32Array`s, copied in
//! and (for `max_pool2d`) back out by wasm-bindgen. Outputs must be separate from every input,
//! checked before any slice is formed. One thread.

use dlp_kernels::alias;
use dlp_kernels::{Conv2dShape, MaxPool2dShape};
use wasm_bindgen::prelude::*;

use crate::{js, separate, Buffer};

/// The geometry's fields in conv-args.ts' order (a `Uint32Array`, each entry checked on the JS
/// side to be a wasm32 usize).
fn fields<const N: usize>(kernel: &str, geometry: &[u32]) -> Result<[usize; N], JsError> {
    let fields: [u32; N] = geometry.try_into().map_err(|_| {
        JsError::new(&format!("{kernel}: geometry should hold {N} numbers but holds {}", geometry.len()))
    })?;
    Ok(fields.map(|v| v as usize))
}

/// Conv2dGeometry: batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH,
/// strideW, padH, padW.
fn conv_shape(kernel: &str, geometry: &[u32]) -> Result<Conv2dShape, JsError> {
    let [batch, in_channels, height, width, out_channels, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w] =
        fields(kernel, geometry)?;
    Ok(Conv2dShape {
        batch,
        in_channels,
        height,
        width,
        out_channels,
        kernel_h,
        kernel_w,
        stride_h,
        stride_w,
        pad_h,
        pad_w,
    })
}

/// MaxPool2dGeometry: batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW.
fn pool_shape(kernel: &str, geometry: &[u32]) -> Result<MaxPool2dShape, JsError> {
    let [batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w] =
        fields(kernel, geometry)?;
    Ok(MaxPool2dShape { batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w })
}

/// out = conv(x, weight) + bias (absent: 0), NCHW.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn conv2d(
    x_ptr: usize,
    x_len: usize,
    weight_ptr: usize,
    weight_len: usize,
    bias_ptr: Option<usize>,
    bias_len: usize,
    out_ptr: usize,
    out_len: usize,
    geometry: &[u32],
) -> Result<(), JsError> {
    const K: &str = "conv2d";
    let s = conv_shape(K, geometry)?;
    let (x, weight) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "weight", weight_ptr, weight_len)?);
    let bias = bias_ptr.map(|p| Buffer::new(K, "bias", p, bias_len)).transpose()?;
    let out = Buffer::new(K, "out", out_ptr, out_len)?;
    let inputs = [Some(x.operand()), Some(weight.operand()), bias.as_ref().map(Buffer::operand)];
    alias::check_all_separate(K, &[Some(out.operand())], &inputs).map_err(js)?;
    // SAFETY: out overlaps no input (checked above).
    unsafe { dlp_kernels::conv2d(x.slice(), weight.slice(), bias.map(|b| b.slice()), out.slice_mut(), s, 1) }
        .map_err(js)
}

/// dx from dout and weight (GEMM + col2im); dx is overwritten.
#[wasm_bindgen]
pub fn conv2d_backward_input(
    dout_ptr: usize,
    dout_len: usize,
    weight_ptr: usize,
    weight_len: usize,
    dx_ptr: usize,
    dx_len: usize,
    geometry: &[u32],
) -> Result<(), JsError> {
    const K: &str = "conv2dBackwardInput";
    let s = conv_shape(K, geometry)?;
    let (dout, weight) =
        (Buffer::new(K, "dout", dout_ptr, dout_len)?, Buffer::new(K, "weight", weight_ptr, weight_len)?);
    let dx = Buffer::new(K, "dx", dx_ptr, dx_len)?;
    separate(K, &dx, &dout)?;
    separate(K, &dx, &weight)?;
    // SAFETY: dx overlaps no input (checked above).
    unsafe { dlp_kernels::conv2d_backward_input(dout.slice(), weight.slice(), dx.slice_mut(), s, 1) }.map_err(js)
}

/// dweight (and dbias when its pointer is given) from x and dout; both overwritten.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn conv2d_backward_weight(
    x_ptr: usize,
    x_len: usize,
    dout_ptr: usize,
    dout_len: usize,
    dweight_ptr: usize,
    dweight_len: usize,
    dbias_ptr: Option<usize>,
    dbias_len: usize,
    geometry: &[u32],
) -> Result<(), JsError> {
    const K: &str = "conv2dBackwardWeight";
    let s = conv_shape(K, geometry)?;
    let (x, dout) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "dout", dout_ptr, dout_len)?);
    let dweight = Buffer::new(K, "dweight", dweight_ptr, dweight_len)?;
    let dbias = dbias_ptr.map(|p| Buffer::new(K, "dbias", p, dbias_len)).transpose()?;
    let outputs = [Some(dweight.operand()), dbias.as_ref().map(Buffer::operand)];
    alias::check_all_separate(K, &outputs, &[Some(x.operand()), Some(dout.operand())]).map_err(js)?;
    // SAFETY: dweight and dbias overlap no input and each other (checked above).
    unsafe {
        let dbias = dbias.map(|b| b.slice_mut());
        dlp_kernels::conv2d_backward_weight(x.slice(), dout.slice(), dweight.slice_mut(), dbias, s, 1)
    }
    .map_err(js)
}

/// out = max over each window; its flat position in the input plane into `indices` (copied back
/// to the caller's Int32Array by wasm-bindgen).
#[wasm_bindgen]
pub fn max_pool2d(
    x_ptr: usize,
    x_len: usize,
    out_ptr: usize,
    out_len: usize,
    indices: &mut [i32],
    geometry: &[u32],
) -> Result<(), JsError> {
    const K: &str = "maxPool2d";
    let s = pool_shape(K, geometry)?;
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    separate(K, &out, &x)?;
    // SAFETY: out is disjoint from x; indices is wasm-bindgen's own copy.
    unsafe { dlp_kernels::max_pool2d(x.slice(), s, out.slice_mut(), indices) }.map_err(js)
}

/// dx = 0, then dout routed to the argmax positions given by `indices`.
#[wasm_bindgen]
pub fn max_pool2d_backward(
    dout_ptr: usize,
    dout_len: usize,
    indices: &[i32],
    dx_ptr: usize,
    dx_len: usize,
    geometry: &[u32],
) -> Result<(), JsError> {
    const K: &str = "maxPool2dBackward";
    let s = pool_shape(K, geometry)?;
    let (dout, dx) = (Buffer::new(K, "dout", dout_ptr, dout_len)?, Buffer::new(K, "dx", dx_ptr, dx_len)?);
    separate(K, &dx, &dout)?;
    // SAFETY: dx is disjoint from dout.
    unsafe { dlp_kernels::max_pool2d_backward(dout.slice(), indices, s, dx.slice_mut()) }.map_err(js)
}
