//! bias_add and column_sum against their f64 references, at every SIMD level, on awkward shapes.

mod common;

use common::{assert_close, each_level, Rng, SHAPES};
use dlp_kernels::{bias_add, bias_add_in_place, bias_add_reference, column_sum, column_sum_reference};

#[test]
fn bias_add_matches_the_reference_in_and_out_of_place() {
    each_level(|level| {
        for (s, &(rows, cols)) in SHAPES.iter().enumerate() {
            let mut rng = Rng(100 + s as u64);
            let (x, bias) = (rng.vec(rows * cols), rng.vec(cols));
            let want = bias_add_reference(&x, &bias, rows, cols).unwrap();
            let scale = |i: usize| (x[i].abs() + bias[i % cols].abs()) as f64;
            let mut out = vec![f32::NAN; rows * cols];
            bias_add(&x, &bias, &mut out, rows, cols).unwrap();
            assert_close(&format!("{level:?} biasAdd {rows}x{cols}"), &out, &want, scale, 1e-7);
            let mut in_place = x.clone();
            bias_add_in_place(&mut in_place, &bias, rows, cols).unwrap();
            assert_eq!(in_place, out, "{level:?} {rows}x{cols}: in place differs");
        }
    });
}

#[test]
fn column_sum_matches_the_reference_for_every_beta() {
    // 600 rows cross the 256-row summation block; 37 columns are one 4-vector tile and a tail.
    let shapes = SHAPES.iter().copied().chain([(600, 37), (513, 3)]);
    each_level(|level| {
        for (s, (rows, cols)) in shapes.clone().enumerate() {
            for beta in [0.0, 1.0, -0.5] {
                let mut rng = Rng(200 + s as u64);
                let (x, out0) = (rng.vec(rows * cols), rng.vec(cols));
                let want = column_sum_reference(&x, &out0, rows, cols, beta).unwrap();
                let abs: Vec<f32> = x.iter().map(|v| v.abs()).collect();
                let abs_out: Vec<f32> = out0.iter().map(|v| v.abs()).collect();
                let scale = column_sum_reference(&abs, &abs_out, rows, cols, beta.abs()).unwrap();
                let mut out = out0.clone();
                column_sum(&x, &mut out, rows, cols, beta).unwrap();
                assert_close(
                    &format!("{level:?} columnSum {rows}x{cols} beta={beta}"),
                    &out,
                    &want,
                    |i| scale[i],
                    1e-6,
                );
            }
        }
    });
}

#[test]
fn column_sum_with_beta_zero_ignores_nan_in_out() {
    each_level(|level| {
        let mut out = [f32::NAN; 3];
        column_sum(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut out, 2, 3, 0.0).unwrap();
        assert_eq!(out, [5.0, 7.0, 9.0], "{level:?}");
    });
}

#[test]
fn wrong_lengths_name_the_argument() {
    let err = bias_add(&[0.0; 6], &[0.0; 2], &mut [0.0; 6], 2, 3).unwrap_err();
    assert_eq!(err.message(), "biasAdd: bias should hold 3 elements (cols) but holds 2");
    let err = bias_add(&[0.0; 6], &[0.0; 3], &mut [0.0; 5], 2, 3).unwrap_err();
    assert_eq!(err.message(), "biasAdd: out should hold 2x3 = 6 elements but holds 5");
    let err = bias_add_in_place(&mut [0.0; 7], &[0.0; 3], 2, 3).unwrap_err();
    assert_eq!(err.message(), "biasAdd: x should hold 2x3 = 6 elements but holds 7");
    let err = column_sum(&[0.0; 6], &mut [0.0; 2], 2, 3, 0.0).unwrap_err();
    assert_eq!(err.message(), "columnSum: out should hold 3 elements (cols) but holds 2");
}
