//! max_pool2d and its backward against their references: the ConvNet's 3×3 stride 2 pad 1,
//! 2×2 stride 2, non-square windows and planes; ties resolve to the first position, NaN wins
//! (the first one); then the argument errors.

mod common;

use common::Rng;
use dlp_kernels::{
    max_pool2d, max_pool2d_backward, max_pool2d_backward_reference, max_pool2d_reference, MaxPool2dShape,
};

/// (batch, channels, height, width, kernel (h, w), stride (h, w), pad (h, w)).
type Case = (usize, usize, usize, usize, (usize, usize), (usize, usize), (usize, usize));

const CASES: &[Case] = &[
    (2, 3, 32, 32, (3, 3), (2, 2), (1, 1)),
    (3, 5, 8, 8, (2, 2), (2, 2), (0, 0)),
    (1, 3, 7, 9, (2, 2), (2, 2), (0, 0)),
    (2, 2, 5, 6, (3, 2), (1, 2), (1, 1)),
    (1, 1, 1, 1, (1, 1), (1, 1), (0, 0)),
    (1, 2, 2, 3, (3, 3), (2, 2), (1, 1)),
    (0, 3, 4, 4, (2, 2), (2, 2), (0, 0)),
];

fn shape(&(batch, channels, height, width, (kh, kw), (sh, sw), (ph, pw)): &Case) -> MaxPool2dShape {
    MaxPool2dShape {
        batch,
        channels,
        height,
        width,
        kernel_h: kh,
        kernel_w: kw,
        stride_h: sh,
        stride_w: sw,
        pad_h: ph,
        pad_w: pw,
    }
}

fn out_len(s: &MaxPool2dShape) -> usize {
    s.batch * s.channels * s.out_h() * s.out_w()
}

#[test]
fn max_pool2d_matches_the_reference_with_ties_and_nan() {
    for (k, case) in CASES.iter().enumerate() {
        let s = shape(case);
        // Quarters in [−1, 1]: many ties inside a window.
        let len = s.batch * s.channels * s.height * s.width;
        let mut x: Vec<f32> = Rng(5000 + k as u64).vec(len).iter().map(|v| (v * 4.0).round() / 4.0).collect();
        for at in [5, 17, 18, 40] {
            if at < x.len() {
                x[at] = f32::NAN;
            }
        }
        let (want, want_at) = max_pool2d_reference(&x, s).unwrap();
        let (mut out, mut at) = (vec![0.0; out_len(&s)], vec![-7; out_len(&s)]);
        max_pool2d(&x, s, &mut out, &mut at).unwrap();
        assert_eq!(at, want_at, "{s:?}: indices");
        for (i, (&g, &w)) in out.iter().zip(&want).enumerate() {
            assert!(g as f64 == w || (g.is_nan() && w.is_nan()), "{s:?} out[{i}] = {g}, want {w}");
        }

        let dout = Rng(6000 + k as u64).vec(out_len(&s));
        let want_dx = max_pool2d_backward_reference(&dout, &at, s).unwrap();
        let mut dx = vec![f32::NAN; len];
        max_pool2d_backward(&dout, &at, s, &mut dx).unwrap();
        for (i, (&g, &w)) in dx.iter().zip(&want_dx).enumerate() {
            assert!((g as f64 - w).abs() <= 1e-6 * w.abs().max(1.0), "{s:?} dx[{i}] = {g}, want {w}");
        }
    }
}

#[test]
fn ties_pick_the_first_position_and_a_nan_beats_everything() {
    let s = shape(&(1, 1, 2, 2, (2, 2), (2, 2), (0, 0)));
    let (mut out, mut at) = ([0.0], [0]);
    max_pool2d(&[1.0, 3.0, 3.0, 3.0], s, &mut out, &mut at).unwrap();
    assert_eq!((out, at), ([3.0], [1]));
    max_pool2d(&[1.0, 3.0, f32::NAN, f32::NAN], s, &mut out, &mut at).unwrap();
    assert!(out[0].is_nan());
    assert_eq!(at, [2]);
    max_pool2d(&[f32::NEG_INFINITY; 4], s, &mut out, &mut at).unwrap();
    assert_eq!((out, at), ([f32::NEG_INFINITY], [0]));
}

#[test]
fn bad_arguments_are_refused() {
    let s = shape(&CASES[1]);
    let x = vec![0.0; s.batch * s.channels * s.height * s.width];
    let (mut out, mut at) = (vec![0.0; out_len(&s)], vec![0; out_len(&s)]);
    let err = max_pool2d(&x, s, &mut out[1..], &mut at).unwrap_err();
    assert_eq!(err.message(), "maxPool2d: out should hold 3x5x4x4 = 240 elements but holds 239");
    let err = max_pool2d(&x, MaxPool2dShape { pad_h: 2, ..s }, &mut out, &mut at).unwrap_err();
    assert_eq!(err.message(), "maxPool2d: padH 2 should be at most half of kernelH 2, as in PyTorch");
    let err = max_pool2d(&x, MaxPool2dShape { kernel_w: 9, ..s }, &mut out, &mut at).unwrap_err();
    assert_eq!(err.message(), "maxPool2d: kernelW 9 is larger than the padded width 8 (width 8 + 2·padW 0)");
    let huge = MaxPool2dShape { batch: 0, height: 4097, width: 4097, ..s };
    let err = max_pool2d(&[], huge, &mut [], &mut []).unwrap_err();
    assert_eq!(err.message(), "maxPool2d: the input plane is 4097x4097; planes of more than 2^24 pixels are not supported");
    at[3] = 64;
    let err = max_pool2d_backward(&out, &at, s, &mut vec![0.0; x.len()]).unwrap_err();
    assert_eq!(err.message(), "maxPool2dBackward: indices[3] = 64 is not an index in 0..63");
}
