//! Elementwise kernels over whole buffers or the rows of a matrix: `unary` and `binary` (with
//! broadcasting, and `axpy`), the ELU `activation`, and a Linear layer's `bias` and its gradient.

pub mod activation;
pub mod bias;
pub mod binary;
pub mod unary;
