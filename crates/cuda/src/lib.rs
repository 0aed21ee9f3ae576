//! dlp's CUDA device: GEMM through cuBLAS, the other kernels in CUDA C (`src/kernels/*.cu`)
//! compiled at run time by NVRTC for the GPU at hand, tensors that stay on the device.
//!
//! Nothing CUDA is needed to build this crate: the driver (libcuda), cuBLAS and NVRTC are
//! loaded when a device is first opened (cudarc's dynamic loading), so CI builds and tests it
//! on machines without a GPU, and a CPU-only program that links it pays nothing.
//!
//! - [`contract`]: the kernel contract's declarations on the device, which the bindings call;
//! - [`nccl`]: NCCL's all-reduce and broadcast on device buffers, for data-parallel training;
//! - [`libs`]: where the libraries come from, and what is missing when a device cannot open;
//! - [`sources`]: the CUDA C sources and the kernels each defines;
//! - [`compile`]: NVRTC, to PTX (what a device loads) or to a cubin (which runs ptxas too);
//! - [`device`]: an open GPU, its buffers and every kernel as a method, each mirroring the
//!   dlp-kernels function of the same name, whose CPU results the parity tests compare with
//!   (the convolutions' methods in `conv.rs`: im2col + cuBLAS, col2im; max pooling in
//!   `pool.rs`, average and adaptive average pooling in `avg_pool.rs`; log-softmax and NLL in
//!   `log_softmax.rs`, softmax in `softmax.rs`, cross-entropy on probabilities in
//!   `cross_entropy.rs`; LayerNorm in `layer_norm.rs`; reduce_sum and max_along in
//!   `reduce.rs`; the strided `binary` and `copy_strided`, the slice copies, fill and range
//!   copies in `layout.rs`).

mod avg_pool;
pub mod compile;
pub mod contract;
mod conv;
mod cross_entropy;
mod layer_norm;
mod layout;
mod log_softmax;
pub mod nccl;
mod pool;
mod reduce;
mod softmax;
pub mod device;
pub mod error;
pub mod libs;
pub mod sources;

pub use device::{Device, DeviceBuffer};
pub use error::CudaError;
pub use libs::{availability, Unavailable};
