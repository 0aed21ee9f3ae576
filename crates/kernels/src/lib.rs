//! dlp's compute kernels: plain Rust over slices, no binding code.
//!
//! The binding crates (`crates/node` for napi-rs, `crates/wasm` for wasm-bindgen) are thin
//! wrappers over the functions here; everything numeric, and every shape check, lives here so
//! that Node and the browser run exactly the same code.
//!
//! GEMM (`gemm.rs`) dispatches to dlp's own AVX2+FMA and simd128 micro-kernels where they
//! measured faster, else to the `gemm` crate. Everything else is written once over a small SIMD
//! layer (`simd/`), each kernel beside an f64 `*_reference` that the tests compare it with:
//! elementwise and row-wise ops (`unary`, `binary`, `activation`, `bias`, `softmax`,
//! `log_softmax`, `loss`, `nll`), reductions and layout (`reduce`, `max_along`, `copy`),
//! normalisation (`batch_norm`, `layer_norm`), optimiser steps (`optim`, `optim_steps`), and
//! convolution and pooling (`conv` by im2col + GEMM or, for 3×3/1/1 kernels, Winograd's
//! F(4×4, 3×3) and F(2×2, 3×3) in `winograd`; `max_pool`).

pub mod activation;
pub mod alias;
pub mod bias;
mod check;
pub mod cpu;
pub mod error;
pub mod gemm;
// dlp's own GEMM for x86_64 CPUs with AVX2+FMA; `sgemm` sends it the shapes where it wins.
#[cfg(target_arch = "x86_64")]
pub mod gemm_avx2;
// The wasm simd128 GEMM; compiled for host tests too, where its kernel is a scalar model.
#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod gemm_simd128;
pub mod images;
pub mod loss;
pub mod optim;
pub mod simd;
pub mod softmax;
pub mod threads;

pub use activation::{elu, elu_backward, elu_backward_in_place, elu_backward_reference, elu_in_place, elu_reference};
pub use bias::{bias_add, bias_add_in_place, bias_add_reference, column_sum, column_sum_reference};
pub use error::KernelError;
pub use images::{gather_center_u8, gather_center_u8_reference};
pub use gemm::{set_wasm_simd128, sgemm, sgemm_reference_f64, wasm_simd128_enabled, GemmSpec};
pub use loss::{
    cross_entropy, cross_entropy_backward, cross_entropy_backward_reference, softmax_cross_entropy,
    softmax_cross_entropy_reference, SoftmaxCrossEntropyReference,
};
pub use optim::{sgd_update, sgd_update_reference};
pub use softmax::{softmax, softmax_backward, softmax_backward_reference, softmax_reference};

// The autograd ops' kernels (packages/core/src/kernels/tensor-op-args.ts).
pub mod binary;
pub mod copy;
pub mod layout;
pub mod log_softmax;
pub mod max_along;
pub mod nll;
pub mod reduce;
pub mod unary;
pub use binary::{axpy, axpy_reference, binary, binary_into, binary_reference, BinaryOp, Input};
pub use copy::{copy_strided, copy_strided_reference};
pub use log_softmax::{
    log_softmax, log_softmax_backward, log_softmax_backward_in_place, log_softmax_backward_reference,
    log_softmax_reference,
};
pub use max_along::{max_along, max_along_backward, max_along_backward_reference, max_along_reference};
pub use nll::{nll_loss, nll_loss_backward, nll_loss_backward_reference, nll_loss_reference};
pub use reduce::{reduce_sum, reduce_sum_reference};
pub use unary::{
    unary, unary_backward, unary_backward_in_place, unary_backward_reference, unary_in_place, unary_reference, UnaryOp,
};

// Normalisation and optimiser kernels (packages/core/src/kernels/norm-args.ts, optim-args.ts).
pub mod batch_norm;
pub mod batch_norm_reference;
pub mod layer_norm;
pub mod layer_norm_reference;
pub mod optim_steps;
pub mod per_channel;
pub use batch_norm::{
    batch_norm_backward, batch_norm_inference, batch_norm_train, BatchNormBackward, BatchNormInference, BatchNormTrain,
};
pub use batch_norm_reference::{
    batch_norm_backward_reference, batch_norm_inference_reference, batch_norm_train_reference,
    BatchNormBackwardReference, BatchNormTrainReference,
};
pub use layer_norm::{layer_norm, layer_norm_backward, LayerNorm, LayerNormBackward};
pub use layer_norm_reference::{
    layer_norm_backward_reference, layer_norm_reference, LayerNormBackwardReference, LayerNormReference,
};
pub use optim_steps::{
    adam_step, adam_step_reference, sgd_step, sgd_step_reference, AdamStep, AdamStepReference, SgdStep,
    SgdStepReference,
};
pub use per_channel::BatchNormShape;

// Convolution and pooling kernels (packages/core/src/kernels/conv-args.ts).
pub mod conv;
pub mod conv_reference;
pub mod max_pool;
mod winograd;
pub use conv::{conv2d, conv2d_backward_input, conv2d_backward_weight, Conv2dShape};
pub use conv_reference::{conv2d_backward_input_reference, conv2d_backward_weight_reference, conv2d_reference};
pub use max_pool::{max_pool2d, max_pool2d_backward, max_pool2d_backward_reference, max_pool2d_reference, MaxPool2dShape};
