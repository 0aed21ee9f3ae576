//! Each GEMM implementation forced on, whatever `sgemm` would pick for the shape: dlp's x86
//! paths, AVX2+FMA (`gemm_avx2`, a 6×16 tile) and AVX-512 (`gemm_avx512`, 8×32), each on the
//! CPUs that have it, on sizes around their tiles (and their 2-, 4-row and half-width edge
//! tiles), their k-slices and their cache blocks, and the `gemm` crate's path, all against the
//! f64 triple loop.

#![cfg(target_arch = "x86_64")]

mod common;

use common::Rng;
use dlp_kernels::gemm::sgemm_gemm_crate;
use dlp_kernels::gemm::avx2 as gemm_avx2;
use dlp_kernels::gemm::avx512 as gemm_avx512;
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

/// dlp's x86 paths this CPU can run, by name (each one it cannot run is named on stderr).
fn dlp_paths() -> Vec<(&'static str, Path)> {
    let all: [(&str, bool, Path); 2] =
        [("avx2", gemm_avx2::is_available(), gemm_avx2::sgemm), ("avx512", gemm_avx512::is_available(), gemm_avx512::sgemm)];
    all.into_iter()
        .filter_map(|(name, ok, path)| {
            if !ok {
                eprintln!("skipped the {name} path: this CPU lacks its instructions");
            }
            ok.then_some((name, path))
        })
        .collect()
}

/// (m, n, k): one element; less than, exactly and just over one 6×16 or 8×32 tile and one
/// 6×8 or 8×16 half tile, with rows left over; k cut into several slices, evenly or not; B too
/// big to stay packed whole, with A read in place (n ≤ 128) and packed; more rows than one
/// packed A block; more columns than one packed B block.
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
    (8, 32, 8),
    (8, 16, 1),
    (9, 33, 9),
    (17, 48, 259),
    (390, 150, 40),
    (20, 520, 260),
];

#[test]
fn dlp_paths_every_transpose_variant_matches_the_f64_reference() {
    for (_, path) in dlp_paths() {
        let mut seed = 1;
        for &(m, n, k) in SHAPES {
            for trans_a in [false, true] {
                for trans_b in [false, true] {
                    for threads in [1, 2] {
                        seed += 1;
                        check(path, GemmSpec::new(trans_a, trans_b, m, n, k), threads, seed);
                    }
                }
            }
        }
    }
}

#[test]
fn dlp_paths_alpha_and_beta_other_than_one() {
    for (_, path) in dlp_paths() {
        for (alpha, beta) in [(0.5, 0.0), (1.0, 1.0), (-2.0, 0.25), (1.5, -1.0)] {
            // (20, 100, 1000) runs in two halves of k, the first applying beta, the second added.
            for &(m, n, k) in &[(7, 17, 9), (13, 9, 300), (37, 200, 300), (300, 20, 1100), (20, 100, 1000)] {
                for (trans_a, trans_b) in [(false, false), (true, false), (false, true)] {
                    let spec = GemmSpec { alpha, beta, ..GemmSpec::new(trans_a, trans_b, m, n, k) };
                    check(path, spec, 1, 99);
                }
            }
        }
    }
}

/// Above the threshold for going parallel: tall C splits by rows, wide C by columns, and a
/// few-row, narrow, deep C (40×100, k = 1600) into two halves of k. Each element sees the same
/// sequence of operations however the work is split, so the results agree to the bit.
#[test]
fn dlp_paths_threads_split_c_without_changing_the_result() {
    for (name, path) in dlp_paths() {
        for &(m, n, k) in &[(1000, 40, 100), (24, 1000, 200), (129, 257, 300), (100, 100, 700), (40, 100, 1600)] {
            for (trans_a, trans_b) in [(false, false), (true, false), (false, true)] {
                let spec = GemmSpec::new(trans_a, trans_b, m, n, k);
                let one = check(path, spec, 1, 7);
                let two = check(path, spec, 2, 7);
                assert!(one == two, "{name} {spec:?}: 1 and 2 threads differ");
            }
        }
    }
}

#[test]
fn dlp_paths_beta_zero_ignores_nan_in_c() {
    for (name, path) in dlp_paths() {
        // Full tiles and edge tiles, all written without reading C.
        let (m, n, k) = (9, 33, 5);
        let a = vec![1.0; m * k];
        let b = vec![2.0; k * n];
        let mut c = vec![f32::NAN; m * n];
        path(&GemmSpec::new(false, false, m, n, k), &a, &b, &mut c, 1).unwrap();
        assert!(c.iter().all(|&v| v == 10.0), "{name}: {c:?}");
    }
}

#[test]
fn dlp_paths_empty_inner_dimension_and_bad_lengths() {
    for (_, path) in dlp_paths() {
        let mut c = [1.0, 2.0, f32::NAN, 4.0];
        let spec = GemmSpec { beta: 0.5, ..GemmSpec::new(false, false, 2, 2, 0) };
        path(&spec, &[], &[], &mut c, 1).unwrap();
        assert_eq!(&c[..2], &[0.5, 1.0]);
        path(&GemmSpec::new(false, false, 2, 2, 0), &[], &[], &mut c, 1).unwrap();
        assert_eq!(c, [0.0; 4]);
        let err = path(&GemmSpec::new(true, false, 2, 3, 4), &[0.0; 7], &[0.0; 12], &mut [0.0; 6], 1).unwrap_err();
        assert_eq!(err.message(), "gemm: A should hold 4x2 = 8 elements but holds 7");
    }
}

/// Each path refuses to run where the CPU lacks its instructions, with an error naming them.
#[test]
fn dlp_paths_refuse_cpus_without_their_instructions() {
    let spec = GemmSpec::new(false, false, 1, 1, 1);
    if !gemm_avx512::is_available() {
        let err = gemm_avx512::sgemm(&spec, &[1.0], &[1.0], &mut [0.0], 1).unwrap_err();
        assert_eq!(err.message(), "gemm: the AVX-512 path needs a CPU with AVX-512F");
    }
    if !gemm_avx2::is_available() {
        let err = gemm_avx2::sgemm(&spec, &[1.0], &[1.0], &mut [0.0], 1).unwrap_err();
        assert_eq!(err.message(), "gemm: the AVX2+FMA path needs a CPU with AVX2 and FMA");
    }
    assert!(!gemm_avx512::is_available() || gemm_avx2::is_available(), "the AVX-512 path packs with AVX2");
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

/// dlp's paths count denormal inputs as zero (and flush denormal results) while they run, the
/// speed of Intel cores depends on it, and leave the thread's arithmetic as they found it.
#[test]
fn dlp_paths_flush_denormals_only_inside_the_call() {
    for (name, path) in dlp_paths() {
        let (m, n, k) = (40, 64, 48);
        let mut rng = Rng(5);
        let mut a = rng.vec(m * k);
        let b = rng.vec(k * n);
        a.iter_mut().step_by(7).for_each(|v| *v = 1e-39 * v.signum()); // denormals
        let zeroed: Vec<f32> = a.iter().map(|&v| if v.abs() < f32::MIN_POSITIVE { 0.0 } else { v }).collect();
        let spec = GemmSpec::new(false, false, m, n, k);
        let (mut with_denormals, mut with_zeros) = (vec![0.0; m * n], vec![0.0; m * n]);
        path(&spec, &a, &b, &mut with_denormals, 2).unwrap();
        path(&spec, &zeroed, &b, &mut with_zeros, 2).unwrap();
        assert!(with_denormals == with_zeros, "{name}: denormal inputs should count as zero");
        let tiny = std::hint::black_box(1e-39f32);
        assert_eq!(tiny * std::hint::black_box(1.0f32), 1e-39, "{name}: denormals flushed after the call");
    }
}
