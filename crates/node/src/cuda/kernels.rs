//! Every kernel of the contract as an addon function `cuda.<name>` (cuda.biasAdd, …) taking one
//! object of named arguments, generated from the declarations: device buffers are given by
//! number, int32 values as an Int32Array (host: class labels) or a buffer number (device:
//! max pooling's indices), everything else as on the CPU functions and checked by the same
//! `dlp_contract::kind` conversions. The call runs dlp_cuda::contract's kernel.

use dlp_cuda::contract::{self as device, Declared, Ints};
use napi::bindgen_prelude::{Either, Int32Array, Uint32Array};
use napi_derive::napi;

use super::{js_error, with_state, State};

/// Generates, for each declared kernel, its argument object type and its exported function.
macro_rules! cuda_bind {
    ($( $(#[doc = $doc:tt])* $js:literal $fun:ident $S:ident { $($f:ident : $k:ident),* $(,)? } -> $ret:ident; )*) => {$(
        paste::paste! {
            cuda_args!([<Cuda $S>] [] $($f: $k,)*);
            cuda_fn!($js [<cuda_ $fun>] [<Cuda $S>] $S { $($f: $k),* } $ret);
        }
    )*};
}

/// The exported function `cuda.<name>`: looks up the buffers, runs the kernel on the device,
/// returns nothing or the loss.
macro_rules! cuda_fn {
    ($js:literal $fun:ident $Args:ident $S:ident { $($f:ident: $k:ident),* } unit) => {
        #[napi(namespace = "cuda", js_name = $js)]
        pub fn $fun(args: $Args) -> napi::Result<(), &'static str> {
            cuda_call!(args, $S { $($f: $k),* })
        }
    };
    ($js:literal $fun:ident $Args:ident $S:ident { $($f:ident: $k:ident),* } number) => {
        #[napi(namespace = "cuda", js_name = $js)]
        pub fn $fun(args: $Args) -> napi::Result<f64, &'static str> {
            cuda_call!(args, $S { $($f: $k),* })
        }
    };
}

macro_rules! cuda_call {
    ($args:ident, $S:ident { $($f:ident: $k:ident),* }) => {
        with_state(|state| {
            const K: &str = <device::$S<'static> as Declared>::NAME;
            let call = device::$S { $( $f: cuda_field!(state, K, $k, $f, $args.$f), )* };
            call.run(&state.device).map_err(js_error)
        })
    };
}

/// The argument object: each kind as the JS type napi converts it from.
macro_rules! cuda_args {
    ($S:ident [$($field:tt)*]) => {
        #[napi(object, object_to_js = false)]
        #[allow(non_snake_case)]
        pub struct $S { $($field)* }
    };
    ($S:ident [$($field:tt)*] $f:ident: f32_in, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: u32,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: f32_out, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: u32,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: opt_f32_in, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: Option<u32>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: opt_f32_out, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: Option<u32>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: i32_in, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: Either<Int32Array, u32>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: i32_out, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: Either<Int32Array, u32>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: u8_in, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: u32,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: u32_in, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: Uint32Array,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: size, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: f64,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: real32, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: f64,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: real64, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: f64,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: flag, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: bool,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: dims, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: Vec<f64>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: flags, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: Vec<bool>,] $($rest)*); };
    ($S:ident [$($field:tt)*] $f:ident: name, $($rest:tt)*) => { cuda_args!($S [$($field)* pub $f: String,] $($rest)*); };
}

/// One field as dlp_cuda::contract takes it: buffers looked up by number, the rest converted
/// and checked as on the CPU (dlp_contract::kind).
macro_rules! cuda_field {
    ($state:ident, $K:ident, f32_in, $f:ident, $v:expr) => { $state.f32($K, stringify!($f), $v)? };
    ($state:ident, $K:ident, f32_out, $f:ident, $v:expr) => { $state.f32($K, stringify!($f), $v)? };
    ($state:ident, $K:ident, opt_f32_in, $f:ident, $v:expr) => { $v.map(|id| $state.f32($K, stringify!($f), id)).transpose()? };
    ($state:ident, $K:ident, opt_f32_out, $f:ident, $v:expr) => { $v.map(|id| $state.f32($K, stringify!($f), id)).transpose()? };
    ($state:ident, $K:ident, i32_in, $f:ident, $v:expr) => { ints($state, $K, stringify!($f), &$v)? };
    ($state:ident, $K:ident, i32_out, $f:ident, $v:expr) => { ints($state, $K, stringify!($f), &$v)? };
    ($state:ident, $K:ident, u8_in, $f:ident, $v:expr) => { $state.u8($K, stringify!($f), $v)? };
    ($state:ident, $K:ident, u32_in, $f:ident, $v:expr) => { &$v[..] };
    ($state:ident, $K:ident, $k:ident, $f:ident, $v:expr) => {
        dlp_contract::kind::$k($K, stringify!($f), $v).map_err(|e| napi::Error::new(e.code(), e.message().to_string()))?
    };
}

/// Host int32 values, or an int32 device buffer by number.
fn ints<'a>(state: &'a State, kernel: &str, name: &str, value: &'a Either<Int32Array, u32>) -> napi::Result<Ints<'a>, &'static str> {
    Ok(match value {
        Either::A(host) => Ints::Host(host),
        Either::B(id) => Ints::Device(state.i32(kernel, name, *id)?),
    })
}

dlp_contract::gemm_kernels!(cuda_bind);
dlp_contract::elementwise_kernels!(cuda_bind);
dlp_contract::loss_kernels!(cuda_bind);
dlp_contract::layout_kernels!(cuda_bind);
dlp_contract::norm_kernels!(cuda_bind);
dlp_contract::optim_kernels!(cuda_bind);
dlp_contract::conv_kernels!(cuda_bind);
dlp_contract::image_kernels!(cuda_bind);
