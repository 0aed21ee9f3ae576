//! The AVX2+FMA micro-kernel (6×16) and this path's entry points: C = alpha·op(A)·op(B) +
//! beta·C on CPUs with AVX2+FMA, where [`is_preferred`] says it beats the `gemm` crate.
//!
//! 6×16 keeps 12 ymm accumulators (6 rows × 2 vectors of 8 columns), 2 for the row of B and 1
//! for the broadcast of A: 15 of the 16 registers. Per k it issues 2 vector loads, 6 broadcasts
//! and 12 FMAs, so the two FMA pipes stay busy while the load ports have slack (BLIS's Haswell
//! sgemm uses the same shape); in L1 it runs at 97% of the FMA peak on a Zen 3. Tiles on the
//! bottom and right edges of C run the same code for 2 or 4 rows and 8 columns, so that
//! m = 128 (21 full panels and 2 rows) does not pay for 132 rows.

use std::arch::x86_64::*;

use super::pack::{self, View};
use super::micro::{accumulate, dispatch_tile, Lanes};
use super::{APanel, MicroKernel, Tile};
use crate::error::KernelError;
use crate::gemm::GemmSpec;

/// Rows of C per micro-tile (the height of an A panel).
const MR: usize = 6;
/// Columns of C per micro-tile (the width of a B panel): two ymm vectors.
const NR: usize = 16;

/// The 6×16 kernel and its cache blocking, tuned on a Zen 3 (32 KiB L1d, 512 KiB L2).
pub(super) struct Avx2;

impl MicroKernel for Avx2 {
    const MISSING: &'static str = "gemm: the AVX2+FMA path needs a CPU with AVX2 and FMA";
    const MR: usize = MR;
    const NR: usize = NR;
    /// A kc×NR panel of B (20 KiB) plus an MR×kc panel of A (7.5 KiB) stay in the 32 KiB L1d.
    /// The slices of one call are made equal (k = 576 runs as 2×288).
    const KC: usize = 320;
    /// MC×KC floats (180 KiB) stay in the 512 KiB L2.
    const MC: usize = 144;
    /// KC×NC floats (3.75 MiB) go to L3.
    const NC: usize = 3072;
    /// 160 KiB of packed B, kept in L2.
    const B_RESIDENT: usize = 40 * 1024;
    /// Each element of A read in place then serves at most 128 columns, and packing it cost
    /// more than it saved (32768×576×64: 73 → 80 GFLOPS). Reading Aᵀ in place would walk a new
    /// line, often a new page, every k, so only A stored row-major (A·B, A·Bᵀ) is read so.
    const DIRECT_A_MAX_N: usize = 128;
    /// B's slice (at most 768×128 floats, 384 KiB) is all that sits in L2, and fewer, deeper
    /// slices mean fewer passes over C (2-4% over KC).
    const KC_DIRECT_A: usize = 768;
    const FMA_PER_CYCLE: f64 = 16.0;

    fn is_available() -> bool {
        is_available()
    }

    /// Edge tiles run narrower kernels: 2 or 4 rows, one vector of columns.
    #[inline(always)]
    unsafe fn tile(kc: usize, a: APanel, b: *const f32, tile: Tile) {
        dispatch_tile!(micro, MR, <__m256 as Lanes>::WIDTH, kc, a, b, tile)
    }

    unsafe fn pack_a(a: View, mc: usize, kc: usize, dst: *mut f32) {
        pack::pack_a::<MR>(a, mc, kc, dst)
    }

    unsafe fn pack_b(b: View, kc: usize, nc: usize, dst: *mut f32) {
        pack::pack_b::<NR>(b, kc, nc, dst)
    }
}

/// Whether this CPU can run this path (AVX2 and FMA, detected at run time).
pub fn is_available() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Whether [`crate::sgemm`] runs `spec` here rather than in the `gemm` crate: on CPUs with
/// AVX2+FMA where dlp's AVX-512 path does not run (no AVX-512, or AVX-512 on 256-bit halves:
/// AMD Zen 4, [`avx512_is_split`], where 512-bit kernels gain nothing and this path measured
/// 1.0–1.28× faster than the crate's on the ConvNet's shapes, single-threaded), for products
/// that are not too thin ([`super::is_not_thin`]).
pub fn is_preferred(spec: &GemmSpec) -> bool {
    is_available() && !super::avx512::runs_at_full_width() && super::is_not_thin(spec)
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
    super::sgemm_with::<Avx2>(spec, a, b, c, threads)
}

/// The micro-kernel for an R×(8·V) tile (R ≤ MR, V ≤ 2 vectors per row), with R·V ymm
/// accumulators; A packed (rs = 1, cs = MR, known at compile time) or read in place.
#[target_feature(enable = "avx2,fma")]
unsafe fn micro<const R: usize, const V: usize, const PACKED: bool>(kc: usize, a: *const f32, rs: usize, cs: usize, b: *const f32, tile: Tile) {
    let acc = accumulate::<__m256, MR, NR, R, V, PACKED>(kc, a, rs, cs, b, &tile);
    write(&acc, tile);
}

impl Lanes for __m256 {
    const WIDTH: usize = 8;

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn zero() -> Self {
        _mm256_setzero_ps()
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn load(p: *const f32) -> Self {
        _mm256_loadu_ps(p)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn splat(p: *const f32) -> Self {
        _mm256_broadcast_ss(&*p)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn fma(a: Self, b: Self, acc: Self) -> Self {
        _mm256_fmadd_ps(a, b, acc)
    }
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
