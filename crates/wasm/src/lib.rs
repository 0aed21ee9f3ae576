//! WebAssembly binding of dlp's kernels, through wasm-bindgen. Thin on purpose: every numeric
//! step and every shape check lives in `dlp-kernels`; this crate only turns byte pointers into
//! slices and kernel errors into JS `Error`s.
//!
//! Tensors live in this module's memory: JS allocates a buffer with `alloc_f32`, fills it through
//! a `Float32Array` view over `memory().buffer`, and passes its byte pointer to kernels, so a
//! call copies nothing. Views must be re-created after the memory grows (any allocation may grow
//! it), since growth detaches the old `ArrayBuffer`.
//!
//! Every kernel but `sgemm` takes each buffer as a byte pointer and an element count, so that
//! the kernel's own length checks run. Pointers may alias, which Rust slices must not while one
//! is `&mut`: each output is compared with the inputs before any slice is formed
//! (`dlp_kernels::alias`), and the same buffer runs the kernel's in-place variant where the
//! kernel allows it.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::mem::size_of;
use std::ptr::NonNull;

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::{GemmSpec, KernelError};
use wasm_bindgen::prelude::*;

// The autograd ops' kernels (unary, binary, reductions, log-softmax/NLL, axpy).
pub mod tensor_ops;
// BatchNorm, LayerNorm and the SGD/Adam steps.
mod norm_optim;
// Convolution and max pooling.
mod conv;

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
    if ptr == 0 || !ptr.is_multiple_of(layout.align()) {
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

/// A buffer of `len` f32 at byte `ptr`, checked to be 4-aligned and inside wasm memory.
struct Buffer<'a> {
    name: &'a str,
    ptr: usize,
    len: usize,
}

impl<'a> Buffer<'a> {
    fn new(kernel: &str, name: &'a str, ptr: usize, len: usize) -> Result<Self, JsError> {
        if len == 0 {
            return Ok(Self { name, ptr, len });
        }
        let bytes = len
            .checked_mul(size_of::<f32>())
            .ok_or_else(|| JsError::new(&format!("{kernel}: {name} of {len} floats overflows wasm32 memory")))?;
        match ptr.checked_add(bytes) {
            Some(end) if end <= memory_bytes() && ptr != 0 && ptr.is_multiple_of(size_of::<f32>()) => Ok(Self { name, ptr, len }),
            _ => Err(JsError::new(&format!(
                "{kernel}: {name} at byte {ptr} with {len} floats is not a 4-aligned buffer inside wasm memory ({} bytes)",
                memory_bytes()
            ))),
        }
    }

    fn operand(&self) -> Operand<'a> {
        Operand::new(self.name, self.ptr..self.ptr + self.len * size_of::<f32>())
    }

    /// # Safety
    /// No `&mut` slice overlapping this buffer may be alive.
    unsafe fn slice(&self) -> &'a [f32] {
        unsafe { std::slice::from_raw_parts(slice_ptr(self.ptr, self.len), self.len) }
    }

    /// # Safety
    /// No other slice overlapping this buffer may be alive.
    #[allow(clippy::mut_from_ref)]
    unsafe fn slice_mut(&self) -> &'a mut [f32] {
        unsafe { std::slice::from_raw_parts_mut(slice_ptr(self.ptr, self.len), self.len) }
    }
}

/// Empty buffers get a dangling (never read) pointer, as `slice::from_raw_parts` requires.
fn slice_ptr(ptr: usize, len: usize) -> *mut f32 {
    if len == 0 {
        NonNull::<f32>::dangling().as_ptr()
    } else {
        ptr as *mut f32
    }
}

fn js(error: KernelError) -> JsError {
    JsError::new(error.message())
}

/// Refuses an output that shares memory with an input.
fn separate(kernel: &str, out: &Buffer, input: &Buffer) -> Result<(), JsError> {
    alias::check_separate(kernel, &out.operand(), &input.operand()).map_err(js)
}

/// True when the output is the input itself (run in place), false when they are disjoint.
fn in_place(kernel: &str, out: &Buffer, input: &Buffer) -> Result<bool, JsError> {
    alias::in_place(kernel, &out.operand(), &input.operand()).map_err(js)
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
    const K: &str = "sgemm";
    let spec = GemmSpec { trans_a, trans_b, m, n, k, alpha, beta };
    let (a_len, b_len, c_len) = (elements("A", m, k)?, elements("B", k, n)?, elements("C", m, n)?);
    let (a, b, c) =
        (Buffer::new(K, "A", a_ptr, a_len)?, Buffer::new(K, "B", b_ptr, b_len)?, Buffer::new(K, "C", c_ptr, c_len)?);
    separate(K, &c, &a)?;
    separate(K, &c, &b)?;
    // SAFETY: C is disjoint from A and B, so the one mutable slice aliases neither shared one.
    unsafe { dlp_kernels::sgemm(&spec, a.slice(), b.slice(), c.slice_mut(), 1) }.map_err(js)
}

/// out[r][c] = x[r][c] + bias[c] (rows×cols, row-major); `out` may be `x` itself.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn bias_add(
    x_ptr: usize,
    x_len: usize,
    bias_ptr: usize,
    bias_len: usize,
    out_ptr: usize,
    out_len: usize,
    rows: usize,
    cols: usize,
) -> Result<(), JsError> {
    const K: &str = "biasAdd";
    let (x, bias, out) = (
        Buffer::new(K, "x", x_ptr, x_len)?,
        Buffer::new(K, "bias", bias_ptr, bias_len)?,
        Buffer::new(K, "out", out_ptr, out_len)?,
    );
    separate(K, &out, &bias)?;
    // SAFETY: out is x or disjoint from it, and disjoint from bias; in place, no slice of x exists.
    unsafe {
        if in_place(K, &out, &x)? {
            dlp_kernels::bias_add_in_place(out.slice_mut(), bias.slice(), rows, cols)
        } else {
            dlp_kernels::bias_add(x.slice(), bias.slice(), out.slice_mut(), rows, cols)
        }
    }
    .map_err(js)
}

/// out[c] = beta·out[c] + Σ_r x[r][c] (beta = 0 ignores out's old contents).
#[wasm_bindgen]
pub fn column_sum(
    x_ptr: usize,
    x_len: usize,
    out_ptr: usize,
    out_len: usize,
    rows: usize,
    cols: usize,
    beta: f32,
) -> Result<(), JsError> {
    const K: &str = "columnSum";
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    separate(K, &out, &x)?;
    // SAFETY: out is disjoint from x.
    unsafe { dlp_kernels::column_sum(x.slice(), out.slice_mut(), rows, cols, beta) }.map_err(js)
}

/// out = x > 0 ? x : alpha·(eˣ − 1), elementwise; `out` may be `x` itself.
#[wasm_bindgen]
pub fn elu(x_ptr: usize, x_len: usize, out_ptr: usize, out_len: usize, alpha: f32) -> Result<(), JsError> {
    const K: &str = "elu";
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    // SAFETY: out is x (and then no slice of x exists) or disjoint from it.
    unsafe {
        if in_place(K, &out, &x)? {
            dlp_kernels::elu_in_place(out.slice_mut(), alpha);
            Ok(())
        } else {
            dlp_kernels::elu(x.slice(), out.slice_mut(), alpha)
        }
    }
    .map_err(js)
}

/// dx = dout · (x > 0 ? 1 : alpha·eˣ), elementwise; `dx` may be `dout` itself.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn elu_backward(
    x_ptr: usize,
    x_len: usize,
    dout_ptr: usize,
    dout_len: usize,
    dx_ptr: usize,
    dx_len: usize,
    alpha: f32,
) -> Result<(), JsError> {
    const K: &str = "eluBackward";
    let (x, dout, dx) = (
        Buffer::new(K, "x", x_ptr, x_len)?,
        Buffer::new(K, "dout", dout_ptr, dout_len)?,
        Buffer::new(K, "dx", dx_ptr, dx_len)?,
    );
    separate(K, &dx, &x)?;
    // SAFETY: dx is disjoint from x, and is dout (no slice of dout then) or disjoint from it.
    unsafe {
        if in_place(K, &dx, &dout)? {
            dlp_kernels::elu_backward_in_place(x.slice(), dx.slice_mut(), alpha)
        } else {
            dlp_kernels::elu_backward(x.slice(), dout.slice(), dx.slice_mut(), alpha)
        }
    }
    .map_err(js)
}

/// Row-wise softmax of a rows×cols matrix (max trick); `out` must be a separate buffer.
#[wasm_bindgen]
pub fn softmax(
    x_ptr: usize,
    x_len: usize,
    out_ptr: usize,
    out_len: usize,
    rows: usize,
    cols: usize,
) -> Result<(), JsError> {
    const K: &str = "softmax";
    let (x, out) = (Buffer::new(K, "x", x_ptr, x_len)?, Buffer::new(K, "out", out_ptr, out_len)?);
    separate(K, &out, &x)?;
    // SAFETY: out is disjoint from x.
    unsafe { dlp_kernels::softmax(x.slice(), out.slice_mut(), rows, cols) }.map_err(js)
}

/// dx = s ∘ (dout − rowwise Σ dout·s), from the softmax output s.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn softmax_backward(
    s_ptr: usize,
    s_len: usize,
    dout_ptr: usize,
    dout_len: usize,
    dx_ptr: usize,
    dx_len: usize,
    rows: usize,
    cols: usize,
) -> Result<(), JsError> {
    const K: &str = "softmaxBackward";
    let (s, dout, dx) = (
        Buffer::new(K, "s", s_ptr, s_len)?,
        Buffer::new(K, "dout", dout_ptr, dout_len)?,
        Buffer::new(K, "dx", dx_ptr, dx_len)?,
    );
    separate(K, &dx, &s)?;
    separate(K, &dx, &dout)?;
    // SAFETY: dx is disjoint from both inputs.
    unsafe { dlp_kernels::softmax_backward(s.slice(), dout.slice(), dx.slice_mut(), rows, cols) }.map_err(js)
}

/// −(1/rows)·Σ t·ln p over probabilities and targets, t = 0 skipped: the mean loss.
#[wasm_bindgen]
pub fn cross_entropy(
    probs_ptr: usize,
    probs_len: usize,
    targets_ptr: usize,
    targets_len: usize,
    rows: usize,
    cols: usize,
) -> Result<f64, JsError> {
    const K: &str = "crossEntropy";
    let (probs, targets) =
        (Buffer::new(K, "probs", probs_ptr, probs_len)?, Buffer::new(K, "targets", targets_ptr, targets_len)?);
    // SAFETY: only shared slices.
    unsafe { dlp_kernels::cross_entropy(probs.slice(), targets.slice(), rows, cols) }.map_err(js)
}

/// dprobs = −t / (p·rows), 0 where t = 0.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_backward(
    probs_ptr: usize,
    probs_len: usize,
    targets_ptr: usize,
    targets_len: usize,
    dprobs_ptr: usize,
    dprobs_len: usize,
    rows: usize,
    cols: usize,
) -> Result<(), JsError> {
    const K: &str = "crossEntropyBackward";
    let probs = Buffer::new(K, "probs", probs_ptr, probs_len)?;
    let targets = Buffer::new(K, "targets", targets_ptr, targets_len)?;
    let dprobs = Buffer::new(K, "dprobs", dprobs_ptr, dprobs_len)?;
    separate(K, &dprobs, &probs)?;
    separate(K, &dprobs, &targets)?;
    // SAFETY: dprobs is disjoint from both inputs.
    unsafe { dlp_kernels::cross_entropy_backward(probs.slice(), targets.slice(), dprobs.slice_mut(), rows, cols) }
        .map_err(js)
}

/// Fused softmax + cross-entropy on logits and labels (copied in by wasm-bindgen): returns the
/// mean loss, and fills dlogits = (softmax − onehot)/rows and probs = softmax when their
/// pointers are given.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn softmax_cross_entropy(
    logits_ptr: usize,
    logits_len: usize,
    labels: &[i32],
    rows: usize,
    cols: usize,
    dlogits_ptr: Option<usize>,
    dlogits_len: usize,
    probs_ptr: Option<usize>,
    probs_len: usize,
) -> Result<f64, JsError> {
    const K: &str = "softmaxCrossEntropy";
    let logits = Buffer::new(K, "logits", logits_ptr, logits_len)?;
    let dlogits = dlogits_ptr.map(|ptr| Buffer::new(K, "dlogits", ptr, dlogits_len)).transpose()?;
    let probs = probs_ptr.map(|ptr| Buffer::new(K, "probs", ptr, probs_len)).transpose()?;
    for out in dlogits.iter().chain(&probs) {
        separate(K, out, &logits)?;
    }
    if let (Some(d), Some(p)) = (&dlogits, &probs) {
        separate(K, d, p)?;
    }
    // SAFETY: logits, dlogits and probs are pairwise disjoint.
    unsafe {
        let dlogits = dlogits.map(|d| d.slice_mut());
        let probs = probs.map(|p| p.slice_mut());
        dlp_kernels::softmax_cross_entropy(logits.slice(), labels, rows, cols, dlogits, probs)
    }
    .map_err(js)
}

/// param −= lr·grad, in place.
#[wasm_bindgen]
pub fn sgd_update(
    param_ptr: usize,
    param_len: usize,
    grad_ptr: usize,
    grad_len: usize,
    lr: f32,
) -> Result<(), JsError> {
    const K: &str = "sgdUpdate";
    let (param, grad) = (Buffer::new(K, "param", param_ptr, param_len)?, Buffer::new(K, "grad", grad_ptr, grad_len)?);
    separate(K, &param, &grad)?;
    // SAFETY: param is disjoint from grad.
    unsafe { dlp_kernels::sgd_update(param.slice_mut(), grad.slice(), lr) }.map_err(js)
}
