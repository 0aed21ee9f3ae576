//! [`Simd`] on plain f32, one lane: the fallback every target runs, and the path tests compare
//! the vector ones with. `mul_add` is a multiply then an add: `f32::mul_add` is a libm call on
//! targets without FMA hardware (wasm among them).

use super::Simd;

pub(crate) struct Scalar;

impl Simd for Scalar {
    const LANES: usize = 1;
    type V = f32;

    #[inline(always)]
    unsafe fn splat(value: f32) -> f32 {
        value
    }
    #[inline(always)]
    unsafe fn load(src: *const f32) -> f32 {
        *src
    }
    #[inline(always)]
    unsafe fn store(dst: *mut f32, v: f32) {
        *dst = v;
    }
    // With one lane there is never a partial vector; these only keep the trait total.
    #[inline(always)]
    unsafe fn load_partial(src: *const f32, n: usize, fill: f32) -> f32 {
        if n > 0 {
            *src
        } else {
            fill
        }
    }
    #[inline(always)]
    unsafe fn store_partial(dst: *mut f32, n: usize, v: f32) {
        if n > 0 {
            *dst = v;
        }
    }
    #[inline(always)]
    unsafe fn add(a: f32, b: f32) -> f32 {
        a + b
    }
    #[inline(always)]
    unsafe fn sub(a: f32, b: f32) -> f32 {
        a - b
    }
    #[inline(always)]
    unsafe fn mul(a: f32, b: f32) -> f32 {
        a * b
    }
    #[inline(always)]
    unsafe fn div(a: f32, b: f32) -> f32 {
        a / b
    }
    #[inline(always)]
    unsafe fn sqrt(a: f32) -> f32 {
        a.sqrt()
    }
    #[inline(always)]
    unsafe fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
    #[inline(always)]
    unsafe fn max(a: f32, b: f32) -> f32 {
        if a > b {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    unsafe fn min(a: f32, b: f32) -> f32 {
        if a < b {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    unsafe fn gt(a: f32, b: f32) -> f32 {
        mask(a > b)
    }
    #[inline(always)]
    unsafe fn eq(a: f32, b: f32) -> f32 {
        mask(a == b)
    }
    #[inline(always)]
    unsafe fn select(mask: f32, a: f32, b: f32) -> f32 {
        if mask.to_bits() != 0 {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    unsafe fn reduce_sum(v: f32) -> f32 {
        v
    }
    #[inline(always)]
    unsafe fn reduce_max(v: f32) -> f32 {
        v
    }
    #[inline(always)]
    unsafe fn mul_pow2(v: f32, n: f32) -> f32 {
        let n = n as i32;
        let half = n >> 1;
        v * pow2(half) * pow2(n - half)
    }
}

/// All bits set for true, as the vector targets' comparisons return.
#[inline(always)]
fn mask(cond: bool) -> f32 {
    f32::from_bits(if cond { u32::MAX } else { 0 })
}

/// 2ⁿ for n in [-126, 127], built from its exponent bits.
#[inline(always)]
fn pow2(n: i32) -> f32 {
    f32::from_bits(((n + 127) as u32) << 23)
}
