//! WebAssembly binding of dlp's kernels, through wasm-bindgen. Thin on purpose: every numeric
//! step and every shape check lives in `dlp-kernels`; this crate only turns byte pointers into
//! slices and kernel errors into JS `Error`s.
//!
//! Tensors live in this module's memory: JS allocates a buffer with `alloc_f32`, fills it through
//! a `Float32Array` view over `memory().buffer`, and passes its byte pointer to kernels, so a
//! call copies nothing. Views must be re-created after the memory grows (any allocation may grow
//! it), since growth detaches the old `ArrayBuffer`.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::mem::size_of;
use std::ptr::NonNull;

use dlp_kernels::{sgemm as kernel_sgemm, GemmSpec};
use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated (both `init` and `initSync`), before any kernel:
/// the `gemm` crate dispatches on a run-time switch that starts on with `wasm-simd128`, and
/// caches its choice at the first GEMM, so set it here to what this build was compiled for.
#[wasm_bindgen(start)]
fn start() {
    dlp_kernels::set_wasm_simd128(cfg!(target_feature = "simd128"));
}

/// Whether this build was compiled with `+simd128` (and so runs gemm's simd128 micro-kernels).
#[wasm_bindgen]
pub fn simd128() -> bool {
    cfg!(target_feature = "simd128") && dlp_kernels::wasm_simd128_enabled()
}

/// The module's `WebAssembly.Memory`, that every pointer here indexes (in bytes). Not named
/// `memory`: wasm-bindgen exports the function under its JS name, which would clash with the
/// module's own `memory` export (a duplicate export name, rejected at compile time).
#[wasm_bindgen]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// One layout per length, shared by alloc and free; zero-length buffers still get one element so
/// that every pointer handed out is real, distinct and freeable.
fn layout_f32(len: usize) -> Result<Layout, JsError> {
    Layout::array::<f32>(len.max(1))
        .map_err(|_| JsError::new(&format!("alloc_f32: {len} floats do not fit in wasm32 memory")))
}

/// Allocates `len` zeroed f32 inside wasm memory and returns its byte pointer (4-aligned).
#[wasm_bindgen]
pub fn alloc_f32(len: usize) -> Result<usize, JsError> {
    let layout = layout_f32(len)?;
    // SAFETY: the layout has a non-zero size (at least one element).
    let ptr = unsafe { alloc_zeroed(layout) };
    if ptr.is_null() {
        return Err(JsError::new(&format!(
            "alloc_f32: out of memory allocating {len} floats ({} bytes)",
            layout.size()
        )));
    }
    Ok(ptr as usize)
}

/// Frees a buffer from `alloc_f32`; `len` must be the length it was allocated with.
#[wasm_bindgen]
pub fn free_f32(ptr: usize, len: usize) -> Result<(), JsError> {
    let layout = layout_f32(len)?;
    if ptr == 0 || ptr % layout.align() != 0 {
        return Err(JsError::new(&format!("free_f32: {ptr} is not a pointer from alloc_f32")));
    }
    // SAFETY: the caller's contract (the JS wrapper's): ptr/len come from one alloc_f32 call.
    unsafe { dealloc(ptr as *mut u8, layout) };
    Ok(())
}

/// Current size of the wasm memory in bytes.
fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) * 65536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        usize::MAX
    }
}

/// Byte range [start, end) of a buffer of `len` f32 at `ptr`, checked to lie inside wasm memory
/// and be 4-aligned; `None` for an empty buffer.
fn byte_range(name: &str, ptr: usize, len: usize) -> Result<Option<(usize, usize)>, JsError> {
    if len == 0 {
        return Ok(None);
    }
    let bytes = len
        .checked_mul(size_of::<f32>())
        .ok_or_else(|| JsError::new(&format!("sgemm: {name} of {len} floats overflows wasm32 memory")))?;
    let end = ptr.checked_add(bytes).filter(|&end| end <= memory_bytes());
    match end {
        Some(end) if ptr != 0 && ptr % size_of::<f32>() == 0 => Ok(Some((ptr, end))),
        _ => Err(JsError::new(&format!(
            "sgemm: {name} at byte {ptr} with {len} floats is not a 4-aligned buffer inside wasm memory ({} bytes)",
            memory_bytes()
        ))),
    }
}

fn overlaps(x: Option<(usize, usize)>, y: Option<(usize, usize)>) -> bool {
    matches!((x, y), (Some((x0, x1)), Some((y0, y1))) if x0 < y1 && y0 < x1)
}

/// Element count of a rows×cols matrix.
fn elements(name: &str, rows: usize, cols: usize) -> Result<usize, JsError> {
    rows.checked_mul(cols)
        .ok_or_else(|| JsError::new(&format!("sgemm: {name} of {rows}x{cols} elements overflows wasm32 memory")))
}

/// C = alpha·op(A)·op(B) + beta·C, row-major, single thread (see `dlp_kernels::sgemm`). The
/// pointers are byte offsets into `memory()`; A is m×k (k×m when `trans_a`), B is k×n (n×k when
/// `trans_b`), C is m×n. Throws an `Error` with the kernel's message on bad arguments, and
/// refuses a C that overlaps A or B.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn sgemm(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a_ptr: usize,
    b_ptr: usize,
    beta: f32,
    c_ptr: usize,
) -> Result<(), JsError> {
    let spec = GemmSpec { trans_a, trans_b, m, n, k, alpha, beta };
    let (a_len, b_len, c_len) = (elements("A", m, k)?, elements("B", k, n)?, elements("C", m, n)?);
    let a_range = byte_range("A", a_ptr, a_len)?;
    let b_range = byte_range("B", b_ptr, b_len)?;
    let c_range = byte_range("C", c_ptr, c_len)?;
    if overlaps(c_range, a_range) || overlaps(c_range, b_range) {
        let which = if overlaps(c_range, a_range) { "A" } else { "B" };
        return Err(JsError::new(&format!(
            "sgemm: C (bytes {c_ptr}..{}) overlaps {which}; the output must be a separate buffer",
            c_ptr + c_len * size_of::<f32>()
        )));
    }
    // SAFETY: each range was checked to be aligned, non-null and inside the (live) wasm memory,
    // and C is disjoint from A and B, so the one mutable slice aliases neither shared one. Empty
    // buffers use a dangling pointer, never read.
    let a = unsafe { std::slice::from_raw_parts(slice_ptr(a_ptr, a_len), a_len) };
    let b = unsafe { std::slice::from_raw_parts(slice_ptr(b_ptr, b_len), b_len) };
    let c = unsafe { std::slice::from_raw_parts_mut(slice_ptr(c_ptr, c_len), c_len) };
    kernel_sgemm(&spec, a, b, c, 1).map_err(|e| JsError::new(e.message()))
}

fn slice_ptr(ptr: usize, len: usize) -> *mut f32 {
    if len == 0 { NonNull::<f32>::dangling().as_ptr() } else { ptr as *mut f32 }
}
