//! unary and unary_backward against their f64 references for every op, at every SIMD level, on
//! every tail length, in and out of place; tanh and sigmoid over their whole f32 range.

mod common;

use common::{assert_close, each_level, Rng, LENGTHS};
use dlp_kernels::{
    unary, unary_backward, unary_backward_in_place, unary_backward_reference, unary_in_place, unary_reference, UnaryOp,
};

/// Inputs where the op is defined: positive for log and sqrt; elsewhere zeros, values near 0
/// and saturating ones mixed in.
fn inputs(op: UnaryOp, rng: &mut Rng, len: usize) -> Vec<f32> {
    let mut x = rng.scaled(len, 6.0);
    if matches!(op, UnaryOp::Log | UnaryOp::Sqrt) {
        return x.iter().map(|v| v.abs() + 1e-3).collect();
    }
    let specials = [0.0, -0.0, -1e-6, 1e-6, -3e-4, -20.0, 20.0, -90.0, 90.0, 1e-30];
    for (v, s) in x.iter_mut().step_by(3).zip(specials) {
        *v = s;
    }
    x
}

#[test]
fn unary_matches_the_reference_in_and_out_of_place() {
    each_level(|level| {
        for op in UnaryOp::ALL {
            for (s, &len) in LENGTHS.iter().enumerate() {
                // exp's overflow to ∞ is math.rs's test; here results stay finite.
                let x: Vec<f32> = inputs(op, &mut Rng(500 + s as u64), len).iter().map(|v| v.min(80.0)).collect();
                let want = unary_reference(op, &x);
                let mut out = vec![f32::NAN; len];
                unary(op, &x, &mut out).unwrap();
                let what = format!("{level:?} {} len={len}", op.name());
                assert_close(&what, &out, &want, |i| want[i].abs(), 4e-7);
                let mut in_place = x.clone();
                unary_in_place(op, &mut in_place);
                assert_eq!(in_place, out, "{what}: in place differs");
            }
        }
    });
}

#[test]
fn unary_backward_matches_the_reference_in_and_out_of_place() {
    each_level(|level| {
        for op in UnaryOp::ALL {
            for (s, &len) in LENGTHS.iter().enumerate() {
                let mut rng = Rng(600 + s as u64);
                let x: Vec<f32> = inputs(op, &mut rng, len).iter().map(|v| v.clamp(-80.0, 80.0)).collect();
                let y: Vec<f32> = unary_reference(op, &x).iter().map(|&v| v as f32).collect();
                let dout = rng.vec(len);
                let want = unary_backward_reference(op, &x, &y, &dout).unwrap();
                let mut dx = vec![f32::NAN; len];
                unary_backward(op, &x, &y, &dout, &mut dx).unwrap();
                let what = format!("{level:?} {}Backward len={len}", op.name());
                assert_close(&what, &dx, &want, |i| want[i].abs(), 4e-7);
                let mut in_place = dout.clone();
                unary_backward_in_place(op, &x, &y, &mut in_place).unwrap();
                assert_eq!(in_place, dx, "{what}: in place differs");
            }
        }
    });
}

#[test]
fn tanh_and_sigmoid_are_accurate_over_the_f32_range() {
    let x: Vec<f32> = (0..400_001).map(|i| -100.0 + i as f32 * 5e-4).chain([1e-30, -1e-30, 1e-8, -1e-8]).collect();
    each_level(|level| {
        for (op, tol) in [(UnaryOp::Tanh, 4e-7), (UnaryOp::Sigmoid, 4e-7)] {
            let want = unary_reference(op, &x);
            let mut out = vec![0.0; x.len()];
            unary(op, &x, &mut out).unwrap();
            // Relative to the result, subnormal sigmoids (x < −87) aside.
            let scale = |i: usize| want[i].abs().max(1e-37);
            assert_close(&format!("{level:?} {}", op.name()), &out, &want, scale, tol);
        }
    });
}

#[test]
fn nan_stays_nan_and_relu_keeps_it() {
    each_level(|level| {
        for op in UnaryOp::ALL {
            let mut out = [0.0; 1];
            unary(op, &[f32::NAN], &mut out).unwrap();
            assert!(out[0].is_nan(), "{level:?} {}(NaN) = {}", op.name(), out[0]);
        }
        let mut out = [0.0; 3];
        unary(UnaryOp::Tanh, &[f32::INFINITY, f32::NEG_INFINITY, 0.0], &mut out).unwrap();
        assert_eq!(out, [1.0, -1.0, 0.0], "{level:?}");
        unary(UnaryOp::Sigmoid, &[f32::INFINITY, f32::NEG_INFINITY, 0.0], &mut out).unwrap();
        assert_eq!(out, [1.0, 0.0, 0.5], "{level:?}");
    });
}

#[test]
fn wrong_lengths_and_ops_name_the_argument() {
    let err = unary(UnaryOp::Exp, &[0.0; 4], &mut [0.0; 3]).unwrap_err();
    assert_eq!(err.message(), "unary: out should hold 4 elements (as many as x) but holds 3");
    let err = unary_backward(UnaryOp::Tanh, &[0.0; 4], &[0.0; 5], &[0.0; 4], &mut [0.0; 4]).unwrap_err();
    assert_eq!(err.message(), "unaryBackward: y should hold 4 elements (as many as x) but holds 5");
    let err = unary_backward(UnaryOp::Tanh, &[0.0; 4], &[0.0; 4], &[0.0; 4], &mut [0.0; 2]).unwrap_err();
    assert_eq!(err.message(), "unaryBackward: dx should hold 4 elements (as many as x) but holds 2");
    let err = UnaryOp::parse("unary", "abs").unwrap_err();
    assert_eq!(err.message(), "unary: op 'abs' is not one of neg, exp, log, sqrt, relu, tanh, sigmoid");
}
