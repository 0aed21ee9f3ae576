//! Vectorised eˣ and eˣ − 1 for f32, written once over [`Simd`].
//!
//! Range reduction x = n·ln2 + r with n = round(x/ln2), |r| ≤ ln2/2 (Cody–Waite: ln2 split in a
//! 9-bit head, so n·head is exact, and a tail); then e^r − 1 = r + r²·P(r) with Cephes' degree-5
//! `expf` polynomial; finally a scaling by 2ⁿ. Measured maximum relative error (tests below, on
//! results in the normal range): 8.2e-8 for exp, 1.0e-7 for expm1, under one f32 ulp.
//!
//! Edges: inputs are clamped first (NaN passes through the clamp and stays NaN), so
//! x < −104 gives 0 (below half the smallest subnormal), results down to 2^-149 are gradual
//! subnormals, and x > 88.72 (ln of f32::MAX) gives +∞, all without special-case branches.

use super::Simd;

const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// ln 2 = LN2_HI + LN2_LO, LN2_HI with 9 significant bits (n·LN2_HI is exact for |n| < 2^15).
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// 1.5·2^23: adding it rounds a float of magnitude < 2^22 to the nearest integer (ties to even).
const ROUND: f32 = 12_582_912.0;
/// Cephes expf: e^r ≈ 1 + r + r²·(P0·r⁵ + P1·r⁴ + … + P5) on |r| ≤ ln2/2.
const P: [f32; 6] = [1.987_569_1e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 0.5];
/// exp's input range: below it the result rounds to 0, above it to +∞.
const EXP_MIN: f32 = -104.0;
const EXP_MAX: f32 = 88.8;
/// expm1 needs less: below −30, eˣ − 1 rounds to −1 (and 2^-n stays finite).
const EXPM1_MIN: f32 = -30.0;

/// n = round(x·log2 e) and q = e^r − 1 where r = x − n·ln2.
#[inline(always)]
unsafe fn reduce<S: Simd>(x: S::V) -> (S::V, S::V) {
    let round = S::splat(ROUND);
    let n = S::sub(S::mul_add(x, S::splat(LOG2_E), round), round);
    let r = S::mul_add(n, S::splat(-LN2_HI), x);
    let r = S::mul_add(n, S::splat(-LN2_LO), r);
    let mut p = S::splat(P[0]);
    for &c in &P[1..] {
        p = S::mul_add(p, r, S::splat(c));
    }
    (n, S::mul_add(p, S::mul(r, r), r))
}

/// Clamps to [lo, hi], keeping NaN (see [`Simd::max`]).
#[inline(always)]
unsafe fn clamp<S: Simd>(x: S::V, lo: f32, hi: f32) -> S::V {
    S::min(S::splat(hi), S::max(S::splat(lo), x))
}

/// eˣ lane-wise.
#[inline(always)]
pub(crate) unsafe fn exp<S: Simd>(x: S::V) -> S::V {
    let (n, q) = reduce::<S>(clamp::<S>(x, EXP_MIN, EXP_MAX));
    S::mul_pow2(S::add(q, S::splat(1.0)), n)
}

/// eˣ − 1 lane-wise, accurate near 0 where exp(x) − 1 would cancel (ELU's negative branch).
/// Written as 2ⁿ·(q + (1 − 2⁻ⁿ)): for |x| < ln2/2, n = 0 and the result is q itself.
#[inline(always)]
pub(crate) unsafe fn expm1<S: Simd>(x: S::V) -> S::V {
    let (n, q) = reduce::<S>(clamp::<S>(x, EXPM1_MIN, EXP_MAX));
    let one = S::splat(1.0);
    let one_minus_pow2 = S::sub(one, S::mul_pow2(one, S::sub(S::splat(0.0), n)));
    S::mul_pow2(S::add(q, one_minus_pow2), n)
}

/// tanh(x) = (e^2x − 1)/(e^2x + 1), through expm1 so that small x keep their digits. Beyond
/// |x| = 20 tanh is ±1 in f32; clamping there keeps e^2x finite (∞/∞ would be NaN).
#[inline(always)]
pub(crate) unsafe fn tanh<S: Simd>(x: S::V) -> S::V {
    let t = expm1::<S>(S::mul(S::splat(2.0), clamp::<S>(x, -20.0, 20.0)));
    S::div(t, S::add(t, S::splat(2.0)))
}

/// 1/(1 + e^-x), as e^x/(1 + e^x) for x ≤ 0: e^-|x| never overflows, and for very negative x
/// the result keeps its relative accuracy instead of flushing to 0 early.
#[inline(always)]
pub(crate) unsafe fn sigmoid<S: Simd>(x: S::V) -> S::V {
    let zero = S::splat(0.0);
    // −|x|, NaN kept (min returns its second argument when either is NaN).
    let e = exp::<S>(S::min(x, S::sub(zero, x)));
    let s = S::div(S::splat(1.0), S::add(S::splat(1.0), e));
    S::select(S::gt(x, zero), s, S::mul(e, s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::stream::map1;
    use crate::simd::{dispatch, with_level, Level, SimdKernel};

    /// Applies exp or expm1 to a slice, through dispatch, as the kernels do.
    struct Apply<'a> {
        x: &'a [f32],
        out: &'a mut [f32],
        minus_one: bool,
    }

    impl SimdKernel for Apply<'_> {
        type Output = ();
        #[inline(always)]
        unsafe fn run<S: Simd>(self) {
            let minus_one = self.minus_one;
            map1::<S>(
                self.x.as_ptr(),
                self.out.as_mut_ptr(),
                self.x.len(),
                #[inline(always)]
                |v| if minus_one { expm1::<S>(v) } else { exp::<S>(v) },
            );
        }
    }

    fn apply(level: Level, x: &[f32], minus_one: bool) -> Vec<f32> {
        let mut out = vec![0.0; x.len()];
        with_level(level, || dispatch(Apply { x, out: &mut out, minus_one })).unwrap();
        out
    }

    /// `count` evenly spaced points in [lo, hi).
    fn sweep(lo: f32, hi: f32, count: usize) -> Vec<f32> {
        (0..count).map(|i| lo + (hi - lo) * (i as f32 / count as f32)).collect()
    }

    fn max_relative_error(got: &[f32], x: &[f32], f: impl Fn(f64) -> f64) -> (f64, f32) {
        let mut worst = (0.0, 0.0);
        for (&g, &x) in got.iter().zip(x) {
            let want = f(x as f64);
            let err = ((g as f64 - want) / want).abs();
            if err > worst.0 {
                worst = (err, x);
            }
        }
        worst
    }

    #[test]
    fn exp_is_within_1_5e7_relative_over_the_normal_range() {
        let x = sweep(-87.3, 88.7, 2_000_003);
        for level in Level::available() {
            let (err, at) = max_relative_error(&apply(level, &x, false), &x, f64::exp);
            assert!(err < 1.5e-7, "{level:?}: exp relative error {err:e} at x = {at}");
        }
    }

    #[test]
    fn exp_handles_edges() {
        let x = [
            0.0,
            -0.0,
            f32::NEG_INFINITY,
            -200.0,
            -104.5,
            88.8,
            89.0,
            1000.0,
            f32::INFINITY,
            f32::NAN,
            -87.5,
            -100.0,
            88.72,
        ];
        for level in Level::available() {
            let y = apply(level, &x, false);
            assert_eq!(
                &y[..9],
                &[1.0, 1.0, 0.0, 0.0, 0.0, f32::INFINITY, f32::INFINITY, f32::INFINITY, f32::INFINITY],
                "{level:?}"
            );
            assert!(y[9].is_nan(), "{level:?}: exp(NaN) = {}", y[9]);
            // Subnormal results: absolute error within a couple of the smallest subnormals.
            for (&got, &x) in y[10..12].iter().zip(&x[10..12]) {
                let want = (x as f64).exp();
                assert!(
                    (got as f64 - want).abs() < 3.0 * f32::from_bits(1) as f64,
                    "{level:?}: exp({x}) = {got:e}, want {want:e}"
                );
            }
            assert!(y[12].is_finite() && y[12] > 3.3e38, "{level:?}: exp(88.72) = {}", y[12]);
        }
    }

    #[test]
    fn expm1_is_accurate_near_zero_and_over_elus_range() {
        let mut x = sweep(-30.0, 10.0, 1_000_003);
        x.extend(sweep(-1e-3, 1e-3, 100_001).into_iter().filter(|&v| v != 0.0));
        x.extend([1e-30, -1e-30, 1e-8, -1e-8, -0.3465, 0.3465, -0.35, 0.35]);
        for level in Level::available() {
            let (err, at) = max_relative_error(&apply(level, &x, true), &x, f64::exp_m1);
            assert!(err < 2e-7, "{level:?}: expm1 relative error {err:e} at x = {at}");
        }
    }

    #[test]
    fn expm1_handles_edges() {
        let x = [0.0, -50.0, f32::NEG_INFINITY, 89.0, f32::NAN];
        for level in Level::available() {
            let y = apply(level, &x, true);
            assert_eq!(&y[..4], &[0.0, -1.0, -1.0, f32::INFINITY], "{level:?}");
            assert!(y[4].is_nan(), "{level:?}");
        }
    }
}
