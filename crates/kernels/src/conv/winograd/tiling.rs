//! The two Winograd tilings of a 3×3 convolution: F(2×2, 3×3) and F(4×4, 3×3) (Lavin & Gray,
//! 2016, with the interpolation points 0, ±1 and 0, ±1, ±2, ∞). A tile of M×M outputs is
//! Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A from the α×α input patch d under it (α = M + 2).
//!
//! Every 2-D transform here is a 1-D matrix applied along both axes of a tile, so a tiling is
//! just its five 1-D maps, each applied to whole rows of tiles at once (one vector lane per tile,
//! [`map_rows`]): Bᵀ (inputs), Aᵀ (outputs), A (output gradients), G (kernels) and Gᵀ (kernel
//! gradients). The formulas are the matrices written out, zeros skipped.

use crate::simd::stream::map_rows;
use crate::simd::Simd;

/// One Winograd tiling: its tile sizes and its 1-D maps over rows. Each map reads `src.len()`
/// rows and writes `dst.len()` rows of `len` floats: `src` holds the map's inputs, `dst` its
/// outputs, in order.
///
/// # Safety (of every map)
/// Each pointer must be valid for `len` floats, and no output row may overlap an input row.
pub(crate) trait Tiling {
    /// Outputs per tile side.
    const M: usize;
    /// Inputs per tile side, M + 2.
    const ALPHA: usize;
    /// Positions of a transformed tile, ALPHA² (one GEMM each).
    const POSITIONS: usize = Self::ALPHA * Self::ALPHA;
    /// Bᵀ: ALPHA rows of a patch → ALPHA transformed rows.
    unsafe fn input<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize);
    /// Aᵀ: ALPHA rows of a transformed tile → M rows of outputs.
    unsafe fn output<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize);
    /// A (Aᵀ's adjoint): M rows of output gradients → ALPHA transformed rows.
    unsafe fn output_grad<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize);
    /// G: 3 rows of a kernel → ALPHA transformed rows.
    unsafe fn kernel<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize);
    /// Gᵀ (G's adjoint): ALPHA transformed rows → 3 rows of a kernel gradient.
    unsafe fn kernel_grad<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize);
}

/// F(2×2, 3×3): 16 multiplications per tile of 4 outputs (2.25× fewer than direct).
pub(crate) struct F2;

/// F(4×4, 3×3): 36 multiplications per tile of 16 outputs (4× fewer than direct), with larger
/// constants in its transforms and so somewhat more rounding.
pub(crate) struct F4;

/// `rows` as an array of N pointers: how a map's slices become `map_rows`' arrays.
fn fixed<P: Copy, const N: usize>(rows: &[P]) -> [P; N] {
    rows.try_into().unwrap_or_else(|_| panic!("winograd: a map got {} rows, wants {N}", rows.len()))
}

impl Tiling for F2 {
    const M: usize = 2;
    const ALPHA: usize = 4;

    #[inline(always)]
    unsafe fn input<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        map_rows::<S, 4, 4>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[d0, d1, d2, d3]| [S::sub(d0, d2), S::add(d1, d2), S::sub(d2, d1), S::sub(d1, d3)],
        );
    }

    #[inline(always)]
    unsafe fn output<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        map_rows::<S, 4, 2>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[m0, m1, m2, m3]| [S::add(S::add(m0, m1), m2), S::sub(S::sub(m1, m2), m3)],
        );
    }

    #[inline(always)]
    unsafe fn output_grad<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let zero = S::splat(0.0);
        map_rows::<S, 2, 4>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[y0, y1]| [y0, S::add(y0, y1), S::sub(y0, y1), S::sub(zero, y1)],
        );
    }

    #[inline(always)]
    unsafe fn kernel<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let half = S::splat(0.5);
        map_rows::<S, 3, 4>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[g0, g1, g2]| {
                let even = S::add(g0, g2);
                [g0, S::mul(half, S::add(even, g1)), S::mul(half, S::sub(even, g1)), g2]
            },
        );
    }

    #[inline(always)]
    unsafe fn kernel_grad<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let half = S::splat(0.5);
        map_rows::<S, 4, 3>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[u0, u1, u2, u3]| {
                let sum = S::mul(half, S::add(u1, u2));
                [S::add(u0, sum), S::mul(half, S::sub(u1, u2)), S::add(sum, u3)]
            },
        );
    }
}

/// The entries of F(4×4)'s G, as vectors: 1/4, −1/6, 1/24, 1/12, 1/6.
#[inline(always)]
unsafe fn g_entries<S: Simd>() -> [S::V; 5] {
    [S::splat(0.25), S::splat(-1.0 / 6.0), S::splat(1.0 / 24.0), S::splat(1.0 / 12.0), S::splat(1.0 / 6.0)]
}

impl Tiling for F4 {
    const M: usize = 4;
    const ALPHA: usize = 6;

    /// Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1].
    #[inline(always)]
    unsafe fn input<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let (four, minus_four, minus_five, two) = (S::splat(4.0), S::splat(-4.0), S::splat(-5.0), S::splat(2.0));
        map_rows::<S, 6, 6>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[d0, d1, d2, d3, d4, d5]| {
                // Rows 1 and 2 share d4 − 4·d2 and differ in ±(4·d1 − d3); rows 3 and 4 share
                // d4 − d2 and differ in ±2·(d3 − d1).
                let a = S::mul_add(minus_four, d2, d4);
                let b = S::mul_add(minus_four, d1, d3);
                let c = S::sub(d4, d2);
                let e = S::mul(two, S::sub(d3, d1));
                [
                    S::mul_add(four, d0, S::mul_add(minus_five, d2, d4)),
                    S::add(a, b),
                    S::sub(a, b),
                    S::add(c, e),
                    S::sub(c, e),
                    S::mul_add(four, d1, S::mul_add(minus_five, d3, d5)),
                ]
            },
        );
    }

    /// Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
    #[inline(always)]
    unsafe fn output<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let (two, four, eight) = (S::splat(2.0), S::splat(4.0), S::splat(8.0));
        map_rows::<S, 6, 4>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[m0, m1, m2, m3, m4, m5]| {
                let (sum12, diff12) = (S::add(m1, m2), S::sub(m1, m2));
                let (sum34, diff34) = (S::add(m3, m4), S::sub(m3, m4));
                [
                    S::add(S::add(m0, sum12), sum34),
                    S::mul_add(two, diff34, diff12),
                    S::mul_add(four, sum34, sum12),
                    S::add(S::mul_add(eight, diff34, diff12), m5),
                ]
            },
        );
    }

    /// A = Aᵀ's transpose: [1 0 0 0; 1 1 1 1; 1 −1 1 −1; 1 2 4 8; 1 −2 4 −8; 0 0 0 1].
    #[inline(always)]
    unsafe fn output_grad<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let (two, four, eight) = (S::splat(2.0), S::splat(4.0), S::splat(8.0));
        map_rows::<S, 4, 6>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[y0, y1, y2, y3]| {
                let (even1, odd1) = (S::add(y0, y2), S::add(y1, y3));
                let (even2, odd2) = (S::mul_add(four, y2, y0), S::mul_add(eight, y3, S::mul(two, y1)));
                [y0, S::add(even1, odd1), S::sub(even1, odd1), S::add(even2, odd2), S::sub(even2, odd2), y3]
            },
        );
    }

    /// G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1].
    #[inline(always)]
    unsafe fn kernel<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let [quarter, minus_sixth, twenty_fourth, twelfth, sixth] = g_entries::<S>();
        map_rows::<S, 3, 6>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[g0, g1, g2]| {
                let even = S::add(g0, g2);
                let outer = S::mul_add(twenty_fourth, g0, S::mul(sixth, g2));
                let middle = S::mul(twelfth, g1);
                [
                    S::mul(quarter, g0),
                    S::mul(minus_sixth, S::add(even, g1)),
                    S::mul(minus_sixth, S::sub(even, g1)),
                    S::add(outer, middle),
                    S::sub(outer, middle),
                    g2,
                ]
            },
        );
    }

    /// Gᵀ = [1/4 −1/6 −1/6 1/24 1/24 0; 0 −1/6 1/6 1/12 −1/12 0; 0 −1/6 −1/6 1/6 1/6 1].
    #[inline(always)]
    unsafe fn kernel_grad<S: Simd>(src: &[*const f32], dst: &[*mut f32], len: usize) {
        let [quarter, minus_sixth, twenty_fourth, twelfth, sixth] = g_entries::<S>();
        map_rows::<S, 6, 3>(
            fixed(src),
            fixed(dst),
            len,
            #[inline(always)]
            |[u0, u1, u2, u3, u4, u5]| {
                let (sum12, diff12) = (S::add(u1, u2), S::sub(u1, u2));
                let (sum34, diff34) = (S::add(u3, u4), S::sub(u3, u4));
                [
                    S::mul_add(quarter, u0, S::mul_add(minus_sixth, sum12, S::mul(twenty_fourth, sum34))),
                    S::mul_add(minus_sixth, diff12, S::mul(twelfth, diff34)),
                    S::add(S::mul_add(minus_sixth, sum12, S::mul(sixth, sum34)), u5),
                ]
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::scalar::Scalar;

    type Matrix = Vec<Vec<f64>>;

    /// The matrices the formulas above write out, as 1-D maps: (Bᵀ, Aᵀ, G) of each tiling.
    fn matrices<T: Tiling>() -> (Matrix, Matrix, Matrix) {
        let f = |rows: &[&[f64]]| rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>();
        if T::M == 2 {
            (
                f(&[&[1., 0., -1., 0.], &[0., 1., 1., 0.], &[0., -1., 1., 0.], &[0., 1., 0., -1.]]),
                f(&[&[1., 1., 1., 0.], &[0., 1., -1., -1.]]),
                f(&[&[1., 0., 0.], &[0.5, 0.5, 0.5], &[0.5, -0.5, 0.5], &[0., 0., 1.]]),
            )
        } else {
            (
                f(&[
                    &[4., 0., -5., 0., 1., 0.],
                    &[0., -4., -4., 1., 1., 0.],
                    &[0., 4., -4., -1., 1., 0.],
                    &[0., -2., -1., 2., 1., 0.],
                    &[0., 2., -1., -2., 1., 0.],
                    &[0., 4., 0., -5., 0., 1.],
                ]),
                f(&[&[1., 1., 1., 1., 1., 0.], &[0., 1., -1., 2., -2., 0.], &[0., 1., 1., 4., 4., 0.], &[0., 1., -1., 8., -8., 1.]]),
                f(&[
                    &[0.25, 0., 0.],
                    &[-1. / 6., -1. / 6., -1. / 6.],
                    &[-1. / 6., 1. / 6., -1. / 6.],
                    &[1. / 24., 1. / 12., 1. / 6.],
                    &[1. / 24., -1. / 12., 1. / 6.],
                    &[0., 0., 1.],
                ]),
            )
        }
    }

    /// Applies a map to unit vectors, one per lane: column j of the matrix it implements.
    fn implemented(inputs: usize, outputs: usize, map: unsafe fn(&[*const f32], &[*mut f32], usize)) -> Matrix {
        // Row r of `src` is the indicator of lane r: lane j then carries unit vector e_j.
        let src: Vec<Vec<f32>> = (0..inputs).map(|r| (0..inputs).map(|j| if j == r { 1.0 } else { 0.0 }).collect()).collect();
        let mut dst = vec![vec![f32::NAN; inputs]; outputs];
        let src_ptrs: Vec<*const f32> = src.iter().map(|r| r.as_ptr()).collect();
        let dst_ptrs: Vec<*mut f32> = dst.iter_mut().map(|r| r.as_mut_ptr()).collect();
        // SAFETY: every row holds `inputs` floats, outputs apart from inputs.
        unsafe { map(&src_ptrs, &dst_ptrs, inputs) };
        dst.iter().map(|row| row.iter().map(|&v| v as f64).collect()).collect()
    }

    fn transpose(m: &[Vec<f64>]) -> Matrix {
        (0..m[0].len()).map(|j| m.iter().map(|row| row[j]).collect()).collect()
    }

    fn assert_same(got: &[Vec<f64>], want: &[Vec<f64>], what: &str) {
        assert_eq!((got.len(), got[0].len()), (want.len(), want[0].len()), "{what}: shape");
        for (r, (g, w)) in got.iter().zip(want).enumerate() {
            for (j, (g, w)) in g.iter().zip(w).enumerate() {
                assert!((g - w).abs() < 1e-7, "{what}[{r}][{j}] = {g}, want {w}");
            }
        }
    }

    fn maps_implement_their_matrices<T: Tiling>() {
        let (bt, at, g) = matrices::<T>();
        let (m, alpha) = (T::M, T::ALPHA);
        let name = format!("F({m}, 3)");
        assert_same(&implemented(alpha, alpha, T::input::<Scalar>), &bt, &format!("{name} Bᵀ"));
        assert_same(&implemented(alpha, m, T::output::<Scalar>), &at, &format!("{name} Aᵀ"));
        assert_same(&implemented(m, alpha, T::output_grad::<Scalar>), &transpose(&at), &format!("{name} A"));
        assert_same(&implemented(3, alpha, T::kernel::<Scalar>), &g, &format!("{name} G"));
        assert_same(&implemented(alpha, 3, T::kernel_grad::<Scalar>), &transpose(&g), &format!("{name} Gᵀ"));
    }

    /// Each written-out formula is the matrix it claims, and the adjoints are transposes.
    #[test]
    fn the_maps_are_the_tilings_matrices() {
        maps_implement_their_matrices::<F2>();
        maps_implement_their_matrices::<F4>();
    }

    /// The 1-D identity behind F(m, 3): Aᵀ[(G g) ⊙ (Bᵀ d)] is the valid correlation of d with g.
    fn one_dimensional_winograd_is_a_correlation<T: Tiling>() {
        let (bt, at, g) = matrices::<T>();
        let d: Vec<f64> = (0..T::ALPHA).map(|i| (i as f64 * 0.37).sin()).collect();
        let k = [0.3, -1.1, 0.7];
        let v: Vec<f64> = bt.iter().map(|row| row.iter().zip(&d).map(|(a, b)| a * b).sum()).collect();
        let u: Vec<f64> = g.iter().map(|row| row.iter().zip(&k).map(|(a, b)| a * b).sum()).collect();
        for (i, row) in at.iter().enumerate() {
            let y: f64 = row.iter().zip(v.iter().zip(&u)).map(|(a, (v, u))| a * v * u).sum();
            let want: f64 = (0..3).map(|j| d[i + j] * k[j]).sum();
            assert!((y - want).abs() < 1e-12, "F({}, 3) output {i}: {y}, want {want}", T::M);
        }
    }

    #[test]
    fn the_matrices_compute_a_correlation() {
        one_dimensional_winograd_is_a_correlation::<F2>();
        one_dimensional_winograd_is_a_correlation::<F4>();
    }
}
