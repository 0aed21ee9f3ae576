//! conv2d and its backward kernels against the direct f64 loops of `conv_reference`: strides 1
//! and 2, padding 0 and 1, 1×1 (the im2col-free path) and 3×3 kernels, non-square planes and
//! kernels, batches of 1 to 5, odd channel counts, one and several threads, and both ways of
//! forming GEMMs (one image each when it has at least 256 output positions, else several
//! images side by side, the last group smaller), and the Winograd path of 3×3/1/1 convolutions
//! with 16+ channels (both tilings); then the argument errors.

mod common;

use common::Rng;
use dlp_kernels::{
    conv2d, conv2d_backward_input, conv2d_backward_input_reference, conv2d_backward_weight,
    conv2d_backward_weight_reference, conv2d_reference, Conv2dShape,
};

/// (batch, in, height, width, out, kernel (h, w), stride (h, w), pad (h, w)).
type Case = (usize, usize, usize, usize, usize, (usize, usize), (usize, usize), (usize, usize));

const CASES: &[Case] = &[
    (1, 3, 8, 8, 4, (3, 3), (1, 1), (1, 1)),
    (3, 5, 7, 9, 3, (3, 3), (2, 2), (1, 1)),
    (3, 3, 6, 5, 7, (1, 1), (1, 1), (0, 0)),
    (1, 7, 5, 6, 2, (1, 1), (2, 2), (0, 0)),
    (3, 1, 9, 4, 5, (3, 3), (1, 2), (0, 1)),
    (2, 3, 5, 7, 3, (2, 3), (2, 1), (1, 0)),
    (1, 2, 3, 3, 1, (3, 3), (1, 1), (0, 0)),
    (3, 1, 1, 1, 2, (3, 3), (1, 1), (1, 1)),
    (2, 6, 11, 10, 9, (3, 3), (2, 2), (0, 0)),
    (2, 8, 16, 16, 16, (3, 3), (1, 1), (1, 1)),
    (0, 3, 4, 4, 2, (3, 3), (1, 1), (1, 1)),
    // 256 positions: one image per GEMM (3×3 and pointwise), several images in the batch.
    (3, 2, 16, 16, 3, (3, 3), (1, 1), (1, 1)),
    (3, 4, 16, 16, 3, (1, 1), (1, 1), (0, 0)),
    // 100 positions: images three to a GEMM, the last GEMM with two (3×3 and pointwise).
    (5, 3, 10, 10, 4, (3, 3), (1, 1), (1, 1)),
    (5, 3, 10, 10, 4, (1, 1), (1, 1), (0, 0)),
    // 3×3, stride 1, padding 1 with 16+ channels on planes of 4×4 and more: Winograd. F(2×2, 3×3)
    // below 8×8, on even and odd planes (tiles past the edge)...
    (3, 17, 7, 5, 19, (3, 3), (1, 1), (1, 1)),
    (4, 32, 4, 4, 16, (3, 3), (1, 1), (1, 1)),
    (2, 16, 5, 4, 24, (3, 3), (1, 1), (1, 1)),
    // ... and F(4×4, 3×3) from 8×8 on: whole tiles, and planes that end one to three pixels
    // into a tile (9, 10, 11), with more than one block of 64 tiles per chunk (13×13: 16 tiles
    // an image, 80 for the batch).
    (2, 16, 8, 8, 16, (3, 3), (1, 1), (1, 1)),
    (3, 16, 12, 12, 16, (3, 3), (1, 1), (1, 1)),
    (2, 16, 9, 11, 20, (3, 3), (1, 1), (1, 1)),
    (1, 18, 10, 8, 16, (3, 3), (1, 1), (1, 1)),
    (5, 16, 13, 13, 17, (3, 3), (1, 1), (1, 1)),
];

fn shape(&(batch, in_channels, height, width, out_channels, (kh, kw), (sh, sw), (ph, pw)): &Case) -> Conv2dShape {
    Conv2dShape {
        batch,
        in_channels,
        height,
        width,
        out_channels,
        kernel_h: kh,
        kernel_w: kw,
        stride_h: sh,
        stride_w: sw,
        pad_h: ph,
        pad_w: pw,
    }
}

fn x_len(s: &Conv2dShape) -> usize {
    s.batch * s.in_channels * s.height * s.width
}

fn out_len(s: &Conv2dShape) -> usize {
    s.batch * s.out_channels * s.out_h() * s.out_w()
}

/// |got − want| ≤ 1e-5·(magnitude + 1e-3 scale): sums of a few hundred products of values in [−1, 1].
fn assert_close(got: &[f32], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!((g as f64 - w).abs() <= 1e-5 * scale, "{what}[{i}] = {g}, want {w}");
    }
}

#[test]
fn conv2d_matches_the_reference_with_and_without_bias() {
    for (k, case) in CASES.iter().enumerate() {
        let s = shape(case);
        let mut rng = Rng(2000 + k as u64);
        let (x, w, b) = (rng.vec(x_len(&s)), rng.vec(s.out_channels * s.patch()), rng.vec(s.out_channels));
        for threads in [1, 0] {
            for bias in [Some(&b[..]), None] {
                let want = conv2d_reference(&x, &w, bias, s).unwrap();
                let mut out = vec![f32::NAN; out_len(&s)];
                conv2d(&x, &w, bias, &mut out, s, threads).unwrap();
                assert_close(&out, &want, &format!("{s:?} threads {threads} bias {}: out", bias.is_some()));
            }
        }
    }
}

#[test]
fn conv2d_backward_input_matches_the_reference() {
    for (k, case) in CASES.iter().enumerate() {
        let s = shape(case);
        let mut rng = Rng(3000 + k as u64);
        let (dout, w) = (rng.vec(out_len(&s)), rng.vec(s.out_channels * s.patch()));
        let want = conv2d_backward_input_reference(&dout, &w, s).unwrap();
        for threads in [1, 0] {
            let mut dx = vec![f32::NAN; x_len(&s)];
            conv2d_backward_input(&dout, &w, &mut dx, s, threads).unwrap();
            assert_close(&dx, &want, &format!("{s:?} threads {threads}: dx"));
        }
    }
}

#[test]
fn conv2d_backward_weight_matches_the_reference() {
    for (k, case) in CASES.iter().enumerate() {
        let s = shape(case);
        let mut rng = Rng(4000 + k as u64);
        let (x, dout) = (rng.vec(x_len(&s)), rng.vec(out_len(&s)));
        let (want_w, want_b) = conv2d_backward_weight_reference(&x, &dout, s).unwrap();
        for threads in [1, 0] {
            let (mut dw, mut db) = (vec![f32::NAN; s.out_channels * s.patch()], vec![f32::NAN; s.out_channels]);
            conv2d_backward_weight(&x, &dout, &mut dw, Some(&mut db), s, threads).unwrap();
            assert_close(&dw, &want_w, &format!("{s:?} threads {threads}: dweight"));
            assert_close(&db, &want_b, &format!("{s:?} threads {threads}: dbias"));
            let mut alone = vec![f32::NAN; dw.len()];
            conv2d_backward_weight(&x, &dout, &mut alone, None, s, threads).unwrap();
            assert_eq!(alone, dw, "{s:?}: dweight without dbias");
        }
    }
}

#[test]
fn a_bigger_then_smaller_convolution_reuses_the_work_buffer_correctly() {
    // The work buffer keeps its size: stale columns of the big call must not leak into the small one.
    for case in [CASES[9], CASES[1], CASES[9]] {
        let s = shape(&case);
        let mut rng = Rng(77);
        let (x, w) = (rng.vec(x_len(&s)), rng.vec(s.out_channels * s.patch()));
        let mut out = vec![0.0; out_len(&s)];
        conv2d(&x, &w, None, &mut out, s, 1).unwrap();
        assert_close(&out, &conv2d_reference(&x, &w, None, s).unwrap(), &format!("{s:?}: out"));
    }
}

#[test]
fn bad_arguments_are_refused_with_the_kernel_and_argument_named() {
    let s = shape(&CASES[1]);
    let (x, w) = (vec![0.0; x_len(&s)], vec![0.0; s.out_channels * s.patch()]);
    let mut out = vec![0.0; out_len(&s)];
    let err = conv2d(&x[1..], &w, None, &mut out, s, 1).unwrap_err();
    assert_eq!(err.message(), "conv2d: x should hold 3x5x7x9 = 945 elements but holds 944");
    let err = conv2d(&x, &w, Some(&[0.0; 2]), &mut out, s, 1).unwrap_err();
    assert_eq!(err.message(), "conv2d: bias should hold 3 elements (channels) but holds 2");
    let err = conv2d_backward_input(&out[1..], &w, &mut vec![0.0; x.len()], s, 1).unwrap_err();
    assert!(err.message().starts_with("conv2dBackwardInput: dout should hold"), "{}", err.message());
    let err = conv2d_backward_weight(&x, &out, &mut [0.0; 3], None, s, 1).unwrap_err();
    assert!(err.message().starts_with("conv2dBackwardWeight: dweight should hold"), "{}", err.message());

    let big = Conv2dShape { kernel_h: 10, ..s };
    let err = conv2d(&x, &w, None, &mut out, big, 1).unwrap_err();
    assert_eq!(err.message(), "conv2d: kernelH 10 is larger than the padded height 9 (height 7 + 2·padH 1)");
    let err = conv2d(&x, &w, None, &mut out, Conv2dShape { stride_w: 0, ..s }, 1).unwrap_err();
    assert_eq!(err.message(), "conv2d: strideW should be at least 1 but is 0");
}
