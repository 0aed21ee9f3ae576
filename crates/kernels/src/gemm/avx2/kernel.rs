//! The AVX2+FMA micro-kernel: one MR×NR = 6×16 tile of C from an MR-row panel of A and an
//! NR-column panel of packed B, C_tile = alpha·(A_panel·B_panel) + beta·C_tile.
//!
//! 6×16 keeps 12 ymm accumulators (6 rows × 2 vectors of 8 columns), 2 for the row of B and 1
//! for the broadcast of A: 15 of the 16 registers. Per k it issues 2 vector loads, 6 broadcasts
//! and 12 FMAs, so the two FMA pipes stay busy while the load ports have slack (BLIS's Haswell
//! sgemm uses the same shape); in L1 it runs at 97% of the FMA peak on a Zen 3. Tiles on the
//! bottom and right edges of C run the same code for 2 or 4 rows and 8 columns, so that
//! m = 128 (21 full panels and 2 rows) does not pay for 132 rows.

use std::arch::x86_64::*;

/// Rows of C per micro-tile (the height of an A panel).
pub(super) const MR: usize = 6;
/// Columns of C per micro-tile (the width of a B panel): two ymm vectors.
pub(super) const NR: usize = 16;

/// Where a micro-tile lands: the `rows`×`cols` (≤ MR×NR) corner at `c`, row stride `ldc`, as
/// C = alpha·AB + beta·C. C is not read when beta = 0, so NaNs there do not leak.
#[derive(Clone, Copy)]
pub(super) struct Tile {
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
pub(super) enum APanel {
    Packed(*const f32),
    Strided { ptr: *const f32, rs: usize, cs: usize },
}

/// Multiplies the tile's rows of A (kc deep) by a packed kc×NR panel of B (NR values per k)
/// and writes the tile. Edge tiles run narrower kernels: 2 or 4 rows, 8 columns.
///
/// # Safety
/// The CPU must have AVX2 and FMA; `a` must hold the tile's rows kc deep (a packed panel:
/// MR·kc floats) and `b` NR·kc floats; `tile` must describe writable memory (and readable,
/// when beta ≠ 0).
#[inline(always)]
pub(super) unsafe fn tile(kc: usize, a: APanel, b: *const f32, tile: Tile) {
    macro_rules! go {
        ($r:literal, $v:literal) => {
            match a {
                APanel::Packed(p) => micro::<$r, $v, true>(kc, p, 1, MR, b, tile),
                APanel::Strided { ptr, rs, cs } => micro::<$r, $v, false>(kc, ptr, rs, cs, b, tile),
            }
        };
    }
    match (tile.rows, tile.cols > 8) {
        (0..=2, false) => go!(2, 1),
        (0..=2, true) => go!(2, 2),
        (3..=4, false) => go!(4, 1),
        (3..=4, true) => go!(4, 2),
        (_, false) => go!(6, 1),
        (_, true) => go!(6, 2),
    }
}

/// The micro-kernel for an R×(8·V) tile (R ≤ MR, V ≤ 2 vectors per row), with R·V ymm
/// accumulators; A packed (rs = 1, cs = MR, known at compile time) or read in place.
#[target_feature(enable = "avx2,fma")]
unsafe fn micro<const R: usize, const V: usize, const PACKED: bool>(kc: usize, a: *const f32, rs: usize, cs: usize, b: *const f32, tile: Tile) {
    let mut acc = [[_mm256_setzero_ps(); V]; R];
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
            let mut bv = [_mm256_setzero_ps(); V];
            for (v, bv) in bv.iter_mut().enumerate() {
                *bv = _mm256_loadu_ps(b.add($k * NR + 8 * v));
            }
            for r in 0..R {
                let src = if PACKED { a.add($k * MR + r) } else { a.add(rows[r]) };
                let av = _mm256_broadcast_ss(&*src);
                for v in 0..V {
                    acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
                }
            }
        }};
    }
    // The tile's rows of C are written last; start pulling them into L1 now.
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
    write(&acc, tile);
}

#[inline(always)]
unsafe fn write<const R: usize, const V: usize>(acc: &[[__m256; V]; R], t: Tile) {
    let alpha = _mm256_set1_ps(t.alpha);
    if t.rows == R && t.cols == 8 * V {
        if t.beta == 0.0 {
            for (r, row) in acc.iter().enumerate() {
                let p = t.c.add(r * t.ldc);
                for (v, x) in row.iter().enumerate() {
                    _mm256_storeu_ps(p.add(8 * v), _mm256_mul_ps(*x, alpha));
                }
            }
        } else {
            let beta = _mm256_set1_ps(t.beta);
            for (r, row) in acc.iter().enumerate() {
                let p = t.c.add(r * t.ldc);
                for (v, x) in row.iter().enumerate() {
                    let c = _mm256_mul_ps(_mm256_loadu_ps(p.add(8 * v)), beta);
                    _mm256_storeu_ps(p.add(8 * v), _mm256_fmadd_ps(*x, alpha, c));
                }
            }
        }
        return;
    }
    // An edge tile: only part of it lies inside C (the packed panels were zero-padded).
    let mut buf = [0.0f32; MR * NR];
    for (r, row) in acc.iter().enumerate() {
        for (v, x) in row.iter().enumerate() {
            _mm256_storeu_ps(buf.as_mut_ptr().add(r * NR + 8 * v), *x);
        }
    }
    for r in 0..t.rows {
        let p = t.c.add(r * t.ldc);
        for j in 0..t.cols {
            let v = buf[r * NR + j];
            *p.add(j) = if t.beta == 0.0 { v * t.alpha } else { v.mul_add(t.alpha, t.beta * *p.add(j)) };
        }
    }
}
