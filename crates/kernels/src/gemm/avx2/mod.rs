//! dlp's own f32 GEMM for x86_64 CPUs with AVX2+FMA: C = alpha·op(A)·op(B) + beta·C, with the
//! shapes and contract of [`crate::sgemm`], which sends a call here where this path measured
//! faster than the `gemm` crate ([`is_preferred`]).
//!
//! BLIS-style: op(B) is packed into kc×16 column panels and op(A) into 6×kc row panels (the
//! packing reads any strides, so a transposed operand changes only which copy loop runs), and
//! a 6×16 register-blocked micro-kernel multiplies them (`kernel.rs`, `pack.rs`, and the loop
//! nests and cache blocking in `block.rs`; for a narrow C the kernel reads A in place).
//! Threads split C into a grid of rectangles, each packing what it reads into its own reused
//! thread-local buffers; the result does not depend on the number of threads.

mod block;
mod kernel;
mod pack;

use crate::error::KernelError;
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
    // SAFETY: AVX2 and FMA were detected above; the views match the checked buffer lengths;
    // `c` is borrowed mutably for the call, and the grid's rectangles do not overlap.
    unsafe { problem.run(grid(m, n, k, threads)) };
    Ok(())
}

/// One call's operands: op(A) m×k and op(B) k×n as strided views, C m×n row-major; and how
/// the inner dimension is cut ([`block::slicing`]).
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
        if tm * tn == 1 {
            part(0);
            return;
        }
        #[cfg(feature = "parallel")]
        run_parts(tm * tn, &part);
        #[cfg(not(feature = "parallel"))]
        (0..tm * tn).for_each(part);
    }
}

/// Runs part(0) on the calling thread and the others on the pool, returning when all are done.
/// A caller outside the pool then spins briefly for the others rather than going to sleep at
/// once: being woken takes ~0.1 ms here, which cost 1024³ nothing but 200×3072×100 (1 ms on
/// two threads) a fifth. (A pool thread must not spin: the parts may be queued behind it.)
#[cfg(feature = "parallel")]
fn run_parts(parts: usize, part: &(dyn Fn(usize) + Sync)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;
    let pending = AtomicUsize::new(parts - 1);
    rayon::in_place_scope(|scope| {
        for p in 1..parts {
            let pending = &pending;
            scope.spawn(move |_| {
                part(p);
                pending.fetch_sub(1, Ordering::Release);
            });
        }
        part(0);
        if rayon::current_thread_index().is_none() {
            let start = Instant::now();
            while pending.load(Ordering::Acquire) != 0 && start.elapsed() < SPIN {
                std::hint::spin_loop();
            }
        }
    });
}

/// How long a caller outside the pool spins for the other parts before sleeping: long enough
/// for parts that finish together, short enough to cost little when another process has the
/// other core.
#[cfg(feature = "parallel")]
const SPIN: std::time::Duration = std::time::Duration::from_micros(50);

/// `parts` contiguous ranges covering 0..len, cut on multiples of `unit`, as equal as the unit
/// allows.
fn split(len: usize, unit: usize, parts: usize) -> Vec<(usize, usize)> {
    let units = len.div_ceil(unit);
    let cut = |p: usize| (units * p / parts * unit).min(len);
    (0..parts).map(|p| (cut(p), cut(p + 1))).collect()
}

/// Each thread gets at least this many flops. Handing a part to the pool and collecting it
/// costs ~6 µs here (80³ ran 1.1× faster on two threads, 64³ slower), so a call below twice
/// this stays on the calling thread.
const MIN_FLOPS_PER_THREAD: f64 = 0.5e6;

/// How many row blocks × column blocks of C to compute in parallel on up to `threads`
/// threads: the grid whose largest rectangle costs least, counting its multiply-adds (16 per
/// cycle) and the packing it repeats (about one cycle per packed float). So a wide, short C
/// splits by columns (every thread packs all of the small A) and a tall, narrow C by rows.
fn grid(m: usize, n: usize, k: usize, threads: usize) -> (usize, usize) {
    let flops = 2.0 * (m as f64) * (n as f64) * (k as f64);
    let threads = threads.min((flops / MIN_FLOPS_PER_THREAD) as usize).max(1);
    let (m_tiles, n_tiles) = (m.div_ceil(MR), n.div_ceil(NR));
    let cost = |(tm, tn): (usize, usize)| {
        let rows = m_tiles.div_ceil(tm) * MR;
        let cols = n_tiles.div_ceil(tn) * NR;
        let multiply = (rows * cols * k) as f64 / 16.0;
        let packing = (k * rows * cols.div_ceil(block::NC) + k * cols) as f64;
        multiply + packing
    };
    let mut best = (1, 1);
    for tm in 1..=threads.min(m_tiles) {
        for tn in 1..=(threads / tm).min(n_tiles) {
            if cost((tm, tn)) < cost(best) {
                best = (tm, tn);
            }
        }
    }
    best
}
