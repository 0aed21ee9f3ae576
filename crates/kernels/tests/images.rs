//! gather_center_u8 against its f64 reference, and its argument checks.

use dlp_kernels::simd::{with_level, Level};
use dlp_kernels::{gather_center_u8, gather_center_u8_reference};

#[test]
fn gathers_rows_in_index_order_and_subtracts_the_mean() {
    let d = 37; // not a multiple of any SIMD width
    let pixels: Vec<u8> = (0..d * 9).map(|i| (i * 31 % 256) as u8).collect();
    let mean: Vec<f32> = (0..d).map(|j| j as f32 * 3.7 - 20.0).collect();
    let indices = [8u32, 0, 3, 3, 5];
    let mut out = vec![f32::NAN; indices.len() * d];
    gather_center_u8(&pixels, &indices, &mean, &mut out, 1).unwrap();
    assert_eq!(out, gather_center_u8_reference(&pixels, &indices, &mean));
    assert_eq!(out[0], pixels[8 * d] as f32 - mean[0]);
}

/// A batch big enough to be split over threads (MIN_PART_ELEMENTS is 2^17 floats), gathered at
/// every SIMD level on 1, 2 and all threads: the same values as the reference each time.
#[test]
fn a_split_batch_at_every_level_equals_the_reference() {
    let d = 3072;
    let pixels: Vec<u8> = (0..d * 300).map(|i| (i * 131 % 251) as u8).collect();
    let mean: Vec<f32> = (0..d).map(|j| (j % 256) as f32 * 0.37 + 0.1).collect();
    let indices: Vec<u32> = (0..203).map(|r| (r * 89 % 300) as u32).collect();
    let expected = gather_center_u8_reference(&pixels, &indices, &mean);
    for level in Level::available() {
        for threads in [1, 2, 0] {
            let mut out = vec![f32::NAN; indices.len() * d];
            with_level(level, || gather_center_u8(&pixels, &indices, &mean, &mut out, threads)).unwrap().unwrap();
            assert!(out == expected, "{} on {threads} threads differs from the reference", level.name());
        }
    }
}

#[test]
fn refuses_bad_arguments_naming_them() {
    let pixels = vec![0u8; 12];
    let mean = vec![0.0f32; 4];
    let mut out = vec![0.0f32; 8];
    let err = gather_center_u8(&pixels, &[0, 3], &mean, &mut out, 1).unwrap_err();
    assert_eq!(err.message(), "gatherCenter: image index 3 is outside 0..2");
    let err = gather_center_u8(&pixels, &[0], &mean, &mut out, 1).unwrap_err();
    assert_eq!(err.message(), "gatherCenter: out should hold 1x4 = 4 elements but holds 8");
    let err = gather_center_u8(&pixels[..11], &[0, 1], &mean, &mut out, 1).unwrap_err();
    assert_eq!(err.message(), "gatherCenter: pixels hold 11 bytes, not a whole number of 4-byte images");
}
