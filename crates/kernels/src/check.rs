//! Length checks shared by every kernel: each names the kernel, the argument and what it should
//! hold, e.g. "softmax: out should hold 200x10 = 2000 elements but holds 1999". The js backend
//! (packages/core/src/kernels/lengths.ts) words its checks identically.

use crate::error::KernelError;

/// `len` must be rows·cols (a row-major rows×cols matrix).
///
/// Products are taken in u64, so that wasm32 (32-bit usize) reports a misfit as Node does.
pub(crate) fn matrix(kernel: &str, name: &str, rows: usize, cols: usize, len: usize) -> Result<(), KernelError> {
    let want = (rows as u64)
        .checked_mul(cols as u64)
        .ok_or_else(|| KernelError::new(format!("{kernel}: {name} of {rows}x{cols} elements overflows")))?;
    if want == len as u64 {
        Ok(())
    } else {
        Err(KernelError::shape(format!("{kernel}: {name} should hold {rows}x{cols} = {want} elements but holds {len}")))
    }
}

/// `len` must be `want`, one element per row or per column (`per` says which).
pub(crate) fn vector(kernel: &str, name: &str, want: usize, per: &str, len: usize) -> Result<(), KernelError> {
    if want == len {
        Ok(())
    } else {
        Err(KernelError::shape(format!("{kernel}: {name} should hold {want} elements ({per}) but holds {len}")))
    }
}

/// `len` must be the product of `dims` (a row-major tensor, e.g. BatchNorm's [outer, channels, inner]),
/// taken in u64 as in `matrix`.
pub(crate) fn tensor(kernel: &str, name: &str, dims: &[usize], len: usize) -> Result<(), KernelError> {
    let shape = dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x");
    let want = dims
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d as u64))
        .ok_or_else(|| KernelError::new(format!("{kernel}: {name} of {shape} elements overflows")))?;
    if want == len as u64 {
        Ok(())
    } else {
        Err(KernelError::shape(format!("{kernel}: {name} should hold {shape} = {want} elements but holds {len}")))
    }
}

/// `len` must equal `other`'s length (elementwise kernels).
pub(crate) fn same_len(kernel: &str, name: &str, len: usize, other: &str, other_len: usize) -> Result<(), KernelError> {
    if len == other_len {
        Ok(())
    } else {
        Err(KernelError::shape(format!(
            "{kernel}: {name} should hold {other_len} elements (as many as {other}) but holds {len}"
        )))
    }
}

/// The valid indices of `count` things, inclusive, as people read them: "0..9" for ten (the same
/// words as the TypeScript checks' `indexRange`).
pub(crate) fn index_range(count: usize) -> String {
    if count > 0 { format!("0..{}", count - 1) } else { "(none: there are 0)".to_string() }
}

/// Class labels: one per row, each in 0..cols-1.
pub(crate) fn labels(kernel: &str, labels: &[i32], rows: usize, cols: usize) -> Result<(), KernelError> {
    vector(kernel, "labels", rows, "rows", labels.len())?;
    match labels.iter().position(|&l| l < 0 || l as usize >= cols) {
        None => Ok(()),
        Some(i) => {
            Err(KernelError::new(format!("{kernel}: labels[{i}] = {} is not a class index in {}", labels[i], index_range(cols))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alias::{check_separate, in_place, Operand};
    use crate::error::ErrorKind;

    #[test]
    fn a_length_misfit_is_a_shape_error_and_anything_else_an_argument_error() {
        let misfits = [
            matrix("softmax", "out", 200, 10, 1999).unwrap_err(),
            vector("layerNorm", "mean", 4, "rows", 3).unwrap_err(),
            tensor("batchNormTrain", "x", &[2, 3, 4], 23).unwrap_err(),
            same_len("elu", "out", 5, "x", 6).unwrap_err(),
            labels("nllLoss", &[0, 1], 3, 2).unwrap_err(),
        ];
        for e in &misfits {
            assert_eq!((e.kind(), e.code()), (ErrorKind::Shape, "ShapeError"), "{e}");
        }
        assert_eq!(misfits[0].message(), "softmax: out should hold 200x10 = 2000 elements but holds 1999");

        let x = Operand::new("x", 0..40);
        let others = [
            labels("nllLoss", &[0, 2], 2, 2).unwrap_err(),
            matrix("softmax", "x", usize::MAX, 2, 0).unwrap_err(),
            tensor("conv2d", "x", &[usize::MAX, 2, 1], 0).unwrap_err(),
            check_separate("softmax", &Operand::new("out", 16..56), &x).unwrap_err(),
            in_place("elu", &Operand::new("out", 20..60), &x).unwrap_err(),
        ];
        for e in &others {
            assert_eq!((e.kind(), e.code()), (ErrorKind::Argument, "ArgumentError"), "{e}");
        }
        assert_eq!(others[0].message(), "nllLoss: labels[1] = 2 is not a class index in 0..1");
        assert_eq!(others[3].message(), "softmax: out overlaps x; the output must be a separate buffer");
    }
}
