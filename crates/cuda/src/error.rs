//! The one error type of this crate, in three kinds that the bindings map to their own
//! classes: CUDA cannot be used here, a caller's bad argument, a CUDA call that failed.

use std::fmt;

use dlp_kernels::KernelError;

use crate::libs::Unavailable;

#[derive(Debug, Clone)]
pub enum CudaError {
    /// No usable CUDA here: the message names what is missing (no driver, no device, a library).
    Unavailable(Unavailable),
    /// A bad argument, worded as the CPU kernels word theirs (the same TypeScript classes).
    Kernel(KernelError),
    /// A call into the driver, cuBLAS or NVRTC failed (out of device memory, a compile error).
    Cuda(String),
}

impl CudaError {
    pub(crate) fn cuda(what: &str, error: impl fmt::Debug) -> Self {
        CudaError::Cuda(format!("{what}: {error:?}"))
    }

    pub(crate) fn argument(message: impl Into<String>) -> Self {
        CudaError::Kernel(KernelError::new(message))
    }
}

impl fmt::Display for CudaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CudaError::Unavailable(u) => write!(f, "{u}"),
            CudaError::Kernel(e) => write!(f, "{}", e.message()),
            CudaError::Cuda(m) => write!(f, "CUDA: {m}"),
        }
    }
}

impl std::error::Error for CudaError {}

impl From<KernelError> for CudaError {
    fn from(e: KernelError) -> Self {
        CudaError::Kernel(e)
    }
}

impl From<Unavailable> for CudaError {
    fn from(u: Unavailable) -> Self {
        CudaError::Unavailable(u)
    }
}
