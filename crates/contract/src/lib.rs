//! The kernel contract: every kernel that JS can call, declared once.
//!
//! A declaration names the kernel as JS calls it, the Rust function the bindings export, the
//! struct of its named arguments and each argument's kind (`kind.rs`: which buffers are read,
//! which are written, which may be left out; sizes, scalars, flags):
//!
//! ```text
//! /// out[r][c] = x[r][c] + bias[c] over rows×cols; out may be x itself.
//! "biasAdd" bias_add BiasAdd { x: f32_in, bias: f32_in, out: f32_out, rows: size, cols: size } -> unit;
//! ```
//!
//! The declarations live in `kernels/`, grouped by concern, each group in a macro
//! (`elementwise_kernels!`, …) that hands its declarations to a generator macro: here
//! `declare!` makes each argument struct, and every binding crate has its own generator that
//! writes the exported wrapper (napi-rs in crates/node, wasm-bindgen in crates/wasm) and the
//! argument type JS sees. Beside each declaration, its `run` turns the buffers into slices:
//! outputs are compared with inputs first (a JS buffer may share memory with another), then
//! the kernel's in-place or ordinary variant of dlp-kernels is called.
//!
//! Argument names are JS's (camelCase), so that messages name what the caller wrote.

pub mod buffer;
pub mod kind;

pub use buffer::Buf;
pub use dlp_kernels::KernelError;
/// For the exported macros' paths (`conv_shape!`, `pool_shape!`).
#[doc(hidden)]
pub use dlp_kernels;

/// Makes each declared kernel's argument struct (fields of `kind` types) and its JS name.
macro_rules! declare {
    ($( $(#[doc = $doc:tt])* $js:literal $fun:ident $S:ident { $($f:ident : $k:ident),* $(,)? } -> $ret:ident; )*) => {$(
        $(#[doc = $doc])*
        #[allow(non_snake_case)]
        pub struct $S { $( pub $f: $crate::kind::$k, )* }
        impl $S {
            /// The kernel's name in JS and in its error messages.
            pub const NAME: &'static str = $js;
        }
    )*};
}

pub mod kernels;
pub use kernels::*;

