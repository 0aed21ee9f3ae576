//! The loop both x86 micro-kernels run, written once over the register they use: R rows × V
//! vectors of accumulators; per k, V vectors of packed B loaded, each of the tile's R values
//! of A broadcast and multiplied into a row.

use std::arch::x86_64::*;

use super::Tile;

/// Runs `$micro::<R, V, PACKED>(kc, a, rs, cs, b, tile)` for the tile: R the fewest of 2, 4 or
/// `$mr` (the kernel's MR constant) rows and V the fewer of 1 or 2 vectors of `$width` lanes
/// that cover it, PACKED whether A
/// is a packed panel (`APanel::Packed`) or read in place. Each kernel's `tile` is this, with its
/// own `micro` (compiled for its instructions), MR and register width.
macro_rules! dispatch_tile {
    ($micro:ident, $mr:ident, $width:expr, $kc:expr, $a:expr, $b:expr, $tile:expr) => {{
        let (kc, a, b, tile) = ($kc, $a, $b, $tile);
        macro_rules! go {
            ($r:expr, $v:literal) => {
                match a {
                    APanel::Packed(p) => $micro::<{ $r }, $v, true>(kc, p, 1, $mr, b, tile),
                    APanel::Strided { ptr, rs, cs } => $micro::<{ $r }, $v, false>(kc, ptr, rs, cs, b, tile),
                }
            };
        }
        match (tile.rows, tile.cols > $width) {
            (0..=2, false) => go!(2, 1),
            (0..=2, true) => go!(2, 2),
            (3..=4, false) => go!(4, 1),
            (3..=4, true) => go!(4, 2),
            (_, false) => go!($mr, 1),
            (_, true) => go!($mr, 2),
        }
    }};
}
pub(super) use dispatch_tile;

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
