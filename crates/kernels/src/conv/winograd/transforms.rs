//! The transforms around a Winograd pass's GEMMs, for one channel at a time (the caller splits
//! channels over the pool). Each works through its tiles BLOCK at a time: it gathers them into
//! scratch rows (one row per tile position, one lane per tile), runs its tiling's 1-D map down
//! the columns and then along the rows of the tile, and writes the ALPHA² transformed rows
//! straight into the GEMM operand, or scatters the finished tiles into the image.
//!
//! Operand layouts (t numbers the tiles of a chunk of images: image, then tile row, then tile
//! column; ξ = b·ALPHA + e is a position in the transformed tile, row b, column e):
//! - V [ξ][channel][t]: transformed input patches;   M, dM [ξ][channel][t]: their products and
//!   the transformed output gradients;
//! - U, dU [ξ][row][column]: transformed kernels and their gradients (rows × columns channels).

use std::marker::PhantomData;
use std::ops::Range;

use super::tiling::Tiling;
use crate::simd::{Simd, SimdKernel};
use crate::threads::SharedMut;

/// Tiles transformed together: the maps' rows are BLOCK floats, so a block's scratch (ALPHA²
/// rows: 36 · 64 floats = 9 KB) stays in L1.
const BLOCK: usize = 64;
/// The largest ALPHA (F(4×4, 3×3)'s 6).
const SIDE: usize = 6;
const SCRATCH: usize = SIDE * SIDE * BLOCK;

/// A chunk of images' planes (h×w each) cut into M×M tiles.
#[derive(Clone, Copy, Debug)]
pub(super) struct Grid {
    pub h: usize,
    pub w: usize,
    pub tiles_y: usize,
    pub tiles_x: usize,
}

impl Grid {
    pub(super) fn new<T: Tiling>(h: usize, w: usize) -> Self {
        Grid { h, w, tiles_y: h.div_ceil(T::M), tiles_x: w.div_ceil(T::M) }
    }

    pub(super) fn per_image(&self) -> usize {
        self.tiles_y * self.tiles_x
    }

    /// (image in the chunk, tile row, tile column) of tile t.
    fn locate(&self, t: usize) -> (usize, usize, usize) {
        let (k, rest) = (t / self.per_image(), t % self.per_image());
        (k, rest / self.tiles_x, rest % self.tiles_x)
    }
}

/// One channel's planes over a chunk of images, in a tensor [image][channel][h][w].
#[derive(Clone, Copy)]
pub(super) struct ChannelOf {
    pub channels: usize,
    pub channel: usize,
    pub images: (usize, usize),
}

impl ChannelOf {
    pub(super) fn new(channels: usize, channel: usize, images: &Range<usize>) -> Self {
        ChannelOf { channels, channel, images: (images.start, images.end) }
    }

    fn count(&self) -> usize {
        self.images.1 - self.images.0
    }

    /// Offset of the plane of the chunk's k-th image.
    fn plane(&self, k: usize, g: &Grid) -> usize {
        ((self.images.0 + k) * self.channels + self.channel) * g.h * g.w
    }

    /// Offset of this channel's row of operand position ξ ([ξ][channel][t], t < `tiles`).
    fn operand_row(&self, xi: usize, tiles: usize) -> usize {
        (xi * self.channels + self.channel) * tiles
    }
}

/// Up to SIDE row pointers: `at(i)` floats past `base` for i < count, as a map's `src`/`dst`.
struct Rows<P> {
    ptrs: [P; SIDE],
    count: usize,
}

impl Rows<*const f32> {
    #[inline(always)]
    fn src(count: usize, base: *const f32, at: impl Fn(usize) -> usize) -> Self {
        // `wrapping_add`: the unused slots are never dereferenced.
        Rows { ptrs: std::array::from_fn(|i| base.wrapping_add(if i < count { at(i) } else { 0 })), count }
    }
}

impl Rows<*mut f32> {
    #[inline(always)]
    fn dst(count: usize, base: *mut f32, at: impl Fn(usize) -> usize) -> Self {
        Rows { ptrs: std::array::from_fn(|i| base.wrapping_add(if i < count { at(i) } else { 0 })), count }
    }
}

impl<P> std::ops::Deref for Rows<P> {
    type Target = [P];
    fn deref(&self) -> &[P] {
        &self.ptrs[..self.count]
    }
}

/// V's rows of one channel: each tile's (ALPHA×ALPHA) input patch Bᵀ d B, zero outside the plane
/// (padding 1).
pub(super) struct Inputs<'a, T> {
    pub x: &'a [f32],
    pub of: ChannelOf,
    pub grid: Grid,
    /// V, [ξ][channels][chunk's tiles].
    pub v: SharedMut,
    pub tiling: PhantomData<T>,
}

impl<T: Tiling> SimdKernel for Inputs<'_, T> {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (a, m, g) = (T::ALPHA, T::M, self.grid);
        let tiles = self.of.count() * g.per_image();
        let (mut patch, mut mixed) = ([0.0f32; SCRATCH], [0.0f32; SCRATCH]);
        for t0 in (0..tiles).step_by(BLOCK) {
            let n = BLOCK.min(tiles - t0);
            for j in 0..n {
                let (k, ty, tx) = g.locate(t0 + j);
                let plane = &self.x[self.of.plane(k, &g)..][..g.h * g.w];
                for r in 0..a {
                    let y = (m * ty + r).wrapping_sub(1);
                    for q in 0..a {
                        let x = (m * tx + q).wrapping_sub(1);
                        patch[(r * a + q) * BLOCK + j] = if y < g.h && x < g.w { plane[y * g.w + x] } else { 0.0 };
                    }
                }
            }
            let (p, mx) = (patch.as_ptr(), mixed.as_mut_ptr());
            for q in 0..a {
                T::input::<S>(&Rows::src(a, p, |r| (r * a + q) * BLOCK), &Rows::dst(a, mx, |b| (b * a + q) * BLOCK), n);
            }
            let target = self.v.ptr().add(t0);
            for b in 0..a {
                let src = Rows::src(a, mx, |q| (b * a + q) * BLOCK);
                T::input::<S>(&src, &Rows::dst(a, target, |e| self.of.operand_row(b * a + e, tiles)), n);
            }
        }
    }
}

/// One channel's outputs from its rows of M: each tile's M×M outputs Aᵀ M A + bias, the parts
/// of tiles past the plane's edge dropped.
pub(super) struct Outputs<'a, T> {
    /// M, [ξ][channels][chunk's tiles].
    pub m: &'a [f32],
    pub bias: f32,
    pub of: ChannelOf,
    pub grid: Grid,
    /// The output tensor [image][channels][h][w].
    pub out: SharedMut,
    pub tiling: PhantomData<T>,
}

impl<T: Tiling> SimdKernel for Outputs<'_, T> {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (a, m, g) = (T::ALPHA, T::M, self.grid);
        let tiles = self.of.count() * g.per_image();
        let (mut mixed, mut y) = ([0.0f32; SCRATCH], [0.0f32; SCRATCH]);
        for t0 in (0..tiles).step_by(BLOCK) {
            let n = BLOCK.min(tiles - t0);
            let (source, mx) = (self.m.as_ptr().add(t0), mixed.as_mut_ptr());
            for e in 0..a {
                let src = Rows::src(a, source, |b| self.of.operand_row(b * a + e, tiles));
                T::output::<S>(&src, &Rows::dst(m, mx, |i| (i * a + e) * BLOCK), n);
            }
            let yp = y.as_mut_ptr();
            for i in 0..m {
                T::output::<S>(&Rows::src(a, mx, |e| (i * a + e) * BLOCK), &Rows::dst(m, yp, |jx| (i * m + jx) * BLOCK), n);
            }
            for j in 0..n {
                let (k, ty, tx) = g.locate(t0 + j);
                let plane = self.out.ptr().add(self.of.plane(k, &g));
                for i in 0..m.min(g.h - m * ty) {
                    let row = plane.add((m * ty + i) * g.w + m * tx);
                    for jx in 0..m.min(g.w - m * tx) {
                        *row.add(jx) = y[(i * m + jx) * BLOCK + j] + self.bias;
                    }
                }
            }
        }
    }
}

/// dM's rows of one output channel: each tile's M×M block of output gradients, A dY Aᵀ (zero
/// past the plane's edge).
pub(super) struct OutputGrads<'a, T> {
    pub dout: &'a [f32],
    pub of: ChannelOf,
    pub grid: Grid,
    /// dM, [ξ][channels][chunk's tiles].
    pub dm: SharedMut,
    pub tiling: PhantomData<T>,
}

impl<T: Tiling> SimdKernel for OutputGrads<'_, T> {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (a, m, g) = (T::ALPHA, T::M, self.grid);
        let tiles = self.of.count() * g.per_image();
        let (mut dy, mut mixed) = ([0.0f32; SCRATCH], [0.0f32; SCRATCH]);
        for t0 in (0..tiles).step_by(BLOCK) {
            let n = BLOCK.min(tiles - t0);
            for j in 0..n {
                let (k, ty, tx) = g.locate(t0 + j);
                let plane = &self.dout[self.of.plane(k, &g)..][..g.h * g.w];
                for i in 0..m {
                    let y = m * ty + i;
                    for jx in 0..m {
                        let x = m * tx + jx;
                        dy[(i * m + jx) * BLOCK + j] = if y < g.h && x < g.w { plane[y * g.w + x] } else { 0.0 };
                    }
                }
            }
            let (d, mx) = (dy.as_ptr(), mixed.as_mut_ptr());
            for jx in 0..m {
                T::output_grad::<S>(&Rows::src(m, d, |i| (i * m + jx) * BLOCK), &Rows::dst(a, mx, |b| (b * m + jx) * BLOCK), n);
            }
            let target = self.dm.ptr().add(t0);
            for b in 0..a {
                let src = Rows::src(m, mx, |jx| (b * m + jx) * BLOCK);
                T::output_grad::<S>(&src, &Rows::dst(a, target, |e| self.of.operand_row(b * a + e, tiles)), n);
            }
        }
    }
}

/// Row `row` of U [ξ][rows][columns]: G g Gᵀ for the kernels g of weight[row][column] or, when
/// `adjoint`, of weight[column][row] turned 180° (the input backward's kernels).
pub(super) struct Kernels<'a, T> {
    /// Weights [out channels][in channels][3][3].
    pub weight: &'a [f32],
    pub in_channels: usize,
    pub adjoint: bool,
    pub row: usize,
    pub rows: usize,
    pub columns: usize,
    pub u: SharedMut,
    pub tiling: PhantomData<T>,
}

impl<T: Tiling> SimdKernel for Kernels<'_, T> {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let a = T::ALPHA;
        let (mut taps, mut mixed) = ([0.0f32; SCRATCH], [0.0f32; SCRATCH]);
        for i0 in (0..self.columns).step_by(BLOCK) {
            let n = BLOCK.min(self.columns - i0);
            for j in 0..n {
                let i = i0 + j;
                let kernel = if self.adjoint { i * self.in_channels + self.row } else { self.row * self.in_channels + i };
                let g = &self.weight[kernel * 9..][..9];
                for tap in 0..9 {
                    taps[tap * BLOCK + j] = g[if self.adjoint { 8 - tap } else { tap }];
                }
            }
            let (tp, mx) = (taps.as_ptr(), mixed.as_mut_ptr());
            for s in 0..3 {
                T::kernel::<S>(&Rows::src(3, tp, |r| (r * 3 + s) * BLOCK), &Rows::dst(a, mx, |b| (b * 3 + s) * BLOCK), n);
            }
            let target = self.u.ptr().add(self.row * self.columns + i0);
            for b in 0..a {
                let dst = Rows::dst(a, target, |e| (b * a + e) * self.rows * self.columns);
                T::kernel::<S>(&Rows::src(3, mx, |s| (b * 3 + s) * BLOCK), &dst, n);
            }
        }
    }
}

/// dweight[o][·] (kernels of output channel o, [in channels][3][3]) = Gᵀ dU G from row o of
/// dU [ξ][out channels][in channels].
pub(super) struct KernelGrads<'a, T> {
    pub du: &'a [f32],
    pub out_channels: usize,
    pub in_channels: usize,
    pub o: usize,
    pub dweight: SharedMut,
    pub tiling: PhantomData<T>,
}

impl<T: Tiling> SimdKernel for KernelGrads<'_, T> {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (a, c) = (T::ALPHA, self.in_channels);
        let (mut mixed, mut taps) = ([0.0f32; SCRATCH], [0.0f32; SCRATCH]);
        for i0 in (0..c).step_by(BLOCK) {
            let n = BLOCK.min(c - i0);
            let (source, mx) = (self.du.as_ptr().add(self.o * c + i0), mixed.as_mut_ptr());
            for e in 0..a {
                let src = Rows::src(a, source, |b| (b * a + e) * self.out_channels * c);
                T::kernel_grad::<S>(&src, &Rows::dst(3, mx, |r| (r * a + e) * BLOCK), n);
            }
            let tp = taps.as_mut_ptr();
            for r in 0..3 {
                T::kernel_grad::<S>(&Rows::src(a, mx, |e| (r * a + e) * BLOCK), &Rows::dst(3, tp, |s| (r * 3 + s) * BLOCK), n);
            }
            let kernels = self.dweight.ptr().add((self.o * c + i0) * 9);
            for j in 0..n {
                for tap in 0..9 {
                    *kernels.add(j * 9 + tap) = taps[tap * BLOCK + j];
                }
            }
        }
    }
}
