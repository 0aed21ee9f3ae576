//! Packing: copies a block of op(A) into MR-row panels and a block of op(B) into NR-column
//! panels, each stored k-major (a panel's W values for one k are adjacent) and zero-padded to
//! full width, so the micro-kernel reads both with unit stride whatever the operands' strides.
//! A transposed operand only changes which of the two copy loops below runs.

use std::arch::x86_64::*;

/// A strided read-only matrix: element (i, j) at `ptr + i·rs + j·cs`.
#[derive(Clone, Copy)]
pub(super) struct View {
    pub ptr: *const f32,
    pub rs: usize,
    pub cs: usize,
}

impl View {
    /// The view starting at element (i, j).
    ///
    /// # Safety
    /// (i, j) must lie inside the matrix.
    pub unsafe fn at(self, i: usize, j: usize) -> View {
        View { ptr: self.ptr.add(i * self.rs + j * self.cs), ..self }
    }
}

/// Floats past the end of a packed buffer that a panel copy may scribble on (see `transpose`).
pub(super) const SLACK: usize = 8;

/// Packs the mc×kc block of op(A) at `a` into ⌈mc/MR⌉ panels of MR·kc floats at `dst`.
///
/// # Safety
/// AVX2 must be available; `a` must cover mc×kc elements; `dst` must hold
/// ⌈mc/MR⌉·MR·kc + SLACK floats.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn pack_a<const MR: usize>(a: View, mc: usize, kc: usize, dst: *mut f32) {
    block::<MR>(a.ptr, a.rs, a.cs, mc, kc, dst);
}

/// Packs the kc×nc block of op(B) at `b` into ⌈nc/NR⌉ panels of NR·kc floats at `dst`.
///
/// # Safety
/// As [`pack_a`], with ⌈nc/NR⌉·NR·kc + SLACK floats at `dst`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn pack_b<const NR: usize>(b: View, kc: usize, nc: usize, dst: *mut f32) {
    // A B panel's lanes are op(B)'s columns.
    block::<NR>(b.ptr, b.cs, b.rs, nc, kc, dst);
}

/// Panel p, lane r, step k: dst[p·W·kc + k·W + r] = src[(p·W + r)·lane_stride + k·k_stride],
/// zero past the `lanes` lanes the block has.
#[inline(always)]
unsafe fn block<const W: usize>(src: *const f32, lane_stride: usize, k_stride: usize, lanes: usize, kc: usize, dst: *mut f32) {
    if lane_stride == 1 {
        // One k's lanes are adjacent in the source (A transposed, B as stored): row copies,
        // KB k at a time across all panels, so that the source is read in long runs while only
        // KB lines of each panel are open for writing. (One k at a time, the writes to panels
        // a multiple of 4 KiB apart compete for one L1 set: 2.5× slower. Panel by panel, the
        // source is read 64 bytes per row: 2× slower.)
        const KB: usize = 8;
        let full = lanes / W;
        let rest = lanes % W;
        for k0 in (0..kc).step_by(KB) {
            let kn = (kc - k0).min(KB);
            let s = src.add(k0 * k_stride);
            let d = dst.add(k0 * W);
            for p in 0..full {
                let (s, d) = (s.add(p * W), d.add(p * W * kc));
                if kn == KB {
                    for i in 0..KB {
                        copy_lanes::<W>(s.add(i * k_stride), d.add(i * W));
                    }
                } else {
                    for i in 0..kn {
                        copy_lanes::<W>(s.add(i * k_stride), d.add(i * W));
                    }
                }
            }
            if rest > 0 {
                let (s, d) = (s.add(full * W), d.add(full * W * kc));
                for i in 0..kn {
                    copy_first_lanes::<W>(s.add(i * k_stride), d.add(i * W), rest);
                }
            }
        }
        return;
    }
    for (p, l0) in (0..lanes).step_by(W).enumerate() {
        panel::<W>(src.add(l0 * lane_stride), lane_stride, k_stride, (lanes - l0).min(W), kc, dst.add(p * W * kc));
    }
}

/// Copies the first `lanes` (< W) of W adjacent floats and zeroes the other lanes, reading only
/// those it copies. For B's last, partial panel (n = 100: 4 of 16), once per k: masked loads,
/// where a memcpy and a memset per k made packing B 3072×100 cost 3-6% of the product.
#[inline(always)]
unsafe fn copy_first_lanes<const W: usize>(s: *const f32, d: *mut f32, lanes: usize) {
    if !W.is_multiple_of(8) {
        std::ptr::copy_nonoverlapping(s, d, lanes);
        std::ptr::write_bytes(d.add(lanes), 0, W - lanes);
        return;
    }
    for g in (0..W).step_by(8) {
        let n = lanes.saturating_sub(g).min(8);
        let v = if n == 0 { _mm256_setzero_ps() } else { _mm256_maskload_ps(s.add(g), lane_mask(n)) };
        _mm256_storeu_ps(d.add(g), v);
    }
}

/// The mask that selects the first `lanes` (≤ 8) of eight.
#[inline(always)]
unsafe fn lane_mask(lanes: usize) -> __m256i {
    _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
}

/// Copies W adjacent floats.
#[inline(always)]
unsafe fn copy_lanes<const W: usize>(s: *const f32, d: *mut f32) {
    match W {
        6 => {
            _mm_storeu_ps(d, _mm_loadu_ps(s));
            (d.add(4) as *mut u64).write_unaligned((s.add(4) as *const u64).read_unaligned());
        }
        _ if W.is_multiple_of(8) => {
            for g in (0..W).step_by(8) {
                _mm256_storeu_ps(d.add(g), _mm256_loadu_ps(s.add(g)));
            }
        }
        _ => std::ptr::copy_nonoverlapping(s, d, W),
    }
}

/// One panel of [`block`] whose source lanes are not adjacent: dst[k·W + r] =
/// src[r·lane_stride + k·k_stride] for r < lanes, 0 for lanes ≤ r < W.
#[inline(always)]
unsafe fn panel<const W: usize>(src: *const f32, lane_stride: usize, k_stride: usize, lanes: usize, kc: usize, dst: *mut f32) {
    if k_stride == 1 {
        // One lane's k values are adjacent (A as stored, B transposed): 8×8 register transposes.
        for g in (0..W).step_by(8) {
            let n = lanes.saturating_sub(g).min(8).min(W - g);
            transpose(src.add(g * lane_stride), lane_stride, n, kc, dst.add(g), W, (W - g).min(8));
        }
    } else {
        for k in 0..kc {
            for r in 0..W {
                *dst.add(k * W + r) = if r < lanes { *src.add(r * lane_stride + k * k_stride) } else { 0.0 };
            }
        }
    }
}

/// For `width` (≤ 8) lanes, the first `n` (≤ width) of them read from rows `src + r·ld` along k:
/// dst[k·stride + r] = src[r·ld + k], zero for n ≤ r < width.
///
/// Eight k at a time go through an 8×8 register transpose and are stored as full 8-float
/// vectors, in increasing k; when width < 8 each store runs past its slot into the next k's,
/// which the next store overwrites, and the last one runs up to 8 floats past the panel (the
/// buffer's SLACK, or the next panel, packed after this one).
#[inline(always)]
unsafe fn transpose(src: *const f32, ld: usize, n: usize, kc: usize, dst: *mut f32, stride: usize, width: usize) {
    let mut k = 0;
    while k + 8 <= kc {
        let mut rows = [_mm256_setzero_ps(); 8];
        for (r, row) in rows.iter_mut().enumerate().take(n) {
            *row = _mm256_loadu_ps(src.add(r * ld + k));
        }
        let cols = transpose8(rows);
        for (i, col) in cols.iter().enumerate() {
            _mm256_storeu_ps(dst.add((k + i) * stride), *col);
        }
        k += 8;
    }
    for k in k..kc {
        for r in 0..width {
            *dst.add(k * stride + r) = if r < n { *src.add(r * ld + k) } else { 0.0 };
        }
    }
}

/// Rows r[0..8] of an 8×8 block in, its columns out.
#[inline(always)]
unsafe fn transpose8(r: [__m256; 8]) -> [__m256; 8] {
    let t0 = _mm256_unpacklo_ps(r[0], r[1]);
    let t1 = _mm256_unpackhi_ps(r[0], r[1]);
    let t2 = _mm256_unpacklo_ps(r[2], r[3]);
    let t3 = _mm256_unpackhi_ps(r[2], r[3]);
    let t4 = _mm256_unpacklo_ps(r[4], r[5]);
    let t5 = _mm256_unpackhi_ps(r[4], r[5]);
    let t6 = _mm256_unpacklo_ps(r[6], r[7]);
    let t7 = _mm256_unpackhi_ps(r[6], r[7]);
    let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
    let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
    let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
    let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
    let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
    let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
    let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
    let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
    [
        _mm256_permute2f128_ps::<0x20>(s0, s4),
        _mm256_permute2f128_ps::<0x20>(s1, s5),
        _mm256_permute2f128_ps::<0x20>(s2, s6),
        _mm256_permute2f128_ps::<0x20>(s3, s7),
        _mm256_permute2f128_ps::<0x31>(s0, s4),
        _mm256_permute2f128_ps::<0x31>(s1, s5),
        _mm256_permute2f128_ps::<0x31>(s2, s6),
        _mm256_permute2f128_ps::<0x31>(s3, s7),
    ]
}
