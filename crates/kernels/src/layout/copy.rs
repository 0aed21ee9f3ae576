//! `copy_strided`: out (row-major, `shape`) = x read through `strides`, which makes a view
//! (a transpose, a broadcast with stride 0) contiguous. After `layout::collapse` an innermost
//! row of stride 1 is one memcpy and of stride 0 one fill; other strides gather one by one.

use crate::error::KernelError;
use crate::layout::{self, collapse, for_each_row};

/// out = x viewed through `strides`, row-major.
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
/// let mut out = [0.0; 6];
/// dlp_kernels::copy_strided(&[3, 2], &x, &[1, 3], &mut out).unwrap(); // its transpose
/// assert_eq!(out, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
/// ```
pub fn copy_strided(shape: &[usize], x: &[f32], strides: &[usize], out: &mut [f32]) -> Result<(), KernelError> {
    let (shape, strides) = copy_layout(shape, x.len(), strides, out.len())?;
    if out.is_empty() {
        return Ok(());
    }
    let n = shape[shape.len() - 1];
    let step = strides[0][shape.len() - 1];
    for_each_row(&shape, &strides, |start, [o]| {
        let dst = &mut out[start..start + n];
        match step {
            1 => dst.copy_from_slice(&x[o..o + n]),
            0 => dst.fill(x[o]),
            _ => dst.iter_mut().enumerate().for_each(|(j, d)| *d = x[o + j * step]),
        }
    });
    Ok(())
}

/// `copy_strided`'s checks, for every device that runs it: out holds `shape`'s elements and x,
/// of `x_len` elements, is a view of `shape` through `strides` inside them. Returns the
/// collapsed shape and strides (`layout::collapse`) that a kernel walks.
pub fn copy_layout(shape: &[usize], x_len: usize, strides: &[usize], out_len: usize) -> Result<(Vec<usize>, [Vec<usize>; 1]), KernelError> {
    layout::shaped("copy", "out", shape, out_len)?;
    layout::view("copy", "x", x_len, "strides", strides, shape)?;
    Ok(collapse(shape, [strides]))
}

/// The view's elements in row-major order, in f64: the oracle for `copy_strided`.
pub fn copy_strided_reference(shape: &[usize], x: &[f32], strides: &[usize]) -> Result<Vec<f64>, KernelError> {
    layout::view("copy", "x", x.len(), "strides", strides, shape)?;
    Ok(layout::offsets(shape, &[strides]).map(|[i]| x[i] as f64).collect())
}
