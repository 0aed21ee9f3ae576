//! reduce_sum against its f64 reference at every SIMD level: every axis pattern of rank-3 and
//! rank-4 tensors with odd sizes (each fast path: row sums, column sums, blocked column sums,
//! totals, and the general loop), size-1 and empty axes, and beta 0 (NaN ignored), 1 and −0.5.

mod common;

use common::{assert_close, each_level, Rng};
use dlp_kernels::{reduce_sum, reduce_sum_reference};

fn patterns(rank: usize) -> impl Iterator<Item = Vec<bool>> {
    (0..1u32 << rank).map(move |m| (0..rank).map(|d| m & (1 << d) != 0).collect())
}

fn cases() -> Vec<(Vec<usize>, Vec<bool>)> {
    let mut cases = Vec::new();
    for shape in [vec![3, 4, 5], vec![7, 1, 9], vec![2, 3, 4, 5], vec![3, 2, 1, 33]] {
        for axes in patterns(shape.len()) {
            cases.push((shape.clone(), axes));
        }
    }
    cases.extend([
        (vec![128, 1024], vec![true, false]),
        (vec![128, 1024], vec![false, true]),
        (vec![128, 1024], vec![true, true]),
        (vec![300, 7], vec![true, false]),
        (vec![5000], vec![true]),
        (vec![], vec![]),
        (vec![0, 3], vec![true, false]),
        (vec![4, 0], vec![false, true]),
    ]);
    cases
}

#[test]
fn reduce_sum_matches_the_reference_on_every_axis_pattern() {
    each_level(|level| {
        for (k, (shape, axes)) in cases().iter().enumerate() {
            for beta in [0.0, 1.0, -0.5] {
                let mut rng = Rng(1000 + k as u64);
                let x = rng.vec(shape.iter().product());
                let kept: usize = shape.iter().zip(axes).filter(|(_, &a)| !a).map(|(&d, _)| d).product();
                let mut out = rng.vec(kept);
                if beta == 0.0 {
                    out.fill(f32::NAN); // beta = 0 ignores out's old contents
                }
                let want = reduce_sum_reference(&x, shape, axes, &out, beta).unwrap();
                let abs: Vec<f32> = x.iter().map(|v| v.abs()).collect();
                let old: Vec<f32> = out.iter().map(|v| if beta == 0.0 { 0.0 } else { v.abs() }).collect();
                let magnitude = reduce_sum_reference(&abs, shape, axes, &old, beta.abs()).unwrap();
                reduce_sum(&x, shape, axes, &mut out, beta).unwrap();
                let what = format!("{level:?} reduceSum {shape:?} axes {axes:?} beta {beta}");
                assert_close(&what, &out, &want, |i| magnitude[i], 1e-6);
            }
        }
    });
}

#[test]
fn wrong_lengths_name_the_argument() {
    let err = reduce_sum(&[0.0; 6], &[2, 3], &[true, false, true], &mut [0.0; 3], 0.0).unwrap_err();
    assert_eq!(err.message(), "reduceSum: axes should hold 2 entries (one per axis of shape [2,3]) but holds 3");
    let err = reduce_sum(&[0.0; 7], &[2, 3], &[true, true], &mut [0.0; 1], 0.0).unwrap_err();
    assert_eq!(err.message(), "reduceSum: x should hold 6 elements (shape [2,3]) but holds 7");
    let err = reduce_sum(&[0.0; 6], &[2, 3], &[true, false], &mut [0.0; 2], 0.0).unwrap_err();
    assert_eq!(err.message(), "reduceSum: out should hold 3 elements (shape [3]) but holds 2");
}
