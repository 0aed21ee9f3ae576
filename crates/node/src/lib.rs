//! napi-rs binding of dlp-kernels for Node: functions over `Float32Array`s, no copies.
//!
//! Arguments arrive as `Float32ArraySlice`, a borrowed view of the JS array's own memory, valid
//! for the duration of the (synchronous) call; nothing is copied in or out. Every check that
//! is not about JS values (shapes, lengths) lives in the kernels crate.
//!
//! Two Float32Arrays may view the same memory, which Rust slices must never do while one is
//! `&mut`. So before any slice is formed, each output is compared with the inputs
//! (`dlp_kernels::alias`): the same buffer runs the kernel's in-place variant where the kernel
//! allows it, a separate one the ordinary kernel, and anything else is refused.

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::{GemmSpec, KernelError};
use napi::bindgen_prelude::{Float32ArraySlice, Int32ArraySlice, Result, Uint32ArraySlice, Uint8ArraySlice};
use napi::{Error, Status};
use napi_derive::napi;

// The autograd ops' kernels (unary, binary, reductions, log-softmax/NLL, axpy).
pub mod tensor_ops;
// BatchNorm, LayerNorm and the SGD/Adam steps.
mod norm_optim;
// Convolution and max pooling.
mod conv;
// The allocator's treatment of freed tensor memory.
mod memory;

/// A kernel's error as a JS `Error` carrying the kernel's message.
fn js(error: KernelError) -> Error {
    Error::new(Status::InvalidArg, error.message().to_string())
}

/// The array's bytes, for the aliasing checks (the borrow ends here: no slice stays alive).
fn operand<'a>(name: &'a str, array: &Float32ArraySlice) -> Operand<'a> {
    Operand::of(name, array)
}

/// The output's memory as a mutable slice.
///
/// # Safety
/// JS is blocked for the duration of this synchronous call, so nothing else writes to it;
/// the caller has checked that no other live slice overlaps it.
unsafe fn output<'a>(array: &'a mut Float32ArraySlice<'_>) -> &'a mut [f32] {
    unsafe { array.as_mut() }
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
    let out = operand("C", &c);
    alias::check_separate("gemm", &out, &operand("A", &a)).map_err(js)?;
    alias::check_separate("gemm", &out, &operand("B", &b)).map_err(js)?;
    // SAFETY: C overlaps neither A nor B (checked above).
    let c = unsafe { output(&mut c) };
    dlp_kernels::sgemm(&spec, &a, &b, c, threads as usize).map_err(js)
}

/// out[r][c] = x[r][c] + bias[c] (rows×cols, row-major); `out` may be `x` itself.
#[napi]
pub fn bias_add(
    x: Float32ArraySlice,
    bias: Float32ArraySlice,
    mut out: Float32ArraySlice,
    rows: u32,
    cols: u32,
) -> Result<()> {
    const K: &str = "biasAdd";
    let dst = operand("out", &out);
    alias::check_separate(K, &dst, &operand("bias", &bias)).map_err(js)?;
    let (rows, cols) = (rows as usize, cols as usize);
    if alias::in_place(K, &dst, &operand("x", &x)).map_err(js)? {
        // SAFETY: out is x, and overlaps bias in no byte; no slice of x is formed.
        dlp_kernels::bias_add_in_place(unsafe { output(&mut out) }, &bias, rows, cols)
    } else {
        // SAFETY: out overlaps neither x nor bias.
        dlp_kernels::bias_add(&x, &bias, unsafe { output(&mut out) }, rows, cols)
    }
    .map_err(js)
}

/// out[c] = beta·out[c] + Σ_r x[r][c] (beta = 0 ignores out's old contents).
#[napi]
pub fn column_sum(x: Float32ArraySlice, mut out: Float32ArraySlice, rows: u32, cols: u32, beta: f64) -> Result<()> {
    alias::check_separate("columnSum", &operand("out", &out), &operand("x", &x)).map_err(js)?;
    // SAFETY: out does not overlap x.
    dlp_kernels::column_sum(&x, unsafe { output(&mut out) }, rows as usize, cols as usize, beta as f32).map_err(js)
}

/// out = x > 0 ? x : alpha·(eˣ − 1), elementwise; `out` may be `x` itself.
#[napi]
pub fn elu(x: Float32ArraySlice, mut out: Float32ArraySlice, alpha: f64) -> Result<()> {
    if alias::in_place("elu", &operand("out", &out), &operand("x", &x)).map_err(js)? {
        // SAFETY: out is x; no slice of x is formed.
        dlp_kernels::elu_in_place(unsafe { output(&mut out) }, alpha as f32);
        Ok(())
    } else {
        // SAFETY: out does not overlap x.
        dlp_kernels::elu(&x, unsafe { output(&mut out) }, alpha as f32).map_err(js)
    }
}

/// dx = dout · (x > 0 ? 1 : alpha·eˣ), elementwise; `dx` may be `dout` itself.
#[napi]
pub fn elu_backward(
    x: Float32ArraySlice,
    dout: Float32ArraySlice,
    mut dx: Float32ArraySlice,
    alpha: f64,
) -> Result<()> {
    const K: &str = "eluBackward";
    let dst = operand("dx", &dx);
    alias::check_separate(K, &dst, &operand("x", &x)).map_err(js)?;
    if alias::in_place(K, &dst, &operand("dout", &dout)).map_err(js)? {
        // SAFETY: dx is dout and does not overlap x; no slice of dout is formed.
        dlp_kernels::elu_backward_in_place(&x, unsafe { output(&mut dx) }, alpha as f32)
    } else {
        // SAFETY: dx overlaps neither x nor dout.
        dlp_kernels::elu_backward(&x, &dout, unsafe { output(&mut dx) }, alpha as f32)
    }
    .map_err(js)
}

/// Row-wise softmax of a rows×cols matrix (max trick); `out` must be a separate buffer.
#[napi]
pub fn softmax(x: Float32ArraySlice, mut out: Float32ArraySlice, rows: u32, cols: u32) -> Result<()> {
    alias::check_separate("softmax", &operand("out", &out), &operand("x", &x)).map_err(js)?;
    // SAFETY: out does not overlap x.
    dlp_kernels::softmax(&x, unsafe { output(&mut out) }, rows as usize, cols as usize).map_err(js)
}

/// dx = s ∘ (dout − rowwise Σ dout·s), from the softmax output s.
#[napi]
pub fn softmax_backward(
    s: Float32ArraySlice,
    dout: Float32ArraySlice,
    mut dx: Float32ArraySlice,
    rows: u32,
    cols: u32,
) -> Result<()> {
    const K: &str = "softmaxBackward";
    let dst = operand("dx", &dx);
    alias::check_separate(K, &dst, &operand("s", &s)).map_err(js)?;
    alias::check_separate(K, &dst, &operand("dout", &dout)).map_err(js)?;
    // SAFETY: dx overlaps neither input.
    dlp_kernels::softmax_backward(&s, &dout, unsafe { output(&mut dx) }, rows as usize, cols as usize).map_err(js)
}

/// −(1/rows)·Σ t·ln p over probabilities and targets, t = 0 skipped: the mean loss.
#[napi]
pub fn cross_entropy(probs: Float32ArraySlice, targets: Float32ArraySlice, rows: u32, cols: u32) -> Result<f64> {
    dlp_kernels::cross_entropy(&probs, &targets, rows as usize, cols as usize).map_err(js)
}

/// dprobs = −t / (p·rows), 0 where t = 0.
#[napi]
pub fn cross_entropy_backward(
    probs: Float32ArraySlice,
    targets: Float32ArraySlice,
    mut dprobs: Float32ArraySlice,
    rows: u32,
    cols: u32,
) -> Result<()> {
    const K: &str = "crossEntropyBackward";
    let dst = operand("dprobs", &dprobs);
    alias::check_separate(K, &dst, &operand("probs", &probs)).map_err(js)?;
    alias::check_separate(K, &dst, &operand("targets", &targets)).map_err(js)?;
    // SAFETY: dprobs overlaps neither input.
    dlp_kernels::cross_entropy_backward(&probs, &targets, unsafe { output(&mut dprobs) }, rows as usize, cols as usize)
        .map_err(js)
}

/// Fused softmax + cross-entropy on logits and Int32Array labels: returns the mean loss and
/// fills `dlogits` = (softmax − onehot)/rows and `probs` = softmax when given.
#[napi]
pub fn softmax_cross_entropy(
    logits: Float32ArraySlice,
    labels: Int32ArraySlice,
    rows: u32,
    cols: u32,
    mut dlogits: Option<Float32ArraySlice>,
    mut probs: Option<Float32ArraySlice>,
) -> Result<f64> {
    const K: &str = "softmaxCrossEntropy";
    let input = operand("logits", &logits);
    let d = dlogits.as_ref().map(|a| operand("dlogits", a));
    let p = probs.as_ref().map(|a| operand("probs", a));
    for out in d.iter().chain(&p) {
        alias::check_separate(K, out, &input).map_err(js)?;
    }
    if let (Some(d), Some(p)) = (&d, &p) {
        alias::check_separate(K, d, p).map_err(js)?;
    }
    // SAFETY: dlogits, probs and logits are pairwise disjoint (checked above).
    let dlogits = dlogits.as_mut().map(|a| unsafe { output(a) });
    let probs = probs.as_mut().map(|a| unsafe { output(a) });
    dlp_kernels::softmax_cross_entropy(&logits, &labels, rows as usize, cols as usize, dlogits, probs).map_err(js)
}

/// param −= lr·grad, in place.
#[napi]
pub fn sgd_update(mut param: Float32ArraySlice, grad: Float32ArraySlice, lr: f64) -> Result<()> {
    alias::check_separate("sgdUpdate", &operand("param", &param), &operand("grad", &grad)).map_err(js)?;
    // SAFETY: param does not overlap grad.
    dlp_kernels::sgd_update(unsafe { output(&mut param) }, &grad, lr as f32).map_err(js)
}

/// out[r] = pixels[indices[r]] − mean: uint8 image rows gathered by index and centred, written
/// straight into a tensor's Float32Array (the dataset's bytes are read in place, not copied).
#[napi]
pub fn gather_center_u8(
    pixels: Uint8ArraySlice,
    indices: Uint32ArraySlice,
    mean: Float32ArraySlice,
    mut out: Float32ArraySlice,
) -> Result<()> {
    const K: &str = "gatherCenter";
    alias::check_separate(K, &operand("out", &out), &operand("mean", &mean)).map_err(js)?;
    let bytes = |p: *const u8, len: usize| (p as usize, p as usize + len);
    let (o0, o1) = bytes(out.as_ptr().cast(), out.len() * 4);
    for (name, (s0, s1)) in [("pixels", bytes(pixels.as_ptr(), pixels.len())), ("indices", bytes(indices.as_ptr().cast(), indices.len() * 4))] {
        if !out.is_empty() && s1 > s0 && o0 < s1 && s0 < o1 {
            return Err(js(KernelError::new(format!("{K}: out shares memory with {name}"))));
        }
    }
    // SAFETY: out overlaps none of the inputs (checked above).
    dlp_kernels::gather_center_u8(&pixels, &indices, &mean, unsafe { output(&mut out) }).map_err(js)
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
