//! cross_entropy, its backward and the fused softmax_cross_entropy against f64 references.

mod common;

use common::{assert_close, assert_close_scalar, each_level, Rng, SHAPES};
use dlp_kernels::{
    cross_entropy, cross_entropy_backward, cross_entropy_backward_reference, softmax, softmax_cross_entropy,
    softmax_cross_entropy_reference,
};

fn labels(rng: &mut Rng, rows: usize, cols: usize) -> Vec<i32> {
    (0..rows).map(|_| rng.below(cols) as i32).collect()
}

/// Softmax probabilities and one-hot targets for random logits and labels.
fn probs_and_one_hot(rng: &mut Rng, rows: usize, cols: usize) -> (Vec<f32>, Vec<f32>, Vec<i32>) {
    let mut probs = vec![0.0; rows * cols];
    softmax(&rng.scaled(rows * cols, 3.0), &mut probs, rows, cols).unwrap();
    let labels = labels(rng, rows, cols);
    let mut targets = vec![0.0; rows * cols];
    for (r, &l) in labels.iter().enumerate() {
        targets[r * cols + l as usize] = 1.0;
    }
    (probs, targets, labels)
}

#[test]
fn cross_entropy_with_one_hot_targets_is_mean_negative_log_of_the_labelled_probability() {
    for (s, &(rows, cols)) in SHAPES.iter().enumerate() {
        let mut rng = Rng(700 + s as u64);
        let (probs, targets, labels) = probs_and_one_hot(&mut rng, rows, cols);
        let want = -labels.iter().enumerate().map(|(r, &l)| (probs[r * cols + l as usize] as f64).ln()).sum::<f64>()
            / rows as f64;
        let got = cross_entropy(&probs, &targets, rows, cols).unwrap();
        assert_close_scalar(&format!("crossEntropy {rows}x{cols}"), got, want, 1e-12);
    }
}

#[test]
fn cross_entropy_skips_zero_targets_even_where_p_is_zero() {
    let loss = cross_entropy(&[0.0, 0.25, 0.75, 0.0], &[0.0, 0.5, 0.5, 0.0], 1, 4).unwrap();
    assert!((loss - -(0.5 * 0.25f64.ln() + 0.5 * 0.75f64.ln())).abs() < 1e-12, "{loss}");
}

#[test]
fn cross_entropy_backward_matches_the_reference() {
    each_level(|level| {
        for (s, &(rows, cols)) in SHAPES.iter().enumerate() {
            let mut rng = Rng(800 + s as u64);
            let (mut probs, _, _) = probs_and_one_hot(&mut rng, rows, cols);
            // Soft targets with zeros, and a zero probability under a zero target.
            let targets: Vec<f32> = rng.vec(rows * cols).iter().map(|v| v.max(0.0)).collect();
            probs[0] = if targets[0] == 0.0 { 0.0 } else { probs[0] };
            let want = cross_entropy_backward_reference(&probs, &targets, rows, cols).unwrap();
            let mut dprobs = vec![f32::NAN; rows * cols];
            cross_entropy_backward(&probs, &targets, &mut dprobs, rows, cols).unwrap();
            assert_close(
                &format!("{level:?} crossEntropyBackward {rows}x{cols}"),
                &dprobs,
                &want,
                |i| want[i].abs(),
                3e-7,
            );
        }
    });
}

#[test]
fn softmax_cross_entropy_matches_the_reference_with_every_output_combination() {
    each_level(|level| {
        for (s, &(rows, cols)) in SHAPES.iter().enumerate() {
            let mut rng = Rng(900 + s as u64);
            let logits = rng.scaled(rows * cols, 5.0);
            let labels = labels(&mut rng, rows, cols);
            let want = softmax_cross_entropy_reference(&logits, &labels, rows, cols).unwrap();
            let what = format!("{level:?} softmaxCrossEntropy {rows}x{cols}");
            // (p + onehot)/rows: the scale of dlogits, which cancels at the label when p ≈ 1.
            let dscale = |i: usize| (want.probs[i] + f64::from(labels[i / cols] as usize == i % cols)) / rows as f64;

            let (mut probs, mut dlogits) = (vec![f32::NAN; rows * cols], vec![f32::NAN; rows * cols]);
            let loss =
                softmax_cross_entropy(&logits, &labels, rows, cols, Some(&mut dlogits), Some(&mut probs)).unwrap();
            assert_close_scalar(&format!("{what} loss"), loss, want.loss, 1e-6);
            assert_close(&format!("{what} probs"), &probs, &want.probs, |i| want.probs[i], 2e-6);
            assert_close(&format!("{what} dlogits"), &dlogits, &want.dlogits, dscale, 2e-6);

            let mut only_dlogits = vec![f32::NAN; rows * cols];
            let loss2 = softmax_cross_entropy(&logits, &labels, rows, cols, Some(&mut only_dlogits), None).unwrap();
            assert_eq!(loss2, loss, "{what}: loss without probs");
            assert_close(&format!("{what} dlogits without probs"), &only_dlogits, &want.dlogits, dscale, 2e-6);

            let mut only_probs = vec![f32::NAN; rows * cols];
            let loss3 = softmax_cross_entropy(&logits, &labels, rows, cols, None, Some(&mut only_probs)).unwrap();
            assert_eq!((loss3, &only_probs), (loss, &probs), "{what}: probs without dlogits");
            assert_eq!(
                softmax_cross_entropy(&logits, &labels, rows, cols, None, None).unwrap(),
                loss,
                "{what}: loss only"
            );
        }
    });
}

#[test]
fn bad_labels_are_refused_before_anything_is_written() {
    let mut dlogits = [7.0f32; 6];
    let err = softmax_cross_entropy(&[0.0; 6], &[1, 3], 2, 3, Some(&mut dlogits), None).unwrap_err();
    assert_eq!(err.message(), "softmaxCrossEntropy: labels[1] = 3 is not a class index in 0..2");
    assert_eq!(dlogits, [7.0; 6]);
    let err = softmax_cross_entropy(&[0.0; 6], &[-1, 0], 2, 3, None, None).unwrap_err();
    assert_eq!(err.message(), "softmaxCrossEntropy: labels[0] = -1 is not a class index in 0..2");
    let err = softmax_cross_entropy(&[0.0; 6], &[0], 2, 3, None, None).unwrap_err();
    assert_eq!(err.message(), "softmaxCrossEntropy: labels should hold 2 elements (rows) but holds 1");
}

#[test]
fn wrong_lengths_name_the_argument() {
    let err = softmax_cross_entropy(&[0.0; 6], &[0, 0], 2, 3, Some(&mut [0.0; 5]), None).unwrap_err();
    assert_eq!(err.message(), "softmaxCrossEntropy: dlogits should hold 2x3 = 6 elements but holds 5");
    let err = softmax_cross_entropy(&[0.0; 6], &[0, 0], 2, 3, None, Some(&mut [0.0; 7])).unwrap_err();
    assert_eq!(err.message(), "softmaxCrossEntropy: probs should hold 2x3 = 6 elements but holds 7");
    let err = cross_entropy(&[0.0; 6], &[0.0; 5], 2, 3).unwrap_err();
    assert_eq!(err.message(), "crossEntropy: targets should hold 2x3 = 6 elements but holds 5");
    let err = cross_entropy_backward(&[0.0; 6], &[0.0; 6], &mut [0.0; 3], 2, 3).unwrap_err();
    assert_eq!(err.message(), "crossEntropyBackward: dprobs should hold 2x3 = 6 elements but holds 3");
}
