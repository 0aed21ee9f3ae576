//! Walking a tensor viewed as [outer, channels, inner] channel by channel, for BatchNorm: a
//! channel's n = outer·inner values are `inner` contiguous floats repeated every
//! channels·inner. With inner = 1 (BatchNorm1d) consecutive floats are consecutive channels, so
//! a SIMD vector spans several channels and their coefficients are loaded as vectors too; with
//! inner > 1 (BatchNorm2d) a vector stays inside one channel and its coefficients are broadcast.

use std::ops::Range;

use crate::check;
use crate::error::KernelError;
use crate::simd::stream::{load, store};
use crate::simd::Simd;

/// BatchNorm's view of its input: `outer`·`channels`·`inner` row-major floats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchNormShape {
    pub outer: usize,
    pub channels: usize,
    pub inner: usize,
}

impl BatchNormShape {
    /// Values per channel, n = outer·inner.
    pub fn per_channel(&self) -> usize {
        self.outer * self.inner
    }

    /// Index of element (o, c, i).
    pub fn index(&self, o: usize, c: usize, i: usize) -> usize {
        (o * self.channels + c) * self.inner + i
    }

    /// Checks that a buffer holds the whole [outer, channels, inner] tensor (public: other
    /// devices' BatchNorm kernels check their arguments with the same messages).
    pub fn check_tensor(&self, kernel: &str, name: &str, len: usize) -> Result<(), KernelError> {
        check::tensor(kernel, name, &[self.outer, self.channels, self.inner], len)
    }

    /// Checks that a buffer holds one value per channel.
    pub fn check_channels(&self, kernel: &str, name: &str, len: usize) -> Result<(), KernelError> {
        check::vector(kernel, name, self.channels, "channels", len)
    }

    /// `part` of `parts` near-equal ranges of channels.
    pub(crate) fn channel_part(&self, part: usize, parts: usize) -> Range<usize> {
        let per = self.channels.div_ceil(parts.max(1));
        (part * per).min(self.channels)..((part + 1) * per).min(self.channels)
    }
}

/// out[j] = f(inputs[·][j], coefs[·][c(j)]) for every element j of the channels in `channels`:
/// `inputs` are tensors of `shape`, `coefs` per-channel arrays indexed from `channels.start`.
///
/// # Safety
/// Every pointer must be valid for the elements named; `out` may equal an input (each element
/// is read before it is written) but must not partly overlap one.
#[inline(always)]
pub(crate) unsafe fn map_channels<S: Simd, const N: usize, const M: usize>(
    shape: BatchNormShape,
    channels: Range<usize>,
    inputs: [*const f32; N],
    coefs: [*const f32; M],
    out: *mut f32,
    f: impl Fn([S::V; N], [S::V; M]) -> S::V,
) {
    let first = channels.start;
    for o in 0..shape.outer {
        if shape.inner == 1 {
            let mut c = first;
            while c < channels.end {
                let n = (channels.end - c).min(S::LANES);
                let at = shape.index(o, c, 0);
                let mut xs = [S::splat(0.0); N];
                for (x, input) in xs.iter_mut().zip(inputs) {
                    *x = load::<S>(input.add(at), n);
                }
                let mut ks = [S::splat(0.0); M];
                for (k, coef) in ks.iter_mut().zip(coefs) {
                    *k = load::<S>(coef.add(c - first), n);
                }
                store::<S>(out.add(at), n, f(xs, ks));
                c += n;
            }
        } else {
            for c in channels.clone() {
                let mut ks = [S::splat(0.0); M];
                for (k, coef) in ks.iter_mut().zip(coefs) {
                    *k = S::splat(*coef.add(c - first));
                }
                let base = shape.index(o, c, 0);
                let mut i = 0;
                while i < shape.inner {
                    let n = (shape.inner - i).min(S::LANES);
                    let mut xs = [S::splat(0.0); N];
                    for (x, input) in xs.iter_mut().zip(inputs) {
                        *x = load::<S>(input.add(base + i), n);
                    }
                    store::<S>(out.add(base + i), n, f(xs, ks));
                    i += n;
                }
            }
        }
    }
}

/// Rows summed in f32 lanes before the partial sums move into f64: short enough that f32
/// rounding stays near 1e-7 relative, long enough that the f64 work is a small share.
const FLUSH_ROWS: usize = 32;

/// Per channel c of `channels` (inner = 1 only), Σ_o u and Σ_o u·v with u = a[o,c] − ka[c],
/// v = b[o,c] − kb[c]; `ka`/`kb` are indexed from `channels.start`. A SIMD vector spans
/// consecutive channels; sums are kept in f32 lanes for FLUSH_ROWS rows, then added in f64.
pub(crate) struct CenteredSums {
    pub shape: BatchNormShape,
    pub channels: Range<usize>,
    pub a: *const f32,
    pub ka: *const f32,
    pub b: *const f32,
    pub kb: *const f32,
}

impl crate::simd::SimdKernel for CenteredSums {
    type Output = Vec<(f64, f64)>;

    #[inline(always)]
    unsafe fn run<S: Simd>(self) -> Vec<(f64, f64)> {
        debug_assert_eq!(self.shape.inner, 1);
        // Row by row, each channel's f32 lanes kept in `acc` (2·width floats, in L1): the rows
        // stream through in memory order. Walking a channel's column instead reads floats
        // channels·4 bytes apart, which for 3072 channels all fall in one L1 set (12 KiB is 3·4 KiB):
        // every row missed L1, 2.5 cycles per value. Per channel the adds are the same, in the
        // same order, so the sums are the same bits.
        let (first, width) = (self.channels.start, self.channels.len());
        let mut sums = vec![(0.0f64, 0.0f64); width];
        let mut acc = vec![0.0f32; 2 * width];
        let (acc1, acc2) = (acc.as_mut_ptr(), acc.as_mut_ptr().add(width));
        let mut o = 0;
        while o < self.shape.outer {
            let end = (o + FLUSH_ROWS).min(self.shape.outer);
            acc.fill(0.0);
            for row in o..end {
                let base = row * self.shape.channels + first;
                let mut j = 0;
                while j < width {
                    let n = (width - j).min(S::LANES);
                    let u = S::sub(load::<S>(self.a.add(base + j), n), load::<S>(self.ka.add(j), n));
                    let v = S::sub(load::<S>(self.b.add(base + j), n), load::<S>(self.kb.add(j), n));
                    store::<S>(acc1.add(j), n, S::add(load::<S>(acc1.add(j), n), u));
                    store::<S>(acc2.add(j), n, S::mul_add(u, v, load::<S>(acc2.add(j), n)));
                    j += n;
                }
            }
            for (k, sum) in sums.iter_mut().enumerate() {
                sum.0 += acc[k] as f64;
                sum.1 += acc[width + k] as f64;
            }
            o = end;
        }
        sums
    }
}

/// The sums of [`CenteredSums`] for inner > 1 (BatchNorm2d), where a channel's values are runs of
/// `inner` contiguous floats: a SIMD vector stays inside one run, its lanes summed in f32 for up
/// to FLUSH_ROWS vectors and then added in f64. The lanes past a run's end are filled with the
/// shifts, so they add nothing. The same arguments as [`CenteredSums`].
pub(crate) struct CenteredRunSums(pub CenteredSums);

impl crate::simd::SimdKernel for CenteredRunSums {
    type Output = Vec<(f64, f64)>;

    #[inline(always)]
    unsafe fn run<S: Simd>(self) -> Vec<(f64, f64)> {
        let Self(args) = self;
        let (first, inner) = (args.channels.start, args.shape.inner);
        let load_shifted = |src: *const f32, n: usize, fill: f32| if n == S::LANES { S::load(src) } else { S::load_partial(src, n, fill) };
        args.channels
            .clone()
            .map(|c| {
                let (ka, kb) = (*args.ka.add(c - first), *args.kb.add(c - first));
                let (ka_v, kb_v) = (S::splat(ka), S::splat(kb));
                let (mut t1, mut t2) = (0.0f64, 0.0f64);
                for o in 0..args.shape.outer {
                    let base = args.shape.index(o, c, 0);
                    let mut j = 0;
                    while j < inner {
                        let end = (j + FLUSH_ROWS * S::LANES).min(inner);
                        let (mut s1, mut s2) = (S::splat(0.0), S::splat(0.0));
                        while j < end {
                            let n = (end - j).min(S::LANES);
                            let u = S::sub(load_shifted(args.a.add(base + j), n, ka), ka_v);
                            let v = S::sub(load_shifted(args.b.add(base + j), n, kb), kb_v);
                            s1 = S::add(s1, u);
                            s2 = S::mul_add(u, v, s2);
                            j += n;
                        }
                        t1 += S::reduce_sum(s1) as f64;
                        t2 += S::reduce_sum(s2) as f64;
                    }
                }
                (t1, t2)
            })
            .collect()
    }
}
