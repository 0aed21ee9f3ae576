//! log_softmax, log_softmax_backward (in and out of place), nll_loss and nll_loss_backward
//! against their f64 references, at every SIMD level, on every row shape.

mod common;

use common::{assert_close, assert_close_scalar, each_level, Rng, SHAPES};
use dlp_kernels::{
    log_softmax, log_softmax_backward, log_softmax_backward_in_place, log_softmax_backward_reference,
    log_softmax_reference, nll_loss, nll_loss_backward, nll_loss_backward_reference, nll_loss_reference,
};

#[test]
fn log_softmax_matches_the_reference() {
    each_level(|level| {
        for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
            let x = Rng(1300 + k as u64).scaled(rows * cols, 8.0);
            let want = log_softmax_reference(&x, rows, cols).unwrap();
            let mut out = vec![f32::NAN; rows * cols];
            log_softmax(&x, &mut out, rows, cols).unwrap();
            // Log-probabilities near 0 carry ln Σ's absolute error: judge against |logp| + 1.
            assert_close(&format!("{level:?} logSoftmax {rows}x{cols}"), &out, &want, |i| want[i].abs() + 1.0, 5e-7);
        }
        let mut out = [0.0; 3];
        log_softmax(&[1e30, 1e30, -1e30], &mut out, 1, 3).unwrap();
        assert_eq!(out[..2], [-std::f32::consts::LN_2; 2], "{level:?}: no overflow");
        assert_eq!(out[2], -2e30, "{level:?}");
    });
}

#[test]
fn log_softmax_backward_matches_the_reference_in_and_out_of_place() {
    each_level(|level| {
        for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
            let mut rng = Rng(1400 + k as u64);
            let y: Vec<f32> = log_softmax_reference(&rng.scaled(rows * cols, 4.0), rows, cols)
                .unwrap()
                .iter()
                .map(|&v| v as f32)
                .collect();
            let dout = rng.vec(rows * cols);
            let want = log_softmax_backward_reference(&y, &dout, rows, cols).unwrap();
            // dout − p·Σdout cancels: judge against |dout| + p·Σ|dout|.
            let magnitude: Vec<f64> = (0..rows * cols)
                .map(|i| {
                    let row = &dout[i / cols * cols..][..cols];
                    dout[i].abs() as f64 + (y[i] as f64).exp() * row.iter().map(|d| d.abs() as f64).sum::<f64>()
                })
                .collect();
            let mut dx = vec![f32::NAN; rows * cols];
            log_softmax_backward(&y, &dout, &mut dx, rows, cols).unwrap();
            assert_close(&format!("{level:?} logSoftmaxBackward {rows}x{cols}"), &dx, &want, |i| magnitude[i], 1e-6);
            let mut in_place = dout.clone();
            log_softmax_backward_in_place(&y, &mut in_place, rows, cols).unwrap();
            assert_eq!(in_place, dx, "{level:?} {rows}x{cols}: in place differs");
        }
    });
}

#[test]
fn nll_loss_and_its_gradient_match_the_reference() {
    for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
        let mut rng = Rng(1500 + k as u64);
        let logp: Vec<f32> = rng.scaled(rows * cols, 5.0).iter().map(|v| v - 5.0).collect();
        let labels: Vec<i32> = (0..rows).map(|_| rng.below(cols) as i32).collect();
        let loss = nll_loss(&logp, &labels, rows, cols).unwrap();
        assert_close_scalar(&format!("nllLoss {rows}x{cols}"), loss, nll_loss_reference(&logp, &labels, cols), 1e-12);
        let mut dlogp = vec![7.0; rows * cols];
        nll_loss_backward(&labels, rows, cols, 0.7, &mut dlogp).unwrap();
        let want = nll_loss_backward_reference(&labels, rows, cols, 0.7);
        assert_close(&format!("nllLossBackward {rows}x{cols}"), &dlogp, &want, |i| want[i].abs(), 1e-7);
    }
}

#[test]
fn bad_arguments_name_the_argument() {
    let err = log_softmax(&[0.0; 6], &mut [0.0; 5], 2, 3).unwrap_err();
    assert_eq!(err.message(), "logSoftmax: out should hold 2x3 = 6 elements but holds 5");
    let err = log_softmax_backward(&[0.0; 6], &[0.0; 7], &mut [0.0; 6], 2, 3).unwrap_err();
    assert_eq!(err.message(), "logSoftmaxBackward: dout should hold 2x3 = 6 elements but holds 7");
    let err = nll_loss(&[0.0; 6], &[1, 3], 2, 3).unwrap_err();
    assert_eq!(err.message(), "nllLoss: labels[1] = 3 is not a class index in 0..2");
    let mut dlogp = [7.0; 6];
    let err = nll_loss_backward(&[0, -1], 2, 3, 1.0, &mut dlogp).unwrap_err();
    assert_eq!(err.message(), "nllLossBackward: labels[1] = -1 is not a class index in 0..2");
    assert_eq!(dlogp, [7.0; 6], "nothing written");
}
