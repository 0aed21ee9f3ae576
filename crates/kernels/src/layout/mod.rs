//! Strided layouts: the shape and stride checks and row walking that the strided kernels share
//! (this file), `copy` (`copy_strided`, which makes a view contiguous) and `slice` (a slice
//! along one axis copied in or out: what concatenation is made of).
//!
//! Shapes and strides of the broadcasting kernels (`binary`, `copy_strided`, `reduce_sum`):
//! their checks, worded as packages/core/src/kernels/lengths.ts words them, and the two steps
//! every strided loop takes: `collapse` merges neighbouring axes that are contiguous in every
//! operand (a [128,1024] + [1024] row broadcast stays two axes, a same-shape add becomes one),
//! then `for_each_row` walks the result one innermost row at a time. The f64 references walk
//! element by element instead (`offsets`), so they share none of that with what they check.
//!
//! Strides are in elements; 0 broadcasts an axis. There is no offset: views start at element 0.

pub mod copy;
pub mod slice;

use crate::error::{js_number, KernelError};

/// Shape or strides as JS numbers (the bindings get them so), each a non-negative integer.
///
/// ```
/// let err = dlp_kernels::layout::counts("binary", "aStrides", &[3.0, -1.0]).unwrap_err();
/// assert_eq!(err.message(), "binary: aStrides[1] = -1 is not a non-negative integer");
/// ```
pub fn counts(kernel: &str, name: &str, values: &[f64]) -> Result<Vec<usize>, KernelError> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            // 2^53: the largest integer a JS number holds exactly.
            if v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 && v <= usize::MAX as f64 {
                Ok(v as usize)
            } else {
                Err(KernelError::new(format!("{kernel}: {name}[{i}] = {} is not a non-negative integer", js_number(v))))
            }
        })
        .collect()
}

fn format_shape(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(","))
}

/// Elements of a row-major tensor of `shape` (1 for a scalar's []), `None` on overflow.
pub(crate) fn size_of(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// `count` per-axis entries (strides, axis flags) for a tensor of `shape`.
pub(crate) fn per_axis(kernel: &str, name: &str, count: usize, shape: &[usize]) -> Result<(), KernelError> {
    if count == shape.len() {
        Ok(())
    } else {
        Err(KernelError::shape(format!(
            "{kernel}: {name} should hold {} entries (one per axis of shape {}) but holds {count}",
            shape.len(),
            format_shape(shape)
        )))
    }
}

/// `len` must be the element count of `shape`.
pub(crate) fn shaped(kernel: &str, name: &str, shape: &[usize], len: usize) -> Result<(), KernelError> {
    match size_of(shape) {
        Some(want) if want == len => Ok(()),
        Some(want) => Err(KernelError::shape(format!(
            "{kernel}: {name} should hold {want} elements (shape {}) but holds {len}",
            format_shape(shape)
        ))),
        None => Err(KernelError::new(format!("{kernel}: {name} of shape {} overflows", format_shape(shape)))),
    }
}

/// A strided operand: one stride per axis, and a view of `shape` through them that stays
/// inside its `len` elements.
pub(crate) fn view(
    kernel: &str,
    name: &str,
    len: usize,
    strides_name: &str,
    strides: &[usize],
    shape: &[usize],
) -> Result<(), KernelError> {
    per_axis(kernel, strides_name, strides.len(), shape)?;
    if shape.contains(&0) {
        return Ok(());
    }
    let last = shape
        .iter()
        .zip(strides)
        .try_fold(0usize, |sum, (&d, &s)| (d - 1).checked_mul(s).and_then(|step| sum.checked_add(step)));
    match last {
        Some(last) if last < len => Ok(()),
        _ => Err(KernelError::shape(format!(
            "{kernel}: {name} should hold at least {} elements (shape {} read through {strides_name} {}) but holds {len}",
            last.and_then(|l| l.checked_add(1)).map_or_else(|| "2^64".to_string(), |n| n.to_string()),
            format_shape(shape),
            format_shape(strides),
        ))),
    }
}

/// Whether `strides` lay `shape` out row-major (size-1 axes may have any stride), as
/// packages/core's `isRowMajor`.
pub(crate) fn is_row_major(shape: &[usize], strides: &[usize]) -> bool {
    let mut expected = 1;
    for (&d, &s) in shape.iter().zip(strides).rev() {
        if d != 1 && s != expected {
            return false;
        }
        expected *= d;
    }
    true
}

/// An input that is also the output (run in place) must be read row-major, so that each
/// element is read before, and only by, its own write.
pub(crate) fn in_place_row_major(
    kernel: &str,
    name: &str,
    strides: &[usize],
    shape: &[usize],
) -> Result<(), KernelError> {
    if is_row_major(shape, strides) {
        Ok(())
    } else {
        Err(KernelError::new(format!(
            "{kernel}: out is {name}, which needs {name}Strides row-major for shape {} but they are {}",
            format_shape(shape),
            format_shape(strides)
        )))
    }
}

/// `shape` and each operand's strides with size-1 axes dropped and each axis merged into the
/// one before it wherever that is contiguous in every operand (outer stride = inner stride ×
/// inner size). Row-major operands stay row-major over the result, which has at least one
/// axis ([1] for a single element).
pub(crate) fn collapse<const N: usize>(shape: &[usize], strides: [&[usize]; N]) -> (Vec<usize>, [Vec<usize>; N]) {
    let mut dims: Vec<usize> = Vec::with_capacity(shape.len());
    let mut out: [Vec<usize>; N] = std::array::from_fn(|_| Vec::with_capacity(shape.len()));
    for (axis, &d) in shape.iter().enumerate() {
        if d == 1 {
            continue;
        }
        let merges = !dims.is_empty() && (0..N).all(|k| *out[k].last().unwrap() == strides[k][axis] * d);
        if merges {
            *dims.last_mut().unwrap() *= d;
            for k in 0..N {
                *out[k].last_mut().unwrap() = strides[k][axis];
            }
        } else {
            dims.push(d);
            for k in 0..N {
                out[k].push(strides[k][axis]);
            }
        }
    }
    if dims.is_empty() {
        dims.push(1);
        out.iter_mut().for_each(|s| s.push(0));
    }
    (dims, out)
}

/// Calls `row(start, offsets)` for each innermost row of a (collapsed, rank ≥ 1) `shape`, in
/// row-major order: `start` is the row's flat index, `offsets[k]` the element of its first
/// entry in operand k. Rows are `shape.last()` long; nothing is called for an empty shape.
#[inline(always)]
pub(crate) fn for_each_row<const N: usize>(
    shape: &[usize],
    strides: &[Vec<usize>; N],
    mut row: impl FnMut(usize, [usize; N]),
) {
    let rank = shape.len();
    let inner = shape[rank - 1];
    let size = shape.iter().product::<usize>();
    let mut index = vec![0usize; rank];
    let mut offsets = [0usize; N];
    let mut start = 0;
    while start < size {
        row(start, offsets);
        start += inner;
        for d in (0..rank - 1).rev() {
            index[d] += 1;
            for k in 0..N {
                offsets[k] += strides[k][d];
            }
            if index[d] < shape[d] {
                break;
            }
            for k in 0..N {
                offsets[k] -= strides[k][d] * shape[d];
            }
            index[d] = 0;
        }
    }
}

/// Each element's offset into each operand, in row-major order of `shape`: the references'
/// one obviously-correct walk (a divmod per axis and element).
pub(crate) fn offsets<'a, const N: usize>(
    shape: &'a [usize],
    strides: &'a [&'a [usize]; N],
) -> impl Iterator<Item = [usize; N]> + 'a {
    let size = size_of(shape).unwrap_or(0);
    (0..size).map(move |flat| {
        let mut rest = flat;
        let mut offsets = [0; N];
        for d in (0..shape.len()).rev() {
            let i = rest % shape[d];
            rest /= shape[d];
            for k in 0..N {
                offsets[k] += i * strides[k][d];
            }
        }
        offsets
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_merges_only_what_is_contiguous_everywhere() {
        // Same-shape contiguous operands: one axis.
        let (d, [a, b]) = collapse(&[2, 3, 4], [&[12, 4, 1], &[12, 4, 1]]);
        assert_eq!((d, a, b), (vec![24], vec![1], vec![1]));
        // A row broadcast stays [R, C].
        let (d, [a, b]) = collapse(&[5, 2, 3], [&[6, 3, 1], &[0, 3, 1]]);
        assert_eq!((d, a, b), (vec![5, 6], vec![6, 1], vec![0, 1]));
        // A scalar broadcast over everything: one axis of stride 0; size-1 axes vanish.
        let (d, [a]) = collapse(&[1, 4, 1, 5], [&[7, 0, 9, 0]]);
        assert_eq!((d, a), (vec![20], vec![0]));
        let (d, [a]) = collapse(&[1, 1], [&[3, 1]]);
        assert_eq!((d, a), (vec![1], vec![0]));
        // A transpose does not merge.
        let (d, [a]) = collapse(&[3, 2], [&[1, 3]]);
        assert_eq!((d, a), (vec![3, 2], vec![1, 3]));
    }

    #[test]
    fn rows_are_walked_in_row_major_order() {
        let (shape, strides) = (vec![2, 3, 2], [vec![1, 2, 6]]);
        let mut seen = Vec::new();
        for_each_row(&shape, &strides, |start, [o]| seen.push((start, o)));
        assert_eq!(seen, [(0, 0), (2, 2), (4, 4), (6, 1), (8, 3), (10, 5)]);
    }

    #[test]
    fn checks_word_their_messages_as_the_js_backend() {
        assert_eq!(counts("copy", "shape", &[2.0, 3.0]).unwrap(), [2, 3]);
        let err = counts("copy", "shape", &[2.0, 1.5]).unwrap_err();
        assert_eq!(err.message(), "copy: shape[1] = 1.5 is not a non-negative integer");
        let err = counts("copy", "strides", &[f64::INFINITY]).unwrap_err();
        assert_eq!(err.message(), "copy: strides[0] = Infinity is not a non-negative integer");
        let err = view("binary", "b", 3, "bStrides", &[1], &[2, 3]).unwrap_err();
        assert_eq!(err.message(), "binary: bStrides should hold 2 entries (one per axis of shape [2,3]) but holds 1");
        let err = shaped("binary", "out", &[2, 3], 5).unwrap_err();
        assert_eq!(err.message(), "binary: out should hold 6 elements (shape [2,3]) but holds 5");
        let err = view("binary", "b", 2, "bStrides", &[0, 1], &[2, 3]).unwrap_err();
        assert_eq!(
            err.message(),
            "binary: b should hold at least 3 elements (shape [2,3] read through bStrides [0,1]) but holds 2"
        );
        assert!(view("binary", "b", 0, "bStrides", &[5, 1], &[0, 3]).is_ok(), "an empty view reads nothing");
        assert!(is_row_major(&[2, 1, 3], &[3, 99, 1]) && !is_row_major(&[2, 3], &[1, 2]));
    }
}
