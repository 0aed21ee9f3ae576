//! Max along the middle axis of x viewed as [outer, size, inner], and its backward:
//!
//! - `max_along`: out[o][i] = max_s x[o][s][i], indices[o][i] = the first s reaching it; a NaN
//!   wins over every number and the first NaN is kept (as in PyTorch).
//! - `max_along_backward`: dx = 0, then dx[o][indices[o][i]][i] += dout[o][i].
//!
//! Plain loops: s outer and i inner, so each pass reads a contiguous row of x.

use crate::check;
use crate::error::KernelError;

const K: &str = "maxAlong";
const KB: &str = "maxAlongBackward";

/// The max and its first index along the middle axis.
///
/// ```
/// let x = [1.0, 5.0, 5.0, 2.0]; // [1, 4, 1]
/// let (mut out, mut at) = ([0.0], [0]);
/// dlp_kernels::max_along(&x, 1, 4, 1, &mut out, &mut at).unwrap();
/// assert_eq!((out, at), ([5.0], [1])); // the first of the tied maxima
/// ```
pub fn max_along(
    x: &[f32],
    outer: usize,
    size: usize,
    inner: usize,
    out: &mut [f32],
    indices: &mut [i32],
) -> Result<(), KernelError> {
    check_max_along(outer, size, inner, x.len(), out.len(), indices.len())?;
    for o in 0..outer {
        let (x, out, at) = (&x[o * size * inner..], &mut out[o * inner..][..inner], &mut indices[o * inner..][..inner]);
        out.copy_from_slice(&x[..inner]);
        at.fill(0);
        for s in 1..size {
            for (i, &v) in x[s * inner..][..inner].iter().enumerate() {
                if v > out[i] || (v.is_nan() && !out[i].is_nan()) {
                    out[i] = v;
                    at[i] = s as i32;
                }
            }
        }
    }
    Ok(())
}

/// The max (in f64) and its index: the oracle for `max_along`, element by element.
pub fn max_along_reference(
    x: &[f32],
    outer: usize,
    size: usize,
    inner: usize,
) -> Result<(Vec<f64>, Vec<i32>), KernelError> {
    check_max_along(outer, size, inner, x.len(), outer * inner, outer * inner)?;
    let (mut out, mut indices) = (Vec::new(), Vec::new());
    for o in 0..outer {
        for i in 0..inner {
            let column = (0..size).map(|s| x[(o * size + s) * inner + i]);
            let first_nan = column.clone().position(f32::is_nan);
            let best = column.clone().fold(f32::NEG_INFINITY, f32::max);
            let at = first_nan.unwrap_or_else(|| column.clone().position(|v| v == best).unwrap());
            out.push(x[(o * size + at) * inner + i] as f64);
            indices.push(at as i32);
        }
    }
    Ok((out, indices))
}

/// `max_along`'s checks, for every device that runs it: the lengths of x, out and indices,
/// and a non-empty axis wherever there is a maximum to take.
pub fn check_max_along(
    outer: usize,
    size: usize,
    inner: usize,
    x_len: usize,
    out_len: usize,
    indices_len: usize,
) -> Result<(), KernelError> {
    check::tensor(K, "x", &[outer, size, inner], x_len)?;
    check::matrix(K, "out", outer, inner, out_len)?;
    check::matrix(K, "indices", outer, inner, indices_len)?;
    if size == 0 && outer * inner > 0 {
        return Err(KernelError::new(format!("{K}: size is 0, so there is no maximum to take")));
    }
    Ok(())
}

/// dx = dout routed to the argmax positions, 0 elsewhere.
///
/// ```
/// let mut dx = [9.0; 4]; // [1, 2, 2]
/// dlp_kernels::max_along_backward(&[1.0, 2.0], &[1, 0], 1, 2, 2, &mut dx).unwrap();
/// assert_eq!(dx, [0.0, 2.0, 1.0, 0.0]);
/// ```
pub fn max_along_backward(
    dout: &[f32],
    indices: &[i32],
    outer: usize,
    size: usize,
    inner: usize,
    dx: &mut [f32],
) -> Result<(), KernelError> {
    check_backward(dout, indices, outer, size, inner, dx.len())?;
    dx.fill(0.0);
    for (k, (&d, &s)) in dout.iter().zip(indices).enumerate() {
        let (o, i) = (k / inner, k % inner);
        dx[(o * size + s as usize) * inner + i] += d;
    }
    Ok(())
}

/// The routed gradient in f64: the oracle for `max_along_backward`.
pub fn max_along_backward_reference(
    dout: &[f32],
    indices: &[i32],
    outer: usize,
    size: usize,
    inner: usize,
) -> Result<Vec<f64>, KernelError> {
    check_backward(dout, indices, outer, size, inner, outer * size * inner)?;
    let mut dx = vec![0.0; outer * size * inner];
    for o in 0..outer {
        for i in 0..inner {
            dx[(o * size + indices[o * inner + i] as usize) * inner + i] += dout[o * inner + i] as f64;
        }
    }
    Ok(dx)
}

/// `max_along_backward`'s length checks, for every device that runs it: dout, indices and dx.
/// (The CPU also checks each index against `size`; a device whose indices stay on it cannot.)
pub fn check_max_along_backward_lengths(
    outer: usize,
    size: usize,
    inner: usize,
    dout_len: usize,
    indices_len: usize,
    dx_len: usize,
) -> Result<(), KernelError> {
    check::matrix(KB, "dout", outer, inner, dout_len)?;
    check::matrix(KB, "indices", outer, inner, indices_len)?;
    check::tensor(KB, "dx", &[outer, size, inner], dx_len)
}

fn check_backward(
    dout: &[f32],
    indices: &[i32],
    outer: usize,
    size: usize,
    inner: usize,
    dx_len: usize,
) -> Result<(), KernelError> {
    check_max_along_backward_lengths(outer, size, inner, dout.len(), indices.len(), dx_len)?;
    match indices.iter().position(|&s| s < 0 || s as usize >= size) {
        None => Ok(()),
        Some(k) => Err(KernelError::new(format!("{KB}: indices[{k}] = {} is not an index in {}", indices[k], crate::check::index_range(size)))),
    }
}
