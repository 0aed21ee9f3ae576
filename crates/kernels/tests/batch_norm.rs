//! batch_norm_train/inference/backward against their f64 references, at every SIMD level, on
//! BatchNorm1d ([N, C, 1]) and BatchNorm2d-like ([N, C, H·W]) shapes with odd sizes, with and
//! without the optional arguments, on one thread and on the whole pool.

mod common;

use common::{assert_close, check_or_untouched, each_level, Rng};
use dlp_kernels::{
    batch_norm_backward, batch_norm_backward_reference, batch_norm_inference, batch_norm_inference_reference,
    batch_norm_train, batch_norm_train_reference, BatchNormBackward, BatchNormInference, BatchNormShape, BatchNormTrain,
};

/// [outer, channels, inner]: vector tails across channels (inner 1) and within them (inner > 1),
/// one sample, the MLP's [128, 3072, 1], large enough to be split over threads, and runs longer
/// than the f32 lanes are kept before they move into f64 (256 floats), as the ConvNet's 32×32.
const SHAPES: &[(usize, usize, usize)] = &[
    (7, 5, 1),
    (4, 3, 6),
    (128, 64, 1),
    (2, 3, 9),
    (3, 2, 17),
    (1, 4, 5),
    (16, 40, 33),
    (128, 3072, 1),
    (3, 4, 300),
    (8, 16, 1024),
];

/// 1 thread, then all of the pool (0): the split over channels must not change a bit.
const THREADS: [usize; 2] = [1, 0];

fn shape((outer, channels, inner): (usize, usize, usize)) -> BatchNormShape {
    BatchNormShape { outer, channels, inner }
}

/// Channel of element j.
fn channel_of(s: BatchNormShape, j: usize) -> usize {
    (j / s.inner) % s.channels
}

/// Seeded inputs: x with an offset of 3 and a spread of 2 (the mean must not cost the variance
/// its digits), gamma around 1, beta, running statistics.
struct Inputs {
    x: Vec<f32>,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    running_mean: Vec<f32>,
    running_var: Vec<f32>,
}

fn inputs(s: BatchNormShape, seed: u64) -> Inputs {
    let mut rng = Rng(seed);
    let c = s.channels;
    Inputs {
        x: rng.vec(s.per_channel() * c).iter().map(|v| 3.0 + 2.0 * v).collect(),
        gamma: rng.vec(c).iter().map(|v| 1.0 + v).collect(),
        beta: rng.vec(c),
        running_mean: rng.vec(c),
        running_var: rng.vec(c).iter().map(|v| 1.0 + 0.5 * v).collect(),
    }
}

#[test]
fn batch_norm_train_matches_the_reference() {
    each_level(|level| {
        for (k, &dims) in SHAPES.iter().enumerate() {
            let s = shape(dims);
            let inp = inputs(s, 700 + k as u64);
            for (affine, running) in [(true, true), (false, true), (true, false), (false, false)] {
                let mut first: Option<Vec<f32>> = None;
                for threads in THREADS {
                    let what = format!("{level:?} batchNormTrain {dims:?} affine={affine} running={running} threads={threads}");
                    let (mut out, mut mean, mut inv_std) =
                        (vec![f32::NAN; inp.x.len()], vec![f32::NAN; s.channels], vec![f32::NAN; s.channels]);
                    let (mut rm, mut rv) = (inp.running_mean.clone(), inp.running_var.clone());
                    let args = BatchNormTrain {
                        x: &inp.x,
                        shape: s,
                        gamma: affine.then_some(&inp.gamma[..]),
                        beta: affine.then_some(&inp.beta[..]),
                        eps: 1e-5,
                        out: &mut out,
                        mean: &mut mean,
                        inv_std: &mut inv_std,
                        running_mean: running.then_some(&mut rm[..]),
                        running_var: running.then_some(&mut rv[..]),
                        momentum: 0.1,
                    };
                    let want = batch_norm_train_reference(&args).unwrap();
                    batch_norm_train(args, threads).unwrap();
                    // Rounding the mean to f32 shifts x − mean by ε·|mean|: out is judged against that too.
                    let scale = |j: usize| {
                        let c = channel_of(s, j);
                        let g = if affine { inp.gamma[c].abs() as f64 } else { 1.0 };
                        let b = if affine { inp.beta[c].abs() as f64 } else { 0.0 };
                        g * want.inv_std[c] * ((inp.x[j] as f64 - want.mean[c]).abs() + want.mean[c].abs()) + b
                    };
                    assert_close(&format!("{what} out"), &out, &want.out, scale, 1e-6);
                    assert_close(&format!("{what} mean"), &mean, &want.mean, |c| want.mean[c].abs() + 1.0, 1e-6);
                    assert_close(&format!("{what} invStd"), &inv_std, &want.inv_std, |c| want.inv_std[c], 1e-6);
                    if running {
                        let (want_rm, want_rv) = (want.running_mean.unwrap(), want.running_var.unwrap());
                        assert_close(&format!("{what} runningMean"), &rm, &want_rm, |c| want_rm[c].abs() + 1.0, 1e-6);
                        assert_close(&format!("{what} runningVar"), &rv, &want_rv, |c| want_rv[c], 1e-6);
                    } else {
                        assert_eq!((rm.clone(), rv.clone()), (inp.running_mean.clone(), inp.running_var.clone()), "{what}");
                    }
                    match &first {
                        None => first = Some(out),
                        Some(one_thread) => assert_eq!(one_thread, &out, "{what}: differs from one thread"),
                    }
                }
            }
        }
    });
}

#[test]
fn batch_norm_inference_matches_the_reference() {
    each_level(|level| {
        for (k, &dims) in SHAPES.iter().enumerate() {
            let s = shape(dims);
            let inp = inputs(s, 800 + k as u64);
            for affine in [true, false] {
                for threads in THREADS {
                    let mut out = vec![f32::NAN; inp.x.len()];
                    let args = BatchNormInference {
                        x: &inp.x,
                        shape: s,
                        running_mean: &inp.running_mean,
                        running_var: &inp.running_var,
                        gamma: affine.then_some(&inp.gamma[..]),
                        beta: affine.then_some(&inp.beta[..]),
                        eps: 1e-5,
                        out: &mut out,
                    };
                    let want = batch_norm_inference_reference(&args).unwrap();
                    batch_norm_inference(args, threads).unwrap();
                    let scale = |j: usize| {
                        let c = channel_of(s, j);
                        let g = if affine { inp.gamma[c].abs() as f64 } else { 1.0 };
                        let b = if affine { inp.beta[c].abs() as f64 } else { 0.0 };
                        g / (inp.running_var[c] as f64 + 1e-5).sqrt() * (inp.x[j].abs() + inp.running_mean[c].abs()) as f64 + b
                    };
                    let what = format!("{level:?} batchNormInference {dims:?} affine={affine} threads={threads}");
                    assert_close(&what, &out, &want, scale, 1e-6);
                }
            }
        }
    });
}

#[test]
fn batch_norm_backward_matches_the_reference_for_each_output() {
    // Which of dx, dgamma, dbeta to ask for, and whether gamma is given.
    let cases = [([true, true, true], true), ([true, false, false], false), ([false, true, false], true), ([false, false, true], true)];
    each_level(|level| {
        for (k, &dims) in SHAPES.iter().enumerate() {
            let s = shape(dims);
            let inp = inputs(s, 900 + k as u64);
            let dout = Rng(950 + k as u64).vec(inp.x.len());
            // The saved statistics, as the forward leaves them.
            let (mut mean, mut inv_std, mut scratch) = (vec![0.0; s.channels], vec![0.0; s.channels], vec![0.0; inp.x.len()]);
            let forward = BatchNormTrain {
                x: &inp.x,
                shape: s,
                gamma: None,
                beta: None,
                eps: 1e-5,
                out: &mut scratch,
                mean: &mut mean,
                inv_std: &mut inv_std,
                running_mean: None,
                running_var: None,
                momentum: 0.1,
            };
            batch_norm_train(forward, 1).unwrap();
            for ([want_dx, want_dgamma, want_dbeta], affine) in cases {
                for threads in THREADS {
                    let (mut dx, mut dgamma, mut dbeta) =
                        (vec![f32::NAN; inp.x.len()], vec![f32::NAN; s.channels], vec![f32::NAN; s.channels]);
                    let args = BatchNormBackward {
                        x: &inp.x,
                        dout: &dout,
                        shape: s,
                        mean: &mean,
                        inv_std: &inv_std,
                        gamma: affine.then_some(&inp.gamma[..]),
                        dx: want_dx.then_some(&mut dx[..]),
                        dgamma: want_dgamma.then_some(&mut dgamma[..]),
                        dbeta: want_dbeta.then_some(&mut dbeta[..]),
                    };
                    let want = batch_norm_backward_reference(&args).unwrap();
                    batch_norm_backward(args, threads).unwrap();
                    let what = format!("{level:?} batchNormBackward {dims:?} gamma={affine} threads={threads}");
                    // Σ|dout| and Σ|dout·x̂| per channel: the sums' rounding errors grow with these.
                    let (mut abs_dout, mut abs_dout_xhat) = (vec![0.0f64; s.channels], vec![0.0f64; s.channels]);
                    let xhat = |j: usize| (inp.x[j] as f64 - mean[channel_of(s, j)] as f64) * inv_std[channel_of(s, j)] as f64;
                    for (j, &d) in dout.iter().enumerate() {
                        abs_dout[channel_of(s, j)] += d.abs() as f64;
                        abs_dout_xhat[channel_of(s, j)] += (d as f64 * xhat(j)).abs();
                    }
                    check_or_untouched(&format!("{what} dbeta"), want_dbeta, &dbeta, &want.dbeta, |c| abs_dout[c], 1e-6);
                    check_or_untouched(&format!("{what} dgamma"), want_dgamma, &dgamma, &want.dgamma, |c| abs_dout_xhat[c], 1e-6);
                    let n = s.per_channel() as f64;
                    let dx_scale = |j: usize| {
                        let c = channel_of(s, j);
                        let g = if affine { inp.gamma[c].abs() as f64 } else { 1.0 };
                        g * inv_std[c] as f64 * (dout[j].abs() as f64 + abs_dout[c] / n + xhat(j).abs() * abs_dout_xhat[c] / n)
                    };
                    check_or_untouched(&format!("{what} dx"), want_dx, &dx, &want.dx, dx_scale, 1e-6);
                }
            }
        }
    });
}

#[test]
fn batch_norm_of_a_large_offset_keeps_the_variance() {
    // Mean 1000, spread 1e-2, 128 values per channel: f64 sums of x − x₀ lose nothing.
    let s = shape((128, 40, 1));
    let x: Vec<f32> = Rng(990).vec(s.per_channel() * s.channels).iter().map(|v| 1000.0 + 0.01 * v).collect();
    let (mut out, mut mean, mut inv_std) = (vec![0.0; x.len()], vec![0.0; s.channels], vec![0.0; s.channels]);
    let args = BatchNormTrain {
        x: &x,
        shape: s,
        gamma: None,
        beta: None,
        eps: 0.0,
        out: &mut out,
        mean: &mut mean,
        inv_std: &mut inv_std,
        running_mean: None,
        running_var: None,
        momentum: 0.1,
    };
    let want = batch_norm_train_reference(&args).unwrap();
    batch_norm_train(args, 0).unwrap();
    assert_close("invStd", &inv_std, &want.inv_std, |c| want.inv_std[c], 1e-6);
}

#[test]
fn closed_form_of_two_values_and_the_unbiased_running_variance() {
    let (mut out, mut mean, mut inv_std, mut rm, mut rv) = ([0.0; 2], [0.0], [0.0], [0.0], [1.0]);
    batch_norm_train(
        BatchNormTrain {
            x: &[1.0, 3.0],
            shape: shape((2, 1, 1)),
            gamma: Some(&[2.0]),
            beta: Some(&[0.5]),
            eps: 0.0,
            out: &mut out,
            mean: &mut mean,
            inv_std: &mut inv_std,
            running_mean: Some(&mut rm),
            running_var: Some(&mut rv),
            momentum: 0.1,
        },
        0,
    )
    .unwrap();
    assert_eq!((out, mean, inv_std), ([-1.5, 2.5], [2.0], [1.0]));
    assert_eq!((rm, rv), ([0.2], [1.1]));
}

/// batchNormTrain's error for x of `x_len` values shaped `dims`, with a runningVar of `running_var` values.
fn train_error(x_len: usize, dims: (usize, usize, usize), running_var: Option<usize>) -> String {
    let (x, mut out, mut mean, mut inv_std) = (vec![0.0f32; x_len], vec![0.0f32; x_len], [0.0f32; 3], [0.0f32; 3]);
    let mut rv = vec![1.0f32; running_var.unwrap_or(0)];
    let args = BatchNormTrain {
        x: &x,
        shape: shape(dims),
        gamma: None,
        beta: None,
        eps: 1e-5,
        out: &mut out,
        mean: &mut mean,
        inv_std: &mut inv_std,
        running_mean: None,
        running_var: running_var.map(|_| &mut rv[..]),
        momentum: 0.1,
    };
    batch_norm_train(args, 1).unwrap_err().message().to_string()
}

#[test]
fn wrong_arguments_name_the_kernel_and_the_argument() {
    assert_eq!(train_error(11, (2, 3, 2), None), "batchNormTrain: x should hold 2x3x2 = 12 elements but holds 11");
    assert_eq!(
        train_error(12, (2, 3, 2), Some(2)),
        "batchNormTrain: runningVar should hold 3 elements (channels) but holds 2"
    );
    assert_eq!(
        train_error(3, (1, 3, 1), Some(3)),
        "batchNormTrain: runningVar needs at least 2 values per channel (outer·inner) but there are 1"
    );
    let s = shape((2, 3, 2));
    let (x, mut out, mean, inv_std) = ([0.0f32; 12], [0.0f32; 12], [0.0f32; 3], [0.0f32; 3]);
    let err = batch_norm_inference(
        BatchNormInference {
            x: &x,
            shape: s,
            running_mean: &[0.0; 3],
            running_var: &[1.0; 3],
            gamma: Some(&[1.0; 2]),
            beta: None,
            eps: 1e-5,
            out: &mut out,
        },
        1,
    )
    .unwrap_err();
    assert_eq!(err.message(), "batchNormInference: gamma should hold 3 elements (channels) but holds 2");
    let mut dgamma = [0.0f32; 4];
    let err = batch_norm_backward(
        BatchNormBackward {
            x: &x,
            dout: &x,
            shape: s,
            mean: &mean,
            inv_std: &inv_std,
            gamma: None,
            dx: None,
            dgamma: Some(&mut dgamma),
            dbeta: None,
        },
        1,
    )
    .unwrap_err();
    assert_eq!(err.message(), "batchNormBackward: dgamma should hold 3 elements (channels) but holds 4");
}
