//! Walking buffers `LANES` elements at a time. The last, partial vector goes through
//! `load_partial`/`store_partial`, so one code path serves every length (1, 7, 9, 3072, ...)
//! and nothing reads or writes past a buffer's end.
//!
//! Buffers are raw pointers so that an in-place kernel can pass the same memory as input and
//! output without ever forming aliasing `&`/`&mut` slices; each element is read before it is
//! written, so `dst` may equal a source (but must not partly overlap one).
//!
//! Closures passed here must be marked `#[inline(always)]`: a closure is compiled as its own
//! function, without the target features of the `#[target_feature]` entry point it runs in, so
//! unless it is inlined first every intrinsic in it becomes a call (ELU measured 10× slower
//! than scalar that way).

use super::Simd;

/// dst[i] = f(a[i]) for i < len.
#[inline(always)]
pub(crate) unsafe fn map1<S: Simd>(a: *const f32, dst: *mut f32, len: usize, f: impl Fn(S::V) -> S::V) {
    let full = len - len % S::LANES;
    let mut i = 0;
    while i < full {
        S::store(dst.add(i), f(S::load(a.add(i))));
        i += S::LANES;
    }
    if i < len {
        let n = len - i;
        S::store_partial(dst.add(i), n, f(S::load_partial(a.add(i), n, 0.0)));
    }
}

/// dst[i] = f(a[i], b[i]) for i < len.
#[inline(always)]
pub(crate) unsafe fn map2<S: Simd>(
    a: *const f32,
    b: *const f32,
    dst: *mut f32,
    len: usize,
    f: impl Fn(S::V, S::V) -> S::V,
) {
    let full = len - len % S::LANES;
    let mut i = 0;
    while i < full {
        S::store(dst.add(i), f(S::load(a.add(i)), S::load(b.add(i))));
        i += S::LANES;
    }
    if i < len {
        let n = len - i;
        let (va, vb) = (S::load_partial(a.add(i), n, 0.0), S::load_partial(b.add(i), n, 0.0));
        S::store_partial(dst.add(i), n, f(va, vb));
    }
}

/// dst_o[i] = f(src_0[i], …, src_{I−1}[i])_o for i < len: I rows in, O rows out, one vector of
/// each at a time (the Winograd transforms, which mix a tile's rows with small constant matrices).
/// The rows may lie anywhere, but no output row may overlap an input row.
#[inline(always)]
pub(crate) unsafe fn map_rows<S: Simd, const I: usize, const O: usize>(
    src: [*const f32; I],
    dst: [*mut f32; O],
    len: usize,
    f: impl Fn([S::V; I]) -> [S::V; O],
) {
    let full = len - len % S::LANES;
    let mut i = 0;
    while i < full {
        let out = f(std::array::from_fn(|r| S::load(src[r].add(i))));
        for (row, v) in dst.iter().zip(out) {
            S::store(row.add(i), v);
        }
        i += S::LANES;
    }
    if i < len {
        let n = len - i;
        let out = f(std::array::from_fn(|r| S::load_partial(src[r].add(i), n, 0.0)));
        for (row, v) in dst.iter().zip(out) {
            S::store_partial(row.add(i), n, v);
        }
    }
}

/// Folds `f(acc, a[i..i+LANES])` over the buffer from `init`, the padded tail filled with `fill`.
#[inline(always)]
pub(crate) unsafe fn fold1<S: Simd>(
    a: *const f32,
    len: usize,
    fill: f32,
    init: S::V,
    f: impl Fn(S::V, S::V) -> S::V,
) -> S::V {
    let full = len - len % S::LANES;
    let mut acc = init;
    let mut i = 0;
    while i < full {
        acc = f(acc, S::load(a.add(i)));
        i += S::LANES;
    }
    if i < len {
        acc = f(acc, S::load_partial(a.add(i), len - i, fill));
    }
    acc
}

/// Folds `f(acc, a[i..i+LANES], b[i..i+LANES])` over the buffers from `init`, the padded tail
/// filled with `fill`; returns the vector accumulator (reduce it with `reduce_sum`/`reduce_max`).
#[inline(always)]
pub(crate) unsafe fn fold2<S: Simd>(
    a: *const f32,
    b: *const f32,
    len: usize,
    fill: f32,
    init: S::V,
    f: impl Fn(S::V, S::V, S::V) -> S::V,
) -> S::V {
    let full = len - len % S::LANES;
    let mut acc = init;
    let mut i = 0;
    while i < full {
        acc = f(acc, S::load(a.add(i)), S::load(b.add(i)));
        i += S::LANES;
    }
    if i < len {
        let n = len - i;
        acc = f(acc, S::load_partial(a.add(i), n, fill), S::load_partial(b.add(i), n, fill));
    }
    acc
}

/// The `n` (1 ≤ n ≤ LANES) floats at `src`, spare lanes 0: a full or a partial load, for
/// kernels that walk a buffer in steps of `min(LANES, left)` themselves.
#[inline(always)]
pub(crate) unsafe fn load<S: Simd>(src: *const f32, n: usize) -> S::V {
    if n == S::LANES {
        S::load(src)
    } else {
        S::load_partial(src, n, 0.0)
    }
}

/// Writes the first `n` (1 ≤ n ≤ LANES) lanes of `v`: the store matching [`load`].
#[inline(always)]
pub(crate) unsafe fn store<S: Simd>(dst: *mut f32, n: usize, v: S::V) {
    if n == S::LANES {
        S::store(dst, v)
    } else {
        S::store_partial(dst, n, v)
    }
}
