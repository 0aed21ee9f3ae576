//! The AVX-512F micro-kernel (8×32) and this path's entry points: C = alpha·op(A)·op(B) +
//! beta·C on CPUs whose 512-bit FMAs run at full width (Intel's AVX-512 cores), where
//! [`is_preferred`] says it beats the `gemm` crate.
//!
//! 8×32 keeps 16 zmm accumulators (8 rows × 2 vectors of 16 columns) and 2 for the row of B;
//! A's values are broadcast from memory into the FMAs. Per k it issues 2 vector loads, 8
//! broadcasts and 16 FMAs: the two 512-bit FMA pipes stay busy (16 independent chains cover
//! their 4-cycle latency twice over) while the load ports have slack. 8 rows divide the MLPs'
//! batches (128, 200) exactly. Tiles on the edges run the same code for 2 or 4 rows and 16
//! columns, and write the columns past C's edge under a mask.

use std::arch::x86_64::*;

use super::pack::{self, View};
use super::micro::{accumulate, dispatch_tile, Lanes};
use super::{APanel, MicroKernel, Tile};
use crate::error::KernelError;
use crate::gemm::GemmSpec;

/// Rows of C per micro-tile (the height of an A panel).
const MR: usize = 8;
/// Columns of C per micro-tile (the width of a B panel): two zmm vectors.
const NR: usize = 32;

/// The 8×32 kernel and its cache blocking, sized for Intel's AVX-512 cores (48 KiB L1d and
/// 2 MiB L2 on Sapphire Rapids; 32 KiB and 1 MiB on Skylake-SP).
pub(super) struct Avx512;

impl MicroKernel for Avx512 {
    const MISSING: &'static str = "gemm: the AVX-512 path needs a CPU with AVX-512F";
    const MR: usize = MR;
    const NR: usize = NR;
    /// A kc×NR panel of B (32 KiB) plus an MR×kc panel of A (8 KiB) stay in a 48 KiB L1d.
    const KC: usize = 256;
    /// MC×KC floats (384 KiB) stay in L2.
    const MC: usize = 384;
    /// KC×NC floats (3 MiB) go to L3.
    const NC: usize = 3072;
    /// 512 KiB of packed B, kept in L2.
    const B_RESIDENT: usize = 128 * 1024;
    /// As for the AVX2 kernel: A read in place serves at most 128 columns (4 panels).
    const DIRECT_A_MAX_N: usize = 128;
    /// B's slice (at most 768×128 floats, 384 KiB) sits in L2.
    const KC_DIRECT_A: usize = 768;
    const FMA_PER_CYCLE: f64 = 32.0;

    fn is_available() -> bool {
        is_available()
    }

    /// Edge tiles run narrower kernels: 2 or 4 rows, one vector of columns.
    #[inline(always)]
    unsafe fn tile(kc: usize, a: APanel, b: *const f32, tile: Tile) {
        dispatch_tile!(micro, MR, <__m512 as Lanes>::WIDTH, kc, a, b, tile)
    }

    unsafe fn pack_a(a: View, mc: usize, kc: usize, dst: *mut f32) {
        pack::pack_a::<MR>(a, mc, kc, dst)
    }

    unsafe fn pack_b(b: View, kc: usize, nc: usize, dst: *mut f32) {
        pack::pack_b::<NR>(b, kc, nc, dst)
    }
}

/// Whether this CPU can run this path: AVX-512F (and the AVX2 the packing uses), detected at
/// run time.
pub fn is_available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f") && super::avx2::is_available()
}

/// Whether this CPU has AVX-512 and runs it at full width (not split into 256-bit halves,
/// [`super::avx2::avx512_is_split`]): where this path, not the AVX2 one, is dlp's.
pub fn runs_at_full_width() -> bool {
    is_available() && !super::avx2::avx512_is_split()
}

/// Whether [`crate::sgemm`] runs `spec` here rather than in the `gemm` crate: on CPUs that run
/// AVX-512 at full width, for products that are not too thin ([`super::is_not_thin`]).
pub fn is_preferred(spec: &GemmSpec) -> bool {
    runs_at_full_width() && super::is_not_thin(spec)
}

/// C = alpha·op(A)·op(B) + beta·C on this path, whatever [`crate::sgemm`] would choose: how the
/// tests and benches reach it. Same contract as `sgemm`; errors when the CPU lacks AVX-512F.
///
/// ```
/// use dlp_kernels::gemm::avx512 as gemm_avx512;
/// use dlp_kernels::GemmSpec;
/// if gemm_avx512::is_available() {
///     let a = [1.0, 2.0, 3.0, 4.0]; // 2x2
///     let b = [1.0, 0.0, 0.0, 1.0]; // identity
///     let mut c = [0.0; 4];
///     gemm_avx512::sgemm(&GemmSpec::new(false, false, 2, 2, 2), &a, &b, &mut c, 1).unwrap();
///     assert_eq!(c, a);
/// }
/// ```
pub fn sgemm(spec: &GemmSpec, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) -> Result<(), KernelError> {
    super::sgemm_with::<Avx512>(spec, a, b, c, threads)
}

/// The micro-kernel for an R×(16·V) tile (R ≤ MR, V ≤ 2 vectors per row), with R·V zmm
/// accumulators; A packed (rs = 1, cs = MR, known at compile time) or read in place.
#[target_feature(enable = "avx512f")]
unsafe fn micro<const R: usize, const V: usize, const PACKED: bool>(kc: usize, a: *const f32, rs: usize, cs: usize, b: *const f32, tile: Tile) {
    let acc = accumulate::<__m512, MR, NR, R, V, PACKED>(kc, a, rs, cs, b, &tile);
    write(&acc, tile);
}

impl Lanes for __m512 {
    const WIDTH: usize = 16;

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn zero() -> Self {
        _mm512_setzero_ps()
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load(p: *const f32) -> Self {
        _mm512_loadu_ps(p)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn splat(p: *const f32) -> Self {
        _mm512_set1_ps(*p)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn fma(a: Self, b: Self, acc: Self) -> Self {
        _mm512_fmadd_ps(a, b, acc)
    }
}

/// Writes the tile's rows of C, each vector's columns past C's edge masked off (nothing is
/// read or written there).
#[inline(always)]
unsafe fn write<const R: usize, const V: usize>(acc: &[[__m512; V]; R], t: Tile) {
    let alpha = _mm512_set1_ps(t.alpha);
    let beta = _mm512_set1_ps(t.beta);
    for (r, row) in acc.iter().enumerate().take(t.rows) {
        let p = t.c.add(r * t.ldc);
        for (v, x) in row.iter().enumerate() {
            let cols = t.cols.saturating_sub(16 * v).min(16);
            if cols == 0 {
                break;
            }
            let p = p.add(16 * v);
            let out = if t.beta == 0.0 {
                _mm512_mul_ps(*x, alpha)
            } else if cols == 16 {
                _mm512_fmadd_ps(*x, alpha, _mm512_mul_ps(_mm512_loadu_ps(p), beta))
            } else {
                let mask: __mmask16 = ((1u32 << cols) - 1) as u16;
                _mm512_fmadd_ps(*x, alpha, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, p), beta))
            };
            if cols == 16 {
                _mm512_storeu_ps(p, out);
            } else {
                _mm512_mask_storeu_ps(p, ((1u32 << cols) - 1) as u16, out);
            }
        }
    }
}
