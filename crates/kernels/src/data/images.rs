//! Batches of uint8 images as float32 network input: gathers rows by index and subtracts the
//! mean image, out[r][j] = pixels[indices[r]·d + j] − mean[j] for an N×d uint8 array (d = 3072
//! for CIFAR-10's CHW images) and a d-value mean. One pass, no float copy of the whole set.

use crate::check;
use crate::error::KernelError;

/// Gathers `indices.len()` rows of `pixels` (rows of `mean.len()` bytes), centred on `mean`.
pub fn gather_center_u8(pixels: &[u8], indices: &[u32], mean: &[f32], out: &mut [f32]) -> Result<(), KernelError> {
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
    for (row, &index) in out.chunks_exact_mut(d).zip(indices) {
        let image = &pixels[index as usize * d..][..d];
        // A plain zip the compiler vectorises (u8 → f32 widening and a subtract per lane).
        for ((o, &p), &m) in row.iter_mut().zip(image).zip(mean) {
            *o = p as f32 - m;
        }
    }
    Ok(())
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
