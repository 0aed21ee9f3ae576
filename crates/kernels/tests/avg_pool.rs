//! avg_pool2d, adaptive_avg_pool2d and their backward passes against their f64 references at
//! every SIMD level: DenseNet's 2×2 stride 2, padded windows with and without count_include_pad,
//! non-square ones, (1, 1) and bins that overlap or repeat, then many random geometries; then
//! the argument errors.

mod common;

use common::{assert_close, each_level, Rng};
use dlp_kernels::{
    adaptive_avg_pool2d, adaptive_avg_pool2d_backward, adaptive_avg_pool2d_backward_reference,
    adaptive_avg_pool2d_reference, adaptive_bin, avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_reference,
    avg_pool2d_reference, AdaptiveAvgPool2dShape, AvgPool2dShape,
};

/// (batch, channels, height, width, kernel (h, w), stride (h, w), pad (h, w), count_include_pad).
type AvgCase = (usize, usize, usize, usize, (usize, usize), (usize, usize), (usize, usize), bool);

const AVG_CASES: &[AvgCase] = &[
    (2, 3, 8, 8, (2, 2), (2, 2), (0, 0), true), // DenseNet's transitions
    (2, 3, 7, 9, (2, 2), (2, 2), (0, 0), true), // an odd plane drops its last row/column
    (2, 3, 7, 8, (3, 3), (2, 2), (1, 1), true),
    (2, 3, 7, 8, (3, 3), (2, 2), (1, 1), false),
    (1, 2, 5, 6, (3, 2), (1, 2), (1, 1), false),
    (1, 2, 5, 6, (3, 2), (1, 2), (1, 1), true),
    (1, 1, 1, 1, (1, 1), (1, 1), (0, 0), true),
    (1, 4, 3, 17, (3, 3), (1, 1), (1, 1), false), // a row longer than two vectors, with a tail
    (2, 3, 5, 7, (5, 7), (1, 1), (0, 0), true),   // one window over the whole plane
    (0, 3, 4, 4, (2, 2), (2, 2), (0, 0), true),
];

fn avg_shape(&(batch, channels, height, width, (kh, kw), (sh, sw), (ph, pw), count_include_pad): &AvgCase) -> AvgPool2dShape {
    AvgPool2dShape {
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
        count_include_pad,
    }
}

/// (batch, channels, height, width, out_h, out_w).
const ADAPTIVE_CASES: &[(usize, usize, usize, usize, usize, usize)] = &[
    (2, 5, 4, 4, 1, 1),   // DenseNet's head on a 4×4 plane
    (32, 1024, 1, 1, 1, 1), // …and at batch 32 on CIFAR-10's 1×1 planes: split over the pool
    (2, 3, 9, 11, 1, 1),  // a global average with a partial last vector
    (2, 3, 7, 5, 3, 2), // bins that overlap
    (1, 2, 3, 3, 4, 5), // more outputs than rows: repeated rows
    (1, 2, 6, 6, 3, 3), // exact halves
    (1, 3, 1, 19, 1, 4),
    (0, 2, 3, 3, 2, 2),
];

fn adaptive_shape(&(batch, channels, height, width, out_h, out_w): &(usize, usize, usize, usize, usize, usize)) -> AdaptiveAvgPool2dShape {
    AdaptiveAvgPool2dShape { batch, channels, height, width, out_h, out_w }
}

/// Σ|x| over a window / divisor bounds the rounding error of a mean; over the whole plane is a
/// looser but simple bound that still fails a wrong window (values are O(1)).
fn check_avg(s: AvgPool2dShape, seed: u64) {
    let len = s.batch * s.channels * s.height * s.width;
    let out_len = s.batch * s.channels * s.out_h() * s.out_w();
    let x = Rng(seed).vec(len);
    let want = avg_pool2d_reference(&x, s).unwrap();
    let dout = Rng(seed + 1).vec(out_len);
    let want_dx = avg_pool2d_backward_reference(&dout, s).unwrap();
    each_level(|level| {
        let mut out = vec![f32::NAN; out_len];
        avg_pool2d(&x, s, &mut out).unwrap();
        assert_close(&format!("{s:?} {level:?} out"), &out, &want, |_| 1.0, 1e-6);
        let mut dx = vec![f32::NAN; len];
        avg_pool2d_backward(&dout, s, &mut dx).unwrap();
        assert_close(&format!("{s:?} {level:?} dx"), &dx, &want_dx, |_| 1.0, 1e-6);
    });
}

fn check_adaptive(s: AdaptiveAvgPool2dShape, seed: u64) {
    let len = s.batch * s.channels * s.height * s.width;
    let out_len = s.batch * s.channels * s.out_h * s.out_w;
    let x = Rng(seed).vec(len);
    let want = adaptive_avg_pool2d_reference(&x, s).unwrap();
    let dout = Rng(seed + 1).vec(out_len);
    let want_dx = adaptive_avg_pool2d_backward_reference(&dout, s).unwrap();
    each_level(|level| {
        let mut out = vec![f32::NAN; out_len];
        adaptive_avg_pool2d(&x, s, &mut out).unwrap();
        assert_close(&format!("{s:?} {level:?} out"), &out, &want, |_| 1.0, 1e-6);
        let mut dx = vec![f32::NAN; len];
        adaptive_avg_pool2d_backward(&dout, s, &mut dx).unwrap();
        assert_close(&format!("{s:?} {level:?} dx"), &dx, &want_dx, |_| 1.0, 1e-6);
    });
}

#[test]
fn avg_pool2d_matches_the_reference() {
    for (k, case) in AVG_CASES.iter().enumerate() {
        check_avg(avg_shape(case), 7000 + 10 * k as u64);
    }
}

#[test]
fn adaptive_avg_pool2d_matches_the_reference() {
    for (k, case) in ADAPTIVE_CASES.iter().enumerate() {
        check_adaptive(adaptive_shape(case), 8000 + 10 * k as u64);
    }
}

#[test]
fn random_geometries_match_the_reference() {
    let mut rng = Rng(99);
    for k in 0..60 {
        let (height, width) = (1 + rng.below(12), 1 + rng.below(12));
        let (kh, kw) = (1 + rng.below(height.min(4)), 1 + rng.below(width.min(4)));
        let (ph, pw) = (rng.below(kh / 2 + 1), rng.below(kw / 2 + 1));
        let s = AvgPool2dShape {
            batch: 1 + rng.below(3),
            channels: 1 + rng.below(4),
            height,
            width,
            kernel_h: kh,
            kernel_w: kw,
            stride_h: 1 + rng.below(3),
            stride_w: 1 + rng.below(3),
            pad_h: ph,
            pad_w: pw,
            count_include_pad: rng.below(2) == 1,
        };
        check_avg(s, 20_000 + k);
        let a = AdaptiveAvgPool2dShape {
            batch: 1 + rng.below(3),
            channels: 1 + rng.below(4),
            height,
            width,
            out_h: 1 + rng.below(8),
            out_w: 1 + rng.below(8),
        };
        check_adaptive(a, 30_000 + k);
    }
}

#[test]
fn known_values() {
    // A 3×3 plane 1..9, 3×3 window, padding 1, stride 2: the corner windows hold 4 pixels.
    let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    let s = avg_shape(&(1, 1, 3, 3, (3, 3), (2, 2), (1, 1), true));
    let mut out = [0.0; 4];
    avg_pool2d(&x, s, &mut out).unwrap();
    assert_eq!(out, [12.0 / 9.0, 16.0 / 9.0, 24.0 / 9.0, 28.0 / 9.0]);
    avg_pool2d(&x, AvgPool2dShape { count_include_pad: false, ..s }, &mut out).unwrap();
    assert_eq!(out, [3.0, 4.0, 6.0, 7.0]);
    // PyTorch's bins of 7 into 3: 0..3, 2..5, 4..7.
    assert_eq!((0..3).map(|i| adaptive_bin(i, 7, 3)).collect::<Vec<_>>(), [0..3, 2..5, 4..7]);
    assert_eq!((0..4).map(|i| adaptive_bin(i, 2, 4)).collect::<Vec<_>>(), [0..1, 0..1, 1..2, 1..2]);
}

#[test]
fn bad_arguments_are_refused() {
    let s = avg_shape(&AVG_CASES[0]);
    let x = vec![0.0; 2 * 3 * 8 * 8];
    let mut out = vec![0.0; 2 * 3 * 4 * 4];
    let err = avg_pool2d(&x, s, &mut out[1..]).unwrap_err();
    assert_eq!(err.message(), "avgPool2d: out should hold 2x3x4x4 = 96 elements but holds 95");
    let err = avg_pool2d(&x, AvgPool2dShape { pad_w: 2, ..s }, &mut out).unwrap_err();
    assert_eq!(err.message(), "avgPool2d: padW 2 should be at most half of kernelW 2, as in PyTorch");
    let err = avg_pool2d(&x, AvgPool2dShape { stride_h: 0, ..s }, &mut out).unwrap_err();
    assert_eq!(err.message(), "avgPool2d: strideH should be at least 1 but is 0");
    let err = avg_pool2d_backward(&out, s, &mut [0.0; 5]).unwrap_err();
    assert_eq!(err.message(), "avgPool2dBackward: dx should hold 2x3x8x8 = 384 elements but holds 5");

    let a = adaptive_shape(&ADAPTIVE_CASES[0]);
    let err = adaptive_avg_pool2d(&x, AdaptiveAvgPool2dShape { out_w: 0, ..a }, &mut []).unwrap_err();
    assert_eq!(err.message(), "adaptiveAvgPool2d: outW should be at least 1 but is 0");
    let err = adaptive_avg_pool2d(&[], AdaptiveAvgPool2dShape { height: 0, ..a }, &mut []).unwrap_err();
    assert_eq!(err.message(), "adaptiveAvgPool2d: the input plane is 0x4; a bin needs at least one pixel");
    let err = adaptive_avg_pool2d_backward(&[0.0; 9], a, &mut vec![0.0; 160]).unwrap_err();
    assert_eq!(err.message(), "adaptiveAvgPool2dBackward: dout should hold 2x5x1x1 = 10 elements but holds 9");
}
