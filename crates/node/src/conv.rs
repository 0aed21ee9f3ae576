//! napi functions for the convolution and pooling kernels (dlp-kernels' `conv`, `max_pool`).
//! The geometry arrives as one object with conv-args.ts' field names (the kernel's own
//! arguments object does: extra fields are ignored); outputs must be separate from every input,
//! checked before any slice is formed. `threads` = 0 uses every thread of the shared pool.
//! JS names are given explicitly: napi-rs would spell `conv2d` as `conv2D`.

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::{Conv2dShape, MaxPool2dShape};
use napi::bindgen_prelude::{Float32ArraySlice, Int32ArraySlice, Result};
use napi_derive::napi;

use crate::{js, operand, output};

/// conv-args.ts' Conv2dGeometry.
#[napi(object, js_name = "Conv2dGeometry")]
pub struct Conv2dGeometry {
    pub batch: u32,
    pub in_channels: u32,
    pub height: u32,
    pub width: u32,
    pub out_channels: u32,
    pub kernel_h: u32,
    pub kernel_w: u32,
    pub stride_h: u32,
    pub stride_w: u32,
    pub pad_h: u32,
    pub pad_w: u32,
}

impl From<&Conv2dGeometry> for Conv2dShape {
    fn from(g: &Conv2dGeometry) -> Self {
        let u = |v: u32| v as usize;
        Conv2dShape {
            batch: u(g.batch),
            in_channels: u(g.in_channels),
            height: u(g.height),
            width: u(g.width),
            out_channels: u(g.out_channels),
            kernel_h: u(g.kernel_h),
            kernel_w: u(g.kernel_w),
            stride_h: u(g.stride_h),
            stride_w: u(g.stride_w),
            pad_h: u(g.pad_h),
            pad_w: u(g.pad_w),
        }
    }
}

/// conv-args.ts' MaxPool2dGeometry.
#[napi(object, js_name = "MaxPool2dGeometry")]
pub struct MaxPool2dGeometry {
    pub batch: u32,
    pub channels: u32,
    pub height: u32,
    pub width: u32,
    pub kernel_h: u32,
    pub kernel_w: u32,
    pub stride_h: u32,
    pub stride_w: u32,
    pub pad_h: u32,
    pub pad_w: u32,
}

impl From<&MaxPool2dGeometry> for MaxPool2dShape {
    fn from(g: &MaxPool2dGeometry) -> Self {
        let u = |v: u32| v as usize;
        MaxPool2dShape {
            batch: u(g.batch),
            channels: u(g.channels),
            height: u(g.height),
            width: u(g.width),
            kernel_h: u(g.kernel_h),
            kernel_w: u(g.kernel_w),
            stride_h: u(g.stride_h),
            stride_w: u(g.stride_w),
            pad_h: u(g.pad_h),
            pad_w: u(g.pad_w),
        }
    }
}

/// out = conv(x, weight) + bias (absent: 0), NCHW.
#[napi(js_name = "conv2d")]
pub fn conv2d(
    x: Float32ArraySlice,
    weight: Float32ArraySlice,
    bias: Option<Float32ArraySlice>,
    mut out: Float32ArraySlice,
    geometry: Conv2dGeometry,
    threads: u32,
) -> Result<()> {
    alias::check_all_separate(
        "conv2d",
        &[Some(operand("out", &out))],
        &[Some(operand("x", &x)), Some(operand("weight", &weight)), bias.as_ref().map(|b| operand("bias", b))],
    )
    .map_err(js)?;
    // SAFETY: out overlaps no input (checked above).
    let out = unsafe { output(&mut out) };
    dlp_kernels::conv2d(&x, &weight, bias.as_deref(), out, (&geometry).into(), threads as usize).map_err(js)
}

/// dx from dout and weight (GEMM + col2im); dx is overwritten.
#[napi(js_name = "conv2dBackwardInput")]
pub fn conv2d_backward_input(
    dout: Float32ArraySlice,
    weight: Float32ArraySlice,
    mut dx: Float32ArraySlice,
    geometry: Conv2dGeometry,
    threads: u32,
) -> Result<()> {
    alias::check_all_separate(
        "conv2dBackwardInput",
        &[Some(operand("dx", &dx))],
        &[Some(operand("dout", &dout)), Some(operand("weight", &weight))],
    )
    .map_err(js)?;
    // SAFETY: dx overlaps no input (checked above).
    let dx = unsafe { output(&mut dx) };
    dlp_kernels::conv2d_backward_input(&dout, &weight, dx, (&geometry).into(), threads as usize).map_err(js)
}

/// dweight (and dbias when given) from x and dout; both overwritten.
#[napi(js_name = "conv2dBackwardWeight")]
pub fn conv2d_backward_weight(
    x: Float32ArraySlice,
    dout: Float32ArraySlice,
    mut dweight: Float32ArraySlice,
    mut dbias: Option<Float32ArraySlice>,
    geometry: Conv2dGeometry,
    threads: u32,
) -> Result<()> {
    alias::check_all_separate(
        "conv2dBackwardWeight",
        &[Some(operand("dweight", &dweight)), dbias.as_ref().map(|b| operand("dbias", b))],
        &[Some(operand("x", &x)), Some(operand("dout", &dout))],
    )
    .map_err(js)?;
    // SAFETY: dweight and dbias overlap no input and each other (checked above).
    let (dweight, dbias) = unsafe { (output(&mut dweight), dbias.as_mut().map(|b| output(b))) };
    dlp_kernels::conv2d_backward_weight(&x, &dout, dweight, dbias, (&geometry).into(), threads as usize).map_err(js)
}

/// out = max over each window, indices = its flat position in the input plane (written in place).
#[napi(js_name = "maxPool2d")]
pub fn max_pool2d(
    x: Float32ArraySlice,
    mut out: Float32ArraySlice,
    mut indices: Int32ArraySlice,
    geometry: MaxPool2dGeometry,
) -> Result<()> {
    const K: &str = "maxPool2d";
    let (dst, at, src) = (operand("out", &out), Operand::of("indices", &indices), operand("x", &x));
    alias::check_all_separate(K, &[Some(dst), Some(at)], &[Some(src)]).map_err(js)?;
    // SAFETY: out, indices and x are pairwise disjoint.
    let (out, indices) = unsafe { (output(&mut out), indices.as_mut()) };
    dlp_kernels::max_pool2d(&x, (&geometry).into(), out, indices).map_err(js)
}

/// dx = 0, then dout routed to the argmax positions given by `indices`.
#[napi(js_name = "maxPool2dBackward")]
pub fn max_pool2d_backward(
    dout: Float32ArraySlice,
    indices: Int32ArraySlice,
    mut dx: Float32ArraySlice,
    geometry: MaxPool2dGeometry,
) -> Result<()> {
    let inputs = [Some(operand("dout", &dout)), Some(Operand::of("indices", &indices))];
    alias::check_all_separate("maxPool2dBackward", &[Some(operand("dx", &dx))], &inputs).map_err(js)?;
    // SAFETY: dx overlaps neither input.
    let dx = unsafe { output(&mut dx) };
    dlp_kernels::max_pool2d_backward(&dout, &indices, (&geometry).into(), dx).map_err(js)
}
