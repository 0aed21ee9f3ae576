//! sgd_step and adam_step against their f64 references, at every SIMD level, on every tail
//! length and one long enough to be split over threads: every SGD option combination on a first
//! and a later step, Adam steps 1 to 3 with and without weight decay.

mod common;

use common::{assert_close, each_level, Rng, LENGTHS};
use dlp_kernels::{adam_step, adam_step_reference, sgd_step, sgd_step_reference, AdamStep, SgdStep};

/// The common lengths plus one that the thread pool splits (over 2·2^15 elements).
fn lengths() -> impl Iterator<Item = usize> {
    LENGTHS.iter().copied().chain([100_003])
}

#[test]
fn sgd_step_matches_the_reference_for_every_option() {
    each_level(|level| {
        for len in lengths() {
            let mut rng = Rng(1500 + len as u64);
            let (param0, grad, buf0) = (rng.vec(len), rng.vec(len), rng.vec(len));
            for momentum in [0.0, 0.9] {
                for dampening in [0.0, 0.1] {
                    for nesterov in [false, true] {
                        for weight_decay in [0.0, 1e-2] {
                            for first_step in [true, false] {
                                for threads in [1, 0] {
                                    let (mut param, mut buf) = (param0.clone(), buf0.clone());
                                    let args = SgdStep {
                                        param: &mut param,
                                        grad: &grad,
                                        momentum_buffer: (momentum != 0.0).then_some(&mut buf[..]),
                                        lr: 0.05,
                                        momentum,
                                        dampening,
                                        nesterov,
                                        weight_decay,
                                        first_step,
                                    };
                                    let want = sgd_step_reference(&args).unwrap();
                                    sgd_step(args, threads).unwrap();
                                    let what = format!(
                                        "{level:?} sgdStep len={len} momentum={momentum} dampening={dampening} \
                                         nesterov={nesterov} weightDecay={weight_decay} first={first_step} threads={threads}"
                                    );
                                    // |d| and |buf| before rounding bound their terms' rounding errors.
                                    let d = |i: usize| grad[i].abs() as f64 + weight_decay * param0[i].abs() as f64;
                                    let b = |i: usize| if first_step { d(i) } else { momentum * buf0[i].abs() as f64 + d(i) };
                                    let scale = |i: usize| param0[i].abs() as f64 + 0.05 * (d(i) + 2.0 * b(i));
                                    assert_close(&format!("{what} param"), &param, &want.param, scale, 2e-7);
                                    match want.momentum_buffer {
                                        Some(want_buf) => assert_close(&format!("{what} buffer"), &buf, &want_buf, b, 2e-7),
                                        None => assert_eq!(buf, buf0, "{what}: the buffer is not used without momentum"),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

#[test]
fn adam_steps_one_to_three_match_the_reference() {
    each_level(|level| {
        for len in lengths() {
            for weight_decay in [0.0, 0.1] {
                for threads in [1, 0] {
                    let mut rng = Rng(1600 + len as u64);
                    let (mut param, mut m, mut v) = (rng.vec(len), vec![0.0f32; len], vec![0.0f32; len]);
                    for step in 1..=3 {
                        let grad = rng.vec(len);
                        let (param0, m0, v0) = (param.clone(), m.clone(), v.clone());
                        let args = AdamStep {
                            param: &mut param,
                            grad: &grad,
                            exp_avg: &mut m,
                            exp_avg_sq: &mut v,
                            lr: 1e-3,
                            beta1: 0.9,
                            beta2: 0.999,
                            eps: 1e-8,
                            weight_decay,
                            step: step as f64,
                        };
                        let want = adam_step_reference(&args).unwrap();
                        adam_step(args, threads).unwrap();
                        let what = format!("{level:?} adamStep len={len} step={step} weightDecay={weight_decay} threads={threads}");
                        let g = |i: usize| grad[i].abs() as f64 + weight_decay * param0[i].abs() as f64;
                        assert_close(&format!("{what} expAvg"), &m, &want.exp_avg, |i| 0.9 * m0[i].abs() as f64 + 0.1 * g(i), 2e-7);
                        // g = grad + weightDecay·param cancels: g² is judged against (|grad| + weightDecay·|param|)².
                        let v_scale = |i: usize| 0.999 * v0[i] as f64 + 0.001 * g(i) * g(i);
                        assert_close(&format!("{what} expAvgSq"), &v, &want.exp_avg_sq, v_scale, 5e-7);
                        // The update's relative error is a few ε (m, v, √, ÷, ·); judged against |param| + |update|.
                        let scale = |i: usize| param0[i].abs() as f64 + (want.param[i] - param0[i] as f64).abs();
                        assert_close(&format!("{what} param"), &param, &want.param, scale, 6e-7);
                    }
                }
            }
        }
    });
}

#[test]
fn wrong_arguments_name_the_kernel_and_the_argument() {
    let sgd = |param: &mut [f32], grad: &[f32], buf: Option<&mut [f32]>| {
        sgd_step(
            SgdStep {
                param,
                grad,
                momentum_buffer: buf,
                lr: 0.1,
                momentum: 0.9,
                dampening: 0.0,
                nesterov: false,
                weight_decay: 0.0,
                first_step: true,
            },
            1,
        )
        .unwrap_err()
        .message()
        .to_string()
    };
    assert_eq!(sgd(&mut [0.0; 4], &[0.0; 3], Some(&mut [0.0; 4])), "sgdStep: grad should hold 4 elements (as many as param) but holds 3");
    assert_eq!(
        sgd(&mut [0.0; 4], &[0.0; 4], Some(&mut [0.0; 5])),
        "sgdStep: momentumBuffer should hold 4 elements (as many as param) but holds 5"
    );
    assert_eq!(sgd(&mut [0.0; 4], &[0.0; 4], None), "sgdStep: momentumBuffer is required when momentum is not 0");
    let adam = |exp_avg_sq: &mut [f32], step: f64| {
        adam_step(
            AdamStep {
                param: &mut [0.0; 4],
                grad: &[0.0; 4],
                exp_avg: &mut [0.0; 4],
                exp_avg_sq,
                lr: 1e-3,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
                step,
            },
            1,
        )
        .unwrap_err()
        .message()
        .to_string()
    };
    assert_eq!(adam(&mut [0.0; 3], 1.0), "adamStep: expAvgSq should hold 4 elements (as many as param) but holds 3");
    assert_eq!(adam(&mut [0.0; 4], 0.0), "adamStep: step should be an integer >= 1 (steps count from 1) but is 0");
    assert_eq!(adam(&mut [0.0; 4], 1.5), "adamStep: step should be an integer >= 1 (steps count from 1) but is 1.5");
}
