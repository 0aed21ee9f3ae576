//! dlp's own f32 GEMMs for x86_64: C = alpha·op(A)·op(B) + beta·C, with the shapes and contract
//! of [`crate::sgemm`], which sends a call here where one of them measured faster than the
//! `gemm` crate (each kernel's `is_preferred`).
//!
//! BLIS-style: op(B) is packed into kc×NR column panels and op(A) into MR×kc row panels (the
//! packing reads any strides, so a transposed operand changes only which copy loop runs), and
//! an MR×NR register-blocked micro-kernel multiplies them (`pack.rs`, and the loop nests and
//! cache blocking in `block.rs`; for a narrow C the kernel reads A in place). Two micro-kernels
//! share that machinery through [`MicroKernel`]: `avx2` (6×16, AVX2+FMA) and `avx512` (8×32,
//! AVX-512F, for CPUs whose 512-bit FMAs do twice the work of 256-bit ones).
//! Denormals are flushed to zero while the kernels run (`denormals.rs` says why).
//! Threads split C into a grid of rectangles, each packing what it reads into its own reused
//! thread-local buffers, or, for few-row, narrow, deep products, split the inner dimension in
//! two halves summed at the end; the result does not depend on the number of threads.

pub mod avx2;
pub mod avx512;
mod block;
mod denormals;
mod micro;
mod pack;

use crate::error::KernelError;
use crate::gemm::parallel::{grid, run_parts, split, Tiling};
use crate::gemm::{settled_without_kernel, GemmSpec};
use crate::threads::available_threads;
use pack::View;

/// A register-blocked micro-kernel and the cache blocking tuned around it.
trait MicroKernel {
    /// What [`sgemm_with`] says when the CPU lacks the kernel's instructions.
    const MISSING: &'static str;
    /// Rows of C per micro-tile (the height of an A panel).
    const MR: usize;
    /// Columns of C per micro-tile (the width of a B panel).
    const NR: usize;
    /// Deepest k-slice: a kc×NR panel of B plus an MR×kc panel of A stay in L1d.
    const KC: usize;
    /// Most rows of A packed at a time (MC×KC floats stay in L2).
    const MC: usize;
    /// Most columns of B packed at a time.
    const NC: usize;
    /// Packed B up to this many floats is packed whole, for every k, and kept in L2.
    const B_RESIDENT: usize;
    /// Up to this many columns, A stored row-major is read in place rather than packed.
    const DIRECT_A_MAX_N: usize;
    /// Deepest k-slice when A is read in place (only B's slice sits in L2).
    const KC_DIRECT_A: usize;
    /// Multiply-adds per cycle of one thread, for the threads' grid.
    const FMA_PER_CYCLE: f64;

    /// Whether this CPU has the kernel's instructions (and AVX2, which the packing uses).
    fn is_available() -> bool;

    /// Multiplies the tile's rows of A (kc deep) by a packed kc×NR panel of B and writes it.
    ///
    /// # Safety
    /// The CPU must have the kernel's instructions; `a` must hold the tile's rows kc deep (a
    /// packed panel: MR·kc floats) and `b` NR·kc floats; `tile` must describe writable memory
    /// (and readable, when beta ≠ 0).
    unsafe fn tile(kc: usize, a: APanel, b: *const f32, tile: Tile);

    /// Packs the mc×kc block of op(A) at `a` into ⌈mc/MR⌉ panels of MR·kc floats at `dst`
    /// (which holds that many plus [`pack::SLACK`]).
    ///
    /// # Safety
    /// AVX2 must be available; `a` must cover mc×kc elements.
    unsafe fn pack_a(a: View, mc: usize, kc: usize, dst: *mut f32);

    /// Packs the kc×nc block of op(B) at `b` into ⌈nc/NR⌉ panels of NR·kc floats at `dst`.
    ///
    /// # Safety
    /// As [`MicroKernel::pack_a`].
    unsafe fn pack_b(b: View, kc: usize, nc: usize, dst: *mut f32);
}

/// Whether a product is wide enough for dlp's kernels. Measured on a Zen 3 with the AVX2 kernel
/// (see `benches/gemm.rs`): with fewer than 24 rows or columns, or a short inner dimension, the
/// `gemm` crate's kernels for thin matrices win; from there on dlp's matches or beats it, by up
/// to 1.9× on backprop's transposed products. A·Bᵀ with few rows is the exception: the crate
/// is slow there too.
fn is_not_thin(spec: &GemmSpec) -> bool {
    let GemmSpec { trans_a, trans_b, m, n, k, .. } = *spec;
    let min_rows = if trans_b && !trans_a { 2 } else { 24 };
    m >= min_rows && n >= 24 && k >= 16
}

/// Where a micro-tile lands: the `rows`×`cols` (≤ MR×NR) corner at `c`, row stride `ldc`, as
/// C = alpha·AB + beta·C. C is not read when beta = 0, so NaNs there do not leak.
#[derive(Clone, Copy)]
struct Tile {
    pub c: *mut f32,
    pub ldc: usize,
    pub rows: usize,
    pub cols: usize,
    pub alpha: f32,
    pub beta: f32,
}

/// Where the micro-kernel reads A: a packed panel (MR values per k), or A itself, element
/// (r, k) at `ptr + r·rs + k·cs` (for a narrow C, packing A would cost as much as the multiply).
#[derive(Clone, Copy)]
enum APanel {
    Packed(*const f32),
    Strided { ptr: *const f32, rs: usize, cs: usize },
}

/// C = alpha·op(A)·op(B) + beta·C on micro-kernel `K`, whatever [`crate::sgemm`] would choose
/// (each kernel's public `sgemm`); errors when the CPU lacks `K`'s instructions.
fn sgemm_with<K: MicroKernel>(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) -> Result<(), KernelError> {
    if !K::is_available() {
        return Err(KernelError::new(K::MISSING));
    }
    if settled_without_kernel(spec, a, b, c)? {
        return Ok(());
    }
    let GemmSpec { trans_a, trans_b, m, n, k, alpha, beta } = *spec;
    let (direct_a, kc) = block::slicing::<K>(n, k, !trans_a);
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
        unsafe { problem.run_in_k_halves::<K>(threads) };
        return Ok(());
    }
    let tiling = Tiling { mr: K::MR, nr: K::NR, nc: K::NC, fma_per_cycle: K::FMA_PER_CYCLE };
    // SAFETY: the CPU was checked above; the views match the checked buffer lengths; `c` is
    // borrowed mutably for the call, and the grid's rectangles do not overlap.
    unsafe { problem.run::<K>(grid(m, n, k, threads, tiling)) };
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
    /// The CPU must have `K`'s instructions; the views and C must hold the matrices described.
    unsafe fn run<K: MicroKernel>(&self, (tm, tn): (usize, usize)) {
        let rows = split(self.m, K::MR, tm);
        let cols = split(self.n, K::NR, tn);
        let part = |p: usize| self.block::<K>(rows[p / tn], cols[p % tn]);
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
    unsafe fn run_in_k_halves<K: MicroKernel>(&self, threads: usize) {
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
            let part = |p: usize| halves[p].block::<K>((0, self.m), (0, self.n));
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
