//! max_along and max_along_backward against their references: ties resolve to the first index,
//! NaN wins (the first one), every [outer, size, inner] layout including size 1 and empty.

mod common;

use common::Rng;
use dlp_kernels::{max_along, max_along_backward, max_along_backward_reference, max_along_reference};

const SHAPES: &[(usize, usize, usize)] =
    &[(1, 7, 1), (3, 5, 4), (2, 9, 33), (4, 1, 3), (128, 10, 1), (0, 3, 2), (5, 0, 0)];

#[test]
fn max_along_matches_the_reference_with_ties_and_nan() {
    for (k, &(outer, size, inner)) in SHAPES.iter().enumerate() {
        // Quarters in [−1, 1]: many ties.
        let mut x: Vec<f32> =
            Rng(1100 + k as u64).vec(outer * size * inner).iter().map(|v| (v * 4.0).round() / 4.0).collect();
        for at in [17, 37, 38] {
            if at < x.len() {
                x[at] = f32::NAN;
            }
        }
        let (want, want_at) = max_along_reference(&x, outer, size, inner).unwrap();
        let (mut out, mut at) = (vec![0.0; outer * inner], vec![-7; outer * inner]);
        max_along(&x, outer, size, inner, &mut out, &mut at).unwrap();
        assert_eq!(at, want_at, "[{outer}, {size}, {inner}]: indices");
        for (i, (&g, &w)) in out.iter().zip(&want).enumerate() {
            assert!(g as f64 == w || (g.is_nan() && w.is_nan()), "[{outer}, {size}, {inner}] out[{i}] = {g}, want {w}");
        }

        let dout = Rng(1200 + k as u64).vec(outer * inner);
        let want = max_along_backward_reference(&dout, &at, outer, size, inner).unwrap();
        let mut dx = vec![9.0; outer * size * inner];
        max_along_backward(&dout, &at, outer, size, inner, &mut dx).unwrap();
        assert_eq!(dx.iter().map(|&v| v as f64).collect::<Vec<_>>(), want, "[{outer}, {size}, {inner}]: dx");
    }
}

#[test]
fn bad_arguments_name_the_argument() {
    let err = max_along(&[0.0; 23], 2, 3, 4, &mut [0.0; 8], &mut [0; 8]).unwrap_err();
    assert_eq!(err.message(), "maxAlong: x should hold 2x3x4 = 24 elements but holds 23");
    let err = max_along(&[0.0; 24], 2, 3, 4, &mut [0.0; 8], &mut [0; 7]).unwrap_err();
    assert_eq!(err.message(), "maxAlong: indices should hold 2x4 = 8 elements but holds 7");
    let err = max_along(&[], 2, 0, 1, &mut [0.0; 2], &mut [0; 2]).unwrap_err();
    assert_eq!(err.message(), "maxAlong: size is 0, so there is no maximum to take");
    let mut dx = [7.0; 6];
    let err = max_along_backward(&[1.0, 1.0], &[0, 3], 2, 3, 1, &mut dx).unwrap_err();
    assert_eq!(err.message(), "maxAlongBackward: indices[1] = 3 is not an index in 0..2");
    assert_eq!(dx, [7.0; 6], "nothing written");
}
