//! A Linear layer's bias, forward and backward, over a row-major rows×cols matrix:
//!
//! - `bias_add`: out[r][c] = x[r][c] + bias[c] (bias has cols elements; out may be x).
//! - `column_sum`: out[c] = beta·out[c] + Σ_r x[r][c], the bias gradient from the output
//!   gradient (beta = 1 accumulates over batches; beta = 0 ignores out's old contents).

use crate::check;
use crate::error::KernelError;
use crate::simd::stream::map2;
use crate::simd::{dispatch, Simd, SimdKernel};

/// out = x + bias, the bias broadcast over rows.
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0]; // 2x2
/// let mut out = [0.0; 4];
/// dlp_kernels::bias_add(&x, &[10.0, 20.0], &mut out, 2, 2).unwrap();
/// assert_eq!(out, [11.0, 22.0, 13.0, 24.0]);
/// ```
pub fn bias_add(x: &[f32], bias: &[f32], out: &mut [f32], rows: usize, cols: usize) -> Result<(), KernelError> {
    check::matrix("biasAdd", "x", rows, cols, x.len())?;
    check::vector("biasAdd", "bias", cols, "cols", bias.len())?;
    check::matrix("biasAdd", "out", rows, cols, out.len())?;
    dispatch(BiasAdd { x: x.as_ptr(), bias: bias.as_ptr(), out: out.as_mut_ptr(), rows, cols });
    Ok(())
}

/// x += bias, the bias broadcast over rows (`bias_add` with out = x).
pub fn bias_add_in_place(x: &mut [f32], bias: &[f32], rows: usize, cols: usize) -> Result<(), KernelError> {
    check::matrix("biasAdd", "x", rows, cols, x.len())?;
    check::vector("biasAdd", "bias", cols, "cols", bias.len())?;
    let out = x.as_mut_ptr();
    dispatch(BiasAdd { x: out, bias: bias.as_ptr(), out, rows, cols });
    Ok(())
}

/// x + bias in f64: the oracle for `bias_add`.
pub fn bias_add_reference(x: &[f32], bias: &[f32], rows: usize, cols: usize) -> Result<Vec<f64>, KernelError> {
    check::matrix("biasAdd", "x", rows, cols, x.len())?;
    check::vector("biasAdd", "bias", cols, "cols", bias.len())?;
    Ok(x.iter().enumerate().map(|(i, &v)| v as f64 + bias[i % cols] as f64).collect())
}

struct BiasAdd {
    x: *const f32,
    bias: *const f32,
    out: *mut f32,
    rows: usize,
    cols: usize,
}

impl SimdKernel for BiasAdd {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        for r in 0..self.rows {
            let at = r * self.cols;
            map2::<S>(
                self.x.add(at),
                self.bias,
                self.out.add(at),
                self.cols,
                #[inline(always)]
                |x, b| S::add(x, b),
            );
        }
    }
}

/// out = beta·out + column sums of x (with beta = 0, out's old contents, NaN included, are
/// ignored, as in GEMM).
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // 3x2
/// let mut out = [100.0, 200.0];
/// dlp_kernels::column_sum(&x, &mut out, 3, 2, 1.0).unwrap();
/// assert_eq!(out, [109.0, 212.0]);
/// ```
pub fn column_sum(x: &[f32], out: &mut [f32], rows: usize, cols: usize, beta: f32) -> Result<(), KernelError> {
    check::matrix("columnSum", "x", rows, cols, x.len())?;
    check::vector("columnSum", "out", cols, "cols", out.len())?;
    dispatch(ColumnSum { x: x.as_ptr(), out: out.as_mut_ptr(), rows, cols, beta });
    Ok(())
}

/// beta·out + column sums in f64: the oracle for `column_sum`.
pub fn column_sum_reference(
    x: &[f32],
    out: &[f32],
    rows: usize,
    cols: usize,
    beta: f32,
) -> Result<Vec<f64>, KernelError> {
    check::matrix("columnSum", "x", rows, cols, x.len())?;
    check::vector("columnSum", "out", cols, "cols", out.len())?;
    let mut sums: Vec<f64> = out.iter().map(|&o| if beta == 0.0 { 0.0 } else { beta as f64 * o as f64 }).collect();
    for (i, &v) in x.iter().enumerate() {
        sums[i % cols] += v as f64;
    }
    Ok(sums)
}

/// Rows summed into one f32 partial sum before it joins the total: two-level summation keeps
/// the rounding error near (BLOCK + rows/BLOCK)·ε rather than rows·ε on tall matrices.
const ROW_BLOCK: usize = 256;
/// Column vectors summed side by side: independent add chains, so the loop is not bound by
/// the latency of one.
const TILE: usize = 4;

struct ColumnSum {
    x: *const f32,
    out: *mut f32,
    rows: usize,
    cols: usize,
    beta: f32,
}

impl ColumnSum {
    /// Vector `k` of a `W`-vector tile whose last vector holds `last` columns.
    #[inline(always)]
    unsafe fn load<S: Simd, const W: usize>(p: *const f32, k: usize, last: usize) -> S::V {
        if k + 1 == W && last < S::LANES {
            S::load_partial(p, last, 0.0)
        } else {
            S::load(p)
        }
    }

    /// Sums `W` vectors of columns starting at column `c`; the last one holds only `last`
    /// (≤ LANES) columns.
    #[inline(always)]
    unsafe fn tile<S: Simd, const W: usize>(&self, c: usize, last: usize) {
        let mut total = [S::splat(0.0); W];
        if self.beta != 0.0 {
            for (k, t) in total.iter_mut().enumerate() {
                *t = S::mul(S::splat(self.beta), Self::load::<S, W>(self.out.add(c + k * S::LANES), k, last));
            }
        }
        let mut r0 = 0;
        while r0 < self.rows {
            let mut block = [S::splat(0.0); W];
            for r in r0..(r0 + ROW_BLOCK).min(self.rows) {
                let row = self.x.add(r * self.cols + c);
                for (k, b) in block.iter_mut().enumerate() {
                    *b = S::add(*b, Self::load::<S, W>(row.add(k * S::LANES), k, last));
                }
            }
            for k in 0..W {
                total[k] = S::add(total[k], block[k]);
            }
            r0 += ROW_BLOCK;
        }
        for (k, t) in total.iter().enumerate() {
            let dst = self.out.add(c + k * S::LANES);
            if k + 1 == W && last < S::LANES {
                S::store_partial(dst, last, *t);
            } else {
                S::store(dst, *t);
            }
        }
    }
}

impl SimdKernel for ColumnSum {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let mut c = 0;
        while c + TILE * S::LANES <= self.cols {
            self.tile::<S, TILE>(c, S::LANES);
            c += TILE * S::LANES;
        }
        while c < self.cols {
            let width = (self.cols - c).min(S::LANES);
            self.tile::<S, 1>(c, width);
            c += width;
        }
    }
}
