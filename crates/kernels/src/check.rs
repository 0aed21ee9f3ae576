//! Length checks shared by every kernel: each names the kernel, the argument and what it should
//! hold, e.g. "softmax: out should hold 200x10 = 2000 elements but holds 1999". The js backend
//! (packages/core/src/kernels/lengths.ts) words its checks identically.

use crate::error::KernelError;

/// `len` must be rows·cols (a row-major rows×cols matrix).
pub(crate) fn matrix(kernel: &str, name: &str, rows: usize, cols: usize, len: usize) -> Result<(), KernelError> {
    let want = rows
        .checked_mul(cols)
        .ok_or_else(|| KernelError::new(format!("{kernel}: {name} of {rows}x{cols} elements overflows")))?;
    if want == len {
        Ok(())
    } else {
        Err(KernelError::new(format!("{kernel}: {name} should hold {rows}x{cols} = {want} elements but holds {len}")))
    }
}

/// `len` must be `want`, one element per row or per column (`per` says which).
pub(crate) fn vector(kernel: &str, name: &str, want: usize, per: &str, len: usize) -> Result<(), KernelError> {
    if want == len {
        Ok(())
    } else {
        Err(KernelError::new(format!("{kernel}: {name} should hold {want} elements ({per}) but holds {len}")))
    }
}

/// `len` must be the product of `dims` (a row-major tensor, e.g. BatchNorm's [outer, channels, inner]).
pub(crate) fn tensor(kernel: &str, name: &str, dims: &[usize], len: usize) -> Result<(), KernelError> {
    let shape = dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x");
    let want = dims
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| KernelError::new(format!("{kernel}: {name} of {shape} elements overflows")))?;
    if want == len {
        Ok(())
    } else {
        Err(KernelError::new(format!("{kernel}: {name} should hold {shape} = {want} elements but holds {len}")))
    }
}

/// `len` must equal `other`'s length (elementwise kernels).
pub(crate) fn same_len(kernel: &str, name: &str, len: usize, other: &str, other_len: usize) -> Result<(), KernelError> {
    if len == other_len {
        Ok(())
    } else {
        Err(KernelError::new(format!(
            "{kernel}: {name} should hold {other_len} elements (as many as {other}) but holds {len}"
        )))
    }
}

/// Class labels: one per row, each in 0..cols.
pub(crate) fn labels(kernel: &str, labels: &[i32], rows: usize, cols: usize) -> Result<(), KernelError> {
    vector(kernel, "labels", rows, "rows", labels.len())?;
    match labels.iter().position(|&l| l < 0 || l as usize >= cols) {
        None => Ok(()),
        Some(i) => {
            Err(KernelError::new(format!("{kernel}: labels[{i}] = {} is not a class index in 0..{cols}", labels[i])))
        }
    }
}
