//! Shared by the integration tests: seeded data, the SIMD levels to run, and one comparison.

#![allow(dead_code)] // each test file uses a different subset

use dlp_kernels::simd::{with_level, Level};

/// SplitMix64: a tiny deterministic generator so the tests need no `rand`.
pub struct Rng(pub u64);

impl Rng {
    /// Uniform in [-1, 1).
    pub fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    pub fn vec(&mut self, len: usize) -> Vec<f32> {
        (0..len).map(|_| self.next_f32()).collect()
    }

    /// Uniform in [-scale, scale).
    pub fn scaled(&mut self, len: usize, scale: f32) -> Vec<f32> {
        (0..len).map(|_| self.next_f32() * scale).collect()
    }

    /// An integer in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_f32() + 1.0) * 0.5 * n as f32) as usize).min(n - 1)
    }
}

/// Elementwise lengths that hit every tail: shorter than, equal to and just past a vector,
/// and large ones.
pub const LENGTHS: &[usize] = &[1, 7, 8, 9, 33, 1000, 3072];

/// rows×cols shapes: single elements, partial vectors, many short rows, a few long ones.
pub const SHAPES: &[(usize, usize)] =
    &[(1, 1), (1, 7), (3, 8), (2, 9), (5, 33), (200, 10), (3, 1000), (200, 100), (2, 3072)];

/// Runs `f` once per SIMD level this machine has (scalar included), with the level pinned.
pub fn each_level(mut f: impl FnMut(Level)) {
    for level in Level::available() {
        with_level(level, || f(level)).unwrap();
    }
}

/// Asserts |got − want| ≤ tol·scale elementwise, where `scale` is the magnitude the rounding
/// error of the computation grows with (|want| for a single operation, Σ|terms| for a sum).
pub fn assert_close(what: &str, got: &[f32], want: &[f64], scale: impl Fn(usize) -> f64, tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (g as f64 - w).abs();
        let bound = tol * scale(i).max(1e-30);
        assert!(err <= bound, "{what}: [{i}] = {g:e}, reference {w:e}, error {err:e} > {bound:e}");
    }
}

/// Relative error of a scalar.
pub fn assert_close_scalar(what: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(err <= tol, "{what}: {got:e}, reference {want:e}, relative error {err:e} > {tol:e}");
}

/// For kernels with optional outputs (filled with NaN before the call): an output asked for
/// matches the reference within `tol`·scale; one not asked for still holds its NaNs.
pub fn check_or_untouched(what: &str, asked: bool, got: &[f32], want: &[f64], scale: impl Fn(usize) -> f64, tol: f64) {
    if asked {
        assert_close(what, got, want, scale, tol);
    } else {
        assert!(got.iter().all(|v| v.is_nan()), "{what}: written though not asked for");
    }
}
