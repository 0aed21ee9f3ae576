//! sgemm against the f64 triple loop on awkward shapes, every transpose variant, alpha/beta ≠ 1.

mod common;

use common::Rng;
use dlp_kernels::{sgemm, sgemm_reference_f64, GemmSpec};

/// |alpha|·Σ|a·b| + |beta·c| per output element: the scale a rounding error is measured against.
fn magnitude(spec: &GemmSpec, a: &[f32], b: &[f32], c: &[f32]) -> Vec<f64> {
    let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<f32>>();
    let scaled = GemmSpec { alpha: spec.alpha.abs(), beta: spec.beta.abs(), ..*spec };
    sgemm_reference_f64(&scaled, &abs(a), &abs(b), &abs(c)).unwrap()
}

fn check(spec: GemmSpec, threads: usize, seed: u64) {
    let mut rng = Rng(seed);
    let a = rng.vec(spec.m * spec.k);
    let b = rng.vec(spec.k * spec.n);
    let c0 = rng.vec(spec.m * spec.n);
    let want = sgemm_reference_f64(&spec, &a, &b, &c0).unwrap();
    let scale = magnitude(&spec, &a, &b, &c0);
    let mut c = c0.clone();
    sgemm(&spec, &a, &b, &mut c, threads).unwrap();
    for (idx, ((got, want), scale)) in c.iter().zip(&want).zip(&scale).enumerate() {
        let err = (*got as f64 - want).abs();
        assert!(
            err <= 1e-5 * scale + 1e-30,
            "{spec:?} threads={threads}: C[{idx}] = {got}, reference {want}, error {err:e} > 1e-5 x {scale:e}"
        );
    }
}

const SHAPES: &[(usize, usize, usize)] = &[
    (1, 1, 1),
    (7, 13, 5),
    (33, 65, 17),
    (1, 100, 3072),
    (200, 100, 3072),
    (17, 9, 1023),
    (64, 64, 64),
    (129, 31, 257),
];

#[test]
fn every_transpose_variant_matches_the_f64_reference() {
    let mut seed = 1;
    for &(m, n, k) in SHAPES {
        for trans_a in [false, true] {
            for trans_b in [false, true] {
                seed += 1;
                check(GemmSpec::new(trans_a, trans_b, m, n, k), 0, seed);
            }
        }
    }
}

#[test]
fn alpha_and_beta_other_than_one() {
    for (alpha, beta) in [(0.5, 0.0), (1.0, 1.0), (-2.0, 0.25), (1.5, -1.0)] {
        for &(m, n, k) in &SHAPES[..4] {
            let spec = GemmSpec { alpha, beta, ..GemmSpec::new(true, false, m, n, k) };
            check(spec, 0, 99);
            let spec = GemmSpec { alpha, beta, ..GemmSpec::new(false, true, m, n, k) };
            check(spec, 0, 100);
        }
    }
}

#[test]
fn single_thread_and_pool_agree() {
    check(GemmSpec::new(false, false, 128, 512, 1024), 1, 7);
    check(GemmSpec::new(false, false, 128, 512, 1024), 2, 7);
}

#[test]
fn beta_zero_ignores_nan_in_c() {
    let a = [1.0, 2.0];
    let b = [3.0, 4.0];
    let mut c = [f32::NAN];
    sgemm(&GemmSpec::new(false, false, 1, 1, 2), &a, &b, &mut c, 1).unwrap();
    assert_eq!(c, [11.0]);
}

#[test]
fn empty_inner_dimension_scales_c_by_beta() {
    let mut c = [1.0, 2.0, f32::NAN, 4.0];
    let spec = GemmSpec { beta: 0.5, ..GemmSpec::new(false, false, 2, 2, 0) };
    sgemm(&spec, &[], &[], &mut c, 1).unwrap();
    assert_eq!(&c[..2], &[0.5, 1.0]);
    assert!(c[2].is_nan());
    let spec = GemmSpec::new(false, false, 2, 2, 0);
    sgemm(&spec, &[], &[], &mut c, 1).unwrap();
    assert_eq!(c, [0.0; 4]);
}

#[test]
fn wrong_buffer_length_is_an_error_naming_the_operand() {
    let spec = GemmSpec::new(true, false, 2, 3, 4);
    let err = sgemm(&spec, &[0.0; 7], &[0.0; 12], &mut [0.0; 6], 1).unwrap_err();
    assert_eq!(err.message(), "gemm: A should hold 4x2 = 8 elements but holds 7");
    let err = sgemm(&spec, &[0.0; 8], &[0.0; 12], &mut [0.0; 5], 1).unwrap_err();
    assert_eq!(err.message(), "gemm: C should hold 2x3 = 6 elements but holds 5");
}
