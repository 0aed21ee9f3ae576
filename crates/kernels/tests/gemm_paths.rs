//! Each GEMM implementation forced on, whatever `sgemm` would pick for the shape: dlp's AVX2+FMA
//! path (`gemm_avx2`) on sizes around its 6×16 tile (and its 2-, 4-row and 8-column edge
//! tiles), its k-slices and its cache blocks, and the `gemm` crate's path, both against the f64
//! triple loop.

#![cfg(target_arch = "x86_64")]

mod common;

use common::Rng;
use dlp_kernels::gemm::sgemm_gemm_crate;
use dlp_kernels::gemm::avx2 as gemm_avx2;
use dlp_kernels::{sgemm_reference_f64, GemmSpec, KernelError};

type Path = fn(&GemmSpec, &[f32], &[f32], &mut [f32], usize) -> Result<(), KernelError>;

/// Runs `path` on seeded data and checks every element within 1e-5 of the magnitude
/// |alpha|·Σ|a·b| + |beta·c| it was computed from; returns C.
fn check(path: Path, spec: GemmSpec, threads: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng(seed);
    let a = rng.vec(spec.m * spec.k);
    let b = rng.vec(spec.k * spec.n);
    let c0 = rng.vec(spec.m * spec.n);
    let want = sgemm_reference_f64(&spec, &a, &b, &c0).unwrap();
    let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<f32>>();
    let scaled = GemmSpec { alpha: spec.alpha.abs(), beta: spec.beta.abs(), ..spec };
    let scale = sgemm_reference_f64(&scaled, &abs(&a), &abs(&b), &abs(&c0)).unwrap();
    let mut c = c0.clone();
    path(&spec, &a, &b, &mut c, threads).unwrap();
    for (idx, ((got, want), scale)) in c.iter().zip(&want).zip(&scale).enumerate() {
        let err = (*got as f64 - want).abs();
        assert!(
            err <= 1e-5 * scale + 1e-30,
            "{spec:?} threads={threads}: C[{idx}] = {got}, reference {want}, error {err:e} > 1e-5 x {scale:e}"
        );
    }
    c
}

fn avx2() -> bool {
    let ok = gemm_avx2::is_available();
    if !ok {
        eprintln!("skipped: this CPU has no AVX2+FMA");
    }
    ok
}

/// (m, n, k): one element; less than, exactly and just over one 6×16 tile and one 6×8 half
/// tile, with 1 to 5 rows left over; k cut into several slices, evenly or not; B too big to stay packed whole, with A read
/// in place (n ≤ 128) and packed; more rows than one packed A block; more columns than one
/// packed B block.
const SHAPES: &[(usize, usize, usize)] = &[
    (1, 1, 1),
    (5, 7, 3),
    (6, 16, 8),
    (6, 8, 1),
    (7, 17, 9),
    (12, 32, 257),
    (13, 9, 300),
    (22, 23, 513),
    (2, 3, 2000),
    (37, 200, 300),
    (20, 100, 1000),
    (300, 20, 1100),
    (151, 140, 513),
    (5, 3100, 70),
];

#[test]
fn avx2_path_every_transpose_variant_matches_the_f64_reference() {
    if !avx2() {
        return;
    }
    let mut seed = 1;
    for &(m, n, k) in SHAPES {
        for trans_a in [false, true] {
            for trans_b in [false, true] {
                for threads in [1, 2] {
                    seed += 1;
                    check(gemm_avx2::sgemm, GemmSpec::new(trans_a, trans_b, m, n, k), threads, seed);
                }
            }
        }
    }
}

#[test]
fn avx2_path_alpha_and_beta_other_than_one() {
    if !avx2() {
        return;
    }
    for (alpha, beta) in [(0.5, 0.0), (1.0, 1.0), (-2.0, 0.25), (1.5, -1.0)] {
        // (20, 100, 1000) runs in two halves of k, the first applying beta, the second added.
        for &(m, n, k) in &[(7, 17, 9), (13, 9, 300), (37, 200, 300), (300, 20, 1100), (20, 100, 1000)] {
            for (trans_a, trans_b) in [(false, false), (true, false), (false, true)] {
                let spec = GemmSpec { alpha, beta, ..GemmSpec::new(trans_a, trans_b, m, n, k) };
                check(gemm_avx2::sgemm, spec, 1, 99);
            }
        }
    }
}

/// Above the threshold for going parallel: tall C splits by rows, wide C by columns, and a
/// few-row, narrow, deep C (40×100, k = 1600) into two halves of k. Each element sees the same
/// sequence of operations however the work is split, so the results agree to the bit.
#[test]
fn avx2_path_threads_split_c_without_changing_the_result() {
    if !avx2() {
        return;
    }
    for &(m, n, k) in &[(1000, 40, 100), (24, 1000, 200), (129, 257, 300), (100, 100, 700), (40, 100, 1600)] {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true)] {
            let spec = GemmSpec::new(trans_a, trans_b, m, n, k);
            let one = check(gemm_avx2::sgemm, spec, 1, 7);
            let two = check(gemm_avx2::sgemm, spec, 2, 7);
            assert!(one == two, "{spec:?}: 1 and 2 threads differ");
        }
    }
}

#[test]
fn avx2_path_beta_zero_ignores_nan_in_c() {
    if !avx2() {
        return;
    }
    // A full 6×16 tile and an edge tile, both written without reading C.
    let (m, n, k) = (7, 17, 5);
    let a = vec![1.0; m * k];
    let b = vec![2.0; k * n];
    let mut c = vec![f32::NAN; m * n];
    gemm_avx2::sgemm(&GemmSpec::new(false, false, m, n, k), &a, &b, &mut c, 1).unwrap();
    assert!(c.iter().all(|&v| v == 10.0), "{c:?}");
}

#[test]
fn avx2_path_empty_inner_dimension_and_bad_lengths() {
    if !avx2() {
        return;
    }
    let mut c = [1.0, 2.0, f32::NAN, 4.0];
    let spec = GemmSpec { beta: 0.5, ..GemmSpec::new(false, false, 2, 2, 0) };
    gemm_avx2::sgemm(&spec, &[], &[], &mut c, 1).unwrap();
    assert_eq!(&c[..2], &[0.5, 1.0]);
    gemm_avx2::sgemm(&GemmSpec::new(false, false, 2, 2, 0), &[], &[], &mut c, 1).unwrap();
    assert_eq!(c, [0.0; 4]);
    let err = gemm_avx2::sgemm(&GemmSpec::new(true, false, 2, 3, 4), &[0.0; 7], &[0.0; 12], &mut [0.0; 6], 1).unwrap_err();
    assert_eq!(err.message(), "gemm: A should hold 4x2 = 8 elements but holds 7");
}

/// The `gemm` crate stays the path for some shapes here and for every shape on other CPUs.
#[test]
fn gemm_crate_path_every_transpose_variant_matches_the_f64_reference() {
    let mut seed = 1000;
    for &(m, n, k) in &[(1, 1, 1), (7, 17, 9), (2, 3, 2000), (37, 200, 300), (1, 100, 3072)] {
        for trans_a in [false, true] {
            for trans_b in [false, true] {
                seed += 1;
                check(sgemm_gemm_crate, GemmSpec::new(trans_a, trans_b, m, n, k), 0, seed);
            }
        }
    }
}
