//! 3×3, stride-1, padding-1 convolutions (the ConvNet's PreAct blocks) by Winograd's minimal
//! filtering F(2×2, 3×3) (Lavin & Gray, 2016): each 2×2 block of outputs ("tile") is
//! Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A from the 4×4 input patch d under it, so a tile costs 16
//! multiplications per channel pair instead of 36. Over a batch that is 16 GEMMs, one per
//! position ξ of the 4×4 transformed tile:
//!
//! - forward: M[ξ] [OC, T] = U[ξ] [OC, C] · V[ξ] [C, T], with U = G g Gᵀ per (oc, c) and
//!   V = Bᵀ d B per (c, tile); then each tile's outputs Aᵀ M A (+ bias).
//! - input backward: the same convolution of dout with the kernels turned 180° and their two
//!   channel axes swapped (a 3×3/1/1 convolution's adjoint is one too).
//! - weight backward: dU[ξ] [OC, C] = dM[ξ] [OC, T] · V[ξ]ᵀ with dM = A dY Aᵀ per tile, then
//!   dg = Gᵀ dU G.
//!
//! T runs over the tiles of up to a chunk of images at once (their V and M side by side), so the
//! GEMMs are wide even on 4×4 planes. Each pass has three phases on the shared pool: transforms
//! split over channels, the 16 GEMMs split over ξ, the inverse transforms split over channels.
//! Transformed tiles carry small extra rounding (values are added before they are multiplied);
//! the tests hold it to the same tolerance as the direct kernels.

use std::cell::Cell;

use crate::conv::{split, with_buffer, Conv2dShape};
use crate::error::KernelError;
use crate::gemm::{sgemm, GemmSpec};
use crate::threads::{parallel_map, parts, SharedMut};

/// Positions of a transformed tile.
const XI: usize = 16;

/// Fewer channels than this (conv0's 3 inputs) are left to im2col: the transforms would cost more
/// than the multiplications they save. Measured with `benches/conv.rs` on a Zen 4 (2 threads,
/// batch 32): Winograd against im2col + GEMM per call, forward 12.5 vs 13.6 ms at 64 channels on
/// 32×32, 9.7 vs 13.1 at 128 on 16×16, 9.1 vs 12.8 at 256 on 8×8, 10.0 vs 12.7 at 512 on 4×4,
/// and 5.0 vs 3.7 at 512 on 2×2 (hence MIN_PLANE).
const MIN_CHANNELS: usize = 16;

/// The most floats one transformed operand of a chunk may hold (32 MB): bounds the work buffers
/// when evaluating in large batches.
const MAX_CHUNK_FLOATS: usize = 8 << 20;

#[cfg(not(test))]
fn max_chunk_floats() -> usize {
    MAX_CHUNK_FLOATS
}

// Unit tests shrink the chunks to run the chunked loops on small inputs.
#[cfg(test)]
thread_local! {
    static TEST_CHUNK_FLOATS: Cell<usize> = const { Cell::new(MAX_CHUNK_FLOATS) };
}

#[cfg(test)]
fn max_chunk_floats() -> usize {
    TEST_CHUNK_FLOATS.with(Cell::get)
}

thread_local! {
    /// The transformed kernels U of the current call.
    static KERNELS: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
    /// The transformed tiles of the current chunk (V, and M or dM).
    static TILES: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
}

/// Planes smaller than this on either side (the ConvNet's 2×2 PreAct5) are left to im2col: one
/// tile covers the whole plane, and transforming the kernels then costs more than it saves.
const MIN_PLANE: usize = 4;

/// Whether `conv2d` and its backward kernels run this path for `s`.
pub(crate) fn applies(s: &Conv2dShape) -> bool {
    (s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_h, s.pad_w) == (3, 3, 1, 1, 1, 1)
        && s.in_channels >= MIN_CHANNELS
        && s.out_channels >= MIN_CHANNELS
        && s.height >= MIN_PLANE
        && s.width >= MIN_PLANE
}

/// The planes of one side of a convolution: channels of h×w.
#[derive(Clone, Copy)]
struct Planes {
    channels: usize,
    h: usize,
    w: usize,
}

impl Planes {
    fn tiles_y(&self) -> usize {
        self.h.div_ceil(2)
    }
    fn tiles_x(&self) -> usize {
        self.w.div_ceil(2)
    }
    fn tiles(&self) -> usize {
        self.tiles_y() * self.tiles_x()
    }
    fn image(&self) -> usize {
        self.channels * self.h * self.w
    }
}

/// out = conv(x, weight) + bias (the contract of `conv2d`).
pub(crate) fn forward(x: &[f32], weight: &[f32], bias: Option<&[f32]>, out: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    let (input, output) = planes_of(s);
    with_buffer(&KERNELS, XI * s.out_channels * s.in_channels, |u| {
        transform_kernels(weight, s.out_channels, s.in_channels, false, u, threads);
        convolve(x, u, bias, out, s.batch, input, output, threads)
    })
}

/// dx from dout (the contract of `conv2d_backward_input`).
pub(crate) fn backward_input(dout: &[f32], weight: &[f32], dx: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    let (input, output) = planes_of(s);
    with_buffer(&KERNELS, XI * s.out_channels * s.in_channels, |u| {
        transform_kernels(weight, s.out_channels, s.in_channels, true, u, threads);
        convolve(dout, u, None, dx, s.batch, output, input, threads)
    })
}

/// dweight from x and dout, overwritten (the contract of `conv2d_backward_weight`; the bias
/// gradient is the caller's).
pub(crate) fn backward_weight(x: &[f32], dout: &[f32], dweight: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    let (input, output) = planes_of(s);
    let (c, oc) = (s.in_channels, s.out_channels);
    with_buffer(&KERNELS, XI * oc * c, |du| {
        let chunk = chunk_images(s.batch, input.tiles(), c.max(oc));
        for (k, first) in (0..s.batch).step_by(chunk).enumerate() {
            let images = first..(first + chunk).min(s.batch);
            let t = images.len() * input.tiles();
            with_buffer(&TILES, XI * (c + oc) * t, |work| {
                let (v, dm) = work.split_at_mut(XI * c * t);
                transform_inputs(x, input, images.clone(), v, threads);
                transform_output_grads(dout, output, images.clone(), dm, threads);
                let spec = GemmSpec { beta: if k == 0 { 0.0 } else { 1.0 }, ..GemmSpec::new(false, true, oc, c, t) };
                per_position(threads, du, oc * c, |xi, du| sgemm(&spec, &dm[xi * oc * t..][..oc * t], &v[xi * c * t..][..c * t], du, 1))
            })?;
        }
        kernel_gradients(du, oc, c, dweight, threads);
        Ok(())
    })
}

fn planes_of(s: &Conv2dShape) -> (Planes, Planes) {
    (
        Planes { channels: s.in_channels, h: s.height, w: s.width },
        Planes { channels: s.out_channels, h: s.height, w: s.width },
    )
}

/// Images per chunk: as many as keep each transformed operand under MAX_CHUNK_FLOATS.
fn chunk_images(batch: usize, tiles: usize, channels: usize) -> usize {
    (max_chunk_floats() / (XI * channels * tiles).max(1)).clamp(1, batch.max(1))
}

/// out[n] = Σ over input channels of each image's planes convolved with the kernels U
/// ([ξ][out channel][in channel], transformed), + bias, chunk by chunk of images.
#[allow(clippy::too_many_arguments)]
fn convolve(
    x: &[f32],
    u: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    batch: usize,
    input: Planes,
    output: Planes,
    threads: usize,
) -> Result<(), KernelError> {
    let (c, oc) = (input.channels, output.channels);
    let chunk = chunk_images(batch, input.tiles(), c.max(oc));
    for first in (0..batch).step_by(chunk) {
        let images = first..(first + chunk).min(batch);
        let t = images.len() * input.tiles();
        with_buffer(&TILES, XI * (c + oc) * t, |work| {
            let (v, m) = work.split_at_mut(XI * c * t);
            transform_inputs(x, input, images.clone(), v, threads);
            let spec = GemmSpec::new(false, false, oc, t, c);
            per_position(threads, m, oc * t, |xi, m| sgemm(&spec, &u[xi * oc * c..][..oc * c], &v[xi * c * t..][..c * t], m, 1))?;
            transform_outputs(m, output, images.clone(), bias, out, threads);
            Ok(())
        })?;
    }
    Ok(())
}

/// `f(ξ, block ξ of out)` for the 16 positions, split over the pool (blocks of `block` floats).
fn per_position(
    threads: usize,
    out: &mut [f32],
    block: usize,
    f: impl Fn(usize, &mut [f32]) -> Result<(), KernelError> + Sync,
) -> Result<(), KernelError> {
    let count = parts(XI, threads, 1);
    let out = SharedMut(out.as_mut_ptr());
    parallel_map(count, |p| {
        split(XI, count, p).try_for_each(|xi| {
            // SAFETY: block ξ is written by the part that owns ξ alone.
            f(xi, unsafe { std::slice::from_raw_parts_mut(out.ptr().add(xi * block), block) })
        })
    })
    .into_iter()
    .collect()
}

/// `f(channel)` for every channel, split over the pool.
fn per_channel(channels: usize, threads: usize, f: impl Fn(usize) + Sync) {
    let count = parts(channels, threads, 1);
    parallel_map(count, |p| split(channels, count, p).for_each(&f));
}

/// U[ξ][o][i] = (G g Gᵀ)[ξ] with g the kernel weight[o][i], or, `adjoint`, g = weight[i][o]
/// turned 180° (o then runs over the input channels, i over the output channels).
///
/// One o at a time: its kernels' nine taps are first laid out as nine rows over i, so that
/// G g Gᵀ becomes whole-row vector operations writing U's rows (which run over i) directly.
fn transform_kernels(weight: &[f32], out_channels: usize, in_channels: usize, adjoint: bool, u: &mut [f32], threads: usize) {
    let (rows, cols) = if adjoint { (in_channels, out_channels) } else { (out_channels, in_channels) };
    let target = SharedMut(u.as_mut_ptr());
    per_channel(rows, threads, |o| {
        let mut taps = vec![0.0f32; 9 * cols];
        for i in 0..cols {
            let (kernel, turned) = if adjoint { (i * in_channels + o, true) } else { (o * in_channels + i, false) };
            let g = &weight[kernel * 9..][..9];
            for k in 0..9 {
                taps[k * cols + i] = g[if turned { 8 - k } else { k }];
            }
        }
        let tap = |r: usize, j: usize| &taps[(r * 3 + j) * cols..][..cols];
        // G g: its four rows a, each three columns j, as rows over i.
        let mut gg = vec![0.0f32; 12 * cols];
        for j in 0..3 {
            let (g0, g1, g2) = (tap(0, j), tap(1, j), tap(2, j));
            let mut row = |a: usize, f: &dyn Fn(usize) -> f32| {
                gg[(a * 3 + j) * cols..][..cols].iter_mut().enumerate().for_each(|(i, v)| *v = f(i));
            };
            row(0, &|i| g0[i]);
            row(1, &|i| 0.5 * (g0[i] + g1[i] + g2[i]));
            row(2, &|i| 0.5 * (g0[i] - g1[i] + g2[i]));
            row(3, &|i| g2[i]);
        }
        // (G g) Gᵀ: the same combination over the columns of each row a.
        for a in 0..4 {
            let c = |j: usize| &gg[(a * 3 + j) * cols..][..cols];
            let (c0, c1, c2) = (c(0), c(1), c(2));
            // SAFETY: row o of every position is written by this channel's part alone.
            let out = |b: usize| unsafe { std::slice::from_raw_parts_mut(target.ptr().add(((a * 4 + b) * rows + o) * cols), cols) };
            out(0).copy_from_slice(c0);
            out(1).iter_mut().enumerate().for_each(|(i, v)| *v = 0.5 * (c0[i] + c1[i] + c2[i]));
            out(2).iter_mut().enumerate().for_each(|(i, v)| *v = 0.5 * (c0[i] - c1[i] + c2[i]));
            out(3).copy_from_slice(c2);
        }
    });
}

/// dweight[o][i] = Gᵀ dU[·][o][i] G for every kernel.
fn kernel_gradients(du: &[f32], out_channels: usize, in_channels: usize, dweight: &mut [f32], threads: usize) {
    let target = SharedMut(dweight.as_mut_ptr());
    per_channel(out_channels, threads, |o| {
        for i in 0..in_channels {
            let at = |xi: usize| du[(xi * out_channels + o) * in_channels + i];
            let gt = |a: f32, b: f32, c: f32, d: f32| [a + 0.5 * (b + c), 0.5 * (b - c), 0.5 * (b + c) + d];
            // Gᵀ on each column of dU, then on each row of the result.
            let cols: [[f32; 3]; 4] = std::array::from_fn(|b| gt(at(b), at(4 + b), at(8 + b), at(12 + b)));
            for r in 0..3 {
                let row = gt(cols[0][r], cols[1][r], cols[2][r], cols[3][r]);
                for (j, v) in row.into_iter().enumerate() {
                    // SAFETY: kernel o's weights are written by this channel's part alone.
                    unsafe { *target.ptr().add(((o * in_channels + i) * 3 + r) * 3 + j) = v };
                }
            }
        }
    });
}

/// V[ξ][c][tile] = (Bᵀ d B)[ξ] for the 4×4 patch d under each tile of `images` (zero outside
/// the plane), tiles numbered image by image, row by row.
///
/// A row of tiles at a time, as whole-row vector operations: the patch of tile tx covers padded
/// columns 2tx..2tx+3 (input columns 2tx−1..2tx+2) of input rows 2ty−1..2ty+2. Each of those rows
/// is split into its even and odd padded columns (`even[k]` = column 2k−1, `odd[k]` = column 2k),
/// Bᵀ combines the four rows (a row a of Bᵀd per pair of even/odd vectors), and B combines
/// neighbouring columns: column 2tx+q is even[tx + q/2] for even q, odd[tx + q/2] for odd q.
fn transform_inputs(x: &[f32], p: Planes, images: std::ops::Range<usize>, v: &mut [f32], threads: usize) {
    let t_all = images.len() * p.tiles();
    let (tw, th) = (p.tiles_x(), p.tiles_y());
    let target = SharedMut(v.as_mut_ptr());
    per_channel(p.channels, threads, |c| {
        // Four input rows split even/odd, then the four rows of Bᵀd, each tw + 1 long.
        let len = tw + 1;
        let mut rows = vec![0.0f32; 8 * len];
        let mut combined = vec![0.0f32; 8 * len];
        for (k, n) in images.clone().enumerate() {
            let plane = &x[n * p.image() + c * p.h * p.w..][..p.h * p.w];
            for ty in 0..th {
                for r in 0..4 {
                    let (even, odd) = rows[r * 2 * len..(r + 1) * 2 * len].split_at_mut(len);
                    let y = (2 * ty + r).wrapping_sub(1);
                    even.fill(0.0);
                    odd.fill(0.0);
                    if y < p.h {
                        let line = &plane[y * p.w..][..p.w];
                        // Padded column j holds input column j − 1: input 2k is odd[k], 2k + 1 is even[k + 1].
                        for (k, pair) in line.chunks(2).enumerate() {
                            odd[k] = pair[0];
                            if let Some(&next) = pair.get(1) {
                                even[k + 1] = next;
                            }
                        }
                    }
                }
                // Bᵀ over the rows: [d0 − d2, d1 + d2, d2 − d1, d1 − d3], on even and odd alike.
                for half in 0..2 {
                    let row = |r: usize| &rows[(r * 2 + half) * len..][..len];
                    let (d0, d1, d2, d3) = (row(0), row(1), row(2), row(3));
                    let at = |a: usize| (a * 2 + half) * len;
                    for j in 0..len {
                        combined[at(0) + j] = d0[j] - d2[j];
                    }
                    for j in 0..len {
                        combined[at(1) + j] = d1[j] + d2[j];
                    }
                    for j in 0..len {
                        combined[at(2) + j] = d2[j] - d1[j];
                    }
                    for j in 0..len {
                        combined[at(3) + j] = d1[j] - d3[j];
                    }
                }
                // B over the columns of each row a: [p0 − p2, p1 + p2, p2 − p1, p1 − p3] with
                // p0 = even[tx], p1 = odd[tx], p2 = even[tx + 1], p3 = odd[tx + 1].
                let first = k * p.tiles() + ty * tw;
                for a in 0..4 {
                    let (even, odd) = (&combined[(a * 2) * len..][..len], &combined[(a * 2 + 1) * len..][..len]);
                    let (e0, o0, e1, o1) = (&even[..tw], &odd[..tw], &even[1..], &odd[1..]);
                    // SAFETY: channel c's rows are written by this channel's part alone.
                    let row = |b: usize| unsafe { std::slice::from_raw_parts_mut(target.ptr().add(((a * 4 + b) * p.channels + c) * t_all + first), tw) };
                    row(0).iter_mut().zip(e0.iter().zip(e1)).for_each(|(v, (p0, p2))| *v = p0 - p2);
                    row(1).iter_mut().zip(o0.iter().zip(e1)).for_each(|(v, (p1, p2))| *v = p1 + p2);
                    row(2).iter_mut().zip(o0.iter().zip(e1)).for_each(|(v, (p1, p2))| *v = p2 - p1);
                    row(3).iter_mut().zip(o0.iter().zip(o1)).for_each(|(v, (p1, p3))| *v = p1 - p3);
                }
            }
        }
    });
}

/// out[n][o] from M[ξ][o][tile]: each tile's 2×2 outputs Aᵀ M A (+ bias[o]), the parts of tiles
/// past the plane's edge dropped. A row of tiles at a time, as whole-row vector operations over
/// the tiles (M's rows run over them).
fn transform_outputs(m: &[f32], p: Planes, images: std::ops::Range<usize>, bias: Option<&[f32]>, out: &mut [f32], threads: usize) {
    let t_all = images.len() * p.tiles();
    let (tw, th) = (p.tiles_x(), p.tiles_y());
    let target = SharedMut(out.as_mut_ptr());
    per_channel(p.channels, threads, |o| {
        let b = bias.map_or(0.0, |b| b[o]);
        // (M A) per row a of the tile: two columns, tw long each.
        let mut ma = vec![0.0f32; 8 * tw];
        let mut y = vec![0.0f32; 4 * tw];
        for (k, n) in images.clone().enumerate() {
            // SAFETY: plane o of image n is written by this channel's part alone.
            let plane = unsafe { std::slice::from_raw_parts_mut(target.ptr().add(n * p.image() + o * p.h * p.w), p.h * p.w) };
            for ty in 0..th {
                let first = k * p.tiles() + ty * tw;
                let row = |xi: usize| &m[(xi * p.channels + o) * t_all + first..][..tw];
                for a in 0..4 {
                    let (m0, m1, m2, m3) = (row(a * 4), row(a * 4 + 1), row(a * 4 + 2), row(a * 4 + 3));
                    let (c0, c1) = ma[a * 2 * tw..(a + 1) * 2 * tw].split_at_mut(tw);
                    for tx in 0..tw {
                        c0[tx] = m0[tx] + m1[tx] + m2[tx];
                        c1[tx] = m1[tx] - m2[tx] - m3[tx];
                    }
                }
                // Aᵀ over the rows: output row 0 = r0 + r1 + r2, row 1 = r1 − r2 − r3, per column.
                for j in 0..2 {
                    let at = |a: usize| &ma[(a * 2 + j) * tw..][..tw];
                    let (r0, r1, r2, r3) = (at(0), at(1), at(2), at(3));
                    let (y0, y1) = y[j * 2 * tw..(j + 1) * 2 * tw].split_at_mut(tw);
                    for tx in 0..tw {
                        y0[tx] = r0[tx] + r1[tx] + r2[tx] + b;
                        y1[tx] = r1[tx] - r2[tx] - r3[tx] + b;
                    }
                }
                // y[j][i][tx] is output (2ty + i, 2tx + j).
                for i in 0..2 {
                    let yy = 2 * ty + i;
                    if yy >= p.h {
                        continue;
                    }
                    let line = &mut plane[yy * p.w..][..p.w];
                    let (left, right) = (&y[i * tw..][..tw], &y[(2 + i) * tw..][..tw]);
                    for tx in 0..tw {
                        line[2 * tx] = left[tx];
                        if 2 * tx + 1 < p.w {
                            line[2 * tx + 1] = right[tx];
                        }
                    }
                }
            }
        }
    });
}

/// dM[ξ][o][tile] = (A dY Aᵀ)[ξ] for the 2×2 block of dout under each tile (zero past the edge).
/// A row of tiles at a time: the block's two rows split into even and odd columns (e[tx] =
/// column 2tx, o[tx] = column 2tx + 1), A = [y0, y0 + y1, y0 − y1, −y1] over the rows, then the
/// same over the columns, all as whole-row vector operations.
fn transform_output_grads(dout: &[f32], p: Planes, images: std::ops::Range<usize>, dm: &mut [f32], threads: usize) {
    let t_all = images.len() * p.tiles();
    let (tw, th) = (p.tiles_x(), p.tiles_y());
    let target = SharedMut(dm.as_mut_ptr());
    per_channel(p.channels, threads, |o| {
        // The block's rows split even/odd: [row][even, odd][tx].
        let mut split = vec![0.0f32; 4 * tw];
        // (A dY) per row a: even and odd columns.
        let mut ay = vec![0.0f32; 8 * tw];
        for (k, n) in images.clone().enumerate() {
            let plane = &dout[n * p.image() + o * p.h * p.w..][..p.h * p.w];
            for ty in 0..th {
                for r in 0..2 {
                    let (even, odd) = split[r * 2 * tw..(r + 1) * 2 * tw].split_at_mut(tw);
                    even.fill(0.0);
                    odd.fill(0.0);
                    let y = 2 * ty + r;
                    if y < p.h {
                        for (tx, pair) in plane[y * p.w..][..p.w].chunks(2).enumerate() {
                            even[tx] = pair[0];
                            odd[tx] = pair.get(1).copied().unwrap_or(0.0);
                        }
                    }
                }
                for half in 0..2 {
                    let (y0, y1) = (&split[half * tw..][..tw], &split[(2 + half) * tw..][..tw]);
                    let mut row = |a: usize, f: &dyn Fn(usize) -> f32| {
                        ay[(a * 2 + half) * tw..][..tw].iter_mut().enumerate().for_each(|(i, v)| *v = f(i));
                    };
                    row(0, &|i| y0[i]);
                    row(1, &|i| y0[i] + y1[i]);
                    row(2, &|i| y0[i] - y1[i]);
                    row(3, &|i| -y1[i]);
                }
                let first = k * p.tiles() + ty * tw;
                for a in 0..4 {
                    let (e, od) = (&ay[(a * 2) * tw..][..tw], &ay[(a * 2 + 1) * tw..][..tw]);
                    // SAFETY: channel o's rows are written by this channel's part alone.
                    let out = |b: usize| unsafe { std::slice::from_raw_parts_mut(target.ptr().add(((a * 4 + b) * p.channels + o) * t_all + first), tw) };
                    out(0).copy_from_slice(e);
                    out(1).iter_mut().enumerate().for_each(|(i, v)| *v = e[i] + od[i]);
                    out(2).iter_mut().enumerate().for_each(|(i, v)| *v = e[i] - od[i]);
                    out(3).iter_mut().enumerate().for_each(|(i, v)| *v = -od[i]);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n as u32).map(|i| ((i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) % 2001) as f32 / 1000.0 - 1.0).collect()
    }

    /// A batch cut into chunks of one image gives what one chunk of all gives: the passes that
    /// loop over chunks (forward, input and weight backward) carry nothing from one to the next.
    #[test]
    fn chunked_batches_match_a_single_chunk() {
        let s = Conv2dShape {
            batch: 3, in_channels: 16, height: 6, width: 5, out_channels: 17,
            kernel_h: 3, kernel_w: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1,
        };
        let (x, w, b) = (values(3 * 16 * 30, 1), values(17 * 16 * 9, 2), values(17, 3));
        let dout = values(3 * 17 * 30, 4);
        let run = |chunk_floats: usize| {
            TEST_CHUNK_FLOATS.with(|c| c.set(chunk_floats));
            let (mut out, mut dx, mut dw) = (vec![0.0; dout.len()], vec![0.0; x.len()], vec![0.0; w.len()]);
            forward(&x, &w, Some(&b), &mut out, &s, 1).unwrap();
            backward_input(&dout, &w, &mut dx, &s, 1).unwrap();
            backward_weight(&x, &dout, &mut dw, &s, 1).unwrap();
            TEST_CHUNK_FLOATS.with(|c| c.set(MAX_CHUNK_FLOATS));
            (out, dx, dw)
        };
        assert_eq!(chunk_images(3, 9, 17), 3);
        let whole = run(MAX_CHUNK_FLOATS);
        let chunked = run(1);
        for (name, a, b) in [("out", &whole.0, &chunked.0), ("dx", &whole.1, &chunked.1), ("dweight", &whole.2, &chunked.2)] {
            for (i, (p, q)) in a.iter().zip(b.iter()).enumerate() {
                assert!((p - q).abs() <= 1e-5 * (1.0 + p.abs()), "{name}[{i}]: one chunk {p}, chunks of one image {q}");
            }
        }
    }
}
