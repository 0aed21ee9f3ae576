//! copy_into_slice and copy_slice (concatenation's two copies) against their references: every
//! axis position (outer/inner of 1 included), empty slices, copies large enough to be split over
//! the pool, a concatenation assembled from its pieces and taken apart again; then the errors.

mod common;

use common::Rng;
use dlp_kernels::{copy_into_slice, copy_into_slice_reference, copy_slice, copy_slice_reference};

/// (outer, total, inner, offset, size).
const CASES: &[(usize, usize, usize, usize, usize)] = &[
    (32, 96, 64, 64, 32),  // DenseNet: a layer's 32 new channels after 64, 8×8 planes
    (1, 10, 7, 3, 4),      // dim 0
    (6, 9, 1, 8, 1),       // the last dim
    (3, 5, 4, 0, 5),       // the whole axis
    (3, 5, 4, 2, 0),       // an empty slice
    (0, 5, 4, 1, 2),       // nothing outside
    (64, 300, 64, 44, 256), // over a million floats: split over the pool
];

#[test]
fn both_copies_match_their_references() {
    for (k, &(outer, total, inner, offset, size)) in CASES.iter().enumerate() {
        let mut rng = Rng(400 + k as u64);
        let piece = rng.vec(outer * size * inner);
        let whole = rng.vec(outer * total * inner);

        let mut out = whole.clone();
        copy_into_slice(&piece, &mut out, outer, total, inner, offset, size).unwrap();
        let want = copy_into_slice_reference(&piece, &whole, outer, total, inner, offset, size).unwrap();
        assert!(out.iter().zip(&want).all(|(&g, &w)| g as f64 == w), "copyIntoSlice {:?}", CASES[k]);

        let mut part = vec![f32::NAN; piece.len()];
        copy_slice(&whole, &mut part, outer, total, inner, offset, size).unwrap();
        let want = copy_slice_reference(&whole, outer, total, inner, offset, size).unwrap();
        assert!(part.iter().zip(&want).all(|(&g, &w)| g as f64 == w), "copySlice {:?}", CASES[k]);
    }
}

#[test]
fn a_concatenation_is_assembled_and_taken_apart() {
    // [2, 3, 4] ++ [2, 1, 4] ++ [2, 5, 4] along dim 1.
    let sizes = [3, 1, 5];
    let (outer, inner, total) = (2, 4, 9);
    let pieces: Vec<Vec<f32>> = sizes.iter().enumerate().map(|(k, &s)| Rng(k as u64).vec(outer * s * inner)).collect();
    let mut whole = vec![f32::NAN; outer * total * inner];
    let mut offset = 0;
    for (piece, &size) in pieces.iter().zip(&sizes) {
        copy_into_slice(piece, &mut whole, outer, total, inner, offset, size).unwrap();
        offset += size;
    }
    assert!(whole.iter().all(|v| !v.is_nan()), "every element written");
    // Row o of the whole is the pieces' rows o side by side.
    for o in 0..outer {
        let row: Vec<f32> = pieces.iter().zip(&sizes).flat_map(|(p, &s)| p[o * s * inner..][..s * inner].to_vec()).collect();
        assert_eq!(&whole[o * total * inner..][..total * inner], &row[..]);
    }
    let mut offset = 0;
    for (piece, &size) in pieces.iter().zip(&sizes) {
        let mut back = vec![0.0; piece.len()];
        copy_slice(&whole, &mut back, outer, total, inner, offset, size).unwrap();
        assert_eq!(&back, piece);
        offset += size;
    }
}

#[test]
fn bad_arguments_are_refused() {
    let (x, mut out) = (vec![0.0; 2 * 3 * 4], vec![0.0; 2 * 5 * 4]);
    let err = copy_into_slice(&x, &mut out, 2, 5, 4, 3, 3).unwrap_err();
    assert_eq!(err.message(), "copyIntoSlice: the slice at offset 3 of size 3 ends past the axis of 5");
    let err = copy_into_slice(&x[1..], &mut out, 2, 5, 4, 0, 3).unwrap_err();
    assert_eq!(err.message(), "copyIntoSlice: x should hold 2x3x4 = 24 elements but holds 23");
    let err = copy_into_slice(&x, &mut out[..39], 2, 5, 4, 0, 3).unwrap_err();
    assert_eq!(err.message(), "copyIntoSlice: out should hold 2x5x4 = 40 elements but holds 39");
    let mut piece = vec![0.0; 24];
    let err = copy_slice(&out, &mut piece, 2, 5, 4, 4, 3).unwrap_err();
    assert_eq!(err.message(), "copySlice: the slice at offset 4 of size 3 ends past the axis of 5");
    let err = copy_slice(&out[..39], &mut piece, 2, 5, 4, 0, 3).unwrap_err();
    assert_eq!(err.message(), "copySlice: x should hold 2x5x4 = 40 elements but holds 39");
    let err = copy_slice(&out, &mut piece[..23], 2, 5, 4, 0, 3).unwrap_err();
    assert_eq!(err.message(), "copySlice: out should hold 2x3x4 = 24 elements but holds 23");
}
