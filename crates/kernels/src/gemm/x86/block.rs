//! One thread's rectangle of C: the loop nests around the micro-kernel, the cache blocking
//! they use and the thread's reused packing buffers.
//!
//! The general nest (BLIS): for each NC-column block of C, for each kc-slice of the inner
//! dimension, pack B's kc×NC block; for each MC-row block of A pack its MC×kc block (L2); then
//! run every NR-wide panel of B (kept in L1) down every MR-high panel of A. Two shapes get
//! their own nest: when all of op(B)'s columns fit in L2 for the whole inner dimension, B is
//! packed once and A streams past it once; when C is narrow, A is not packed at all.

use std::cell::RefCell;
use std::ops::Range;

use super::denormals::FlushDenormals;
use super::pack::SLACK;
use super::{APanel, MicroKernel, Problem, Tile};

impl Problem {
    /// C[i0..i1, j0..j1] on the calling thread.
    ///
    /// # Safety
    /// As [`Problem::run`]; the rectangle must lie inside C and no other thread may write it.
    pub(super) unsafe fn block<K: MicroKernel>(&self, (i0, i1): (usize, usize), (j0, j1): (usize, usize)) {
        if i0 == i1 || j0 == j1 {
            return;
        }
        let _flush = FlushDenormals::on();
        with_scratch(|scratch| {
            let width = K::NC.min(j1 - j0).next_multiple_of(K::NR);
            if self.direct_a {
                self.direct_a::<K>(i0..i1, j0..j1, scratch);
            } else if self.k * width <= K::B_RESIDENT {
                self.resident_b::<K>(i0..i1, j0..j1, scratch);
            } else {
                self.packed::<K>(i0..i1, j0..j1, scratch);
            }
        });
    }

    /// The general nest: B packed kc×NC at a time, A MC×kc at a time.
    unsafe fn packed<K: MicroKernel>(&self, rows: Range<usize>, cols: Range<usize>, scratch: &mut Scratch) {
        let (k, kc_max) = (self.k, self.kc);
        let mc_max = chunk(rows.len(), K::MC).next_multiple_of(K::MR);
        let nc_max = K::NC.min(cols.len()).next_multiple_of(K::NR);
        let (abuf, bbuf) = scratch.get(mc_max * kc_max + SLACK, nc_max * kc_max + SLACK);
        for jc in cols.clone().step_by(K::NC) {
            let nc = K::NC.min(cols.end - jc);
            for pc in (0..k).step_by(kc_max) {
                let kc = kc_max.min(k - pc);
                K::pack_b(self.b.at(pc, jc), kc, nc, bbuf);
                for ic in rows.clone().step_by(mc_max) {
                    let mc = mc_max.min(rows.end - ic);
                    K::pack_a(self.a.at(ic, pc), mc, kc, abuf);
                    self.macro_tile::<K>(ic, jc, mc, nc, kc, abuf, bbuf, pc == 0);
                }
            }
        }
    }

    /// All of op(B)'s k×n block fits in L2 beside an A block: pack it once, then stream A past
    /// it once, each MC rows across the whole inner dimension (for tall, narrow products A is
    /// the only operand that comes from memory).
    unsafe fn resident_b<K: MicroKernel>(&self, rows: Range<usize>, cols: Range<usize>, scratch: &mut Scratch) {
        let (k, kc_max) = (self.k, self.kc);
        let mc_max = chunk(rows.len(), K::MC).next_multiple_of(K::MR);
        let width = cols.len().next_multiple_of(K::NR);
        let (abuf, bbuf) = scratch.get(mc_max * kc_max + SLACK, k * width + SLACK);
        for pc in (0..k).step_by(kc_max) {
            K::pack_b(self.b.at(pc, cols.start), kc_max.min(k - pc), cols.len(), bbuf.add(pc * width));
        }
        for ic in rows.clone().step_by(mc_max) {
            let mc = mc_max.min(rows.end - ic);
            for pc in (0..k).step_by(kc_max) {
                let kc = kc_max.min(k - pc);
                K::pack_a(self.a.at(ic, pc), mc, kc, abuf);
                self.macro_tile::<K>(ic, cols.start, mc, cols.len(), kc, abuf, bbuf.add(pc * width), pc == 0);
            }
        }
    }

    /// A narrow C: A read in place by the micro-kernel, each MR rows' kc-slice (in L1) run
    /// across every panel of B (in L2). B is packed whole when it fits in L2, else a kc-slice
    /// at a time.
    unsafe fn direct_a<K: MicroKernel>(&self, rows: Range<usize>, cols: Range<usize>, scratch: &mut Scratch) {
        let (k, kc_max) = (self.k, self.kc);
        let width = cols.len().next_multiple_of(K::NR);
        let group = if k * width <= K::B_RESIDENT { k } else { kc_max };
        let (_, bbuf) = scratch.get(0, group * width + SLACK);
        for g0 in (0..k).step_by(group) {
            let g1 = (g0 + group).min(k);
            for pc in (g0..g1).step_by(kc_max) {
                K::pack_b(self.b.at(pc, cols.start), kc_max.min(k - pc), cols.len(), bbuf.add((pc - g0) * width));
            }
            for ir in rows.clone().step_by(K::MR) {
                for pc in (g0..g1).step_by(kc_max) {
                    let kc = kc_max.min(k - pc);
                    let a = self.a.at(ir, pc);
                    let slice = bbuf.add((pc - g0) * width);
                    for jr in (0..cols.len()).step_by(K::NR) {
                        let tile = self.tile(ir, cols.start + jr, K::MR.min(rows.end - ir), K::NR.min(cols.len() - jr), pc == 0);
                        K::tile(kc, APanel::Strided { ptr: a.ptr, rs: a.rs, cs: a.cs }, slice.add(jr * kc), tile);
                    }
                }
            }
        }
    }

    /// C[ic.., jc..] (mc×nc) from packed A (mc×kc) and packed B (kc×nc): every NR panel of B
    /// (kept in L1) down every MR panel of A (in L2).
    #[allow(clippy::too_many_arguments)]
    unsafe fn macro_tile<K: MicroKernel>(&self, ic: usize, jc: usize, mc: usize, nc: usize, kc: usize, abuf: *const f32, bbuf: *const f32, first: bool) {
        for jr in (0..nc).step_by(K::NR) {
            let bp = bbuf.add(jr * kc);
            for ir in (0..mc).step_by(K::MR) {
                let tile = self.tile(ic + ir, jc + jr, K::MR.min(mc - ir), K::NR.min(nc - jr), first);
                K::tile(kc, APanel::Packed(abuf.add(ir * kc)), bp, tile);
            }
        }
    }

    /// The rows×cols tile of C at (i, j). The first k-slice applies beta; later ones add onto
    /// what it wrote.
    unsafe fn tile(&self, i: usize, j: usize, rows: usize, cols: usize, first: bool) -> Tile {
        Tile {
            c: self.c.add(i * self.n + j),
            ldc: self.n,
            rows,
            cols,
            alpha: self.alpha,
            beta: if first { self.beta } else { 1.0 },
        }
    }
}

/// Whether A is read in place (a narrow C, A stored row-major), and the depth of the k-slices.
/// Both depend on the whole product, not on a thread's share of it, so that every element of
/// C is summed in the same order whatever the number of threads.
pub(super) fn slicing<K: MicroKernel>(n: usize, k: usize, a_row_major: bool) -> (bool, usize) {
    let direct_a = a_row_major && n.next_multiple_of(K::NR) <= K::DIRECT_A_MAX_N;
    (direct_a, chunk(k, if direct_a { K::KC_DIRECT_A } else { K::KC }))
}

/// Whether a product runs as two halves of its inner dimension ([`Problem::run_in_k_halves`]):
/// A read in place (a narrow C), at most 256 rows, and at least two k-slices. Split by rows,
/// two threads would each pack all of B for little work (200×3072×100: A·B 1.07-1.14×, A·Bᵀ
/// 1.02× faster in halves on two threads). Depends only on the shape, never on the threads.
pub(super) fn halves_k(m: usize, k: usize, kc: usize, direct_a: bool) -> bool {
    direct_a && m <= HALVES_K_MAX_M && k >= 2 * kc
}

/// Most rows of C for [`halves_k`].
const HALVES_K_MAX_M: usize = 256;

/// The largest of ⌈len/max⌉ near-equal chunks.
fn chunk(len: usize, max: usize) -> usize {
    len.div_ceil(len.div_ceil(max).max(1))
}

/// One thread's packing buffers, kept between calls (the pool's threads live as long as the
/// process), each handed out from a 64-byte boundary.
#[derive(Default)]
struct Scratch {
    a: Vec<f32>,
    b: Vec<f32>,
}

impl Scratch {
    fn get(&mut self, a_len: usize, b_len: usize) -> (*mut f32, *mut f32) {
        (aligned(&mut self.a, a_len), aligned(&mut self.b, b_len))
    }
}

fn aligned(buf: &mut Vec<f32>, len: usize) -> *mut f32 {
    const ALIGN: usize = 64 / std::mem::size_of::<f32>();
    if buf.len() < len + ALIGN {
        *buf = vec![0.0; len + ALIGN];
    }
    let offset = buf.as_ptr().align_offset(64).min(ALIGN);
    // SAFETY: offset ≤ ALIGN, and the buffer holds len + ALIGN floats.
    unsafe { buf.as_mut_ptr().add(offset) }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's buffers, or fresh ones if they are already in use (a rayon
/// worker waiting inside one GEMM can be handed part of another).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::avx2::Avx2;
    use super::*;

    #[test]
    fn only_few_row_narrow_deep_products_run_in_halves_of_k() {
        let at = |m, n, k| {
            let (direct_a, kc) = slicing::<Avx2>(n, k, true);
            halves_k(m, k, kc, direct_a)
        };
        assert!(at(200, 100, 3072), "MLP forward, 200×3072 · 3072×100");
        assert!(at(256, 128, 1000));
        assert!(!at(257, 100, 3072), "more rows: split by rows");
        assert!(!at(200, 129, 3072), "wider: B packed, A packed");
        assert!(!at(200, 100, 768), "one k-slice");
        let (direct_a, kc) = slicing::<Avx2>(100, 3072, false);
        assert!(!halves_k(200, 3072, kc, direct_a), "Aᵀ is packed, not read in place");
    }
}
