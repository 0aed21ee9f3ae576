//! LayerNorm over each row of a row-major rows×cols matrix, and its backward:
//!
//! - `layer_norm`: out = gamma∘(x − mean_r)·invStd_r + beta, invStd_r = 1/√(var_r + eps) with
//!   the biased variance; saves mean and invStd (rows each). gamma/beta (cols) absent: 1 and 0.
//! - `layer_norm_backward`, g = gamma∘dout per row: dx = invStd·(g − mean_j g − x̂·mean_j(g∘x̂)),
//!   dgamma = Σ_rows dout∘x̂, dbeta = Σ_rows dout (overwritten); each output optional.
//!
//! Each row is finished while it is in cache: forward, a pass summing x − x₀ (x₀ its first
//! value), a centred-squares pass (two passes, so a large mean cannot cancel the variance's
//! digits) and the normalising pass;
//! backward, one pass that sums g and g∘x̂ for the row while adding the row into dgamma/dbeta,
//! then the dx pass. Sums are f32 SIMD vectors moved into f64 every `BLOCK` elements (or
//! `ROW_BLOCK` rows), so their error stays near (BLOCK/LANES)·ε for rows of any length.
//! Single-threaded: the models here normalise few, short rows.

use crate::check;
use crate::error::KernelError;
use crate::simd::stream::{fold1, load, store};
use crate::simd::{dispatch, Simd, SimdKernel};

/// Elements per row summed in f32 before the partial sum moves to f64.
const BLOCK: usize = 256;
/// Rows added into dgamma/dbeta's f32 partial sums before those move to f64.
const ROW_BLOCK: usize = 32;

/// Arguments of [`layer_norm`].
pub struct LayerNorm<'a> {
    pub x: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub gamma: Option<&'a [f32]>,
    pub beta: Option<&'a [f32]>,
    pub eps: f64,
    pub out: &'a mut [f32],
    pub mean: &'a mut [f32],
    pub inv_std: &'a mut [f32],
}

impl LayerNorm<'_> {
    pub(crate) fn check(&self) -> Result<(), KernelError> {
        let lengths = [self.x.len(), self.out.len(), self.mean.len(), self.inv_std.len()];
        check_layer_norm(self.rows, self.cols, lengths, [self.gamma.map(<[f32]>::len), self.beta.map(<[f32]>::len)])
    }
}

/// `layer_norm`'s checks, for every device that runs it: the lengths of x, out, mean and
/// invStd, and of gamma and beta where given (None: absent), against rows×cols.
pub fn check_layer_norm(
    rows: usize,
    cols: usize,
    [x, out, mean, inv_std]: [usize; 4],
    [gamma, beta]: [Option<usize>; 2],
) -> Result<(), KernelError> {
    const K: &str = "layerNorm";
    check::matrix(K, "x", rows, cols, x)?;
    optional(K, "gamma", cols, "cols", gamma)?;
    optional(K, "beta", cols, "cols", beta)?;
    check::matrix(K, "out", rows, cols, out)?;
    check::vector(K, "mean", rows, "rows", mean)?;
    check::vector(K, "invStd", rows, "rows", inv_std)
}

/// LayerNorm forward over each row.
///
/// ```
/// use dlp_kernels::{layer_norm, LayerNorm};
/// let (mut out, mut mean, mut inv_std) = ([0.0; 4], [0.0], [0.0]);
/// layer_norm(LayerNorm {
///     x: &[1.0, 2.0, 3.0, 4.0], rows: 1, cols: 4, gamma: None, beta: None, eps: 0.0,
///     out: &mut out, mean: &mut mean, inv_std: &mut inv_std,
/// }).unwrap();
/// assert_eq!(mean, [2.5]); // variance 1.25
/// assert!((out[3] - 1.5 / 1.25f32.sqrt()).abs() < 1e-6);
/// ```
pub fn layer_norm(args: LayerNorm<'_>) -> Result<(), KernelError> {
    args.check()?;
    let (gamma, beta) = affine(args.gamma, args.beta, args.cols);
    dispatch(LayerNormRows {
        x: args.x.as_ptr(),
        rows: args.rows,
        cols: args.cols,
        gamma: gamma.as_ptr(),
        beta: beta.as_ptr(),
        eps: args.eps,
        out: args.out.as_mut_ptr(),
        mean: args.mean.as_mut_ptr(),
        inv_std: args.inv_std.as_mut_ptr(),
    });
    Ok(())
}

/// gamma and beta as given, or ones and zeros: one code path, for the cost of two short vectors.
fn affine(gamma: Option<&[f32]>, beta: Option<&[f32]>, cols: usize) -> (Vec<f32>, Vec<f32>) {
    (gamma.map_or_else(|| vec![1.0; cols], <[f32]>::to_vec), beta.map_or_else(|| vec![0.0; cols], <[f32]>::to_vec))
}

struct LayerNormRows {
    x: *const f32,
    rows: usize,
    cols: usize,
    gamma: *const f32,
    beta: *const f32,
    eps: f64,
    out: *mut f32,
    mean: *mut f32,
    inv_std: *mut f32,
}

impl SimdKernel for LayerNormRows {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let cols = self.cols;
        for r in 0..self.rows {
            let (x, out) = (self.x.add(r * cols), self.out.add(r * cols));
            let n = cols.max(1) as f64;
            // Summing x − x₀ rather than x: the terms are as small as the spread, so a mean far
            // from 0 keeps the digits that tell the values apart (padded lanes add x₀ − x₀ = 0).
            let x0 = if cols > 0 { *x } else { 0.0 };
            let x0v = S::splat(x0);
            let mean = x0 as f64
                + row_sum::<S>(
                    x,
                    cols,
                    x0,
                    #[inline(always)]
                    |v| S::sub(v, x0v),
                ) / n;
            let m = mean as f32;
            let mv = S::splat(m);
            // Padding with m makes the spare lanes' (x − m)² zero.
            let squares = row_sum::<S>(
                x,
                cols,
                m,
                #[inline(always)]
                |v| {
                    let d = S::sub(v, mv);
                    S::mul(d, d)
                },
            );
            // Σ(x − m)² = Σ(x − mean)² + n·(mean − m)²: remove what rounding the mean added.
            let var = (squares / n - (mean - m as f64).powi(2)).max(0.0);
            let inv_std = (1.0 / (var + self.eps).sqrt()) as f32;
            *self.mean.add(r) = m;
            *self.inv_std.add(r) = inv_std;
            let inv = S::splat(inv_std);
            let mut j = 0;
            while j < cols {
                let n = (cols - j).min(S::LANES);
                let xhat = S::mul(S::sub(load::<S>(x.add(j), n), mv), inv);
                let y = S::mul_add(xhat, load::<S>(self.gamma.add(j), n), load::<S>(self.beta.add(j), n));
                store::<S>(out.add(j), n, y);
                j += n;
            }
        }
    }
}

/// Σ f(x[i]) over `len` floats in f64, the padded tail lanes holding `fill`: each lane sums at
/// most BLOCK/LANES terms in f32 before its block's total joins the f64 sum.
#[inline(always)]
unsafe fn row_sum<S: Simd>(x: *const f32, len: usize, fill: f32, f: impl Fn(S::V) -> S::V) -> f64 {
    let mut total = 0.0f64;
    let mut start = 0;
    while start < len {
        let end = (start + BLOCK).min(len);
        let acc = fold1::<S>(
            x.add(start),
            end - start,
            fill,
            S::splat(0.0),
            #[inline(always)]
            |acc, v| S::add(acc, f(v)),
        );
        total += S::reduce_sum(acc) as f64;
        start = end;
    }
    total
}

/// Arguments of [`layer_norm_backward`], from the forward's saved mean and invStd.
pub struct LayerNormBackward<'a> {
    pub x: &'a [f32],
    pub dout: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub mean: &'a [f32],
    pub inv_std: &'a [f32],
    pub gamma: Option<&'a [f32]>,
    pub dx: Option<&'a mut [f32]>,
    pub dgamma: Option<&'a mut [f32]>,
    pub dbeta: Option<&'a mut [f32]>,
}

impl LayerNormBackward<'_> {
    pub(crate) fn check(&self) -> Result<(), KernelError> {
        let lengths = [self.x.len(), self.dout.len(), self.mean.len(), self.inv_std.len()];
        let len = |b: &Option<&mut [f32]>| b.as_deref().map(<[f32]>::len);
        let outputs = [len(&self.dx), len(&self.dgamma), len(&self.dbeta)];
        check_layer_norm_backward(self.rows, self.cols, lengths, self.gamma.map(<[f32]>::len), outputs)
    }
}

/// `layer_norm_backward`'s checks, for every device that runs it: the lengths of x, dout,
/// mean and invStd, and of gamma, dx, dgamma and dbeta where given (None: absent).
pub fn check_layer_norm_backward(
    rows: usize,
    cols: usize,
    [x, dout, mean, inv_std]: [usize; 4],
    gamma: Option<usize>,
    [dx, dgamma, dbeta]: [Option<usize>; 3],
) -> Result<(), KernelError> {
    const K: &str = "layerNormBackward";
    check::matrix(K, "x", rows, cols, x)?;
    check::matrix(K, "dout", rows, cols, dout)?;
    check::vector(K, "mean", rows, "rows", mean)?;
    check::vector(K, "invStd", rows, "rows", inv_std)?;
    optional(K, "gamma", cols, "cols", gamma)?;
    if let Some(dx) = dx {
        check::matrix(K, "dx", rows, cols, dx)?;
    }
    optional(K, "dgamma", cols, "cols", dgamma)?;
    optional(K, "dbeta", cols, "cols", dbeta)
}

/// LayerNorm backward: the gradients wrt x, gamma and beta that were asked for.
pub fn layer_norm_backward(mut args: LayerNormBackward<'_>) -> Result<(), KernelError> {
    args.check()?;
    let cols = args.cols;
    let gamma = args.gamma.map_or_else(|| vec![1.0; cols], <[f32]>::to_vec);
    let mut partial_dgamma = args.dgamma.as_ref().map(|_| vec![0.0f32; cols]);
    let mut partial_dbeta = args.dbeta.as_ref().map(|_| vec![0.0f32; cols]);
    let mut dgamma64 = vec![0.0f64; if args.dgamma.is_some() { cols } else { 0 }];
    let mut dbeta64 = vec![0.0f64; if args.dbeta.is_some() { cols } else { 0 }];
    // Rows in blocks: the f32 partial sums of dgamma/dbeta move to f64 after each block.
    for r0 in (0..args.rows).step_by(ROW_BLOCK) {
        let r1 = (r0 + ROW_BLOCK).min(args.rows);
        dispatch(LayerNormBackwardRows {
            x: args.x.as_ptr(),
            dout: args.dout.as_ptr(),
            rows: r0..r1,
            cols,
            mean: args.mean.as_ptr(),
            inv_std: args.inv_std.as_ptr(),
            gamma: gamma.as_ptr(),
            dx: args.dx.as_deref_mut().map(<[f32]>::as_mut_ptr),
            partial_dgamma: partial_dgamma.as_deref_mut().map(<[f32]>::as_mut_ptr),
            partial_dbeta: partial_dbeta.as_deref_mut().map(<[f32]>::as_mut_ptr),
        });
        for (partial, total) in [(&mut partial_dgamma, &mut dgamma64), (&mut partial_dbeta, &mut dbeta64)] {
            if let Some(partial) = partial {
                for (t, p) in total.iter_mut().zip(partial.iter_mut()) {
                    *t += *p as f64;
                    *p = 0.0;
                }
            }
        }
    }
    for (out, total) in [(args.dgamma, dgamma64), (args.dbeta, dbeta64)] {
        if let Some(out) = out {
            for (o, t) in out.iter_mut().zip(total) {
                *o = t as f32;
            }
        }
    }
    Ok(())
}

struct LayerNormBackwardRows {
    x: *const f32,
    dout: *const f32,
    rows: std::ops::Range<usize>,
    cols: usize,
    mean: *const f32,
    inv_std: *const f32,
    gamma: *const f32,
    dx: Option<*mut f32>,
    partial_dgamma: Option<*mut f32>,
    partial_dbeta: Option<*mut f32>,
}

impl SimdKernel for LayerNormBackwardRows {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let cols = self.cols;
        for r in self.rows.clone() {
            let (x, dout) = (self.x.add(r * cols), self.dout.add(r * cols));
            let (m, inv) = (S::splat(*self.mean.add(r)), S::splat(*self.inv_std.add(r)));
            let at = |j: usize, n: usize| terms::<S>(x, dout, self.gamma, m, inv, j, n);
            let (mut sum_g, mut sum_g_xhat) = (0.0f64, 0.0f64);
            let mut start = 0;
            while start < cols {
                let end = (start + BLOCK).min(cols);
                let (mut acc_g, mut acc_g_xhat) = (S::splat(0.0), S::splat(0.0));
                let mut j = start;
                while j < end {
                    let n = (end - j).min(S::LANES);
                    let (d, xhat, g) = at(j, n);
                    acc_g = S::add(acc_g, g);
                    acc_g_xhat = S::mul_add(g, xhat, acc_g_xhat);
                    if let Some(p) = self.partial_dgamma {
                        store::<S>(p.add(j), n, S::mul_add(d, xhat, load::<S>(p.add(j), n)));
                    }
                    if let Some(p) = self.partial_dbeta {
                        store::<S>(p.add(j), n, S::add(d, load::<S>(p.add(j), n)));
                    }
                    j += n;
                }
                sum_g += S::reduce_sum(acc_g) as f64;
                sum_g_xhat += S::reduce_sum(acc_g_xhat) as f64;
                start = end;
            }
            let Some(dx) = self.dx else { continue };
            // dx = invStd·g − invStd·mean(g) − invStd·mean(g∘x̂)·x̂.
            let inv_std = *self.inv_std.add(r) as f64;
            let n = cols as f64;
            let a = inv;
            let b = S::splat((-inv_std * sum_g / n) as f32);
            let k = S::splat((-inv_std * sum_g_xhat / n) as f32);
            let dx = dx.add(r * cols);
            let mut j = 0;
            while j < cols {
                let n = (cols - j).min(S::LANES);
                let (_, xhat, g) = at(j, n);
                store::<S>(dx.add(j), n, S::mul_add(a, g, S::mul_add(k, xhat, b)));
                j += n;
            }
        }
    }
}

/// dout, x̂ and g = gamma∘dout of the `n` elements at j (padded lanes: dout 0, so g 0).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn terms<S: Simd>(
    x: *const f32,
    dout: *const f32,
    gamma: *const f32,
    mean: S::V,
    inv_std: S::V,
    j: usize,
    n: usize,
) -> (S::V, S::V, S::V) {
    let d = load::<S>(dout.add(j), n);
    let xhat = S::mul(S::sub(load::<S>(x.add(j), n), mean), inv_std);
    (d, xhat, S::mul(load::<S>(gamma.add(j), n), d))
}

fn optional(kernel: &str, name: &str, want: usize, per: &str, len: Option<usize>) -> Result<(), KernelError> {
    len.map_or(Ok(()), |len| check::vector(kernel, name, want, per, len))
}
