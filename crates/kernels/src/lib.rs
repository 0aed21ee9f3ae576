//! dlp's compute kernels: plain Rust over slices, no binding code.
//!
//! The binding crates (`crates/node` for napi-rs, `crates/wasm` for wasm-bindgen) are thin
//! wrappers over the functions here; everything numeric, and every shape check, lives here so
//! that Node and the browser run exactly the same code.
//!
//! GEMM comes from the `gemm` crate (`gemm.rs`); the elementwise and row-wise MLP kernels
//! (`bias`, `activation`, `softmax`, `loss`, `optim`) are written once over a small SIMD layer
//! (`simd/`), each beside an f64 `*_reference` that the tests compare it with.

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
