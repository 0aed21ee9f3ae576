//! Single-thread f32 GEMM for WebAssembly simd128: C = alpha·op(A)·op(B) + beta·C, row-major,
//! with A m×k (k×m when `trans_a`), B k×n (n×k when `trans_b`), C m×n (see [`crate::sgemm`]).
//!
//! BLIS's structure: op(B) is packed a KC×NC block at a time into NR-column panels, op(A) an
//! MC×KC block at a time into MR-row panels, and the micro-kernel (`kernel.rs`) computes one
//! MR×NR tile of C from one panel of each. Packing absorbs the strides, so the transposed
//! variants backprop uses run the same kernel. The packing buffers live in a thread-local and
//! are reused across calls. Written for V8 on x64 without relaxed SIMD (Node 20); on other
//! targets the kernel is its scalar model, which the host tests drive.

mod kernel;
mod pack;

use std::cell::RefCell;

use crate::gemm::parallel::{grid, run_parts, split, Tiling};
use crate::gemm::GemmSpec;
use crate::threads::available_threads;
use kernel::{MR, NR};
use pack::{pack_a, pack_b, Strided};

/// Block sizes, in elements: KC steps of k per packed panel, MC rows of op(A) and NC columns
/// of op(B) per packed block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Blocking {
    pub kc: usize,
    pub mc: usize,
    pub nc: usize,
}

/// Node 20 (V8 11.3) on a Zen 3: a B panel (KC·NR floats, 18 KiB) and an A panel (KC·MR,
/// 11 KiB) fit in L1 together, the A block (MC·KC, 270 KiB) in L2. Timings barely move with any
/// of the three (KC 256 to 1024, MC 60 to 240, NC 256 to 4096 all within noise), except that
/// k = 576 (a 3×3×64 convolution's im2col) gains ~5% from running as one K block.
pub(crate) const BLOCKING: Blocking = Blocking { kc: 576, mc: 120, nc: 1024 };

/// Cache-line-aligned storage for the packed panels.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f32; 16]);

#[derive(Default)]
struct Buffers {
    a: Vec<Line>,
    b: Vec<Line>,
}

impl Buffers {
    /// Pointers to at least `a_len` and `b_len` floats, growing (never shrinking) the buffers.
    fn get(&mut self, a_len: usize, b_len: usize) -> (*mut f32, *mut f32) {
        let lines = |len: usize| len.div_ceil(16);
        for (buf, len) in [(&mut self.a, a_len), (&mut self.b, b_len)] {
            if buf.len() < lines(len) {
                buf.resize(lines(len), Line([0.0; 16]));
            }
        }
        (self.a.as_mut_ptr() as *mut f32, self.b.as_mut_ptr() as *mut f32)
    }
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
}

/// C = alpha·op(A)·op(B) + beta·C with the default blocking, on up to `threads` threads of the
/// shared pool (the threaded wasm build; 1 elsewhere). The lengths must already match the spec
/// ([`GemmSpec::check_lengths`]); beta = 0 ignores C's previous contents.
pub(crate) fn sgemm(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) {
    sgemm_blocked(spec, a, b, c, BLOCKING, threads);
}

/// This path's tiles for the threads' grid: simd128 has no fused multiply-add, so a thread
/// does 4 lanes × (2 multiplies + 2 adds) per cycle at best, i.e. 8 multiply-adds.
const TILING: Tiling = Tiling { mr: MR, nr: NR, nc: BLOCKING.nc, fma_per_cycle: 8.0 };

/// The operands of one call, shared (read-only, and C in disjoint rectangles) by its parts.
#[derive(Clone, Copy)]
struct Operands {
    a: Strided,
    b: Strided,
    c: *mut f32,
}

// SAFETY: the parts only read A and B and write disjoint rectangles of C (see `sgemm_blocked`).
unsafe impl Sync for Operands {}

impl Operands {
    /// The three views. A method, not field reads, inside the parts' closure: a closure naming
    /// `ops.a` captures only that field, a raw pointer, which is not `Sync`.
    fn get(&self) -> (Strided, Strided, *mut f32) {
        (self.a, self.b, self.c)
    }
}

/// [`sgemm`] with given block sizes: the tests pass small ones to reach every edge case.
pub(crate) fn sgemm_blocked(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32], blocking: Blocking, threads: usize) {
    let GemmSpec { m, n, k, alpha, beta, .. } = *spec;
    assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n, "gemm_simd128: lengths do not match {spec:?}");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 || alpha == 0.0 {
        if beta == 0.0 {
            c.fill(0.0);
        } else if beta != 1.0 {
            c.iter_mut().for_each(|v| *v *= beta);
        }
        return;
    }
    let a = if spec.trans_a { Strided { ptr: a.as_ptr(), rs: 1, cs: m } } else { Strided { ptr: a.as_ptr(), rs: k, cs: 1 } };
    let b = if spec.trans_b { Strided { ptr: b.as_ptr(), rs: 1, cs: k } } else { Strided { ptr: b.as_ptr(), rs: n, cs: 1 } };
    let ops = Operands { a, b, c: c.as_mut_ptr() };
    let pool = available_threads();
    let threads = if threads == 0 { pool } else { threads.min(pool) };
    let (tm, tn) = grid(m, n, k, threads, TILING);
    let (rows, cols) = (split(m, MR, tm), split(n, NR, tn));
    // Each part computes one rectangle of C whole (all of k), so the sums run in the same order
    // whatever the number of threads.
    let part = |p: usize| {
        let ((r0, r1), (c0, c1)) = (rows[p / tn], cols[p % tn]);
        if r0 == r1 || c0 == c1 {
            return;
        }
        let (a, b, c) = ops.get();
        // SAFETY: `a`, `b` and `c` hold exactly the matrices the strides describe (checked
        // above), `c` comes from a unique borrow, so it overlaps neither input, and the parts'
        // rectangles of C are disjoint.
        let run = |buffers: &mut Buffers| unsafe {
            blocked(r1 - r0, c1 - c0, k, alpha, a.at(r0, 0), b.at(0, c0), beta, c.add(r0 * n + c0), n, blocking, buffers)
        };
        // Re-entry cannot happen (nothing in here calls back out), but a fresh buffer is the
        // safe answer if it ever did.
        BUFFERS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buffers) => run(&mut buffers),
            Err(_) => run(&mut Buffers::default()),
        });
    };
    run_parts(tm * tn, &part);
}

/// The five loops around the micro-kernel.
///
/// # Safety
/// `a` (m×k), `b` (k×n) and `c` (m×n, row stride `ldc` ≥ n) must be valid for their strides,
/// and `c` must not overlap `a` or `b`.
#[allow(clippy::too_many_arguments)]
unsafe fn blocked(
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: Strided,
    b: Strided,
    beta: f32,
    c: *mut f32,
    ldc: usize,
    blocking: Blocking,
    buffers: &mut Buffers,
) {
    // Equal K blocks (k = 600 runs as 2×300, not 576 + 24): no short kernel calls.
    let k_blocks = k.div_ceil(blocking.kc.max(1));
    let kc_max = k.div_ceil(k_blocks);
    let mc_max = round_up(blocking.mc.max(1), MR).min(round_up(m, MR));
    let nc_max = round_up(blocking.nc.max(1), NR).min(round_up(n, NR));
    let (a_buf, b_buf) = buffers.get(mc_max * kc_max, nc_max * kc_max);
    let mut tile = [0.0f32; MR * NR];

    for jc in (0..n).step_by(nc_max) {
        let nc = nc_max.min(n - jc);
        for pc in (0..k).step_by(kc_max) {
            let kc = kc_max.min(k - pc);
            pack_b(b_buf, b.at(pc, jc), kc, nc);
            // The first K block applies beta; the later ones accumulate onto it.
            let beta = if pc == 0 { beta } else { 1.0 };
            for ic in (0..m).step_by(mc_max) {
                let mc = mc_max.min(m - ic);
                pack_a(a_buf, a.at(ic, pc), mc, kc);
                for jr in (0..nc).step_by(NR) {
                    let cols = NR.min(nc - jr);
                    let b_panel = b_buf.add(jr * kc);
                    for ir in (0..mc).step_by(MR) {
                        let rows = MR.min(mc - ir);
                        let a_panel = a_buf.add(ir * kc);
                        let c_tile = c.add((ic + ir) * ldc + jc + jr);
                        if rows == MR && cols == NR {
                            kernel::tile(kc, a_panel, b_panel, c_tile, ldc, alpha, beta);
                        } else {
                            // An edge tile: computed whole into `tile`, then its part inside C
                            // merged by hand (the kernel would write past C's edge).
                            kernel::tile(kc, a_panel, b_panel, tile.as_mut_ptr(), NR, 1.0, 0.0);
                            for i in 0..rows {
                                for j in 0..cols {
                                    let out = c_tile.add(i * ldc + j);
                                    let prior = if beta == 0.0 { 0.0 } else { beta * *out };
                                    *out = alpha * tile[i * NR + j] + prior;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn round_up(x: usize, to: usize) -> usize {
    x.div_ceil(to) * to
}

#[cfg(test)]
mod tests {
    use super::pack::{pack_a, pack_b, Strided};
    use super::*;
    use crate::gemm::sgemm_reference_f64;

    /// Deterministic values in [-1, 1).
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// Runs one case with the given blocking and checks every element against the f64 loop,
    /// within the f32 rounding bound k·2⁻²³·(|alpha|·Σ|a·b| + |beta·c|).
    fn check(spec: GemmSpec, blocking: Blocking, seed: u64) {
        let GemmSpec { m, n, k, alpha, beta, .. } = spec;
        let a = values(m * k, seed);
        let b = values(k * n, seed + 1);
        let c0 = if beta == 0.0 { vec![f32::NAN; m * n] } else { values(m * n, seed + 2) };
        let want = sgemm_reference_f64(&spec, &a, &b, &c0).unwrap();
        let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
        let scale_spec = GemmSpec { alpha: alpha.abs(), beta: beta.abs(), ..spec };
        let c0_abs = if beta == 0.0 { vec![0.0; m * n] } else { abs(&c0) };
        let scale = sgemm_reference_f64(&scale_spec, &abs(&a), &abs(&b), &c0_abs).unwrap();
        let mut c = c0.clone();
        sgemm_blocked(&spec, &a, &b, &mut c, blocking, 1);
        for i in 0..m * n {
            let bound = (k + 2) as f64 * f64::from(f32::EPSILON) * scale[i] + 1e-30;
            assert!(
                (f64::from(c[i]) - want[i]).abs() <= bound,
                "{spec:?} {blocking:?}: C[{}][{}] = {} but the f64 loop gives {} (bound {bound:e})",
                i / n,
                i % n,
                c[i],
                want[i]
            );
        }
    }

    const SMALL: Blocking = Blocking { kc: 7, mc: 12, nc: 19 };

    #[test]
    fn matches_the_f64_loop_on_awkward_shapes() {
        let shapes = [(1, 1, 1), (1, 9, 1), (4, 7, 3), (5, 8, 1), (5, 8, 16), (6, 9, 17), (13, 70, 129), (31, 29, 37), (67, 45, 23), (1, 101, 57), (99, 1, 203)];
        let scalars = [(1.0, 0.0), (0.5, 2.0), (-1.5, 0.25), (2.0, -1.0), (1.0, 1.0)];
        let mut seed = 1;
        for (m, n, k) in shapes {
            for trans_a in [false, true] {
                for trans_b in [false, true] {
                    for (alpha, beta) in scalars {
                        let spec = GemmSpec { trans_a, trans_b, m, n, k, alpha, beta };
                        check(spec, BLOCKING, seed);
                        check(spec, SMALL, seed);
                        seed += 3;
                    }
                }
            }
        }
    }

    #[test]
    fn several_blocks_in_every_dimension_and_large_k() {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
            check(GemmSpec::new(trans_a, trans_b, 130, 257, 300), BLOCKING, 7);
            check(GemmSpec { alpha: 0.75, beta: 0.5, ..GemmSpec::new(trans_a, trans_b, 41, 35, 1500) }, BLOCKING, 8);
            check(GemmSpec { alpha: -1.0, beta: 1.0, ..GemmSpec::new(trans_a, trans_b, 23, 29, 61) }, Blocking { kc: 5, mc: 5, nc: 8 }, 9);
        }
    }

    /// Split among threads (the host's rayon pool stands in for the Web Workers), every shape
    /// gives the very bits of one thread: each rectangle of C sums all of k in the same order.
    #[test]
    fn threads_give_the_bits_of_one_thread() {
        let shapes = [(200, 100, 3072), (3072, 100, 200), (12, 700, 300), (97, 61, 129), (2, 3, 4)];
        for (m, n, k) in shapes {
            for (trans_a, trans_b) in [(false, false), (true, false), (false, true)] {
                let spec = GemmSpec { alpha: 0.5, beta: 0.25, ..GemmSpec::new(trans_a, trans_b, m, n, k) };
                let (a, b, c0) = (values(m * k, 11), values(k * n, 12), values(m * n, 13));
                let mut one = c0.clone();
                sgemm(&spec, &a, &b, &mut one, 1);
                for threads in [0, 2, 3] {
                    let mut many = c0.clone();
                    sgemm(&spec, &a, &b, &mut many, threads);
                    assert!(one == many, "{spec:?} on {threads} threads differs from one thread");
                }
            }
        }
    }

    #[test]
    fn k_zero_or_alpha_zero_scales_c() {
        let c0 = values(12, 3);
        for (k, alpha) in [(0, 1.0), (5, 0.0)] {
            let (a, b) = (values(3 * k, 4), values(k * 4, 5));
            for beta in [0.0, 1.0, -2.0] {
                let mut c = if beta == 0.0 { vec![f32::NAN; 12] } else { c0.clone() };
                sgemm(&GemmSpec { alpha, beta, ..GemmSpec::new(false, false, 3, 4, k) }, &a, &b, &mut c, 1);
                let want: Vec<f32> = c0.iter().map(|v| if beta == 0.0 { 0.0 } else { v * beta }).collect();
                assert_eq!(c, want, "k = {k}, alpha = {alpha}, beta = {beta}");
            }
        }
    }

    #[test]
    fn reuses_its_buffers_across_sizes() {
        for (m, n, k) in [(60, 70, 80), (3, 2, 1), (200, 9, 700), (7, 300, 5), (60, 70, 80)] {
            check(GemmSpec::new(false, true, m, n, k), BLOCKING, (m + n + k) as u64);
        }
    }

    /// Every packed element is where the kernel expects it, padding included, for each of the
    /// stride patterns (k contiguous, the panel side contiguous, neither).
    #[test]
    fn packing_layout() {
        let (rows, cols) = (13, 11);
        let data = values(rows * cols * 3, 6);
        // (rs, cs) of a rows×cols view of `data`.
        for (rs, cs) in [(cols, 1), (1, rows), (2 * cols, 2)] {
            let view = Strided { ptr: data.as_ptr(), rs, cs };
            let at = |r: usize, c: usize| data[r * rs + c * cs];
            // As op(A): rows are m, columns k.
            let mut packed = vec![f32::NAN; rows.div_ceil(MR) * MR * cols];
            unsafe { pack_a(packed.as_mut_ptr(), view, rows, cols) };
            for (idx, &v) in packed.iter().enumerate() {
                let (q, p, r) = (idx / (cols * MR), idx / MR % cols, idx % MR);
                let want = if q * MR + r < rows { at(q * MR + r, p) } else { 0.0 };
                assert_eq!(v, want, "pack_a rs={rs} cs={cs}: panel {q}, step {p}, row {r}");
            }
            // As op(B): rows are k, columns n.
            let mut packed = vec![f32::NAN; cols.div_ceil(NR) * NR * rows];
            unsafe { pack_b(packed.as_mut_ptr(), view, rows, cols) };
            for (idx, &v) in packed.iter().enumerate() {
                let (q, p, j) = (idx / (rows * NR), idx / NR % rows, idx % NR);
                let want = if q * NR + j < cols { at(p, q * NR + j) } else { 0.0 };
                assert_eq!(v, want, "pack_b rs={rs} cs={cs}: panel {q}, step {p}, column {j}");
            }
        }
    }
}
