//! napi-rs binding of dlp-kernels for Node: functions over `Float32Array`s, no copies.
//!
//! Arguments arrive as `Float32ArraySlice`, a borrowed view of the JS array's own memory, valid
//! for the duration of the (synchronous) call; nothing is copied in or out. Every check that
//! is not about JS values (shapes, lengths) lives in the kernels crate.

use dlp_kernels::{sgemm as kernel_sgemm, GemmSpec};
use napi::bindgen_prelude::{Float32ArraySlice, Result};
use napi::{Error, Status};
use napi_derive::napi;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Status::InvalidArg, message.into())
}

/// True when the two slices share any byte of memory.
fn overlaps(a: &[f32], b: &[f32]) -> bool {
    let (a0, a1) = (a.as_ptr() as usize, a.as_ptr() as usize + std::mem::size_of_val(a));
    let (b0, b1) = (b.as_ptr() as usize, b.as_ptr() as usize + std::mem::size_of_val(b));
    !a.is_empty() && !b.is_empty() && a0 < b1 && b0 < a1
}

/// C = alpha·op(A)·op(B) + beta·C on row-major Float32Arrays, C updated in place.
/// `threads` = 0 uses every thread of the shared pool.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn sgemm(
    trans_a: bool,
    trans_b: bool,
    m: u32,
    n: u32,
    k: u32,
    alpha: f64,
    a: Float32ArraySlice,
    b: Float32ArraySlice,
    beta: f64,
    mut c: Float32ArraySlice,
    threads: u32,
) -> Result<()> {
    let spec = GemmSpec {
        trans_a,
        trans_b,
        m: m as usize,
        n: n as usize,
        k: k as usize,
        alpha: alpha as f32,
        beta: beta as f32,
    };
    let (a, b): (&[f32], &[f32]) = (&a, &b);
    // SAFETY: JS is blocked for the duration of this synchronous call, so nothing else writes
    // to C's memory; the overlap check below keeps `c` from aliasing `a` or `b`.
    let c = unsafe { c.as_mut() };
    if overlaps(c, a) || overlaps(c, b) {
        return Err(invalid("gemm: C must not share memory with A or B"));
    }
    kernel_sgemm(&spec, a, b, c, threads as usize).map_err(|e| invalid(e.message()))
}

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
