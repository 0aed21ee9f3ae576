//! [`Simd`] on x86_64 AVX2 + FMA, 8 lanes. Only reached through [`run`], whose
//! `#[target_feature]` lets the kernel body (inlined into it) use these instructions; the
//! dispatcher calls it after run-time detection.

use std::arch::x86_64::*;

use super::{Simd, SimdKernel};

pub(crate) struct Avx2;

/// Compiles `kernel`'s body with AVX2 and FMA enabled.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn run<K: SimdKernel>(kernel: K) -> K::Output {
    kernel.run::<Avx2>()
}

impl Simd for Avx2 {
    const LANES: usize = 8;
    type V = __m256;

    #[inline(always)]
    unsafe fn splat(value: f32) -> __m256 {
        _mm256_set1_ps(value)
    }
    #[inline(always)]
    unsafe fn load(src: *const f32) -> __m256 {
        _mm256_loadu_ps(src)
    }
    #[inline(always)]
    unsafe fn store(dst: *mut f32, v: __m256) {
        _mm256_storeu_ps(dst, v)
    }
    /// A masked load: lanes past `n` are not read (and cannot fault).
    #[inline(always)]
    unsafe fn load_partial(src: *const f32, n: usize, fill: f32) -> __m256 {
        let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(src, mask), _mm256_castsi256_ps(mask))
    }
    /// Through a stack copy and a short loop: `vmaskmovps` stores are microcoded on AMD, and
    /// `copy_nonoverlapping` with a run-time count becomes a `memcpy` call.
    #[inline(always)]
    unsafe fn store_partial(dst: *mut f32, n: usize, v: __m256) {
        let mut lanes = [0.0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), v);
        for (i, &lane) in lanes.iter().enumerate().take(n) {
            *dst.add(i) = lane;
        }
    }
    #[inline(always)]
    unsafe fn add(a: __m256, b: __m256) -> __m256 {
        _mm256_add_ps(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: __m256, b: __m256) -> __m256 {
        _mm256_sub_ps(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: __m256, b: __m256) -> __m256 {
        _mm256_mul_ps(a, b)
    }
    #[inline(always)]
    unsafe fn div(a: __m256, b: __m256) -> __m256 {
        _mm256_div_ps(a, b)
    }
    #[inline(always)]
    unsafe fn sqrt(a: __m256) -> __m256 {
        _mm256_sqrt_ps(a)
    }
    #[inline(always)]
    unsafe fn mul_add(a: __m256, b: __m256, c: __m256) -> __m256 {
        _mm256_fmadd_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn max(a: __m256, b: __m256) -> __m256 {
        _mm256_max_ps(a, b)
    }
    #[inline(always)]
    unsafe fn min(a: __m256, b: __m256) -> __m256 {
        _mm256_min_ps(a, b)
    }
    #[inline(always)]
    unsafe fn gt(a: __m256, b: __m256) -> __m256 {
        _mm256_cmp_ps::<_CMP_GT_OQ>(a, b)
    }
    #[inline(always)]
    unsafe fn eq(a: __m256, b: __m256) -> __m256 {
        _mm256_cmp_ps::<_CMP_EQ_OQ>(a, b)
    }
    #[inline(always)]
    unsafe fn select(mask: __m256, a: __m256, b: __m256) -> __m256 {
        _mm256_blendv_ps(b, a, mask)
    }
    #[inline(always)]
    unsafe fn reduce_sum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s)))
    }
    #[inline(always)]
    unsafe fn reduce_max(v: __m256) -> f32 {
        let s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_max_ps(s, _mm_movehl_ps(s, s));
        _mm_cvtss_f32(_mm_max_ss(s, _mm_shuffle_ps::<0b01>(s, s)))
    }
    #[inline(always)]
    unsafe fn mul_pow2(v: __m256, n: __m256) -> __m256 {
        let n = _mm256_cvtps_epi32(n);
        let half = _mm256_srai_epi32::<1>(n);
        _mm256_mul_ps(_mm256_mul_ps(v, pow2(half)), pow2(_mm256_sub_epi32(n, half)))
    }
}

/// 2ᵉ for integer e in [-126, 127], built from its exponent bits.
#[inline(always)]
unsafe fn pow2(e: __m256i) -> __m256 {
    _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(e, _mm256_set1_epi32(127))))
}
