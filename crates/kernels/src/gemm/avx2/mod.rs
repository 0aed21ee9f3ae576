//! dlp's own f32 GEMM for x86_64 CPUs with AVX2+FMA: C = alpha·op(A)·op(B) + beta·C, with the
//! shapes and contract of [`crate::sgemm`], which sends a call here where this path measured
//! faster than the `gemm` crate ([`is_preferred`]).
//!
//! BLIS-style: op(B) is packed into kc×16 column panels and op(A) into 6×kc row panels (the
//! packing reads any strides, so a transposed operand changes only which copy loop runs), and
//! a 6×16 register-blocked micro-kernel multiplies them (`kernel.rs`, `pack.rs`, and the loop
//! nests and cache blocking in `block.rs`; for a narrow C the kernel reads A in place).
//! Threads split C into a grid of rectangles, each packing what it reads into its own reused
//! thread-local buffers, or, for few-row, narrow, deep products, split the inner dimension in
//! two halves summed at the end; the result does not depend on the number of threads.

mod block;
mod kernel;
mod pack;

use crate::error::KernelError;
use crate::gemm::parallel::{grid, run_parts, split, Tiling};
use crate::gemm::GemmSpec;
use crate::threads::available_threads;
use kernel::{MR, NR};
use pack::View;

/// Whether this CPU can run this path (AVX2 and FMA, detected at run time).
pub fn is_available() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Whether [`crate::sgemm`] runs `spec` here rather than in the `gemm` crate: on CPUs with
/// AVX2+FMA but without AVX-512 (the crate has AVX-512 kernels, which this path does not try
/// to beat) or whose AVX-512 runs on 256-bit halves (AMD Zen 4, [`avx512_is_split`]: there
/// the crate's 512-bit kernels gain nothing, and this path measured 1.0–1.28× faster on the
/// ConvNet's shapes, single-threaded), for products that are not too thin. Measured on a
/// Zen 3 (see `benches/gemm.rs`): with fewer than 24 rows or columns, or a short inner
/// dimension, the crate's kernels for thin matrices win; from there on this path matches or
/// beats it, by up to 1.9× on backprop's transposed products. A·Bᵀ with few rows is the exception: the crate is slow
/// there too.
pub fn is_preferred(spec: &GemmSpec) -> bool {
    if !is_available() || (std::arch::is_x86_feature_detected!("avx512f") && !avx512_is_split()) {
        return false;
    }
    let GemmSpec { trans_a, trans_b, m, n, k, .. } = *spec;
    let min_rows = if trans_b && !trans_a { 2 } else { 24 };
    m >= min_rows && n >= 24 && k >= 16
}

/// Whether this CPU executes AVX-512 on 256-bit datapaths: AMD family 19h (Zen 3 and Zen 4;
/// only Zen 4 has AVX-512), where one 512-bit FMA issues as two 256-bit halves and so does no
/// more work per cycle than two AVX2 FMAs.
pub fn avx512_is_split() -> bool {
    static SPLIT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SPLIT.get_or_init(|| {
        // SAFETY: cpuid is available on every x86_64 CPU (and a safe function in newer Rust).
        #[allow(unused_unsafe)]
        let (vendor, signature) = unsafe { (std::arch::x86_64::__cpuid(0), std::arch::x86_64::__cpuid(1).eax) };
        let amd = (vendor.ebx, vendor.edx, vendor.ecx) == (0x6874_7541, 0x6974_6e65, 0x444d_4163); // "AuthenticAMD"
        let base = (signature >> 8) & 0xf;
        let family = if base == 0xf { base + ((signature >> 20) & 0xff) } else { base };
        amd && family == 0x19
    })
}

/// C = alpha·op(A)·op(B) + beta·C on this path, whatever [`crate::sgemm`] would choose: how the
/// tests and benches reach it. Same contract as `sgemm`; errors when the CPU lacks AVX2+FMA.
///
/// ```
/// use dlp_kernels::gemm::avx2 as gemm_avx2;
/// use dlp_kernels::GemmSpec;
/// if gemm_avx2::is_available() {
///     let a = [1.0, 2.0, 3.0, 4.0]; // 2x2
///     let b = [1.0, 0.0, 0.0, 1.0]; // identity
///     let mut c = [0.0; 4];
///     gemm_avx2::sgemm(&GemmSpec::new(false, false, 2, 2, 2), &a, &b, &mut c, 1).unwrap();
///     assert_eq!(c, a);
/// }
/// ```
pub fn sgemm(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) -> Result<(), KernelError> {
    if !is_available() {
        return Err(KernelError::new("gemm: the AVX2+FMA path needs a CPU with AVX2 and FMA"));
    }
    spec.check_lengths(a.len(), b.len(), c.len())?;
    let GemmSpec { trans_a, trans_b, m, n, k, alpha, beta } = *spec;
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 || alpha == 0.0 {
        if beta == 0.0 {
            c.fill(0.0);
        } else if beta != 1.0 {
            c.iter_mut().for_each(|v| *v *= beta);
        }
        return Ok(());
    }
    let (direct_a, kc) = block::slicing(n, k, !trans_a);
    let problem = Problem {
        m,
        n,
        k,
        kc,
        direct_a,
        a: if trans_a { View { ptr: a.as_ptr(), rs: 1, cs: m } } else { View { ptr: a.as_ptr(), rs: k, cs: 1 } },
        b: if trans_b { View { ptr: b.as_ptr(), rs: 1, cs: k } } else { View { ptr: b.as_ptr(), rs: n, cs: 1 } },
        c: c.as_mut_ptr(),
        alpha,
        beta,
    };
    let pool = available_threads();
    let threads = if threads == 0 { pool } else { threads.min(pool) };
    if block::halves_k(m, k, kc, direct_a) {
        // SAFETY: as below; each half writes its own C (the second a scratch one).
        unsafe { problem.run_in_k_halves(threads) };
        return Ok(());
    }
    // SAFETY: AVX2 and FMA were detected above; the views match the checked buffer lengths;
    // `c` is borrowed mutably for the call, and the grid's rectangles do not overlap.
    unsafe { problem.run(grid(m, n, k, threads, TILING)) };
    Ok(())
}

/// One call's operands: op(A) m×k and op(B) k×n as strided views, C m×n row-major; and how
/// the inner dimension is cut ([`block::slicing`]).
#[derive(Clone, Copy)]
struct Problem {
    m: usize,
    n: usize,
    k: usize,
    kc: usize,
    direct_a: bool,
    a: View,
    b: View,
    c: *mut f32,
    alpha: f32,
    beta: f32,
}

// SAFETY: threads only read A and B, and write disjoint rectangles of C (see `run`).
unsafe impl Sync for Problem {}

impl Problem {
    /// Computes C as a tm×tn grid of rectangles: the calling thread takes the first, the
    /// shared pool the others.
    ///
    /// # Safety
    /// AVX2 and FMA must be available; the views and C must hold the matrices described.
    unsafe fn run(&self, (tm, tn): (usize, usize)) {
        let rows = split(self.m, MR, tm);
        let cols = split(self.n, NR, tn);
        let part = |p: usize| self.block(rows[p / tn], cols[p % tn]);
        run_parts(tm * tn, &part);
    }

    /// Computes C as the sum of two products over the first and the second half of the inner
    /// dimension (cut between k-slices), each whole on one thread, the second into a scratch
    /// C that is then added: for the few-row, narrow, deep products ([`block::halves_k`]),
    /// where splitting C's rows would have both threads pack all of B. The halves are summed
    /// the same way on one thread, so the result does not depend on the number of threads.
    ///
    /// # Safety
    /// As [`Problem::run`].
    unsafe fn run_in_k_halves(&self, threads: usize) {
        let half = self.k.div_ceil(self.kc).div_ceil(2) * self.kc;
        PARTIAL_C.with(|cell| {
            let mut fresh = Vec::new();
            let mut borrowed = cell.try_borrow_mut();
            let partial = match borrowed.as_mut() {
                Ok(buffer) => &mut **buffer,
                // A GEMM inside another's part on this thread (not done today): its own buffer.
                Err(_) => &mut fresh,
            };
            partial.resize(self.m * self.n, 0.0);
            let first = Problem { k: half, ..*self };
            let second = Problem { k: self.k - half, a: self.a.at(0, half), b: self.b.at(half, 0), c: partial.as_mut_ptr(), beta: 0.0, ..*self };
            let halves = [first, second];
            let part = |p: usize| halves[p].block((0, self.m), (0, self.n));
            if threads > 1 {
                run_parts(2, &part);
            } else {
                (0..2).for_each(part);
            }
            // Both halves are done: C is this thread's again.
            let c = std::slice::from_raw_parts_mut(self.c, self.m * self.n);
            c.iter_mut().zip(partial.iter()).for_each(|(c, p)| *c += *p);
        });
    }
}

thread_local! {
    /// The second half's C of [`Problem::run_in_k_halves`], kept between calls.
    static PARTIAL_C: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// This path's tile and block sizes, for the threads' grid.
const TILING: Tiling = Tiling { mr: MR, nr: NR, nc: block::NC, fma_per_cycle: 16.0 };
