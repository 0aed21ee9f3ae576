//! Slices along the middle axis of a tensor viewed as [outer, total, inner]: the two copies that
//! concatenation (`torch.cat`) is made of, along any dimension (outer = the product of the
//! dimensions before it, inner = of those after it).
//!
//! - `copy_into_slice`: out[o][offset + s][i] = x[o][s][i] for x [outer, size, inner]: one input
//!   of a concatenation written into its place in the output (the rest of out is left as it is).
//! - `copy_slice`: out[o][s][i] = x[o][offset + s][i], out [outer, size, inner]: that input's
//!   part of the output's gradient (the backward of the above; also `narrow`).
//!
//! Each (o) moves one contiguous run of size·inner floats (a memcpy); large copies split the
//! outer rows over the shared pool.

use crate::check;
use crate::error::KernelError;
use crate::threads::{parallel_map, parts, SharedMut};

const KI: &str = "copyIntoSlice";
const KS: &str = "copySlice";

/// Elements below which a part is not worth handing to another thread (a memcpy of 256 KiB).
const MIN_PART_ELEMENTS: usize = 65_536;

/// Where the slice lies: `offset + size` within the `total` of the middle axis.
fn check_slice(kernel: &str, total: usize, offset: usize, size: usize) -> Result<(), KernelError> {
    if offset as u64 + size as u64 > total as u64 {
        return Err(KernelError::new(format!(
            "{kernel}: the slice at offset {offset} of size {size} ends past the axis of {total}"
        )));
    }
    Ok(())
}

/// `copy_into_slice`'s checks, for every device that runs it: the slice inside the axis, x
/// [outer, size, inner] and out [outer, total, inner].
pub fn check_copy_into_slice(
    outer: usize,
    total: usize,
    inner: usize,
    offset: usize,
    size: usize,
    x_len: usize,
    out_len: usize,
) -> Result<(), KernelError> {
    check_slice(KI, total, offset, size)?;
    check::tensor(KI, "x", &[outer, size, inner], x_len)?;
    check::tensor(KI, "out", &[outer, total, inner], out_len)
}

/// `copy_slice`'s checks, for every device that runs it: the slice inside the axis, x
/// [outer, total, inner] and out [outer, size, inner].
pub fn check_copy_slice(
    outer: usize,
    total: usize,
    inner: usize,
    offset: usize,
    size: usize,
    x_len: usize,
    out_len: usize,
) -> Result<(), KernelError> {
    check_slice(KS, total, offset, size)?;
    check::tensor(KS, "x", &[outer, total, inner], x_len)?;
    check::tensor(KS, "out", &[outer, size, inner], out_len)
}

/// Runs `copy(o_range)` over the outer rows, split over the pool when the copy is large.
fn split_rows(outer: usize, row: usize, copy: impl Fn(std::ops::Range<usize>) + Sync) {
    let count = parts(outer.saturating_mul(row), 0, MIN_PART_ELEMENTS).min(outer.max(1));
    parallel_map(count, |part| copy(part * outer / count..(part + 1) * outer / count));
}

/// out[o][offset..offset + size][..] = x[o] (x [outer, size, inner], out [outer, total, inner]);
/// nothing else of out is written.
///
/// ```
/// // [[1, 2], [3, 4]] written as columns 1..3 of a 2×3 matrix of zeros.
/// let mut out = [0.0; 6];
/// dlp_kernels::copy_into_slice(&[1.0, 2.0, 3.0, 4.0], &mut out, 2, 3, 1, 1, 2).unwrap();
/// assert_eq!(out, [0.0, 1.0, 2.0, 0.0, 3.0, 4.0]);
/// ```
pub fn copy_into_slice(
    x: &[f32],
    out: &mut [f32],
    outer: usize,
    total: usize,
    inner: usize,
    offset: usize,
    size: usize,
) -> Result<(), KernelError> {
    check_copy_into_slice(outer, total, inner, offset, size, x.len(), out.len())?;
    let (run, stride, start) = (size * inner, total * inner, offset * inner);
    let target = SharedMut(out.as_mut_ptr());
    split_rows(outer, run, |rows| {
        for o in rows {
            // SAFETY: row o's run lies inside out (checked above) and is written by this part alone.
            let dst = unsafe { std::slice::from_raw_parts_mut(target.ptr().add(o * stride + start), run) };
            dst.copy_from_slice(&x[o * run..][..run]);
        }
    });
    Ok(())
}

/// out[o] = x[o][offset..offset + size][..] (x [outer, total, inner], out [outer, size, inner]).
///
/// ```
/// // Columns 1..3 of [[0, 1, 2], [3, 4, 5]].
/// let mut out = [0.0; 4];
/// dlp_kernels::copy_slice(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &mut out, 2, 3, 1, 1, 2).unwrap();
/// assert_eq!(out, [1.0, 2.0, 4.0, 5.0]);
/// ```
pub fn copy_slice(
    x: &[f32],
    out: &mut [f32],
    outer: usize,
    total: usize,
    inner: usize,
    offset: usize,
    size: usize,
) -> Result<(), KernelError> {
    check_copy_slice(outer, total, inner, offset, size, x.len(), out.len())?;
    let (run, stride, start) = (size * inner, total * inner, offset * inner);
    let target = SharedMut(out.as_mut_ptr());
    split_rows(outer, run, |rows| {
        for o in rows {
            // SAFETY: out's row o is written by this part alone.
            let dst = unsafe { std::slice::from_raw_parts_mut(target.ptr().add(o * run), run) };
            dst.copy_from_slice(&x[o * stride + start..][..run]);
        }
    });
    Ok(())
}

/// `copy_into_slice` element by element, in f64, onto a copy of `out`: its oracle.
pub fn copy_into_slice_reference(
    x: &[f32],
    out: &[f32],
    outer: usize,
    total: usize,
    inner: usize,
    offset: usize,
    size: usize,
) -> Result<Vec<f64>, KernelError> {
    check_slice(KI, total, offset, size)?;
    check::tensor(KI, "x", &[outer, size, inner], x.len())?;
    check::tensor(KI, "out", &[outer, total, inner], out.len())?;
    let mut result: Vec<f64> = out.iter().map(|&v| v as f64).collect();
    for o in 0..outer {
        for s in 0..size {
            for i in 0..inner {
                result[(o * total + offset + s) * inner + i] = x[(o * size + s) * inner + i] as f64;
            }
        }
    }
    Ok(result)
}

/// `copy_slice` element by element, in f64: its oracle.
pub fn copy_slice_reference(
    x: &[f32],
    outer: usize,
    total: usize,
    inner: usize,
    offset: usize,
    size: usize,
) -> Result<Vec<f64>, KernelError> {
    check_slice(KS, total, offset, size)?;
    check::tensor(KS, "x", &[outer, total, inner], x.len())?;
    let mut out = Vec::with_capacity(outer * size * inner);
    for o in 0..outer {
        for s in 0..size {
            for i in 0..inner {
                out.push(x[(o * total + offset + s) * inner + i] as f64);
            }
        }
    }
    Ok(out)
}
