//! napi-rs binding of dlp's kernels for Node, generated from the kernel contract
//! (crates/contract): for each declared kernel, an object type of its named arguments (in
//! napi's index.d.ts, with `Float32Array` for every float buffer) and a function taking one
//! such object. A call copies nothing: buffers are borrowed views of the JS arrays' memory,
//! valid for the (synchronous) call; the contract checks them and runs the kernel.
//!
//! Kernel errors reach JS as `Error`s whose `code` is the TypeScript class they stand for
//! ("ShapeError", "ArgumentError"); the message is dlp-kernels' own.

use dlp_contract::{Buf, KernelError};
use napi::bindgen_prelude::{Float32ArraySlice, Int32ArraySlice, Uint32ArraySlice, Uint8ArraySlice};
use napi_derive::napi;

// The allocator's treatment of freed tensor memory.
pub mod memory;

// MPI collectives for data-parallel training (Open MPI opened at run time).
pub mod mpi;

// The GPU: buffers by number and every kernel on the device (the `cuda` feature).
#[cfg(feature = "cuda")]
pub mod cuda;

/// A kernel's error as a JS `Error` with the error class's name as its `code`.
fn js_error(error: KernelError) -> napi::Error<&'static str> {
    napi::Error::new(error.code(), error.message())
}

/// A JS argument as the contract takes it (see dlp_contract::kind).
trait ToContract {
    type Contract;
    fn to_contract(self, name: &'static str) -> Self::Contract;
}

macro_rules! typed_arrays {
    ($($slice:ident => $t:ty),*) => {$(
        impl ToContract for $slice<'_> {
            type Contract = Buf<$t>;
            fn to_contract(self, name: &'static str) -> Buf<$t> {
                // SAFETY: the view's memory belongs to a JS array that JS cannot touch, nor free,
                // during this synchronous call; the contract checks it against the other buffers.
                unsafe { Buf::new(name, self.as_ptr().cast_mut(), self.len()) }
            }
        }
    )*};
}
typed_arrays!(Float32ArraySlice => f32, Int32ArraySlice => i32, Uint8ArraySlice => u8, Uint32ArraySlice => u32);

impl<T: ToContract> ToContract for Option<T> {
    type Contract = Option<T::Contract>;
    fn to_contract(self, name: &'static str) -> Self::Contract {
        self.map(|value| value.to_contract(name))
    }
}

macro_rules! as_is {
    ($($t:ty),*) => {$(
        impl ToContract for $t {
            type Contract = $t;
            fn to_contract(self, _name: &'static str) -> $t {
                self
            }
        }
    )*};
}
as_is!(f64, bool, Vec<f64>, Vec<bool>, String);

/// Generates, for each declared kernel, its argument object type and its exported function.
macro_rules! napi_bind {
    ($( $(#[doc = $doc:tt])* $js:literal $fun:ident $S:ident { $($f:ident : $k:ident),* $(,)? } -> $ret:ident; )*) => {$(
        napi_args!($S [] $($f: $k,)*);
        // (Doc comments are not forwarded: napi-rs would print their raw-string quotes; the
        // declarations and wasm's .d.ts carry them.)
        napi_fn!($js $fun $S { $($f: $k),* } $ret);
    )*};
}

/// The argument object: each kind as the JS type napi converts it from.
macro_rules! napi_args {
    ($S:ident [$($field:tt)*]) => {
        #[napi(object, object_to_js = false)]
        #[allow(non_snake_case)]
        pub struct $S<'a> { $($field)* }
    };
    ($S:ident [$($field:tt)*] $f:ident: f32_in, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Float32ArraySlice<'a>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: f32_out, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Float32ArraySlice<'a>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: opt_f32_in, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Option<Float32ArraySlice<'a>>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: opt_f32_out, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Option<Float32ArraySlice<'a>>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: i32_in, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Int32ArraySlice<'a>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: i32_out, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Int32ArraySlice<'a>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: u8_in, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Uint8ArraySlice<'a>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: u32_in, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Uint32ArraySlice<'a>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: size, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: f64,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: real32, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: f64,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: real64, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: f64,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: flag, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: bool,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: dims, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Vec<f64>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: flags, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: Vec<bool>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: name, $($rest:tt)*) => { napi_args!($S [$($field)* pub $f: String,] $($rest)*); };
}

/// The exported function: converts each field, runs the kernel, returns nothing or the loss.
macro_rules! napi_fn {
    ($js:literal $fun:ident $S:ident { $($f:ident: $k:ident),* } unit) => {
        #[napi(js_name = $js)]
        pub fn $fun(args: $S<'_>) -> napi::Result<(), &'static str> {
            napi_call!(args, $S { $($f: $k),* })
        }
    };
    ($js:literal $fun:ident $S:ident { $($f:ident: $k:ident),* } number) => {
        #[napi(js_name = $js)]
        pub fn $fun(args: $S<'_>) -> napi::Result<f64, &'static str> {
            napi_call!(args, $S { $($f: $k),* })
        }
    };
}

macro_rules! napi_call {
    ($args:ident, $S:ident { $($f:ident: $k:ident),* }) => {{
        const K: &str = dlp_contract::$S::NAME;
        let call = dlp_contract::$S {
            $( $f: dlp_contract::kind::$k(K, stringify!($f), $args.$f.to_contract(stringify!($f))).map_err(js_error)?, )*
        };
        call.run().map_err(js_error)
    }};
}

dlp_contract::gemm_kernels!(napi_bind);
dlp_contract::elementwise_kernels!(napi_bind);
dlp_contract::loss_kernels!(napi_bind);
dlp_contract::layout_kernels!(napi_bind);
dlp_contract::norm_kernels!(napi_bind);
dlp_contract::optim_kernels!(napi_bind);
dlp_contract::conv_kernels!(napi_bind);
dlp_contract::image_kernels!(napi_bind);

/// Threads in the shared kernel pool (rayon's global pool, sized to the machine's cores).
#[napi]
pub fn available_threads() -> u32 {
    dlp_kernels::threads::available_threads() as u32
}

/// The SIMD instruction set the kernels dispatch to on this CPU, e.g. "avx2+fma".
#[napi]
pub fn simd_level() -> String {
    dlp_kernels::cpu::simd_level().to_string()
}

/// Whether this addon can use CUDA here: `reason` is absent when it can, else says why not (the
/// build has no `cuda` feature, or what is missing: no driver, no device, a library, as
/// dlp_cuda::availability says). `built`: the addon has the feature; `noDriver`: the machine
/// simply has no NVIDIA driver.
#[napi(object)]
pub struct CudaAvailability {
    pub reason: Option<String>,
    pub built: bool,
    pub no_driver: bool,
    pub devices: u32,
}

/// Whether CUDA can be used here (see [`CudaAvailability`]).
#[napi]
pub fn cuda_availability() -> CudaAvailability {
    #[cfg(feature = "cuda")]
    {
        match dlp_cuda::availability() {
            Ok(devices) => CudaAvailability { reason: None, built: true, no_driver: false, devices: devices as u32 },
            Err(why) => CudaAvailability { reason: Some(why.to_string()), built: true, no_driver: why.is_no_driver(), devices: 0 },
        }
    }
    #[cfg(not(feature = "cuda"))]
    {
        CudaAvailability {
            reason: Some("this build of the native addon has no CUDA support (built without the `cuda` feature)".into()),
            built: false,
            no_driver: false,
            devices: 0,
        }
    }
}
