//! Reductions: `reduce_sum` over any axes (this file), and `max_along` one axis with the
//! indices of the maxima.
//!
//! `reduce_sum`: out = beta·out + Σ of x (row-major, `shape`) over the axes marked true; out
//! is row-major over the other axes (1 element when all are summed). beta = 0 ignores out's
//! old contents, NaN included.
//!
//! Neighbouring axes with the same flag are merged first (`layout::collapse` on out's strides,
//! which are 0 on summed axes), leaving alternating runs. Then:
//! - last run summed (row sums, a total, [B,C,HW] over B and HW): each contiguous row is
//!   summed by SIMD in blocks and added into an f64 total per output element;
//! - [summed R, kept C] or [kept K, summed R, kept C]: `column_sum` on each [R, C] block;
//! - anything else (≥ 4 runs ending kept, or nothing summed): a plain loop into f64 totals.

pub mod max_along;

use crate::elementwise::bias::column_sum;
use crate::error::KernelError;
use crate::layout::{self, collapse, for_each_row};
use crate::simd::stream::fold1;
use crate::simd::{dispatch, Simd, SimdKernel};

const K: &str = "reduceSum";

/// Sums x over the axes marked true in `axes`.
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
/// let mut rows = [0.0; 2];
/// dlp_kernels::reduce_sum(&x, &[2, 3], &[false, true], &mut rows, 0.0).unwrap();
/// assert_eq!(rows, [6.0, 15.0]);
/// let mut total = [100.0];
/// dlp_kernels::reduce_sum(&x, &[2, 3], &[true, true], &mut total, 1.0).unwrap();
/// assert_eq!(total, [121.0]);
/// ```
pub fn reduce_sum(x: &[f32], shape: &[usize], axes: &[bool], out: &mut [f32], beta: f32) -> Result<(), KernelError> {
    let (dims, [strides]) = reduce_sum_layout(shape, axes, x.len(), out.len())?;
    if x.is_empty() {
        finish(out, &vec![0.0; out.len()], beta);
        return Ok(());
    }
    let runs = dims.len();
    let (n, summed_last) = (dims[runs - 1], strides[runs - 1] == 0);
    if !summed_last && runs == 2 && strides[0] == 0 {
        return column_sum(x, out, dims[0], n, beta);
    }
    if !summed_last && runs == 3 && strides[1] == 0 {
        let (rows, block) = (dims[1], dims[1] * n);
        for (x, out) in x.chunks_exact(block).zip(out.chunks_exact_mut(n)) {
            column_sum(x, out, rows, n, beta)?;
        }
        return Ok(());
    }
    let mut totals = vec![0f64; out.len()];
    if summed_last {
        dispatch(RowSums { x: x.as_ptr(), totals: &mut totals, dims: &dims, strides: [strides] });
    } else {
        for_each_row(&dims, &[strides], |start, [o]| {
            for (t, &v) in totals[o..o + n].iter_mut().zip(&x[start..start + n]) {
                *t += v as f64;
            }
        });
    }
    finish(out, &totals, beta);
    Ok(())
}

/// beta·out + Σ in f64: the oracle for `reduce_sum`.
pub fn reduce_sum_reference(
    x: &[f32],
    shape: &[usize],
    axes: &[bool],
    out: &[f32],
    beta: f32,
) -> Result<Vec<f64>, KernelError> {
    let out_strides = check(x.len(), shape, axes, out.len())?;
    let mut totals: Vec<f64> = out.iter().map(|&o| if beta == 0.0 { 0.0 } else { beta as f64 * o as f64 }).collect();
    for (&v, [o]) in x.iter().zip(layout::offsets(shape, &[&out_strides])) {
        totals[o] += v as f64;
    }
    Ok(totals)
}

/// `reduce_sum`'s checks, for every device that runs it: axes has one flag per axis of
/// `shape`, x holds `shape`'s elements and out those of the axes kept. Returns the collapsed
/// shape (`layout::collapse`) and out's strides over it, 0 on the summed axes; x is row-major
/// over the collapsed shape.
pub fn reduce_sum_layout(shape: &[usize], axes: &[bool], x_len: usize, out_len: usize) -> Result<(Vec<usize>, [Vec<usize>; 1]), KernelError> {
    let out_strides = check(x_len, shape, axes, out_len)?;
    Ok(collapse(shape, [&out_strides]))
}

/// Checks the lengths; returns out's strides over x's axes (0 on the summed ones).
fn check(x_len: usize, shape: &[usize], axes: &[bool], out_len: usize) -> Result<Vec<usize>, KernelError> {
    layout::per_axis(K, "axes", axes.len(), shape)?;
    layout::shaped(K, "x", shape, x_len)?;
    let kept: Vec<usize> = shape.iter().zip(axes).filter(|(_, &summed)| !summed).map(|(&d, _)| d).collect();
    layout::shaped(K, "out", &kept, out_len)?;
    let mut strides = vec![0; shape.len()];
    let mut stride = 1;
    for d in (0..shape.len()).rev() {
        if !axes[d] {
            strides[d] = stride;
            stride *= shape[d];
        }
    }
    Ok(strides)
}

fn finish(out: &mut [f32], totals: &[f64], beta: f32) {
    for (o, &t) in out.iter_mut().zip(totals) {
        *o = if beta == 0.0 { t as f32 } else { (beta as f64 * *o as f64 + t) as f32 };
    }
}

/// Elements summed in f32 (per lane) before joining the f64 total: the f32 rounding error
/// stays near BLOCK/LANES·ε whatever the row length.
const BLOCK: usize = 1024;

/// Each innermost row of x (contiguous, summed) added to totals[its out offset].
struct RowSums<'a> {
    x: *const f32,
    totals: &'a mut [f64],
    dims: &'a [usize],
    strides: [Vec<usize>; 1],
}

impl SimdKernel for RowSums<'_> {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let n = self.dims[self.dims.len() - 1];
        let (x, totals) = (self.x, self.totals);
        for_each_row(
            self.dims,
            &self.strides,
            #[inline(always)]
            |start, [o]| {
                let mut at = 0;
                while at < n {
                    let len = (n - at).min(BLOCK);
                    let zero = S::splat(0.0);
                    let v = fold1::<S>(
                        x.add(start + at),
                        len,
                        0.0,
                        zero,
                        #[inline(always)]
                        |acc, v| S::add(acc, v),
                    );
                    totals[o] += S::reduce_sum(v) as f64;
                    at += len;
                }
            },
        );
    }
}
