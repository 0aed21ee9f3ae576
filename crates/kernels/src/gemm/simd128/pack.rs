//! Packing: copies a block of op(A) into MR-row panels and a block of op(B) into NR-column panels,
//! each laid out in the order the micro-kernel reads it (k-major inside a panel), padding the
//! last panel with zeros. An operand's strides are absorbed here, so a transposed operand costs
//! one differently ordered copy and the kernel never sees it.
//!
//! Each operand arrives either with its panel's short side contiguous (B row-major, A stored
//! transposed: plain copies, done row by row of the source so that it is read sequentially) or
//! with k contiguous (A row-major, B stored transposed: a transpose, done four k at a time with
//! simd128 shuffles where available).

use super::kernel::{MR, NR};

/// A matrix read through strides: element (r, c) is at `ptr + r·rs + c·cs`.
#[derive(Clone, Copy)]
pub(super) struct Strided {
    pub ptr: *const f32,
    pub rs: usize,
    pub cs: usize,
}

impl Strided {
    /// The view starting at element (r, c).
    ///
    /// # Safety
    /// (r, c) must lie inside the matrix.
    pub unsafe fn at(self, r: usize, c: usize) -> Self {
        Self { ptr: self.ptr.add(r * self.rs + c * self.cs), ..self }
    }

    /// The transposed view: element (r, c) of the result is element (c, r) of `self`.
    pub fn t(self) -> Self {
        Self { ptr: self.ptr, rs: self.cs, cs: self.rs }
    }
}

/// Packs op(A)[0..mc, 0..kc] (`a` viewed from the block's corner) into `ceil(mc/MR)` panels of
/// kc·MR floats: panel q, step p, row r goes to `dst[q·kc·MR + p·MR + r]`.
///
/// # Safety
/// The block must lie inside A and `dst` must hold `ceil(mc/MR)·kc·MR` floats.
pub(super) unsafe fn pack_a(dst: *mut f32, a: Strided, mc: usize, kc: usize) {
    pack::<MR>(dst, a, mc, kc);
}

/// Packs op(B)[0..kc, 0..nc] into `ceil(nc/NR)` panels of kc·NR floats: panel q, step p,
/// column j goes to `dst[q·kc·NR + p·NR + j]`.
///
/// # Safety
/// The block must lie inside B and `dst` must hold `ceil(nc/NR)·kc·NR` floats.
pub(super) unsafe fn pack_b(dst: *mut f32, b: Strided, kc: usize, nc: usize) {
    pack::<NR>(dst, b.t(), nc, kc);
}

/// Packs rows 0..len of `src` (each kc long) into panels of W rows: panel q, step p, row r goes
/// to `dst[q·kc·W + p·W + r]` (op(A) packs as is, op(B) as its transpose).
///
/// Not inlined, and neither are the strided and edge cases: V8 compiles each wasm function on its
/// own when it turns hot, and small functions reach optimized code sooner.
#[inline(never)]
unsafe fn pack<const W: usize>(dst: *mut f32, src: Strided, len: usize, kc: usize) {
    let full = len / W;
    if src.rs == 1 && src.cs != 1 {
        // A panel's W elements of one step are contiguous: copy them, a group of panels
        // (about 256 bytes of each source row) at a time, step by step, so that the source is
        // read in runs while only a few panels are written at once.
        let group = (64 / W).max(1);
        for q0 in (0..full).step_by(group) {
            let q1 = full.min(q0 + group);
            for p in 0..kc {
                let from = src.ptr.add(p * src.cs);
                for q in q0..q1 {
                    core::ptr::copy_nonoverlapping(from.add(q * W), dst.add(q * kc * W + p * W), W);
                }
            }
        }
    } else if src.cs == 1 {
        // Each row is contiguous along k: transpose W rows at a time.
        for q in 0..full {
            transpose_panel::<W>(dst.add(q * kc * W), src.ptr.add(q * W * src.rs), src.rs, kc);
        }
    } else {
        for q in 0..full {
            strided_panel::<W>(dst.add(q * kc * W), src.at(q * W, 0), W, kc);
        }
    }
    if len > full * W {
        strided_panel::<W>(dst.add(full * kc * W), src.at(full * W, 0), len - full * W, kc);
    }
}

/// One panel from any strides, with `rows` ≤ W real rows and zeros below them (the edge panel).
#[inline(never)]
unsafe fn strided_panel<const W: usize>(dst: *mut f32, src: Strided, rows: usize, kc: usize) {
    for p in 0..kc {
        for r in 0..W {
            *dst.add(p * W + r) = if r < rows { *src.ptr.add(r * src.rs + p * src.cs) } else { 0.0 };
        }
    }
}

/// dst[p·W + r] = src[r·ld + p] for r < W, p < kc: W rows, each contiguous, interleaved.
#[inline(always)]
unsafe fn transpose_panel<const W: usize>(dst: *mut f32, src: *const f32, ld: usize, kc: usize) {
    let rows: [*const f32; W] = core::array::from_fn(|r| src.add(r * ld));
    let mut p = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        while p + 4 <= kc {
            simd128::transpose4::<W>(dst.add(p * W), &rows, p);
            p += 4;
        }
    }
    while p < kc {
        for (r, row) in rows.iter().enumerate() {
            *dst.add(p * W + r) = *row.add(p);
        }
        p += 1;
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use core::arch::wasm32::*;

    /// Steps p..p+4 of W rows: dst[s·W + r] = rows[r][p + s] for s < 4.
    #[inline(always)]
    pub(super) unsafe fn transpose4<const W: usize>(dst: *mut f32, rows: &[*const f32; W], p: usize) {
        let load = |r: usize| v128_load(rows[r].add(p) as *const v128);
        // Four rows at a time: a 4×4 transpose gives each step's four values as one vector.
        let mut r = 0;
        while r + 4 <= W {
            let c = t4x4(load(r), load(r + 1), load(r + 2), load(r + 3));
            for (s, v) in c.into_iter().enumerate() {
                v128_store(dst.add(s * W + r) as *mut v128, v);
            }
            r += 4;
        }
        // A fifth row (W = 5): its four values go one per step.
        if r < W {
            let v = load(r);
            v128_store32_lane::<0>(v, dst.add(r) as *mut u32);
            v128_store32_lane::<1>(v, dst.add(W + r) as *mut u32);
            v128_store32_lane::<2>(v, dst.add(2 * W + r) as *mut u32);
            v128_store32_lane::<3>(v, dst.add(3 * W + r) as *mut u32);
        }
    }

    /// The columns of the 4×4 matrix with rows v0..v3.
    #[inline(always)]
    fn t4x4(v0: v128, v1: v128, v2: v128, v3: v128) -> [v128; 4] {
        let lo01 = i32x4_shuffle::<0, 4, 1, 5>(v0, v1);
        let lo23 = i32x4_shuffle::<0, 4, 1, 5>(v2, v3);
        let hi01 = i32x4_shuffle::<2, 6, 3, 7>(v0, v1);
        let hi23 = i32x4_shuffle::<2, 6, 3, 7>(v2, v3);
        [
            i32x4_shuffle::<0, 1, 4, 5>(lo01, lo23),
            i32x4_shuffle::<2, 3, 6, 7>(lo01, lo23),
            i32x4_shuffle::<0, 1, 4, 5>(hi01, hi23),
            i32x4_shuffle::<2, 3, 6, 7>(hi01, hi23),
        ]
    }
}
