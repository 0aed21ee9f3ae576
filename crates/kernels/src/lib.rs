//! dlp's compute kernels: plain Rust over slices, no binding code.
//!
//! The binding crates (`crates/node` for napi-rs, `crates/wasm` for wasm-bindgen) are thin
//! wrappers over the functions here; everything numeric, and every shape check, lives here so
//! that Node and the browser run exactly the same code.

pub mod cpu;
pub mod error;
pub mod gemm;
pub mod threads;

pub use error::KernelError;
pub use gemm::{set_wasm_simd128, sgemm, sgemm_reference_f64, wasm_simd128_enabled, GemmSpec};
