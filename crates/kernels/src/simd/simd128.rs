//! [`Simd`] on wasm simd128, 4 lanes. Compiled only into the wasm build made with `+simd128`
//! (an engine either validates the whole module or none of it, so there is no run-time check).
//! simd128 has no fused multiply-add: `mul_add` is a multiply then an add.

use core::arch::wasm32::*;

use super::Simd;

pub(crate) struct Simd128;

impl Simd for Simd128 {
    const LANES: usize = 4;
    type V = v128;

    #[inline(always)]
    unsafe fn splat(value: f32) -> v128 {
        f32x4_splat(value)
    }
    #[inline(always)]
    unsafe fn load(src: *const f32) -> v128 {
        v128_load(src as *const v128)
    }
    #[inline(always)]
    unsafe fn store(dst: *mut f32, v: v128) {
        v128_store(dst as *mut v128, v)
    }
    // No masked loads in simd128: the 1-, 2- or 3-element tail is loaded with a 32- or 64-bit
    // lane load (never touching memory past it) and the spare lanes are blended with `fill`.
    #[inline(always)]
    unsafe fn load_partial(src: *const f32, n: usize, fill: f32) -> v128 {
        let v = match n {
            1 => v128_load32_zero(src as *const u32),
            2 => v128_load64_zero(src as *const u64),
            _ => v128_load32_lane::<2>(v128_load64_zero(src as *const u64), src.add(2) as *const u32),
        };
        let in_tail = i32x4_gt(i32x4_splat(n as i32), i32x4(0, 1, 2, 3));
        v128_bitselect(v, f32x4_splat(fill), in_tail)
    }
    #[inline(always)]
    unsafe fn store_partial(dst: *mut f32, n: usize, v: v128) {
        match n {
            1 => v128_store32_lane::<0>(v, dst as *mut u32),
            2 => v128_store64_lane::<0>(v, dst as *mut u64),
            _ => {
                v128_store64_lane::<0>(v, dst as *mut u64);
                v128_store32_lane::<2>(v, dst.add(2) as *mut u32);
            }
        }
    }
    #[inline(always)]
    unsafe fn add(a: v128, b: v128) -> v128 {
        f32x4_add(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: v128, b: v128) -> v128 {
        f32x4_sub(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: v128, b: v128) -> v128 {
        f32x4_mul(a, b)
    }
    #[inline(always)]
    unsafe fn div(a: v128, b: v128) -> v128 {
        f32x4_div(a, b)
    }
    #[inline(always)]
    unsafe fn sqrt(a: v128) -> v128 {
        f32x4_sqrt(a)
    }
    #[inline(always)]
    unsafe fn mul_add(a: v128, b: v128, c: v128) -> v128 {
        f32x4_add(f32x4_mul(a, b), c)
    }
    // pmax(x, y) is `x < y ? y : x`, so pmax(b, a) is `a > b ? a : b`: the x86 semantics.
    #[inline(always)]
    unsafe fn max(a: v128, b: v128) -> v128 {
        f32x4_pmax(b, a)
    }
    #[inline(always)]
    unsafe fn min(a: v128, b: v128) -> v128 {
        f32x4_pmin(b, a)
    }
    #[inline(always)]
    unsafe fn gt(a: v128, b: v128) -> v128 {
        f32x4_gt(a, b)
    }
    #[inline(always)]
    unsafe fn eq(a: v128, b: v128) -> v128 {
        f32x4_eq(a, b)
    }
    #[inline(always)]
    unsafe fn select(mask: v128, a: v128, b: v128) -> v128 {
        v128_bitselect(a, b, mask)
    }
    #[inline(always)]
    unsafe fn reduce_sum(v: v128) -> f32 {
        let s = f32x4_add(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        f32x4_extract_lane::<0>(f32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s)))
    }
    #[inline(always)]
    unsafe fn reduce_max(v: v128) -> f32 {
        let s = f32x4_pmax(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        f32x4_extract_lane::<0>(f32x4_pmax(s, i32x4_shuffle::<1, 0, 3, 2>(s, s)))
    }
    #[inline(always)]
    unsafe fn mul_pow2(v: v128, n: v128) -> v128 {
        let n = i32x4_trunc_sat_f32x4(n);
        let half = i32x4_shr(n, 1);
        f32x4_mul(f32x4_mul(v, pow2(half)), pow2(i32x4_sub(n, half)))
    }
}

/// 2ᵉ for integer e in [-126, 127], built from its exponent bits.
#[inline(always)]
fn pow2(e: v128) -> v128 {
    i32x4_shl(i32x4_add(e, i32x4_splat(127)), 23)
}
