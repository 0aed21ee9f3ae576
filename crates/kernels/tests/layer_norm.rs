//! layer_norm and layer_norm_backward against their f64 references, at every SIMD level, on
//! awkward shapes (one column, partial vectors, rows longer than a summation block, more rows
//! than a dgamma/dbeta block), with and without gamma/beta and with each output alone.

mod common;

use common::{assert_close, check_or_untouched, each_level, Rng};
use dlp_kernels::{layer_norm, layer_norm_backward, layer_norm_backward_reference, layer_norm_reference, LayerNorm, LayerNormBackward};

/// rows×cols: 1 column, vector tails, rows past the 256-element block, 70 rows past the 32-row block.
const SHAPES: &[(usize, usize)] = &[(3, 1), (7, 5), (4, 18), (5, 33), (128, 64), (2, 3072), (70, 9), (3, 700)];

/// Seeded x (offset −3, spread 2), gamma around 1, beta.
fn inputs(rows: usize, cols: usize, seed: u64) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut rng = Rng(seed);
    let x = rng.vec(rows * cols).iter().map(|v| 2.0 * v - 3.0).collect();
    let gamma = rng.vec(cols).iter().map(|v| 1.0 + v).collect();
    (x, gamma, rng.vec(cols))
}

#[test]
fn layer_norm_matches_the_reference() {
    each_level(|level| {
        for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
            let (x, gamma, beta) = inputs(rows, cols, 1100 + k as u64);
            for affine in [true, false] {
                let (mut out, mut mean, mut inv_std) = (vec![f32::NAN; rows * cols], vec![f32::NAN; rows], vec![f32::NAN; rows]);
                let args = LayerNorm {
                    x: &x,
                    rows,
                    cols,
                    gamma: affine.then_some(&gamma[..]),
                    beta: affine.then_some(&beta[..]),
                    eps: 1e-5,
                    out: &mut out,
                    mean: &mut mean,
                    inv_std: &mut inv_std,
                };
                let want = layer_norm_reference(&args).unwrap();
                layer_norm(args).unwrap();
                let what = format!("{level:?} layerNorm {rows}x{cols} affine={affine}");
                // Rounding the mean to f32 shifts x − mean by ε·|mean|: out is judged against that too.
                let scale = |j: usize| {
                    let (r, c) = (j / cols, j % cols);
                    let g = if affine { gamma[c].abs() as f64 } else { 1.0 };
                    let b = if affine { beta[c].abs() as f64 } else { 0.0 };
                    g * want.inv_std[r] * ((x[j] as f64 - want.mean[r]).abs() + want.mean[r].abs()) + b
                };
                assert_close(&format!("{what} out"), &out, &want.out, scale, 2e-6);
                assert_close(&format!("{what} mean"), &mean, &want.mean, |r| want.mean[r].abs() + 1.0, 1e-6);
                assert_close(&format!("{what} invStd"), &inv_std, &want.inv_std, |r| want.inv_std[r], 2e-6);
            }
        }
    });
}

#[test]
fn layer_norm_of_a_large_offset_keeps_the_variance() {
    // Mean 1000, spread 1e-2: a one-pass Σx² − (Σx)²/n in f32 would lose every digit.
    each_level(|level| {
        let (rows, cols) = (2, 3072);
        let x: Vec<f32> = Rng(1200).vec(rows * cols).iter().map(|v| 1000.0 + 0.01 * v).collect();
        let (mut out, mut mean, mut inv_std) = (vec![0.0; rows * cols], vec![0.0; rows], vec![0.0; rows]);
        let args = LayerNorm {
            x: &x,
            rows,
            cols,
            gamma: None,
            beta: None,
            eps: 0.0,
            out: &mut out,
            mean: &mut mean,
            inv_std: &mut inv_std,
        };
        let want = layer_norm_reference(&args).unwrap();
        layer_norm(args).unwrap();
        assert_close(&format!("{level:?} invStd"), &inv_std, &want.inv_std, |r| want.inv_std[r], 1e-5);
    });
}

#[test]
fn layer_norm_backward_matches_the_reference_for_each_output() {
    let cases = [([true, true, true], true), ([true, false, false], false), ([false, true, false], true), ([false, false, true], false)];
    each_level(|level| {
        for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
            let (x, gamma, _) = inputs(rows, cols, 1300 + k as u64);
            let dout = Rng(1350 + k as u64).vec(rows * cols);
            let (mut mean, mut inv_std, mut scratch) = (vec![0.0; rows], vec![0.0; rows], vec![0.0; rows * cols]);
            let forward = LayerNorm {
                x: &x,
                rows,
                cols,
                gamma: None,
                beta: None,
                eps: 1e-5,
                out: &mut scratch,
                mean: &mut mean,
                inv_std: &mut inv_std,
            };
            layer_norm(forward).unwrap();
            for ([want_dx, want_dgamma, want_dbeta], affine) in cases {
                let (mut dx, mut dgamma, mut dbeta) = (vec![f32::NAN; rows * cols], vec![f32::NAN; cols], vec![f32::NAN; cols]);
                let args = LayerNormBackward {
                    x: &x,
                    dout: &dout,
                    rows,
                    cols,
                    mean: &mean,
                    inv_std: &inv_std,
                    gamma: affine.then_some(&gamma[..]),
                    dx: want_dx.then_some(&mut dx[..]),
                    dgamma: want_dgamma.then_some(&mut dgamma[..]),
                    dbeta: want_dbeta.then_some(&mut dbeta[..]),
                };
                let want = layer_norm_backward_reference(&args).unwrap();
                layer_norm_backward(args).unwrap();
                let what = format!("{level:?} layerNormBackward {rows}x{cols} gamma={affine}");
                let xhat = |j: usize| (x[j] as f64 - mean[j / cols] as f64) * inv_std[j / cols] as f64;
                let g = |j: usize| if affine { gamma[j % cols].abs() as f64 } else { 1.0 } * dout[j].abs() as f64;
                let (mut col_dout, mut col_dout_xhat) = (vec![0.0f64; cols], vec![0.0f64; cols]);
                let (mut row_g, mut row_g_xhat) = (vec![0.0f64; rows], vec![0.0f64; rows]);
                for j in 0..rows * cols {
                    col_dout[j % cols] += dout[j].abs() as f64;
                    col_dout_xhat[j % cols] += (dout[j] as f64 * xhat(j)).abs();
                    row_g[j / cols] += g(j);
                    row_g_xhat[j / cols] += g(j) * xhat(j).abs();
                }
                check_or_untouched(&format!("{what} dbeta"), want_dbeta, &dbeta, &want.dbeta, |c| col_dout[c], 2e-6);
                check_or_untouched(&format!("{what} dgamma"), want_dgamma, &dgamma, &want.dgamma, |c| col_dout_xhat[c], 2e-6);
                let n = cols as f64;
                let dx_scale = |j: usize| {
                    let r = j / cols;
                    inv_std[r] as f64 * (g(j) + row_g[r] / n + xhat(j).abs() * row_g_xhat[r] / n)
                };
                check_or_untouched(&format!("{what} dx"), want_dx, &dx, &want.dx, dx_scale, 2e-6);
            }
        }
    });
}

#[test]
fn wrong_arguments_name_the_kernel_and_the_argument() {
    let (mut out, mut mean, mut inv_std) = ([0.0f32; 6], [0.0f32; 2], [0.0f32; 3]);
    let err = layer_norm(LayerNorm {
        x: &[0.0; 6],
        rows: 2,
        cols: 3,
        gamma: None,
        beta: None,
        eps: 1e-5,
        out: &mut out,
        mean: &mut mean,
        inv_std: &mut inv_std,
    })
    .unwrap_err();
    assert_eq!(err.message(), "layerNorm: invStd should hold 2 elements (rows) but holds 3");
    let mut dx = [0.0f32; 5];
    let err = layer_norm_backward(LayerNormBackward {
        x: &[0.0; 6],
        dout: &[0.0; 6],
        rows: 2,
        cols: 3,
        mean: &[0.0; 2],
        inv_std: &[1.0; 2],
        gamma: None,
        dx: Some(&mut dx),
        dgamma: None,
        dbeta: None,
    })
    .unwrap_err();
    assert_eq!(err.message(), "layerNormBackward: dx should hold 2x3 = 6 elements but holds 5");
}
