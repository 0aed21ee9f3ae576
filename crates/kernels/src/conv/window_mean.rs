//! What average pooling and adaptive average pooling share: every output (y, x) of a plane is
//! the sum of the input over a rectangle rows[y] × cols[x] divided by divisor[y][x]. The two
//! kernels differ only in their rectangles and divisors (avg_pool.rs, adaptive_avg_pool.rs).
//!
//! Forward, per output row y: the window's input rows are summed column by column into one row
//! (vector adds over contiguous memory), then each output adds up its columns of that row.
//! Backward is the adjoint: each output's gradient / divisor is spread over its columns into one
//! row, which is added to every input row of the window. One window over the whole plane (a
//! global average: DenseNet's head, on 1×1 planes at CIFAR-10's size) is a sum of contiguous
//! memory instead, and its backward a fill: the row walk cost ~60 ns per plane there. Both split
//! the planes over the pool.

use std::ops::Range;

use crate::simd::{dispatch, Simd, SimdKernel};
use crate::threads::{parallel_map, parts, SharedMut};

/// The rectangles of one plane's outputs and what each sum is divided by.
pub(crate) struct Windows {
    pub rows: Vec<Range<usize>>,
    pub cols: Vec<Range<usize>>,
    /// rows.len() × cols.len(), row-major.
    pub divisors: Vec<f32>,
}

impl Windows {
    /// One window: the whole height×width plane.
    fn is_global(&self, height: usize, width: usize) -> bool {
        self.rows.len() == 1 && self.cols.len() == 1 && self.rows[0] == (0..height) && self.cols[0] == (0..width)
    }
}

/// Input elements below which a part is not worth handing to another thread.
const MIN_PART_ELEMENTS: usize = 16_384;

/// Runs `f(planes)` over `planes` planes of `plane` elements each, split over the pool.
fn split_planes(planes: usize, plane: usize, f: impl Fn(Range<usize>) + Sync) {
    let count = parts(planes.saturating_mul(plane), 0, MIN_PART_ELEMENTS).min(planes.max(1));
    parallel_map(count, |part| f(part * planes / count..(part + 1) * planes / count));
}

/// out[p][y][x] = Σ x[p][rows[y]][cols[x]] / divisors[y][x] for `planes` planes of height×width
/// (lengths checked by the caller).
pub(crate) fn forward(x: &[f32], planes: usize, height: usize, width: usize, w: &Windows, out: &mut [f32]) {
    let (plane, per_plane) = (height * width, w.rows.len() * w.cols.len());
    let out = SharedMut(out.as_mut_ptr());
    split_planes(planes, plane, |range| {
        // SAFETY: each part writes the outputs of its own planes only.
        let out = unsafe { std::slice::from_raw_parts_mut(out.ptr().add(range.start * per_plane), range.len() * per_plane) };
        let x = &x[range.start * plane..range.end * plane];
        if w.is_global(height, width) {
            dispatch(GlobalForward { x, plane, divisor: w.divisors[0], out });
        } else {
            dispatch(Forward { x, plane, width, w, out });
        }
    });
}

/// dx[p] = the adjoint of `forward` applied to dout[p]; dx is overwritten.
pub(crate) fn backward(dout: &[f32], planes: usize, height: usize, width: usize, w: &Windows, dx: &mut [f32]) {
    let (plane, per_plane) = (height * width, w.rows.len() * w.cols.len());
    let dx = SharedMut(dx.as_mut_ptr());
    split_planes(planes, plane, |range| {
        // SAFETY: each part writes the planes of its own range only.
        let dx = unsafe { std::slice::from_raw_parts_mut(dx.ptr().add(range.start * plane), range.len() * plane) };
        let dout = &dout[range.start * per_plane..range.end * per_plane];
        if w.is_global(height, width) {
            for (dx, &g) in dx.chunks_exact_mut(plane.max(1)).zip(dout) {
                dx.fill(g / w.divisors[0]);
            }
        } else {
            dispatch(Backward { dout, plane, width, w, dx });
        }
    });
}

/// acc[..] += src[..] (equal lengths), a vector at a time with a partial last one.
#[inline(always)]
unsafe fn add_into<S: Simd>(acc: &mut [f32], src: &[f32]) {
    let (n, lanes) = (acc.len(), S::LANES);
    let (a, s) = (acc.as_mut_ptr(), src.as_ptr());
    let mut j = 0;
    while j + lanes <= n {
        S::store(a.add(j), S::add(S::load(a.add(j)), S::load(s.add(j))));
        j += lanes;
    }
    if j < n {
        let sum = S::add(S::load_partial(a.add(j), n - j, 0.0), S::load_partial(s.add(j), n - j, 0.0));
        S::store_partial(a.add(j), n - j, sum);
    }
}

struct Forward<'a> {
    x: &'a [f32],
    plane: usize,
    width: usize,
    w: &'a Windows,
    out: &'a mut [f32],
}

impl SimdKernel for Forward<'_> {
    type Output = ();

    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let Self { x, plane, width, w, out } = self;
        let (oh, ow) = (w.rows.len(), w.cols.len());
        let mut column_sums = vec![0.0f32; width];
        for (p, out) in out.chunks_exact_mut((oh * ow).max(1)).enumerate() {
            let x = &x[p * plane..][..plane];
            for (y, rows) in w.rows.iter().enumerate() {
                column_sums.fill(0.0);
                for h in rows.clone() {
                    add_into::<S>(&mut column_sums, &x[h * width..][..width]);
                }
                let (out_row, divisors) = (&mut out[y * ow..][..ow], &w.divisors[y * ow..][..ow]);
                for ((o, cols), &d) in out_row.iter_mut().zip(&w.cols).zip(divisors) {
                    *o = column_sums[cols.clone()].iter().sum::<f32>() / d;
                }
            }
        }
    }
}

/// out[p] = Σ x[p] / divisor: one window over each whole plane.
struct GlobalForward<'a> {
    x: &'a [f32],
    plane: usize,
    divisor: f32,
    out: &'a mut [f32],
}

impl SimdKernel for GlobalForward<'_> {
    type Output = ();

    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let Self { x, plane, divisor, out } = self;
        let lanes = S::LANES;
        for (o, x) in out.iter_mut().zip(x.chunks_exact(plane.max(1))) {
            let (mut acc, mut j) = (S::splat(0.0), 0);
            while j + lanes <= plane {
                acc = S::add(acc, S::load(x.as_ptr().add(j)));
                j += lanes;
            }
            if j < plane {
                acc = S::add(acc, S::load_partial(x.as_ptr().add(j), plane - j, 0.0));
            }
            *o = S::reduce_sum(acc) / divisor;
        }
    }
}

struct Backward<'a> {
    dout: &'a [f32],
    plane: usize,
    width: usize,
    w: &'a Windows,
    dx: &'a mut [f32],
}

impl SimdKernel for Backward<'_> {
    type Output = ();

    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let Self { dout, plane, width, w, dx } = self;
        let (oh, ow) = (w.rows.len(), w.cols.len());
        let planes = dx.len() / plane.max(1);
        dx.fill(0.0);
        let mut spread = vec![0.0f32; width];
        for p in 0..planes {
            let (dout, dx) = (&dout[p * oh * ow..][..oh * ow], &mut dx[p * plane..][..plane]);
            for (y, rows) in w.rows.iter().enumerate() {
                spread.fill(0.0);
                for (x, cols) in w.cols.iter().enumerate() {
                    let g = dout[y * ow + x] / w.divisors[y * ow + x];
                    spread[cols.clone()].iter_mut().for_each(|s| *s += g);
                }
                for h in rows.clone() {
                    add_into::<S>(&mut dx[h * width..][..width], &spread);
                }
            }
        }
    }
}
