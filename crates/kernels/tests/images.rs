//! gather_center_u8 against its f64 reference, and its argument checks.

use dlp_kernels::{gather_center_u8, gather_center_u8_reference};

#[test]
fn gathers_rows_in_index_order_and_subtracts_the_mean() {
    let d = 37; // not a multiple of any SIMD width
    let pixels: Vec<u8> = (0..d * 9).map(|i| (i * 31 % 256) as u8).collect();
    let mean: Vec<f32> = (0..d).map(|j| j as f32 * 3.7 - 20.0).collect();
    let indices = [8u32, 0, 3, 3, 5];
    let mut out = vec![f32::NAN; indices.len() * d];
    gather_center_u8(&pixels, &indices, &mean, &mut out).unwrap();
    assert_eq!(out, gather_center_u8_reference(&pixels, &indices, &mean));
    assert_eq!(out[0], pixels[8 * d] as f32 - mean[0]);
}

#[test]
fn refuses_bad_arguments_naming_them() {
    let pixels = vec![0u8; 12];
    let mean = vec![0.0f32; 4];
    let mut out = vec![0.0f32; 8];
    let err = gather_center_u8(&pixels, &[0, 3], &mean, &mut out).unwrap_err();
    assert_eq!(err.message(), "gatherCenter: image index 3 is outside 0..2");
    let err = gather_center_u8(&pixels, &[0], &mean, &mut out).unwrap_err();
    assert_eq!(err.message(), "gatherCenter: out should hold 1x4 = 4 elements but holds 8");
    let err = gather_center_u8(&pixels[..11], &[0, 1], &mean, &mut out).unwrap_err();
    assert_eq!(err.message(), "gatherCenter: pixels hold 11 bytes, not a whole number of 4-byte images");
}
