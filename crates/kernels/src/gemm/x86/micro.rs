//! The loop both x86 micro-kernels run, written once over the register they use: R rows × V
//! vectors of accumulators; per k, V vectors of packed B loaded, each of the tile's R values
//! of A broadcast and multiplied into a row.

use std::arch::x86_64::*;

use super::Tile;

/// One SIMD register of f32 lanes and the operations the micro-kernels' loop needs. Each
/// kernel implements it for its register (`__m256`, `__m512`) and calls [`accumulate`] from a
/// function compiled for its instructions, into which all of this inlines.
pub(super) trait Lanes: Copy {
    /// f32 lanes per register.
    const WIDTH: usize;
    /// # Safety
    /// The CPU must have the register's instructions (as for every method here).
    unsafe fn zero() -> Self;
    /// WIDTH floats from `p` (any alignment).
    ///
    /// # Safety
    /// As [`Lanes::zero`]; `p` must point at WIDTH readable floats.
    unsafe fn load(p: *const f32) -> Self;
    /// The float at `p` in every lane.
    ///
    /// # Safety
    /// As [`Lanes::zero`]; `p` must be readable.
    unsafe fn splat(p: *const f32) -> Self;
    /// a·b + acc, fused.
    ///
    /// # Safety
    /// As [`Lanes::zero`].
    unsafe fn fma(a: Self, b: Self, acc: Self) -> Self;
}

/// The sums of an R×(WIDTH·V) micro-tile (R ≤ MR rows, V vectors per row) over kc: A packed
/// (MR values per k, so rs = 1 and cs = MR are known at compile time) or read in place
/// (element (r, k) at `a + r·rs + k·cs`), B a packed panel of NR values per k. Starts pulling
/// the tile's rows of C into L1 first, as they are written next.
///
/// # Safety
/// As [`super::MicroKernel::tile`]; call it from a function compiled for `L`'s instructions.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn accumulate<L: Lanes, const MR: usize, const NR: usize, const R: usize, const V: usize, const PACKED: bool>(
    kc: usize,
    a: *const f32,
    rs: usize,
    cs: usize,
    b: *const f32,
    tile: &Tile,
) -> [[L; V]; R] {
    let mut acc = [[L::zero(); V]; R];
    let (mut a, mut b) = (a, b);
    // Offsets of the tile's rows of A; rows past the edge of C re-read row 0 (never written).
    let mut rows = [0usize; R];
    if !PACKED {
        for (r, off) in rows.iter_mut().enumerate().take(tile.rows) {
            *off = r * rs;
        }
    }
    macro_rules! step {
        ($k:expr) => {{
            let mut bv = [L::zero(); V];
            for (v, bv) in bv.iter_mut().enumerate() {
                *bv = L::load(b.add($k * NR + L::WIDTH * v));
            }
            for r in 0..R {
                let src = if PACKED { a.add($k * MR + r) } else { a.add(rows[r]) };
                let av = L::splat(src);
                for v in 0..V {
                    acc[r][v] = L::fma(av, bv[v], acc[r][v]);
                }
            }
        }};
    }
    for r in 0..tile.rows {
        let p = tile.c.add(r * tile.ldc);
        _mm_prefetch::<_MM_HINT_T0>(p as *const i8);
        _mm_prefetch::<_MM_HINT_T0>(p.add(tile.cols - 1) as *const i8);
    }
    if PACKED {
        for _ in 0..kc / 4 {
            step!(0);
            step!(1);
            step!(2);
            step!(3);
            a = a.add(4 * MR);
            b = b.add(4 * NR);
        }
        for _ in 0..kc % 4 {
            step!(0);
            a = a.add(MR);
            b = b.add(NR);
        }
    } else {
        for _ in 0..kc {
            step!(0);
            a = a.add(cs);
            b = b.add(NR);
        }
    }
    acc
}
