//! 3×3, stride-1, padding-1 convolutions (the ConvNet's PreAct blocks) by Winograd's minimal
//! filtering (Lavin & Gray, 2016): each M×M block of outputs ("tile") is
//! Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A from the α×α input patch d under it (α = M + 2), so a tile
//! costs α² multiplications per channel pair instead of 9·M². Over a batch that is α² GEMMs, one
//! per position ξ of the transformed tile:
//!
//! - forward: M[ξ] [OC, T] = U[ξ] [OC, C] · V[ξ] [C, T], with U = G g Gᵀ per (oc, c) and
//!   V = Bᵀ d B per (c, tile); then each tile's outputs Aᵀ M A (+ bias).
//! - input backward: the same convolution of dout with the kernels turned 180° and their two
//!   channel axes swapped (a 3×3/1/1 convolution's adjoint is one too).
//! - weight backward: dU[ξ] [OC, C] = dM[ξ] [OC, T] · V[ξ]ᵀ with dM = A dY Aᵀ per tile, then
//!   dg = Gᵀ dU G.
//!
//! Two tilings (`tiling.rs`): F(4×4, 3×3) (36 products for 16 outputs, 4× fewer than direct) on
//! planes of 8×8 and more, F(2×2, 3×3) (16 for 4, 2.25× fewer) on 4×4 planes, where one F(4×4)
//! tile per plane would leave the GEMMs too narrow (see [`tiling_for`]).
//!
//! T runs over the tiles of up to a chunk of images at once (their V and M side by side), so the
//! GEMMs are wide even on small planes. Each pass has three phases on the shared pool: transforms
//! split over channels (`transforms.rs`), the α² GEMMs split over ξ, the inverse transforms split
//! over channels. Transformed tiles carry extra rounding (values are combined with constants up
//! to 8 before they are multiplied); the tests bound it against the direct f64 reference.

mod tiling;
mod transforms;

use std::cell::Cell;
use std::marker::PhantomData;

use crate::conv::{split, with_buffer, Conv2dShape};
use crate::error::KernelError;
use crate::gemm::{sgemm, GemmSpec};
use crate::simd::dispatch;
use crate::threads::{parallel_map, parts, SharedMut};
use tiling::{Tiling, F2, F4};
use transforms::{ChannelOf, Grid, Inputs, KernelGrads, Kernels, OutputGrads, Outputs};

/// Fewer channels than this (conv0's 3 inputs) are left to im2col: the transforms would cost more
/// than the multiplications they save. Measured with `benches/conv.rs` on a Zen 4 (2 threads,
/// batch 32), F(2×2) against im2col + GEMM per call: forward 12.5 vs 13.6 ms at 64 channels on
/// 32×32 (the smallest ConvNet layer that runs here).
const MIN_CHANNELS: usize = 16;

/// Planes smaller than this on either side (the ConvNet's 2×2 PreAct5) are left to im2col: one
/// tile covers the whole plane, and transforming the kernels then costs more than it saves
/// (F(2×2) 5.0 vs im2col 3.7 ms per forward call at 512 channels on 2×2, Zen 4).
const MIN_PLANE: usize = 4;

/// Planes at least this large on both sides run F(4×4, 3×3); smaller ones F(2×2, 3×3).
const F4_MIN_PLANE: usize = 8;

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
    /// The transformed kernels U (or their gradients dU) of the current call.
    static KERNELS: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
    /// The transformed tiles of the current chunk (V, and M or dM).
    static TILES: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
}

/// Whether `conv2d` and its backward kernels run this path for `s`.
pub(crate) fn applies(s: &Conv2dShape) -> bool {
    (s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_h, s.pad_w) == (3, 3, 1, 1, 1, 1)
        && s.in_channels >= MIN_CHANNELS
        && s.out_channels >= MIN_CHANNELS
        && s.height >= MIN_PLANE
        && s.width >= MIN_PLANE
}

/// Which tiling a convolution that `applies` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    F2,
    F4,
}

/// F(4×4) needs planes of 8×8 or more to pay: on a 4×4 plane it has one tile per image, so a
/// batch of 32 gives GEMMs 32 columns wide against F(2×2)'s 128, and its 36 transformed kernels
/// per channel pair (U is 2.25× the size of F(2×2)'s) are read for a quarter of the columns.
fn tiling_for(s: &Conv2dShape) -> Choice {
    if s.height >= F4_MIN_PLANE && s.width >= F4_MIN_PLANE {
        Choice::F4
    } else {
        Choice::F2
    }
}

/// out = conv(x, weight) + bias (the contract of `conv2d`).
pub(crate) fn forward(x: &[f32], weight: &[f32], bias: Option<&[f32]>, out: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    match tiling_for(s) {
        Choice::F2 => forward_with::<F2>(x, weight, bias, out, s, threads),
        Choice::F4 => forward_with::<F4>(x, weight, bias, out, s, threads),
    }
}

/// dx from dout (the contract of `conv2d_backward_input`).
pub(crate) fn backward_input(dout: &[f32], weight: &[f32], dx: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    match tiling_for(s) {
        Choice::F2 => backward_input_with::<F2>(dout, weight, dx, s, threads),
        Choice::F4 => backward_input_with::<F4>(dout, weight, dx, s, threads),
    }
}

/// dweight from x and dout, overwritten (the contract of `conv2d_backward_weight`; the bias
/// gradient is the caller's).
pub(crate) fn backward_weight(x: &[f32], dout: &[f32], dweight: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    match tiling_for(s) {
        Choice::F2 => backward_weight_with::<F2>(x, dout, dweight, s, threads),
        Choice::F4 => backward_weight_with::<F4>(x, dout, dweight, s, threads),
    }
}

fn forward_with<T: Tiling>(x: &[f32], weight: &[f32], bias: Option<&[f32]>, out: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    let (c, oc) = (s.in_channels, s.out_channels);
    with_buffer(&KERNELS, T::POSITIONS * oc * c, |u| {
        transform_kernels::<T>(weight, oc, c, false, u, threads);
        convolve::<T>(x, u, bias, out, s.batch, (c, oc), Grid::new::<T>(s.height, s.width), threads)
    })
}

fn backward_input_with<T: Tiling>(dout: &[f32], weight: &[f32], dx: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    let (c, oc) = (s.in_channels, s.out_channels);
    with_buffer(&KERNELS, T::POSITIONS * oc * c, |u| {
        transform_kernels::<T>(weight, oc, c, true, u, threads);
        convolve::<T>(dout, u, None, dx, s.batch, (oc, c), Grid::new::<T>(s.height, s.width), threads)
    })
}

fn backward_weight_with<T: Tiling>(x: &[f32], dout: &[f32], dweight: &mut [f32], s: &Conv2dShape, threads: usize) -> Result<(), KernelError> {
    let (c, oc, xi) = (s.in_channels, s.out_channels, T::POSITIONS);
    let grid = Grid::new::<T>(s.height, s.width);
    with_buffer(&KERNELS, xi * oc * c, |du| {
        let chunk = chunk_images::<T>(s.batch, grid.per_image(), c.max(oc));
        for (k, first) in (0..s.batch).step_by(chunk).enumerate() {
            let images = first..(first + chunk).min(s.batch);
            let t = images.len() * grid.per_image();
            with_buffer(&TILES, xi * (c + oc) * t, |work| {
                let (v, dm) = work.split_at_mut(xi * c * t);
                let v_ptr = SharedMut(v.as_mut_ptr());
                per_channel(c, threads, |ch| {
                    let of = ChannelOf::new(c, ch, &images);
                    dispatch(Inputs::<T> { x, of, grid, v: v_ptr, tiling: PhantomData });
                });
                let dm_ptr = SharedMut(dm.as_mut_ptr());
                per_channel(oc, threads, |o| {
                    let of = ChannelOf::new(oc, o, &images);
                    dispatch(OutputGrads::<T> { dout, of, grid, dm: dm_ptr, tiling: PhantomData });
                });
                let spec = GemmSpec { beta: if k == 0 { 0.0 } else { 1.0 }, ..GemmSpec::new(false, true, oc, c, t) };
                per_position::<T>(threads, du, oc * c, |xi, du| sgemm(&spec, &dm[xi * oc * t..][..oc * t], &v[xi * c * t..][..c * t], du, 1))
            })?;
        }
        let target = SharedMut(dweight.as_mut_ptr());
        per_channel(oc, threads, |o| {
            dispatch(KernelGrads::<T> { du, out_channels: oc, in_channels: c, o, dweight: target, tiling: PhantomData });
        });
        Ok(())
    })
}

/// Images per chunk: as many as keep each transformed operand under MAX_CHUNK_FLOATS.
fn chunk_images<T: Tiling>(batch: usize, tiles: usize, channels: usize) -> usize {
    (max_chunk_floats() / (T::POSITIONS * channels * tiles).max(1)).clamp(1, batch.max(1))
}

/// out[n] = Σ over the `channels.0` input channels of each image's planes convolved with the
/// kernels U ([ξ][out channel][in channel], transformed), + bias, chunk by chunk of images.
#[allow(clippy::too_many_arguments)]
fn convolve<T: Tiling>(
    x: &[f32],
    u: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    batch: usize,
    (c, oc): (usize, usize),
    grid: Grid,
    threads: usize,
) -> Result<(), KernelError> {
    let xi = T::POSITIONS;
    let chunk = chunk_images::<T>(batch, grid.per_image(), c.max(oc));
    let target = SharedMut(out.as_mut_ptr());
    for first in (0..batch).step_by(chunk) {
        let images = first..(first + chunk).min(batch);
        let t = images.len() * grid.per_image();
        with_buffer(&TILES, xi * (c + oc) * t, |work| {
            let (v, m) = work.split_at_mut(xi * c * t);
            let v_ptr = SharedMut(v.as_mut_ptr());
            per_channel(c, threads, |ch| {
                dispatch(Inputs::<T> { x, of: ChannelOf::new(c, ch, &images), grid, v: v_ptr, tiling: PhantomData });
            });
            let spec = GemmSpec::new(false, false, oc, t, c);
            per_position::<T>(threads, m, oc * t, |xi, m| sgemm(&spec, &u[xi * oc * c..][..oc * c], &v[xi * c * t..][..c * t], m, 1))?;
            let m: &[f32] = m;
            per_channel(oc, threads, |o| {
                let bias = bias.map_or(0.0, |b| b[o]);
                dispatch(Outputs::<T> { m, bias, of: ChannelOf::new(oc, o, &images), grid, out: target, tiling: PhantomData });
            });
            Ok(())
        })?;
    }
    Ok(())
}

/// `f(ξ, block ξ of out)` for the α² positions, split over the pool (blocks of `block` floats).
fn per_position<T: Tiling>(
    threads: usize,
    out: &mut [f32],
    block: usize,
    f: impl Fn(usize, &mut [f32]) -> Result<(), KernelError> + Sync,
) -> Result<(), KernelError> {
    let xi = T::POSITIONS;
    let count = parts(xi, threads, 1);
    let out = SharedMut(out.as_mut_ptr());
    parallel_map(count, |p| {
        split(xi, count, p).try_for_each(|xi| {
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
fn transform_kernels<T: Tiling>(weight: &[f32], out_channels: usize, in_channels: usize, adjoint: bool, u: &mut [f32], threads: usize) {
    let (rows, columns) = if adjoint { (in_channels, out_channels) } else { (out_channels, in_channels) };
    let target = SharedMut(u.as_mut_ptr());
    per_channel(rows, threads, |row| {
        dispatch(Kernels::<T> { weight, in_channels, adjoint, row, rows, columns, u: target, tiling: PhantomData });
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
    /// Planes of 6×5 run F(2×2), of 9×8 F(4×4).
    #[test]
    fn chunked_batches_match_a_single_chunk() {
        for (h, w, choice) in [(6, 5, Choice::F2), (9, 8, Choice::F4)] {
            let s = Conv2dShape {
                batch: 3, in_channels: 16, height: h, width: w, out_channels: 17,
                kernel_h: 3, kernel_w: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1,
            };
            assert_eq!(tiling_for(&s), choice);
            let (x, wt, b) = (values(3 * 16 * h * w, 1), values(17 * 16 * 9, 2), values(17, 3));
            let dout = values(3 * 17 * h * w, 4);
            let run = |chunk_floats: usize| {
                TEST_CHUNK_FLOATS.with(|c| c.set(chunk_floats));
                let (mut out, mut dx, mut dw) = (vec![0.0; dout.len()], vec![0.0; x.len()], vec![0.0; wt.len()]);
                forward(&x, &wt, Some(&b), &mut out, &s, 1).unwrap();
                backward_input(&dout, &wt, &mut dx, &s, 1).unwrap();
                backward_weight(&x, &dout, &mut dw, &s, 1).unwrap();
                TEST_CHUNK_FLOATS.with(|c| c.set(MAX_CHUNK_FLOATS));
                (out, dx, dw)
            };
            assert_eq!(chunk_images::<F2>(3, 9, 17), 3);
            let whole = run(MAX_CHUNK_FLOATS);
            let chunked = run(1);
            for (name, a, b) in [("out", &whole.0, &chunked.0), ("dx", &whole.1, &chunked.1), ("dweight", &whole.2, &chunked.2)] {
                // The chunks sum their tiles in another order: rounding apart, relative to the
                // largest value (as tests/conv.rs bounds the error against the f64 reference).
                let scale = a.iter().fold(1.0f32, |m, v| m.max(v.abs()));
                for (i, (p, q)) in a.iter().zip(b.iter()).enumerate() {
                    assert!((p - q).abs() <= 1e-5 * scale, "{h}×{w} {name}[{i}]: one chunk {p}, chunks of one image {q}");
                }
            }
        }
    }
}
