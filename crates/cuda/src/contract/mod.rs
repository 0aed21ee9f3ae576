//! The kernel contract (crates/contract) on the device: for every declared kernel, a struct of
//! its named arguments with device buffers where the CPU's have slices (`kind`), made by the
//! generator below from the same declarations the CPU bindings are made from, so a binding
//! needs no hand-written glue per kernel. What each kernel does is in `run.rs`: a call of the
//! [`Device`] method of the same name, or, for a kernel with no GPU version yet, the default
//! [`OnDevice::run_on`], which says so ([`kernels_on_gpu`] leaves those out, and a backend
//! does not register them).
//!
//! Argument names are the contract's (JS's camelCase), so that messages name what the caller wrote.

mod run;

use crate::device::{Device, DeviceBuffer};
use crate::error::CudaError;

/// Each kind of kernel argument (dlp_contract::kind) as a device kernel sees it. Float buffers
/// and the data set's bytes are device buffers; int32 values are either (class labels come
/// from the host, max pooling's indices stay on the device); row indices come from the host.
#[allow(non_camel_case_types)]
pub mod kind {
    use super::Ints;
    use crate::device::DeviceBuffer;

    pub type f32_in<'a> = &'a DeviceBuffer<f32>;
    pub type f32_out<'a> = &'a DeviceBuffer<f32>;
    pub type opt_f32_in<'a> = Option<&'a DeviceBuffer<f32>>;
    pub type opt_f32_out<'a> = Option<&'a DeviceBuffer<f32>>;
    pub type i32_in<'a> = Ints<'a>;
    pub type i32_out<'a> = Ints<'a>;
    pub type u8_in<'a> = &'a DeviceBuffer<u8>;
    pub type u32_in<'a> = &'a [u32];
    pub type size<'a> = usize;
    pub type real32<'a> = f32;
    pub type real64<'a> = f64;
    pub type flag<'a> = bool;
    pub type dims<'a> = Vec<usize>;
    pub type flags<'a> = Vec<bool>;
    pub type name<'a> = String;
}

/// Int32 values in host memory or on the device.
#[derive(Clone, Copy)]
pub enum Ints<'a> {
    Host(&'a [i32]),
    Device(&'a DeviceBuffer<i32>),
}

impl<'a> Ints<'a> {
    /// Host values (class labels, checked on the host before they go up).
    pub fn host(self, kernel: &str, name: &str) -> Result<&'a [i32], CudaError> {
        match self {
            Ints::Host(values) => Ok(values),
            Ints::Device(_) => Err(CudaError::argument(format!("{kernel}: {name} must be host memory (an Int32Array), not a device buffer"))),
        }
    }

    /// A device buffer (max pooling's indices, written by the forward and read by the backward).
    pub fn device(self, kernel: &str, name: &str) -> Result<&'a DeviceBuffer<i32>, CudaError> {
        match self {
            Ints::Device(buffer) => Ok(buffer),
            Ints::Host(_) => Err(CudaError::argument(format!("{kernel}: {name} must be a device buffer on the cuda backend"))),
        }
    }
}

/// A declared kernel's JS name.
pub trait Declared {
    const NAME: &'static str;
}

/// A kernel run on the device, returning `R` (nothing, or the loss). The default is a kernel
/// with no GPU version yet.
pub trait OnDevice<R>: Declared + Sized {
    const ON_GPU: bool = false;
    fn run_on(self, _device: &Device) -> Result<R, CudaError> {
        Err(CudaError::argument(format!("{}: this kernel has no CUDA version yet", Self::NAME)))
    }
}

/// A declaration's return kind as a Rust type.
macro_rules! returns {
    (unit) => { () };
    (number) => { f64 };
}

/// Makes each declared kernel's argument struct, its name and its `run`.
macro_rules! on_device {
    ($( $(#[doc = $doc:tt])* $js:literal $fun:ident $S:ident { $($f:ident : $k:ident),* $(,)? } -> $ret:ident; )*) => {$(
        $(#[doc = $doc])*
        #[allow(non_snake_case)]
        pub struct $S<'a> { $( pub $f: kind::$k<'a>, )* }
        impl Declared for $S<'_> {
            const NAME: &'static str = $js;
        }
        impl $S<'_> {
            /// Checks the arguments as the CPU kernel does and queues the kernel on the device.
            pub fn run(self, device: &Device) -> Result<returns!($ret), CudaError> {
                <Self as OnDevice<returns!($ret)>>::run_on(self, device)
            }
        }
    )*};
}

/// An expression: each declared kernel's JS name and whether it runs on the GPU.
macro_rules! on_gpu {
    ($( $(#[doc = $doc:tt])* $js:literal $fun:ident $S:ident { $($f:ident : $k:ident),* $(,)? } -> $ret:ident; )*) => {
        &[$( ($js, <$S<'static> as OnDevice<returns!($ret)>>::ON_GPU) ),*]
    };
}

dlp_contract::gemm_kernels!(on_device);
dlp_contract::elementwise_kernels!(on_device);
dlp_contract::loss_kernels!(on_device);
dlp_contract::layout_kernels!(on_device);
dlp_contract::norm_kernels!(on_device);
dlp_contract::optim_kernels!(on_device);
dlp_contract::conv_kernels!(on_device);
dlp_contract::image_kernels!(on_device);

/// The JS names of the kernels that run on the GPU, in the contract's order.
pub fn kernels_on_gpu() -> Vec<&'static str> {
    let groups: [&[(&str, bool)]; 8] = [
        dlp_contract::gemm_kernels!(on_gpu),
        dlp_contract::elementwise_kernels!(on_gpu),
        dlp_contract::loss_kernels!(on_gpu),
        dlp_contract::layout_kernels!(on_gpu),
        dlp_contract::norm_kernels!(on_gpu),
        dlp_contract::optim_kernels!(on_gpu),
        dlp_contract::conv_kernels!(on_gpu),
        dlp_contract::image_kernels!(on_gpu),
    ];
    groups.iter().flat_map(|group| group.iter()).filter(|(_, on_gpu)| *on_gpu).map(|(name, _)| *name).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kernel_of_the_contract_runs_on_the_gpu() {
        let on_gpu = super::kernels_on_gpu();
        // Every kernel declared at present.
        for name in [
            // The ConvNet's and the MLP setups' steps and evaluation (see docs/cuda.md).
            "gemm", "biasAdd", "columnSum", "elu", "eluBackward", "unary", "unaryBackward", "binary", "axpy", "copy",
            "softmaxCrossEntropy", "batchNormTrain", "batchNormInference", "batchNormBackward", "sgdStep", "adamStep",
            "conv2d", "conv2dBackwardInput", "conv2dBackwardWeight", "maxPool2d", "maxPool2dBackward", "gatherCenter",
            "logSoftmax", "logSoftmaxBackward", "nllLoss", "nllLossBackward",
            // The rest of the contract.
            "layerNorm", "layerNormBackward", "softmax", "softmaxBackward", "crossEntropy", "crossEntropyBackward",
            "sgdUpdate", "reduceSum", "maxAlong", "maxAlongBackward", "copySlice", "copyIntoSlice", "avgPool2d",
            "avgPool2dBackward", "adaptiveAvgPool2d", "adaptiveAvgPool2dBackward",
        ] {
            assert!(on_gpu.contains(&name), "{name} should run on the GPU");
        }
    }
}
