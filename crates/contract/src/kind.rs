//! The kinds of kernel argument a declaration may name, each a Rust type (what the kernel's
//! `run` sees) and a function of the same name that makes it from what every binding hands
//! over: buffers as `Buf`s, numbers as f64 (JS numbers, checked here so that a bad one reads
//! the same on Node and in the browser), flags as bools, lists as Vecs, names as Strings.
//! Each binding maps a kind to its own JS-facing type once (crates/node, crates/wasm).
#![allow(non_camel_case_types)]

use dlp_kernels::error::js_number;
use dlp_kernels::layout::counts;
use dlp_kernels::KernelError;

use crate::buffer::Buf;

type Result<T> = std::result::Result<T, KernelError>;

/// A float32 buffer the kernel reads.
pub type f32_in = Buf<f32>;
/// A float32 buffer the kernel writes (and may read, e.g. an optimiser's state).
pub type f32_out = Buf<f32>;
/// A float32 buffer that may be left out (`undefined`), read.
pub type opt_f32_in = Option<Buf<f32>>;
/// A float32 buffer that may be left out, written when given.
pub type opt_f32_out = Option<Buf<f32>>;
/// Int32 values the kernel reads (class labels, argmax indices); host memory on every backend.
pub type i32_in = Buf<i32>;
/// Int32 values the kernel writes (argmax indices).
pub type i32_out = Buf<i32>;
/// Bytes the kernel reads (a dataset's pixels).
pub type u8_in = Buf<u8>;
/// Uint32 values the kernel reads (row indices).
pub type u32_in = Buf<u32>;
/// A count or size: a JS number that must be a non-negative integer.
pub type size = usize;
/// A float32 scalar (given as a JS number, rounded to f32).
pub type real32 = f32;
/// A float64 scalar.
pub type real64 = f64;
pub type flag = bool;
/// A shape or strides: JS numbers, each a non-negative integer.
pub type dims = Vec<usize>;
/// One flag per axis.
pub type flags = Vec<bool>;
/// A name picking a variant, e.g. a unary op's 'relu'.
pub type name = String;

macro_rules! as_is {
    ($($kind:ident: $t:ty),* $(,)?) => {$(
        #[inline]
        pub fn $kind(_kernel: &str, _name: &str, value: $t) -> Result<$t> {
            Ok(value)
        }
    )*};
}

as_is!(
    f32_in: Buf<f32>, f32_out: Buf<f32>, opt_f32_in: Option<Buf<f32>>, opt_f32_out: Option<Buf<f32>>,
    i32_in: Buf<i32>, i32_out: Buf<i32>, u8_in: Buf<u8>, u32_in: Buf<u32>,
    real64: f64, flag: bool, flags: Vec<bool>, name: String,
);

#[inline]
pub fn real32(_kernel: &str, _name: &str, value: f64) -> Result<f32> {
    Ok(value as f32)
}

/// Sizes are integers below 2^32 on every backend: the most a wasm32 usize holds (and more
/// elements than any typed array a size could describe).
#[inline]
pub fn size(kernel: &str, name: &str, value: f64) -> Result<usize> {
    if value >= 0.0 && value.fract() == 0.0 && value <= u32::MAX as f64 {
        Ok(value as usize)
    } else {
        Err(KernelError::new(format!("{kernel}: {name} = {} is not an integer in [0, 2^32)", js_number(value))))
    }
}

pub fn dims(kernel: &str, name: &str, value: Vec<f64>) -> Result<Vec<usize>> {
    counts(kernel, name, &value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_are_non_negative_integers() {
        assert_eq!(super::size("softmax", "rows", 3.0).unwrap(), 3);
        for bad in [-1.0, 2.5, f64::NAN, f64::INFINITY, 4294967296.0, 1e300] {
            let err = super::size("softmax", "rows", bad).unwrap_err();
            assert!(err.message().starts_with("softmax: rows = "), "{}", err.message());
            assert!(err.message().ends_with(" is not an integer in [0, 2^32)"), "{}", err.message());
        }
    }
}
