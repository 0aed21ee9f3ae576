//! Batches of uint8 images as float32 network input: gathers rows by index and subtracts the
//! mean image, out[r][j] = pixels[indices[r]·d + j] − mean[j] for an N×d uint8 array (d = 3072
//! for CIFAR-10's CHW images) and a d-value mean. One pass, no float copy of the whole set.

use crate::check;
use crate::error::KernelError;
use crate::simd::{dispatch, Simd, SimdKernel};
use crate::threads::{for_each_range, SharedMut};

/// Rows per thread below which a second thread costs more than it saves (a row is 3072 floats
/// for CIFAR-10: 32 rows are about 0.4 MB written).
const MIN_PART_ELEMENTS: usize = 1 << 17;

/// Gathers `indices.len()` rows of `pixels` (rows of `mean.len()` bytes), centred on `mean`, on
/// up to `threads` threads (0 = all of the shared pool). Every value is one exact subtraction, so
/// the result does not depend on the split or the SIMD level.
pub fn gather_center_u8(pixels: &[u8], indices: &[u32], mean: &[f32], out: &mut [f32], threads: usize) -> Result<(), KernelError> {
    const KERNEL: &str = "gatherCenter";
    let d = mean.len();
    if d == 0 {
        return Err(KernelError::new(format!("{KERNEL}: mean is empty")));
    }
    if !pixels.len().is_multiple_of(d) {
        return Err(KernelError::new(format!(
            "{KERNEL}: pixels hold {} bytes, not a whole number of {d}-byte images",
            pixels.len()
        )));
    }
    check::matrix(KERNEL, "out", indices.len(), d, out.len())?;
    let images = pixels.len() / d;
    if let Some(&bad) = indices.iter().find(|&&i| i as usize >= images) {
        return Err(KernelError::new(format!("{KERNEL}: image index {bad} is outside {}", crate::check::index_range(images))));
    }
    // Threads: the images are scattered over the whole set (150 MB for CIFAR-10's training
    // split), so a step's gather waits on memory more than it computes; two threads keep twice
    // the misses in flight.
    let shared = SharedMut(out.as_mut_ptr());
    // Parts of whole rows, none under MIN_PART_ELEMENTS floats.
    for_each_range(indices.len(), threads, MIN_PART_ELEMENTS.div_ceil(d), |rows| {
        // SAFETY: each part writes only the rows of its own range, inside `out` (checked above).
        let out = unsafe { std::slice::from_raw_parts_mut(shared.ptr().add(rows.start * d), rows.len() * d) };
        dispatch(GatherRows { pixels, indices: &indices[rows], mean, out });
    });
    Ok(())
}

/// One part's rows; `run` is compiled inside each SIMD level's entry point, where the plain loop
/// vectorises with that level's instructions (u8 → f32 widening and a subtract per lane).
struct GatherRows<'a> {
    pixels: &'a [u8],
    indices: &'a [u32],
    mean: &'a [f32],
    out: &'a mut [f32],
}

impl SimdKernel for GatherRows<'_> {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let d = self.mean.len();
        for (row, &index) in self.out.chunks_exact_mut(d).zip(self.indices) {
            let image = &self.pixels[index as usize * d..][..d];
            for ((o, &p), &m) in row.iter_mut().zip(image).zip(self.mean) {
                *o = p as f32 - m;
            }
        }
    }
}

/// The obvious loop in f64, rounded once: the oracle for `gather_center_u8`.
pub fn gather_center_u8_reference(pixels: &[u8], indices: &[u32], mean: &[f32]) -> Vec<f32> {
    let d = mean.len();
    let mut out = Vec::with_capacity(indices.len() * d);
    for &index in indices {
        for j in 0..d {
            out.push((pixels[index as usize * d + j] as f64 - mean[j] as f64) as f32);
        }
    }
    out
}
