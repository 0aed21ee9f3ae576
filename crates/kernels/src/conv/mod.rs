//! Convolution and pooling on NCHW image batches: `conv2d` and its backward (this file, and
//! `winograd/`), their f64 oracles (`conv_reference`), `max_pool`, which checks its window as
//! a convolution does, and the average poolings `avg_pool` and `adaptive_avg_pool`, whose sums
//! run in `window_mean`.
//!
//! 2-D convolution on NCHW tensors (PyTorch's Conv2d: cross-correlation, zero padding), as
//! im2col + GEMM:
//!
//! - `conv2d`: out[n] [OC, OH·OW] = weight [OC, C·KH·KW] · col(x[n]) [C·KH·KW, OH·OW] + bias.
//! - `conv2d_backward_input`: dx[n] = col2im(weightᵀ · dout[n]), col2im summing overlapping taps.
//! - `conv2d_backward_weight`: dweight = Σ_n dout[n] · col(x[n])ᵀ, dbias = Σ dout over n and positions.
//!
//! OH = ⌊(H + 2·padH − KH)/strideH⌋ + 1, the same for OW. A 1×1 convolution with stride 1 and no
//! padding skips im2col: x[n] viewed as [C, H·W] already is the column matrix. Images with few
//! output positions (deep layers: 16 at 4×4) share one GEMM, their column matrices side by side
//! (`Conv2dShape::group`), so that no GEMM is thinner than MIN_COLUMNS. Column matrices live in
//! per-thread work buffers that grow and are kept between calls. Groups of images are split over
//! the shared pool; each part's GEMMs get the threads left over. Neither the groups nor the
//! weight gradient's partial sums depend on the thread count, so neither do the results
//! (tests/thread_count_bits.rs).
//!
//! 3×3 convolutions with stride 1 and padding 1 (the PreAct blocks') go to `winograd/` where
//! it pays (16+ channels, planes of 4×4 or more).

pub mod adaptive_avg_pool;
pub mod avg_pool;
pub mod conv_reference;
pub mod max_pool;
mod window_mean;
mod winograd;

use std::cell::Cell;
use std::ops::Range;
use std::thread::LocalKey;

use crate::check;
use crate::error::KernelError;
use crate::gemm::{sgemm, GemmSpec};
use crate::threads::{parallel_map, parts, SharedMut};

const K: &str = "conv2d";
const KI: &str = "conv2dBackwardInput";
const KW: &str = "conv2dBackwardWeight";

/// The fewest output positions (GEMM columns) a convolution's GEMMs are given, by putting the
/// column matrices of several images side by side (see `Conv2dShape::group`). Measured on a
/// Zen 4 with `benches/conv.rs`: 64 beat 32, 96, 128, 256, 512 and 1024 over the ConvNet's layers.
const MIN_COLUMNS: usize = 64;
/// The weight gradient's partial sums (over groups of images), whatever the thread count.
const WEIGHT_PARTS: usize = 2;

/// The geometry shared by a convolution's forward and backward kernels (packages/core/src/kernels/conv.ts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dShape {
    pub batch: usize,
    pub in_channels: usize,
    pub height: usize,
    pub width: usize,
    pub out_channels: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub pad_h: usize,
    pub pad_w: usize,
}

impl Conv2dShape {
    /// Output height, PyTorch's rule (the geometry must have passed `check`).
    pub fn out_h(&self) -> usize {
        out_size(self.height, self.kernel_h, self.stride_h, self.pad_h)
    }

    /// Output width, PyTorch's rule (the geometry must have passed `check`).
    pub fn out_w(&self) -> usize {
        out_size(self.width, self.kernel_w, self.stride_w, self.pad_w)
    }

    /// Rows of the column matrix: C·KH·KW, one per weight tap.
    pub fn patch(&self) -> usize {
        self.in_channels * self.kernel_h * self.kernel_w
    }

    fn positions(&self) -> usize {
        self.out_h() * self.out_w()
    }

    /// Images per GEMM: enough for MIN_COLUMNS output positions side by side (deep layers have
    /// few per image: 16 at 4×4, and a GEMM that thin runs far below peak). Not fewer on more
    /// threads: a GEMM's width picks its path (thin ones go to the gemm crate), and the paths sum
    /// in different orders, so a thread-dependent width made results depend on the thread count.
    fn group(&self) -> usize {
        MIN_COLUMNS.div_ceil(self.positions().max(1)).min(self.batch).max(1)
    }

    fn plane(&self) -> usize {
        self.height * self.width
    }

    /// A 1×1, stride-1, unpadded convolution: a plain GEMM on each image.
    fn is_pointwise(&self) -> bool {
        (self.kernel_h, self.kernel_w, self.stride_h, self.stride_w, self.pad_h, self.pad_w) == (1, 1, 1, 1, 0, 0)
    }

    fn x_dims(&self) -> [usize; 4] {
        [self.batch, self.in_channels, self.height, self.width]
    }

    fn weight_dims(&self) -> [usize; 4] {
        [self.out_channels, self.in_channels, self.kernel_h, self.kernel_w]
    }

    fn out_dims(&self) -> [usize; 4] {
        [self.batch, self.out_channels, self.out_h(), self.out_w()]
    }

    /// Strides and kernel at least 1, and the kernel no larger than the padded input.
    pub fn check(&self, kernel: &str) -> Result<(), KernelError> {
        check_axis(kernel, "H", "height", self.height, self.kernel_h, self.stride_h, self.pad_h)?;
        check_axis(kernel, "W", "width", self.width, self.kernel_w, self.stride_w, self.pad_w)
    }
}

/// PyTorch's output size of a sliding window: ⌊(size + 2·pad − k)/stride⌋ + 1 (axis checked).
pub(crate) fn out_size(size: usize, k: usize, stride: usize, pad: usize) -> usize {
    (size + 2 * pad - k) / stride + 1
}

/// One axis of a sliding window (convolution or pooling): kernel and stride at least 1, and the
/// kernel no larger than the padded input, so that there is at least one output position.
pub(crate) fn check_axis(
    kernel: &str,
    axis: &str,
    dim: &str,
    size: usize,
    k: usize,
    stride: usize,
    pad: usize,
) -> Result<(), KernelError> {
    for (name, value) in [("kernel", k), ("stride", stride)] {
        if value == 0 {
            return Err(KernelError::new(format!("{kernel}: {name}{axis} should be at least 1 but is 0")));
        }
    }
    let padded = size + 2 * pad;
    if k > padded {
        return Err(KernelError::new(format!(
            "{kernel}: kernel{axis} {k} is larger than the padded {dim} {padded} ({dim} {size} + 2·pad{axis} {pad})"
        )));
    }
    Ok(())
}

/// out = conv(x, weight) + bias on up to `threads` threads (0 = all of the shared pool).
///
/// ```
/// use dlp_kernels::{conv2d, Conv2dShape};
/// let s = Conv2dShape { batch: 1, in_channels: 1, height: 2, width: 2, out_channels: 1,
///     kernel_h: 2, kernel_w: 2, stride_h: 1, stride_w: 1, pad_h: 0, pad_w: 0 };
/// let mut out = [0.0];
/// conv2d(&[1.0, 2.0, 3.0, 4.0], &[1.0, 0.0, 0.0, 1.0], Some(&[0.5]), &mut out, s, 1).unwrap();
/// assert_eq!(out, [5.5]); // 1·1 + 4·1 + 0.5
/// ```
pub fn conv2d(
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    s: Conv2dShape,
    threads: usize,
) -> Result<(), KernelError> {
    s.check(K)?;
    check::tensor(K, "x", &s.x_dims(), x.len())?;
    check::tensor(K, "weight", &s.weight_dims(), weight.len())?;
    if let Some(b) = bias {
        check::vector(K, "bias", s.out_channels, "channels", b.len())?;
    }
    check::tensor(K, "out", &s.out_dims(), out.len())?;
    if winograd::applies(&s) && s.batch > 0 {
        return winograd::forward(x, weight, bias, out, &s, threads);
    }
    let (plane_in, plane_out, p) = (s.in_channels * s.plane(), s.out_channels * s.positions(), s.positions());
    let out = SharedMut(out.as_mut_ptr());
    per_group_parts(&s, threads, |images, gemm_threads| {
        let cols = images.len() * p;
        let spec = GemmSpec::new(false, false, s.out_channels, cols, s.patch());
        // SAFETY: the output blocks of these images are written by this call alone.
        let out = unsafe { std::slice::from_raw_parts_mut(out.ptr().add(images.start * plane_out), images.len() * plane_out) };
        if images.len() == 1 {
            let x = &x[images.start * plane_in..][..plane_in];
            if s.is_pointwise() {
                sgemm(&spec, weight, x, out, gemm_threads)?;
            } else {
                with_buffer(&WORK, s.patch() * p, |col| {
                    im2col(x, &s, col, p);
                    sgemm(&spec, weight, col, out, gemm_threads)
                })?;
            }
            add_bias(out, bias, p);
            return Ok(());
        }
        // Several images side by side: col [C·KH·KW, g·P] → [OC, g·P], then back to NCHW.
        with_buffer(&WORK, (s.patch() + s.out_channels) * cols, |work| {
            let (col, product) = work.split_at_mut(s.patch() * cols);
            for (i, n) in images.clone().enumerate() {
                im2col(&x[n * plane_in..][..plane_in], &s, &mut col[i * p..], cols);
            }
            sgemm(&spec, weight, col, product, gemm_threads)?;
            for (i, image_out) in out.chunks_exact_mut(plane_out).enumerate() {
                for (row, product_row) in image_out.chunks_exact_mut(p).zip(product.chunks_exact(cols)) {
                    row.copy_from_slice(&product_row[i * p..][..p]);
                }
                add_bias(image_out, bias, p);
            }
            Ok(())
        })
    })
}

/// out[oc][·] += bias[oc] over one image's output [OC, P].
fn add_bias(out: &mut [f32], bias: Option<&[f32]>, positions: usize) {
    if let Some(bias) = bias {
        for (row, &b) in out.chunks_exact_mut(positions).zip(bias) {
            row.iter_mut().for_each(|v| *v += b);
        }
    }
}

/// dout of `images` side by side: [OC, g·P] from g blocks [OC, P].
fn gather_images(dout: &[f32], s: &Conv2dShape, images: Range<usize>, into: &mut [f32]) {
    let (p, cols, plane_out) = (s.positions(), images.len() * s.positions(), s.out_channels * s.positions());
    for (i, n) in images.enumerate() {
        let image = &dout[n * plane_out..][..plane_out];
        for (row, into_row) in image.chunks_exact(p).zip(into.chunks_exact_mut(cols)) {
            into_row[i * p..][..p].copy_from_slice(row);
        }
    }
}

/// dx from dout: col = weightᵀ·dout[n], then each column entry added back to the input pixel it
/// was read from (col2im). dx is overwritten.
pub fn conv2d_backward_input(
    dout: &[f32],
    weight: &[f32],
    dx: &mut [f32],
    s: Conv2dShape,
    threads: usize,
) -> Result<(), KernelError> {
    s.check(KI)?;
    check::tensor(KI, "dout", &s.out_dims(), dout.len())?;
    check::tensor(KI, "weight", &s.weight_dims(), weight.len())?;
    check::tensor(KI, "dx", &s.x_dims(), dx.len())?;
    if winograd::applies(&s) && s.batch > 0 {
        return winograd::backward_input(dout, weight, dx, &s, threads);
    }
    let (plane_in, plane_out, p) = (s.in_channels * s.plane(), s.out_channels * s.positions(), s.positions());
    let dx = SharedMut(dx.as_mut_ptr());
    per_group_parts(&s, threads, |images, gemm_threads| {
        let cols = images.len() * p;
        let spec = GemmSpec::new(true, false, s.patch(), cols, s.out_channels);
        // SAFETY: the blocks of dx of these images are written by this call alone.
        let dx = unsafe { std::slice::from_raw_parts_mut(dx.ptr().add(images.start * plane_in), images.len() * plane_in) };
        if images.len() == 1 {
            let dout = &dout[images.start * plane_out..][..plane_out];
            if s.is_pointwise() {
                return sgemm(&spec, weight, dout, dx, gemm_threads);
            }
            return with_buffer(&WORK, s.patch() * p, |col| {
                sgemm(&spec, weight, dout, col, gemm_threads)?;
                dx.fill(0.0);
                col2im(col, &s, dx, p);
                Ok(())
            });
        }
        with_buffer(&WORK, (s.out_channels + s.patch()) * cols, |work| {
            let (gathered, col) = work.split_at_mut(s.out_channels * cols);
            gather_images(dout, &s, images.clone(), gathered);
            sgemm(&spec, weight, gathered, col, gemm_threads)?;
            dx.fill(0.0);
            for (i, image_dx) in dx.chunks_exact_mut(plane_in).enumerate() {
                col2im(&col[i * p..], &s, image_dx, cols);
            }
            Ok(())
        })
    })
}

/// dweight = Σ_n dout[n]·col(x[n])ᵀ and, when given, dbias = Σ dout per output channel; both
/// overwritten. Parts of the batch accumulate into their own buffers, summed at the end.
pub fn conv2d_backward_weight(
    x: &[f32],
    dout: &[f32],
    dweight: &mut [f32],
    dbias: Option<&mut [f32]>,
    s: Conv2dShape,
    threads: usize,
) -> Result<(), KernelError> {
    s.check(KW)?;
    check::tensor(KW, "x", &s.x_dims(), x.len())?;
    check::tensor(KW, "dout", &s.out_dims(), dout.len())?;
    check::tensor(KW, "dweight", &s.weight_dims(), dweight.len())?;
    if let Some(b) = &dbias {
        check::vector(KW, "dbias", s.out_channels, "channels", b.len())?;
    }
    if let Some(dbias) = dbias {
        bias_gradient(dout, &s, dbias);
    }
    if s.batch == 0 {
        dweight.fill(0.0);
        return Ok(());
    }
    if winograd::applies(&s) {
        return winograd::backward_weight(x, dout, dweight, &s, threads);
    }
    // The images are summed in an order that does not depend on the thread count: groups of
    // a fixed size (each one GEMM whose inner dimension runs over its images), in WEIGHT_PARTS
    // partial sums at most, added in part order. Threads only change who computes which part.
    let size = s.group();
    let groups = s.batch.div_ceil(size);
    let count = groups.min(WEIGHT_PARTS);
    let gemm_threads = (parts(usize::MAX, threads, 1) / count).max(1);
    // Part 0 accumulates straight into dweight; the others into buffers of their own.
    let target = SharedMut(dweight.as_mut_ptr());
    let len = dweight.len();
    let partials = parallel_map(count, |part| -> Result<Vec<f32>, KernelError> {
        let groups = split(groups, count, part);
        if part == 0 {
            // SAFETY: part 0 is the only writer of dweight until the parts are joined.
            let dw = unsafe { std::slice::from_raw_parts_mut(target.ptr(), len) };
            weight_gradient(x, dout, &s, size, groups, dw, gemm_threads)?;
            return Ok(Vec::new());
        }
        let mut dw = vec![0.0; len];
        weight_gradient(x, dout, &s, size, groups, &mut dw, gemm_threads)?;
        Ok(dw)
    });
    for partial in partials {
        dweight.iter_mut().zip(&partial?).for_each(|(d, p)| *d += p);
    }
    Ok(())
}

/// dw = Σ over the images of `groups` of dout[n]·col(x[n])ᵀ (overwritten; `groups` is never
/// empty): one GEMM per group, whose inner dimension runs over the group's images side by side.
fn weight_gradient(
    x: &[f32],
    dout: &[f32],
    s: &Conv2dShape,
    size: usize,
    groups: Range<usize>,
    dw: &mut [f32],
    gemm_threads: usize,
) -> Result<(), KernelError> {
    let (plane_in, plane_out, p) = (s.in_channels * s.plane(), s.out_channels * s.positions(), s.positions());
    let first = groups.start;
    for group in groups {
        let images = group_images(s, size, group);
        let cols = images.len() * p;
        let mut spec = GemmSpec::new(false, true, s.out_channels, s.patch(), cols);
        spec.beta = if group == first { 0.0 } else { 1.0 };
        if images.len() == 1 {
            let n = images.start;
            let (x, dout) = (&x[n * plane_in..][..plane_in], &dout[n * plane_out..][..plane_out]);
            if s.is_pointwise() {
                sgemm(&spec, dout, x, dw, gemm_threads)?;
            } else {
                with_buffer(&WORK, s.patch() * p, |col| {
                    im2col(x, s, col, p);
                    sgemm(&spec, dout, col, dw, gemm_threads)
                })?;
            }
            continue;
        }
        with_buffer(&WORK, (s.out_channels + s.patch()) * cols, |work| {
            let (gathered, col) = work.split_at_mut(s.out_channels * cols);
            gather_images(dout, s, images.clone(), gathered);
            for (i, n) in images.enumerate() {
                im2col(&x[n * plane_in..][..plane_in], s, &mut col[i * p..], cols);
            }
            sgemm(&spec, gathered, col, dw, gemm_threads)
        })?;
    }
    Ok(())
}

/// dbias[oc] = Σ dout[n][oc][·], summed in f64.
fn bias_gradient(dout: &[f32], s: &Conv2dShape, dbias: &mut [f32]) {
    let mut sums = vec![0.0f64; s.out_channels];
    if s.positions() > 0 {
        for (k, row) in dout.chunks_exact(s.positions()).enumerate() {
            sums[k % s.out_channels] += row.iter().map(|&v| v as f64).sum::<f64>();
        }
    }
    dbias.iter_mut().zip(sums).for_each(|(d, v)| *d = v as f32);
}

/// The images of group `g`: `size` consecutive images (fewer in the last group).
fn group_images(s: &Conv2dShape, size: usize, g: usize) -> Range<usize> {
    g * size..((g + 1) * size).min(s.batch)
}

/// Runs `group(images, gemm_threads)` for every group of images, the groups split over the
/// shared pool: as many parts as threads (at most one per group), each part's GEMMs on the
/// threads left over (all of them when the whole batch is one group).
fn per_group_parts(
    s: &Conv2dShape,
    threads: usize,
    group: impl Fn(Range<usize>, usize) -> Result<(), KernelError> + Sync,
) -> Result<(), KernelError> {
    if s.batch == 0 {
        return Ok(());
    }
    let size = s.group();
    let groups = s.batch.div_ceil(size);
    let count = parts(groups, threads, 1);
    // parts(usize::MAX, ..) is the thread count itself (0 resolved to the pool's size).
    let gemm_threads = (parts(usize::MAX, threads, 1) / count).max(1);
    parallel_map(count, |part| split(groups, count, part).try_for_each(|g| group(group_images(s, size, g), gemm_threads)))
        .into_iter()
        .collect()
}

/// Part `p` of `0..total` cut into `count` near-equal ranges.
pub(crate) fn split(total: usize, count: usize, p: usize) -> Range<usize> {
    p * total / count..(p + 1) * total / count
}

thread_local! {
    /// The column matrix of this thread's current image: grows to the largest needed, never shrinks.
    static WORK: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
}

/// `f` on `len` floats of this thread's buffer `key` (contents unspecified). The buffer is taken
/// out while in use: a pool thread waiting inside a GEMM may run another part of a convolution,
/// which then gets a fresh buffer instead of a second borrow of this one. The larger of the two
/// is kept, so a training loop's buffers are allocated once.
pub(crate) fn with_buffer<R>(key: &'static LocalKey<Cell<Vec<f32>>>, len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    let mut buffer = key.with(Cell::take);
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
    let result = f(&mut buffer[..len]);
    key.with(|work| {
        let other = work.take();
        work.set(if other.len() > buffer.len() { other } else { buffer });
    });
    result
}

/// Visits every row segment of one image's column matrix [C·KH·KW, OH·OW], stored with `ld`
/// floats from one row to the next (OH·OW alone, more when images sit side by side): (offset
/// of the segment, the range lo..hi of output columns that read the input, and where the input
/// row starts for column lo: `None` when the whole row is padding).
fn for_each_segment(s: &Conv2dShape, ld: usize, mut visit: impl FnMut(usize, usize, usize, Option<usize>)) {
    let (oh, ow) = (s.out_h(), s.out_w());
    let mut row = 0;
    for c in 0..s.in_channels {
        for ki in 0..s.kernel_h {
            for kj in 0..s.kernel_w {
                let (lo, hi) = valid_range(kj, s.pad_w, s.stride_w, s.width, ow);
                for y in 0..oh {
                    let ih = (y * s.stride_h + ki).checked_sub(s.pad_h).filter(|&ih| ih < s.height);
                    // lo·strideW + kj ≥ padW whenever lo < hi (valid_range).
                    let start =
                        ih.filter(|_| lo < hi).map(|ih| (c * s.height + ih) * s.width + lo * s.stride_w + kj - s.pad_w);
                    visit(row * ld + y * ow, lo, hi, start);
                }
                row += 1;
            }
        }
    }
}

/// The output columns lo..hi whose tap at kernel column `k` falls inside the input:
/// pad ≤ o·stride + k < size + pad.
fn valid_range(k: usize, pad: usize, stride: usize, size: usize, out: usize) -> (usize, usize) {
    let ceil_div = |a: usize| a.div_ceil(stride);
    let hi = if size + pad > k { ceil_div(size + pad - k).min(out) } else { 0 };
    let lo = if k >= pad { 0 } else { ceil_div(pad - k) };
    (lo.min(hi), hi)
}

/// One image's column matrix, rows `ld` apart: col[(c·KH + ki)·KW + kj][y·OW + x] =
/// x[c][y·sH + ki − pH][x·sW + kj − pW], 0 in the padding.
fn im2col(x: &[f32], s: &Conv2dShape, col: &mut [f32], ld: usize) {
    let (ow, sw) = (s.out_w(), s.stride_w);
    for_each_segment(s, ld, |offset, lo, hi, start| {
        let segment = &mut col[offset..][..ow];
        let Some(start) = start else {
            segment.fill(0.0);
            return;
        };
        segment[..lo].fill(0.0);
        segment[hi..].fill(0.0);
        if sw == 1 {
            segment[lo..hi].copy_from_slice(&x[start..start + hi - lo]);
        } else {
            segment[lo..hi].iter_mut().enumerate().for_each(|(i, v)| *v = x[start + i * sw]);
        }
    });
}

/// The adjoint of `im2col`: each column entry added to the input pixel it was read from.
fn col2im(col: &[f32], s: &Conv2dShape, dx: &mut [f32], ld: usize) {
    let sw = s.stride_w;
    for_each_segment(s, ld, |offset, lo, hi, start| {
        if let Some(start) = start {
            let segment = &col[offset + lo..offset + hi];
            if sw == 1 {
                dx[start..start + segment.len()].iter_mut().zip(segment).for_each(|(d, v)| *d += v);
            } else {
                segment.iter().enumerate().for_each(|(i, v)| dx[start + i * sw] += v);
            }
        }
    });
}
