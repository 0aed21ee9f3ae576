//! sgd_update against its f64 reference, at every SIMD level, on every tail length.

mod common;

use common::{assert_close, each_level, Rng, LENGTHS};
use dlp_kernels::{sgd_update, sgd_update_reference};

#[test]
fn sgd_update_matches_the_reference() {
    each_level(|level| {
        for (s, &len) in LENGTHS.iter().enumerate() {
            let mut rng = Rng(1000 + s as u64);
            let (param0, grad) = (rng.vec(len), rng.vec(len));
            let want = sgd_update_reference(&param0, &grad, 0.05).unwrap();
            let mut param = param0.clone();
            sgd_update(&mut param, &grad, 0.05).unwrap();
            let scale = |i: usize| param0[i].abs() as f64 + 0.05 * grad[i].abs() as f64;
            assert_close(&format!("{level:?} sgdUpdate len={len}"), &param, &want, scale, 1.2e-7);
        }
    });
}

#[test]
fn wrong_lengths_name_the_argument() {
    let err = sgd_update(&mut [0.0; 4], &[0.0; 3], 0.1).unwrap_err();
    assert_eq!(err.message(), "sgdUpdate: grad should hold 4 elements (as many as param) but holds 3");
}
