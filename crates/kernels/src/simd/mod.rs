//! A tiny SIMD layer: the handful of f32 vector operations the elementwise and row-wise kernels
//! need (load, store, arithmetic, fused multiply-add, compare/select, horizontal reductions,
//! scaling by 2ⁿ), implemented once per target (`avx2.rs`, `simd128.rs`, `scalar.rs`).
//!
//! A kernel body is written once, generic over [`Simd`], as a [`SimdKernel`]; [`dispatch`] runs
//! it at the best level this CPU offers (AVX2+FMA detected at run time on x86_64; simd128 when
//! the wasm build was compiled with it; scalar otherwise). [`with_level`] pins the level for the
//! current thread, so tests and benches can run the scalar fallback on a SIMD machine.

pub(crate) mod math;
pub(crate) mod stream;

#[cfg(target_arch = "x86_64")]
mod avx2;
pub(crate) mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use std::cell::Cell;

use crate::error::KernelError;

/// f32 vectors of `LANES` lanes. Every method is `unsafe` because it may only run where the
/// target's instructions exist ([`dispatch`] guarantees that); `load`/`store` also need
/// `LANES` valid elements at the pointer.
///
/// Comparisons return a mask vector (all bits set where true) for [`Simd::select`].
pub(crate) trait Simd {
    const LANES: usize;
    type V: Copy;

    unsafe fn splat(value: f32) -> Self::V;
    unsafe fn load(src: *const f32) -> Self::V;
    unsafe fn store(dst: *mut f32, v: Self::V);
    /// The first `n` (0 < n < LANES) elements at `src`, the other lanes set to `fill`; reads
    /// nothing past `src + n`.
    unsafe fn load_partial(src: *const f32, n: usize, fill: f32) -> Self::V;
    /// Writes the first `n` (0 < n < LANES) lanes of `v`; writes nothing past `dst + n`.
    unsafe fn store_partial(dst: *mut f32, n: usize, v: Self::V);
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn sub(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn div(a: Self::V, b: Self::V) -> Self::V;
    /// Correctly rounded square root (one instruction on every target; Adam's denominator).
    unsafe fn sqrt(a: Self::V) -> Self::V;
    /// a·b + c, fused (one rounding) where the target has FMA, else a multiply then an add:
    /// a software fused multiply-add would cost more than the whole kernel.
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a > b ? a : b` lane-wise, so `b` when either is NaN (x86 `maxps` semantics, on every
    /// target: `max(lo, x)` keeps a NaN `x`).
    unsafe fn max(a: Self::V, b: Self::V) -> Self::V;
    /// `a < b ? a : b` lane-wise, so `b` when either is NaN.
    unsafe fn min(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn gt(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn eq(a: Self::V, b: Self::V) -> Self::V;
    /// `mask ? a : b` lane-wise, for a mask from `gt`/`eq`.
    unsafe fn select(mask: Self::V, a: Self::V, b: Self::V) -> Self::V;
    unsafe fn reduce_sum(v: Self::V) -> f32;
    unsafe fn reduce_max(v: Self::V) -> f32;
    /// v·2ⁿ for integer-valued `n` in [-252, 254], in two exact power-of-two steps so that
    /// neither 2^-150 (a subnormal result) nor 2^128 (an overflow to ∞) needs an unrepresentable
    /// scale factor.
    unsafe fn mul_pow2(v: Self::V, n: Self::V) -> Self::V;
}

/// A kernel body written once against [`Simd`]. Implementations mark `run` (and every closure
/// and helper in it) `#[inline(always)]`, so that it is compiled inside the per-target entry
/// point, with that target's instructions.
pub(crate) trait SimdKernel {
    type Output;
    /// # Safety
    /// `S`'s instructions must be available: only [`dispatch`] calls this.
    unsafe fn run<S: Simd>(self) -> Self::Output;
}

/// Runs `kernel` at the current thread's level ([`Level::current`]).
pub(crate) fn dispatch<K: SimdKernel>(kernel: K) -> K::Output {
    match Level::current() {
        // SAFETY: `current` only returns a level that `is_available` on this CPU.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2Fma => unsafe { avx2::run(kernel) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Level::Simd128 => unsafe { kernel.run::<simd128::Simd128>() },
        // SAFETY: scalar code runs anywhere.
        _ => unsafe { kernel.run::<scalar::Scalar>() },
    }
}

/// Which implementation of [`Simd`] the kernels run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Plain f32 arithmetic, one lane; every target has it.
    Scalar,
    /// x86_64 AVX2 with FMA, 8 lanes; detected at run time.
    Avx2Fma,
    /// wasm simd128, 4 lanes; present when the wasm build was compiled with `+simd128`.
    Simd128,
}

thread_local! {
    static PINNED: Cell<Option<Level>> = const { Cell::new(None) };
}

impl Level {
    /// Short name, as the benches print it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            Level::Avx2Fma => "avx2+fma",
            Level::Simd128 => "simd128",
        }
    }

    /// Whether this CPU (or this wasm build) can run the level.
    pub fn is_available(self) -> bool {
        match self {
            Level::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Level::Avx2Fma => std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Level::Simd128 => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// Every level available here, scalar first.
    pub fn available() -> Vec<Level> {
        [Level::Scalar, Level::Avx2Fma, Level::Simd128].into_iter().filter(|l| l.is_available()).collect()
    }

    /// The widest available level.
    pub fn best() -> Level {
        [Level::Avx2Fma, Level::Simd128].into_iter().find(|l| l.is_available()).unwrap_or(Level::Scalar)
    }

    /// The level kernels on this thread run at: the one pinned by [`with_level`], else the best.
    pub fn current() -> Level {
        // `is_x86_feature_detected!` caches its answer, so this stays cheap per kernel call.
        PINNED.with(|p| p.get()).unwrap_or_else(Level::best)
    }
}

/// Runs `f` with this thread's kernels pinned to `level` (restored afterwards, even on panic):
/// how tests compare the scalar fallback with the SIMD path on one machine. Errors when the
/// level is not available here.
///
/// ```
/// use dlp_kernels::simd::{with_level, Level};
/// let x = [-1.0f32, 0.5];
/// let mut out = [0.0f32; 2];
/// with_level(Level::Scalar, || dlp_kernels::elu(&x, &mut out, 1.0, 1)).unwrap().unwrap();
/// assert_eq!(out[1], 0.5);
/// ```
pub fn with_level<R>(level: Level, f: impl FnOnce() -> R) -> Result<R, KernelError> {
    if !level.is_available() {
        return Err(KernelError::new(format!("simd: level {} is not available on this machine", level.name())));
    }
    struct Restore(Option<Level>);
    impl Drop for Restore {
        fn drop(&mut self) {
            PINNED.with(|p| p.set(self.0));
        }
    }
    let _restore = Restore(PINNED.with(|p| p.replace(Some(level))));
    Ok(f())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning_a_level_applies_inside_and_is_undone_after() {
        let best = Level::best();
        let inside =
            with_level(Level::Scalar, || (Level::current(), with_level(best, Level::current).unwrap())).unwrap();
        assert_eq!(inside, (Level::Scalar, best));
        assert_eq!(Level::current(), best);
        let unavailable = [Level::Avx2Fma, Level::Simd128].into_iter().find(|l| !l.is_available()).unwrap();
        let err = with_level(unavailable, || ()).unwrap_err();
        assert!(err.message().contains("is not available"), "{}", err.message());
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn an_avx2_cpu_runs_the_avx2_path() {
        let has = std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
        assert_eq!(Level::available().contains(&Level::Avx2Fma), has);
        if has {
            assert_eq!(Level::current(), Level::Avx2Fma);
        }
    }
}
