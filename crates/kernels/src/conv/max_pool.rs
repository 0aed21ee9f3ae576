//! 2-D max pooling on NCHW tensors (PyTorch's MaxPool2d, implicit −∞ padding), and its backward:
//!
//! - `max_pool2d`: out[n][c][y][x] = max of x[n][c] over the window rows y·sH − pH .. + KH and
//!   columns x·sW − pW .. + KW clipped to the plane; indices = h·W + w of the first maximum, a
//!   NaN winning over every number (the first NaN kept), as `max_along`.
//! - `max_pool2d_backward`: dx = 0, then dx[plane][indices[i]] += dout[i].
//!
//! Output sizes follow PyTorch: OH = ⌊(H + 2·pH − KH)/sH⌋ + 1. Padding may be at most half the
//! kernel (PyTorch's rule), which keeps every window at least one pixel inside the plane.
//! Both passes split the planes over the shared pool.

use std::ops::Range;

use crate::check;
use crate::conv::{check_axis, out_size};
use crate::error::KernelError;
use crate::simd::{dispatch, Simd, SimdKernel};
use crate::threads::{parallel_map, parts, SharedMut};

const K: &str = "maxPool2d";
const KB: &str = "maxPool2dBackward";

/// The geometry of a max pooling (packages/core/src/kernels/conv.ts' MaxPool2dGeometry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2dShape {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub pad_h: usize,
    pub pad_w: usize,
}

impl MaxPool2dShape {
    /// Output height, PyTorch's rule (the geometry must have passed `check`).
    pub fn out_h(&self) -> usize {
        out_size(self.height, self.kernel_h, self.stride_h, self.pad_h)
    }

    /// Output width, PyTorch's rule (the geometry must have passed `check`).
    pub fn out_w(&self) -> usize {
        out_size(self.width, self.kernel_w, self.stride_w, self.pad_w)
    }

    fn x_dims(&self) -> [usize; 4] {
        [self.batch, self.channels, self.height, self.width]
    }

    fn out_dims(&self) -> [usize; 4] {
        [self.batch, self.channels, self.out_h(), self.out_w()]
    }

    /// As a convolution's axes, and padding at most half the kernel.
    pub fn check(&self, kernel: &str) -> Result<(), KernelError> {
        check_axis(kernel, "H", "height", self.height, self.kernel_h, self.stride_h, self.pad_h)?;
        check_axis(kernel, "W", "width", self.width, self.kernel_w, self.stride_w, self.pad_w)?;
        if self.height == 0 || self.width == 0 {
            return Err(KernelError::new(format!(
                "{kernel}: the input plane is {}x{}; a window needs at least one pixel",
                self.height, self.width
            )));
        }
        // The vectorised forward pass carries indices in f32 lanes, exact up to 2²⁴.
        if self.height * self.width > 1 << 24 {
            return Err(KernelError::new(format!(
                "{kernel}: the input plane is {}x{}; planes of more than 2^24 pixels are not supported",
                self.height, self.width
            )));
        }
        for (axis, pad, k) in [("H", self.pad_h, self.kernel_h), ("W", self.pad_w, self.kernel_w)] {
            if 2 * pad > k {
                return Err(KernelError::new(format!(
                    "{kernel}: pad{axis} {pad} should be at most half of kernel{axis} {k}, as in PyTorch"
                )));
            }
        }
        Ok(())
    }

    /// The clipped window of output (y, x): input rows and columns.
    fn window(&self, y: usize, x: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let clip = |o: usize, stride: usize, pad: usize, k: usize, size: usize| {
            let start = o * stride;
            start.saturating_sub(pad)..(start + k).saturating_sub(pad).min(size)
        };
        (
            clip(y, self.stride_h, self.pad_h, self.kernel_h, self.height),
            clip(x, self.stride_w, self.pad_w, self.kernel_w, self.width),
        )
    }
}

/// Max over each window, and where in its plane it is.
///
/// ```
/// use dlp_kernels::{max_pool2d, MaxPool2dShape};
/// let s = MaxPool2dShape { batch: 1, channels: 1, height: 2, width: 2, kernel_h: 2, kernel_w: 2,
///     stride_h: 2, stride_w: 2, pad_h: 0, pad_w: 0 };
/// let (mut out, mut at) = ([0.0], [0]);
/// max_pool2d(&[1.0, 4.0, 4.0, 2.0], s, &mut out, &mut at).unwrap();
/// assert_eq!((out, at), ([4.0], [1])); // the first of the tied maxima
/// ```
pub fn max_pool2d(x: &[f32], s: MaxPool2dShape, out: &mut [f32], indices: &mut [i32]) -> Result<(), KernelError> {
    check_forward(&s, x.len(), out.len(), indices.len())?;
    let (oh, ow) = (s.out_h(), s.out_w());
    let planes = s.batch * s.channels;
    // The clipped window rows, computed once for all planes.
    let rows: Vec<Range<usize>> = (0..oh).map(|y| s.window(y, 0).0).collect();
    let per_plane = oh * ow;
    let count = parts(planes * per_plane, 0, MIN_PART_OUTPUTS).min(planes.max(1));
    let (out, indices) = (SharedMut(out.as_mut_ptr()), SharedMut(indices.as_mut_ptr()));
    parallel_map(count, |part| {
        let range = part * planes / count..(part + 1) * planes / count;
        let len = range.len() * per_plane;
        // SAFETY: each part writes the outputs of its own planes only.
        let (out, indices) = unsafe {
            (
                std::slice::from_raw_parts_mut(out.ptr().add(range.start * per_plane), len),
                std::slice::from_raw_parts_mut(indices.ptr().add(range.start * per_plane), len),
            )
        };
        dispatch(PoolPlanes { x, s: &s, rows: &rows, planes: range, out, indices });
    });
    Ok(())
}

/// Outputs below which a part is not worth handing to another thread.
const MIN_PART_OUTPUTS: usize = 16_384;

/// The planes `planes` of x: for every window, the first maximum in raster order (a NaN beats
/// any number), written to `out`/`indices` (which start at the first of those planes).
///
/// "First in raster order" is the smallest input index h·W + w among the maxima, so taps can be
/// combined in any order ([`combine`]), which lets the work run as vector operations over whole
/// rows: for each output row, first the window's input rows column by column (contiguous), then
/// the window's columns of that row of column maxima, which is padded (an empty tap: −∞ at index
/// +∞, which never wins) and split into its `stride` phases, so that tap kj of consecutive
/// outputs is a contiguous load (phase kj mod s, from output + kj div s). Indices stay below
/// 2²⁴, exact in f32. Whether a tap wins is a coin flip on real activations: as a scalar branch
/// it was mispredicted half the time (3× slower than on sorted data).
struct PoolPlanes<'a> {
    x: &'a [f32],
    s: &'a MaxPool2dShape,
    rows: &'a [Range<usize>],
    planes: Range<usize>,
    out: &'a mut [f32],
    indices: &'a mut [i32],
}

/// (best, at) ← (v, index) where v wins: a NaN over a number, and between two numbers or two
/// NaNs the larger number, then the smaller index. Masks from `eq`/`gt`, combined by `select`.
#[inline(always)]
unsafe fn combine<S: Simd>(best: S::V, at: S::V, v: S::V, index: S::V) -> (S::V, S::V) {
    let (all, none) = (S::eq(S::splat(0.0), S::splat(0.0)), S::splat(0.0));
    let earlier = S::gt(at, index);
    let number_vs_number = S::select(S::gt(v, best), all, S::select(S::eq(v, best), earlier, none));
    // best a number: v wins if it is NaN, else by value; best NaN: only an earlier NaN wins.
    let take = S::select(S::eq(best, best), S::select(S::eq(v, v), number_vs_number, all), S::select(S::eq(v, v), none, earlier));
    (S::select(take, v, best), S::select(take, index, at))
}

impl SimdKernel for PoolPlanes<'_> {
    type Output = ();

    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let Self { x, s, rows, planes, out, indices } = self;
        let (ow, width, stride, lanes) = (s.out_w(), s.width, s.stride_w, S::LANES);
        let (padded_ow, padded_w) = (ow.div_ceil(lanes) * lanes, width.div_ceil(lanes) * lanes);
        // Each phase long enough for every tap of the padded outputs.
        let phase_len = padded_ow + s.kernel_w.div_ceil(stride) + 1;
        let (mut phase_best, mut phase_at) = (vec![f32::NEG_INFINITY; stride * phase_len], vec![f32::INFINITY; stride * phase_len]);
        let (mut column_best, mut column_at) = (vec![0.0f32; padded_w], vec![0.0f32; padded_w]);
        let (mut best, mut at) = (vec![0.0f32; padded_ow], vec![0.0f32; padded_ow]);
        let ramp: Vec<f32> = (0..padded_w.max(padded_ow)).map(|j| j as f32).collect();
        let (oh, plane) = (rows.len(), s.height * width);
        let (empty, no_index) = (S::splat(f32::NEG_INFINITY), S::splat(f32::INFINITY));
        for (k, p) in planes.enumerate() {
            let x = &x[p * plane..][..plane];
            for (y, window_rows) in rows.iter().enumerate() {
                // 1. Down the window's rows, a vector of columns at a time (a partial last one).
                //    The running maximum stays in registers across the rows: loaded, blended and
                //    stored back per row, it compiled to a masked store (vmaskmovps), which is
                //    microcoded on AMD: a third of this kernel's samples on a Zen 3 (perf).
                for j in (0..width).step_by(lanes) {
                    let n = lanes.min(width - j);
                    let ramp = S::load(ramp.as_ptr().add(j));
                    let (mut b, mut i) = (empty, no_index);
                    for h in window_rows.clone() {
                        let at = x.as_ptr().add(h * width + j);
                        let v = if n == lanes { S::load(at) } else { S::load_partial(at, n, f32::NEG_INFINITY) };
                        (b, i) = combine::<S>(b, i, v, S::add(S::splat((h * width) as f32), ramp));
                    }
                    S::store(column_best.as_mut_ptr().add(j), b);
                    S::store(column_at.as_mut_ptr().add(j), i);
                }
                // 2. The row of column maxima, padded and split into phases (padded column
                //    j = input column + padW goes to phase j mod s, at j div s).
                let (mut phase, mut slot) = (s.pad_w % stride, s.pad_w / stride);
                for j in 0..width {
                    phase_best[phase * phase_len + slot] = column_best[j];
                    phase_at[phase * phase_len + slot] = column_at[j];
                    phase += 1;
                    if phase == stride {
                        (phase, slot) = (0, slot + 1);
                    }
                }
                // 3. Across the window's columns.
                for xo in (0..padded_ow).step_by(lanes) {
                    let (mut b, mut i) = (empty, no_index);
                    for kj in 0..s.kernel_w {
                        let from = (kj % stride) * phase_len + kj / stride + xo;
                        (b, i) = combine::<S>(b, i, S::load(phase_best.as_ptr().add(from)), S::load(phase_at.as_ptr().add(from)));
                    }
                    S::store(best.as_mut_ptr().add(xo), b);
                    S::store(at.as_mut_ptr().add(xo), i);
                }
                let row = (k * oh + y) * ow;
                out[row..row + ow].copy_from_slice(&best[..ow]);
                indices[row..row + ow].iter_mut().zip(&at).for_each(|(d, &i)| *d = i as i32);
            }
        }
    }
}

/// The max (in f64) and its index, window by window: the oracle for `max_pool2d`.
pub fn max_pool2d_reference(x: &[f32], s: MaxPool2dShape) -> Result<(Vec<f64>, Vec<i32>), KernelError> {
    let count = s.batch * s.channels * s.out_h() * s.out_w();
    check_forward(&s, x.len(), count, count)?;
    let (mut out, mut indices) = (Vec::new(), Vec::new());
    let plane = s.height * s.width;
    for p in 0..s.batch * s.channels {
        for y in 0..s.out_h() {
            for xo in 0..s.out_w() {
                let (rows, cols) = s.window(y, xo);
                let taps: Vec<usize> = rows.flat_map(|h| cols.clone().map(move |w| h * s.width + w)).collect();
                let value = |i: &usize| x[p * plane + i];
                let best = taps.iter().map(value).fold(f32::NEG_INFINITY, f32::max);
                let at = taps
                    .iter()
                    .find(|i| value(i).is_nan())
                    .or_else(|| taps.iter().find(|i| value(i) == best))
                    .copied()
                    .unwrap();
                out.push(value(&at) as f64);
                indices.push(at as i32);
            }
        }
    }
    Ok((out, indices))
}

fn check_forward(s: &MaxPool2dShape, x_len: usize, out_len: usize, indices_len: usize) -> Result<(), KernelError> {
    s.check(K)?;
    check::tensor(K, "x", &s.x_dims(), x_len)?;
    check::tensor(K, "out", &s.out_dims(), out_len)?;
    check::tensor(K, "indices", &s.out_dims(), indices_len)
}

/// dx = dout routed to the argmax positions, 0 elsewhere.
///
/// ```
/// use dlp_kernels::{max_pool2d_backward, MaxPool2dShape};
/// let s = MaxPool2dShape { batch: 1, channels: 1, height: 2, width: 2, kernel_h: 2, kernel_w: 2,
///     stride_h: 2, stride_w: 2, pad_h: 0, pad_w: 0 };
/// let mut dx = [9.0; 4];
/// max_pool2d_backward(&[3.0], &[2], s, &mut dx).unwrap();
/// assert_eq!(dx, [0.0, 0.0, 3.0, 0.0]);
/// ```
pub fn max_pool2d_backward(
    dout: &[f32],
    indices: &[i32],
    s: MaxPool2dShape,
    dx: &mut [f32],
) -> Result<(), KernelError> {
    check_backward(&s, dout.len(), indices, dx.len())?;
    let (per_plane, plane, planes) = (s.out_h() * s.out_w(), s.height * s.width, s.batch * s.channels);
    let count = parts(planes * plane, 0, MIN_PART_OUTPUTS).min(planes.max(1));
    let dx = SharedMut(dx.as_mut_ptr());
    parallel_map(count, |part| {
        let range = part * planes / count..(part + 1) * planes / count;
        // SAFETY: each part writes the planes of its own range only.
        let dx = unsafe { std::slice::from_raw_parts_mut(dx.ptr().add(range.start * plane), range.len() * plane) };
        dx.fill(0.0);
        let (dout, indices) = (&dout[range.start * per_plane..range.end * per_plane], &indices[range.start * per_plane..range.end * per_plane]);
        for (k, (dout, indices)) in dout.chunks_exact(per_plane.max(1)).zip(indices.chunks_exact(per_plane.max(1))).enumerate() {
            let dx = &mut dx[k * plane..][..plane];
            dout.iter().zip(indices).for_each(|(&d, &at)| dx[at as usize] += d);
        }
    });
    Ok(())
}

/// The routed gradient in f64: the oracle for `max_pool2d_backward`.
pub fn max_pool2d_backward_reference(
    dout: &[f32],
    indices: &[i32],
    s: MaxPool2dShape,
) -> Result<Vec<f64>, KernelError> {
    let len = s.batch * s.channels * s.height * s.width;
    check_backward(&s, dout.len(), indices, len)?;
    let mut dx = vec![0.0; len];
    let per_plane = s.out_h() * s.out_w();
    for p in 0..s.batch * s.channels {
        for k in 0..per_plane {
            let i = p * per_plane + k;
            dx[p * s.height * s.width + indices[i] as usize] += dout[i] as f64;
        }
    }
    Ok(dx)
}

fn check_backward(s: &MaxPool2dShape, dout_len: usize, indices: &[i32], dx_len: usize) -> Result<(), KernelError> {
    s.check(KB)?;
    check::tensor(KB, "dout", &s.out_dims(), dout_len)?;
    check::tensor(KB, "indices", &s.out_dims(), indices.len())?;
    check::tensor(KB, "dx", &s.x_dims(), dx_len)?;
    let plane = s.height * s.width;
    match indices.iter().position(|&at| at < 0 || at as usize >= plane) {
        None => Ok(()),
        Some(k) => Err(KernelError::new(format!("{KB}: indices[{k}] = {} is not an index in {}", indices[k], crate::check::index_range(plane)))),
    }
}
