//! dlp's compute kernels: plain Rust over slices, no binding code.
//!
//! The binding crates (`crates/node` for napi-rs, `crates/wasm` for wasm-bindgen) are thin
//! wrappers over the functions here; everything numeric, and every shape check, lives here so
//! that Node and the browser run exactly the same code.
//!
//! GEMM (`gemm/`) dispatches to dlp's own AVX-512, AVX2+FMA and simd128 micro-kernels
//! (`gemm/x86/`, `gemm/simd128/`) where they measured faster, else to the `gemm` crate. Everything else is
//! written once over a small SIMD layer (`simd/`), each kernel beside an f64 `*_reference` that
//! the tests compare it with, in a folder per concern:
//!
//! - `elementwise/`: `unary`, `binary` (with broadcasting, and `axpy`), `activation` (ELU),
//!   `bias` (bias add and its column sums);
//! - `loss/`: the cross-entropy losses (`mod.rs`), `softmax`, `log_softmax`, `nll`;
//! - `reduce/`: `reduce_sum` (`mod.rs`), `max_along`;
//! - `layout/`: the shape and stride checks and row walking of the strided kernels (`mod.rs`),
//!   `copy` (`copy_strided`), `slice` (`copy_into_slice`, `copy_slice`: concatenation's copies);
//! - `norm/`: `batch_norm`, `layer_norm`, their f64 oracles (`*_reference`), and `per_channel`
//!   (BatchNorm's channel walk);
//! - `optim/`: `sgd_update` (`mod.rs`), `optim_steps` (PyTorch's SGD and Adam);
//! - `conv/`: `conv2d` by im2col + GEMM (`mod.rs`) or, for 3×3/1/1 kernels, Winograd's
//!   F(4×4, 3×3) and F(2×2, 3×3) (`winograd/`), its oracles (`conv_reference`),
//!   `max_pool`, which shares conv's window checks, and the average poolings `avg_pool` and
//!   `adaptive_avg_pool` (their sums in `window_mean`);
//! - `data/`: `images`, uint8 image batches gathered and centred as network input.
//!
//! Beside them at the top: `error` (`KernelError`, a message and its `ErrorKind`: Shape for a
//! length that misfits its shape, else Argument), `check` (the length checks every kernel words
//! the same), `alias` (how the bindings tell in-place from separate buffers), `threads` (the
//! shared pool), `cpu` (what SIMD this machine has) and `simd`.
//!
//! Every kernel and its argument types are re-exported here at the root.

// Support shared by every kernel.
pub mod alias;
mod check;
pub mod cpu;
pub mod error;
pub mod simd;
pub mod threads;

// The kernels, a folder per concern.
pub mod conv;
pub mod data;
pub mod elementwise;
pub mod gemm;
pub mod layout;
pub mod loss;
pub mod norm;
pub mod optim;
pub mod reduce;

pub use error::{ErrorKind, KernelError};

// GEMM.
pub use gemm::{set_wasm_simd128, sgemm, sgemm_reference_f64, wasm_simd128_enabled, GemmSpec};

// The MLP's kernels.
pub use data::images::{gather_center_u8, gather_center_u8_reference};
pub use elementwise::activation::{
    elu, elu_backward, elu_backward_in_place, elu_backward_reference, elu_in_place, elu_reference,
};
pub use elementwise::bias::{bias_add, bias_add_in_place, bias_add_reference, column_sum, column_sum_reference};
pub use loss::softmax::{
    check_softmax, check_softmax_backward, softmax, softmax_backward, softmax_backward_reference, softmax_reference,
};
pub use loss::{
    check_cross_entropy, check_cross_entropy_backward, cross_entropy, cross_entropy_backward,
    cross_entropy_backward_reference, softmax_cross_entropy, softmax_cross_entropy_reference, SoftmaxCrossEntropyReference,
};
pub use optim::{check_sgd_update, sgd_update, sgd_update_reference};

// The autograd ops' kernels (packages/core/src/kernels/elementwise.ts, layout.ts, loss.ts).
pub use elementwise::binary::{axpy, axpy_reference, binary, binary_into, binary_layout, binary_reference, BinaryOp, Input};
pub use elementwise::unary::{
    unary, unary_backward, unary_backward_in_place, unary_backward_reference, unary_in_place, unary_reference, UnaryOp,
};
pub use layout::copy::{copy_layout, copy_strided, copy_strided_reference};
pub use layout::slice::{
    check_copy_into_slice, check_copy_slice, copy_into_slice, copy_into_slice_reference, copy_slice, copy_slice_reference,
};
pub use loss::log_softmax::{
    log_softmax, log_softmax_backward, log_softmax_backward_in_place, log_softmax_backward_reference,
    log_softmax_reference,
};
pub use loss::nll::{nll_loss, nll_loss_backward, nll_loss_backward_reference, nll_loss_reference};
pub use reduce::max_along::{
    check_max_along, check_max_along_backward_lengths, max_along, max_along_backward, max_along_backward_reference,
    max_along_reference,
};
pub use reduce::{reduce_sum, reduce_sum_layout, reduce_sum_reference};

// Normalisation and optimiser kernels (packages/core/src/kernels/norm.ts, optim.ts).
pub use norm::batch_norm::{
    batch_norm_backward, batch_norm_inference, batch_norm_train, BatchNormBackward, BatchNormInference, BatchNormTrain,
};
pub use norm::batch_norm_reference::{
    batch_norm_backward_reference, batch_norm_inference_reference, batch_norm_train_reference,
    BatchNormBackwardReference, BatchNormTrainReference,
};
pub use norm::layer_norm::{
    check_layer_norm, check_layer_norm_backward, layer_norm, layer_norm_backward, LayerNorm, LayerNormBackward,
};
pub use norm::layer_norm_reference::{
    layer_norm_backward_reference, layer_norm_reference, LayerNormBackwardReference, LayerNormReference,
};
pub use norm::per_channel::BatchNormShape;
pub use optim::optim_steps::{
    adam_bias_corrections, adam_step, adam_step_reference, sgd_step, sgd_step_reference, AdamStep, AdamStepReference, SgdStep,
    SgdStepReference,
};

// Convolution and pooling kernels (packages/core/src/kernels/conv.ts).
pub use conv::conv_reference::{conv2d_backward_input_reference, conv2d_backward_weight_reference, conv2d_reference};
pub use conv::max_pool::{
    max_pool2d, max_pool2d_backward, max_pool2d_backward_reference, max_pool2d_reference, MaxPool2dShape,
};
pub use conv::{conv2d, conv2d_backward_input, conv2d_backward_weight, Conv2dShape};
pub use conv::avg_pool::{
    avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_reference, avg_pool2d_reference, AvgPool2dShape,
};
pub use conv::adaptive_avg_pool::{
    adaptive_avg_pool2d, adaptive_avg_pool2d_backward, adaptive_avg_pool2d_backward_reference,
    adaptive_avg_pool2d_reference, adaptive_bin, AdaptiveAvgPool2dShape,
};
