//! softmax and softmax_backward against their f64 references, at every SIMD level.

mod common;

use common::{assert_close, each_level, Rng, SHAPES};
use dlp_kernels::{softmax, softmax_backward, softmax_backward_reference, softmax_reference};

#[test]
fn softmax_matches_the_reference() {
    each_level(|level| {
        for (s, &(rows, cols)) in SHAPES.iter().enumerate() {
            let mut rng = Rng(500 + s as u64);
            // Spread of ±20 around an offset of 50: the max trick must handle both.
            let x: Vec<f32> = rng.scaled(rows * cols, 20.0).iter().map(|v| v + 50.0).collect();
            let want = softmax_reference(&x, rows, cols).unwrap();
            // The relative error f32 must allow: rounding x − max costs |x − max|·ε/2 (exp turns
            // it into a relative error), the row sum about √cols·ε, exp and the division a few ε.
            let maxes: Vec<f32> = x.chunks(cols).map(|row| row.iter().fold(f32::MIN, |m, &v| m.max(v))).collect();
            let scale = |i: usize| want[i] * (4.0 + (x[i] - maxes[i / cols]).abs() as f64 + (cols as f64).sqrt());
            let mut out = vec![f32::NAN; rows * cols];
            softmax(&x, &mut out, rows, cols).unwrap();
            assert_close(&format!("{level:?} softmax {rows}x{cols}"), &out, &want, scale, f32::EPSILON as f64);
        }
    });
}

#[test]
fn softmax_of_large_logits_does_not_overflow() {
    each_level(|level| {
        let mut out = [0.0; 3];
        softmax(&[1e30, 1e30, -1e30], &mut out, 1, 3).unwrap();
        assert_eq!(out, [0.5, 0.5, 0.0], "{level:?}");
    });
}

#[test]
fn softmax_backward_matches_the_reference() {
    each_level(|level| {
        for (s, &(rows, cols)) in SHAPES.iter().enumerate() {
            let mut rng = Rng(600 + s as u64);
            let x = rng.scaled(rows * cols, 4.0);
            let mut probs = vec![0.0; rows * cols];
            softmax(&x, &mut probs, rows, cols).unwrap();
            let dout = rng.vec(rows * cols);
            let want = softmax_backward_reference(&probs, &dout, rows, cols).unwrap();
            // dx = s·(dout − dot) cancels when dout ≈ dot: measure against s·(|dout| + Σ|dout·s|).
            let dots: Vec<f64> = (0..rows)
                .map(|r| (0..cols).map(|c| (dout[r * cols + c] * probs[r * cols + c]).abs() as f64).sum())
                .collect();
            let scale = |i: usize| probs[i] as f64 * (dout[i].abs() as f64 + dots[i / cols]);
            let mut dx = vec![f32::NAN; rows * cols];
            softmax_backward(&probs, &dout, &mut dx, rows, cols).unwrap();
            assert_close(&format!("{level:?} softmaxBackward {rows}x{cols}"), &dx, &want, scale, 2e-6);
        }
    });
}

#[test]
fn wrong_lengths_name_the_argument() {
    let err = softmax(&[0.0; 6], &mut [0.0; 5], 2, 3).unwrap_err();
    assert_eq!(err.message(), "softmax: out should hold 2x3 = 6 elements but holds 5");
    let err = softmax_backward(&[0.0; 6], &[0.0; 7], &mut [0.0; 6], 2, 3).unwrap_err();
    assert_eq!(err.message(), "softmaxBackward: dout should hold 2x3 = 6 elements but holds 7");
}
