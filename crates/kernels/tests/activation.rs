//! elu and elu_backward against their f64 references, at every SIMD level, on every tail length.

mod common;

use common::{assert_close, each_level, Rng, LENGTHS};
use dlp_kernels::{elu, elu_backward, elu_backward_in_place, elu_backward_reference, elu_in_place, elu_reference};

/// Inputs over ELU's interesting range, with exact zeros and values near 0 where eˣ − 1 cancels.
fn inputs(rng: &mut Rng, len: usize) -> Vec<f32> {
    let mut x = rng.scaled(len, 6.0);
    let specials = [0.0, -0.0, -1e-6, 1e-6, -3e-4, -20.0, -90.0, 1e-38];
    for (v, s) in x.iter_mut().step_by(5).zip(specials) {
        *v = s;
    }
    x
}

#[test]
fn elu_matches_the_reference_in_and_out_of_place() {
    each_level(|level| {
        for (s, &len) in LENGTHS.iter().enumerate() {
            for alpha in [1.0, 0.3] {
                let mut rng = Rng(300 + s as u64);
                let x = inputs(&mut rng, len);
                let want = elu_reference(&x, alpha);
                let mut out = vec![f32::NAN; len];
                elu(&x, &mut out, alpha, 1).unwrap();
                assert_close(&format!("{level:?} elu len={len} alpha={alpha}"), &out, &want, |i| want[i].abs(), 3e-7);
                let mut in_place = x.clone();
                elu_in_place(&mut in_place, alpha, 1);
                assert_eq!(in_place, out, "{level:?} len={len}: in place differs");
            }
        }
    });
}

#[test]
fn elu_backward_matches_the_reference_in_and_out_of_place() {
    each_level(|level| {
        for (s, &len) in LENGTHS.iter().enumerate() {
            let mut rng = Rng(400 + s as u64);
            let (x, dout) = (inputs(&mut rng, len), rng.vec(len));
            let want = elu_backward_reference(&x, &dout, 0.7).unwrap();
            let mut dx = vec![f32::NAN; len];
            elu_backward(&x, &dout, &mut dx, 0.7, 1).unwrap();
            assert_close(&format!("{level:?} eluBackward len={len}"), &dx, &want, |i| want[i].abs(), 3e-7);
            let mut in_place = dout.clone();
            elu_backward_in_place(&x, &mut in_place, 0.7, 1).unwrap();
            assert_eq!(in_place, dx, "{level:?} len={len}: in place differs");
        }
    });
}

/// Long enough to be split over threads (MIN_PART is 2^14 elements, and the length leaves a
/// ragged last part): every split, in and out of place, gives the one-thread bits.
#[test]
fn split_over_threads_the_values_are_the_one_thread_values() {
    each_level(|level| {
        let len = 3 * (1 << 14) + 13;
        let mut rng = Rng(500);
        let (x, dout) = (inputs(&mut rng, len), rng.vec(len));
        let (mut one, mut one_dx) = (vec![f32::NAN; len], vec![f32::NAN; len]);
        elu(&x, &mut one, 1.0, 1).unwrap();
        elu_backward(&x, &dout, &mut one_dx, 1.0, 1).unwrap();
        for threads in [2, 0] {
            let (mut out, mut dx) = (vec![f32::NAN; len], vec![f32::NAN; len]);
            elu(&x, &mut out, 1.0, threads).unwrap();
            elu_backward(&x, &dout, &mut dx, 1.0, threads).unwrap();
            let (mut out_in_place, mut dx_in_place) = (x.clone(), dout.clone());
            elu_in_place(&mut out_in_place, 1.0, threads);
            elu_backward_in_place(&x, &mut dx_in_place, 1.0, threads).unwrap();
            for (what, got, want) in [("elu", &out, &one), ("elu in place", &out_in_place, &one), ("eluBackward", &dx, &one_dx), ("eluBackward in place", &dx_in_place, &one_dx)] {
                assert!(got == want, "{level:?} {what} on {threads} threads differs from one thread");
            }
        }
    });
}

#[test]
fn elu_keeps_nan_and_infinities() {
    each_level(|level| {
        let mut out = [0.0; 3];
        elu(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY], &mut out, 2.0, 1).unwrap();
        assert!(out[0].is_nan(), "{level:?}");
        assert_eq!(out[1..], [f32::INFINITY, -2.0], "{level:?}");
    });
}

#[test]
fn wrong_lengths_name_the_argument() {
    let err = elu(&[0.0; 4], &mut [0.0; 3], 1.0, 1).unwrap_err();
    assert_eq!(err.message(), "elu: out should hold 4 elements (as many as x) but holds 3");
    let err = elu_backward(&[0.0; 4], &[0.0; 5], &mut [0.0; 4], 1.0, 1).unwrap_err();
    assert_eq!(err.message(), "eluBackward: dout should hold 4 elements (as many as x) but holds 5");
    let err = elu_backward(&[0.0; 4], &[0.0; 4], &mut [0.0; 2], 1.0, 1).unwrap_err();
    assert_eq!(err.message(), "eluBackward: dx should hold 4 elements (as many as x) but holds 2");
}
