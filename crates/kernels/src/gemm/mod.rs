//! Matrix multiplication: `sgemm` and its dispatch (this file), dlp's own micro-kernels for
//! x86_64 AVX2+FMA (`avx2/`) and wasm simd128 (`simd128/`), and the f64 reference.
//!
//! Single-precision GEMM: C = alpha·op(A)·op(B) + beta·C, all operands row-major.
//!
//! Shapes: op(A) is m×k (A stored m×k, or k×m when `trans_a`), op(B) is k×n (B stored k×n,
//! or n×k when `trans_b`), C is m×n. A transposed operand is read through its strides, never
//! copied: backprop's Aᵀ·B and A·Bᵀ cost the same as A·B.
//!
//! The paths, chosen per call: dlp's own BLIS-style kernels where they measured faster —
//! `simd128/` (a 5×8 micro-kernel) in wasm builds with simd128, `x86/` on x86_64 (an 8×32
//! AVX-512 micro-kernel where 512-bit FMAs run at full width, a 6×16 AVX2+FMA one on the other
//! CPUs with AVX2) — and everywhere else the `gemm` crate (the one candle and burn use;
//! AVX-512 / NEON / scalar dispatch), which matched or beat `matrixmultiply` on this project's
//! shapes. `benches/gemm.rs` measures the paths side by side.

// dlp's own GEMMs for x86_64 CPUs with AVX2+FMA or AVX-512; `sgemm` sends them the shapes
// where they win.
#[cfg(target_arch = "x86_64")]
mod x86;
#[cfg(target_arch = "x86_64")]
pub use x86::{avx2, avx512};
// The wasm simd128 GEMM; compiled for host tests too, where its kernel is a scalar model.
#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod simd128;
// Splitting one product among threads (both paths above).
#[cfg(any(target_arch = "x86_64", test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod parallel;

use crate::check;
use crate::error::KernelError;
use crate::threads::gemm_parallelism;

/// What to multiply: transposes, sizes and the two scalars of `C = alpha·op(A)·op(B) + beta·C`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GemmSpec {
    pub trans_a: bool,
    pub trans_b: bool,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub alpha: f32,
    pub beta: f32,
}

impl GemmSpec {
    /// Plain `C = op(A)·op(B)`.
    pub fn new(trans_a: bool, trans_b: bool, m: usize, n: usize, k: usize) -> Self {
        Self { trans_a, trans_b, m, n, k, alpha: 1.0, beta: 0.0 }
    }

    /// Floating-point operations of one call (a multiply and an add per inner-product term).
    pub fn flops(&self) -> f64 {
        2.0 * self.m as f64 * self.n as f64 * self.k as f64
    }

    /// (row stride, column stride) of op(A) inside A's row-major storage.
    fn a_strides(&self) -> (isize, isize) {
        if self.trans_a { (1, self.m as isize) } else { (self.k as isize, 1) }
    }

    /// (row stride, column stride) of op(B) inside B's row-major storage.
    fn b_strides(&self) -> (isize, isize) {
        if self.trans_b { (1, self.k as isize) } else { (self.n as isize, 1) }
    }

    fn stored_a_dims(&self) -> (usize, usize) {
        if self.trans_a { (self.k, self.m) } else { (self.m, self.k) }
    }

    fn stored_b_dims(&self) -> (usize, usize) {
        if self.trans_b { (self.n, self.k) } else { (self.k, self.n) }
    }

    /// Checks that each buffer holds exactly the matrix the spec describes.
    pub fn check_lengths(&self, a_len: usize, b_len: usize, c_len: usize) -> Result<(), KernelError> {
        let check = |name: &str, (rows, cols): (usize, usize), len: usize| check::matrix("gemm", name, rows, cols, len);
        check("A", self.stored_a_dims(), a_len)?;
        check("B", self.stored_b_dims(), b_len)?;
        check("C", (self.m, self.n), c_len)
    }
}

/// C = alpha·op(A)·op(B) + beta·C in f32 on up to `threads` threads of the shared pool
/// (0 = all). With beta = 0, C's previous contents are ignored (NaNs in it do not leak).
///
/// ```
/// use dlp_kernels::{sgemm, GemmSpec};
/// let a = [1.0, 2.0, 3.0, 4.0]; // 2x2
/// let b = [1.0, 0.0, 0.0, 1.0]; // identity
/// let mut c = [0.0; 4];
/// sgemm(&GemmSpec::new(false, false, 2, 2, 2), &a, &b, &mut c, 1).unwrap();
/// assert_eq!(c, a);
/// ```
pub fn sgemm(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) -> Result<(), KernelError> {
    if settled_without_kernel(spec, a, b, c)? {
        return Ok(());
    }
    // A simd128 wasm build runs its own kernel (simd128/, on the pool's Web Workers in the
    // threaded build): faster than the gemm crate's under V8. The run-time switch still selects
    // the crate's scalar path when turned off.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if wasm_simd128_enabled() {
        simd128::sgemm(spec, a, b, c, threads);
        return Ok(());
    }
    // x86_64 CPUs run dlp's own kernels (x86/) on the shapes where they measured faster than
    // the gemm crate's (all but the thinnest): AVX-512 where it runs at full width, else AVX2.
    #[cfg(target_arch = "x86_64")]
    if avx512::is_preferred(spec) {
        return avx512::sgemm(spec, a, b, c, threads);
    }
    #[cfg(target_arch = "x86_64")]
    if avx2::is_preferred(spec) {
        return avx2::sgemm(spec, a, b, c, threads);
    }
    sgemm_gemm_crate(spec, a, b, c, threads)
}

/// [`sgemm`] on the `gemm` crate whatever the CPU and shape: what `sgemm` runs where dlp's own
/// kernels do not, and what the tests and benches compare them with.
pub fn sgemm_gemm_crate(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) -> Result<(), KernelError> {
    if settled_without_kernel(spec, a, b, c)? {
        return Ok(());
    }
    let (a_rs, a_cs) = spec.a_strides();
    let (b_rs, b_cs) = spec.b_strides();
    // SAFETY: the lengths were checked against the strides above, so every index the gemm
    // crate forms stays inside its slice; `c` is a unique borrow, so it aliases neither input.
    // Note the crate's naming: it computes dst = alpha·dst + beta·lhs·rhs.
    unsafe {
        gemm::gemm(
            spec.m,
            spec.n,
            spec.k,
            c.as_mut_ptr(),
            1,
            spec.n as isize,
            spec.beta != 0.0,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            spec.beta,
            spec.alpha,
            false,
            false,
            false,
            gemm_parallelism(threads, spec.flops()),
        );
    }
    Ok(())
}

/// Turns the `gemm` crate's wasm simd128 micro-kernels on or off (wasm32 only: elsewhere the
/// switch exists but nothing reads it). With the `wasm-simd128` feature they start on, and the
/// crate dispatches on this run-time flag, not on the build's target features: a build without
/// `+simd128` must turn it off, or it runs the simd128 kernels anyway. The choice is cached by
/// the first f32 GEMM call, so set it before any `sgemm`; later changes have no effect.
pub fn set_wasm_simd128(enable: bool) {
    gemm::set_wasm_simd128(enable);
}

/// Whether the `gemm` crate's wasm simd128 switch is on (see [`set_wasm_simd128`]).
pub fn wasm_simd128_enabled() -> bool {
    gemm::get_wasm_simd128()
}

/// Checks the lengths and finishes the calls no kernel needs to run (an empty C; k = 0 or
/// alpha = 0, where C ← beta·C): true when the call is done.
fn settled_without_kernel(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32]) -> Result<bool, KernelError> {
    spec.check_lengths(a.len(), b.len(), c.len())?;
    if spec.m == 0 || spec.n == 0 {
        return Ok(true);
    }
    if spec.k == 0 || spec.alpha == 0.0 {
        scale_in_place(c, spec.beta);
        return Ok(true);
    }
    Ok(false)
}

/// C ← beta·C, with beta = 0 writing exact zeros (BLAS semantics: 0·NaN is 0 here).
fn scale_in_place(c: &mut [f32], beta: f32) {
    if beta == 0.0 {
        c.fill(0.0);
    } else if beta != 1.0 {
        c.iter_mut().for_each(|v| *v *= beta);
    }
}

/// The obviously-correct triple loop in f64, the oracle for `sgemm` in tests and benches.
/// Returns alpha·op(A)·op(B) + beta·C without touching `c`.
pub fn sgemm_reference_f64(spec: &GemmSpec, a: &[f32], b: &[f32], c: &[f32]) -> Result<Vec<f64>, KernelError> {
    spec.check_lengths(a.len(), b.len(), c.len())?;
    let (a_rs, a_cs) = spec.a_strides();
    let (b_rs, b_cs) = spec.b_strides();
    let mut out = vec![0.0f64; spec.m * spec.n];
    for i in 0..spec.m {
        for j in 0..spec.n {
            let mut acc = 0.0f64;
            for p in 0..spec.k {
                let av = a[i * a_rs as usize + p * a_cs as usize] as f64;
                let bv = b[p * b_rs as usize + j * b_cs as usize] as f64;
                acc += av * bv;
            }
            let prior = if spec.beta == 0.0 { 0.0 } else { spec.beta as f64 * c[i * spec.n + j] as f64 };
            out[i * spec.n + j] = spec.alpha as f64 * acc + prior;
        }
    }
    Ok(out)
}
