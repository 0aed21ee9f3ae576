//! How an output buffer relates to an input, for the bindings: they receive raw memory from JS
//! (two Float32Arrays may view one ArrayBuffer; two wasm pointers may overlap) and must decide,
//! before forming any slice, whether to call a kernel's in-place variant, the ordinary one, or
//! refuse. Rust slices cannot alias, so the decision cannot be left to the kernels.
//!
//! Buffers are byte ranges (`start..end`); an empty one overlaps nothing. Messages name the
//! arguments, not their addresses, so that every backend (js included) words them the same.

use std::ops::Range;

use crate::error::KernelError;

/// A named buffer's bytes.
#[derive(Clone, Debug)]
pub struct Operand<'a> {
    pub name: &'a str,
    pub bytes: Range<usize>,
}

impl<'a> Operand<'a> {
    pub fn new(name: &'a str, bytes: Range<usize>) -> Self {
        Self { name, bytes }
    }

    /// The operand of a slice's memory.
    pub fn of<T>(name: &'a str, slice: &[T]) -> Self {
        let start = slice.as_ptr() as usize;
        Self { name, bytes: start..start + std::mem::size_of_val(slice) }
    }

    fn overlaps(&self, other: &Operand) -> bool {
        !self.bytes.is_empty()
            && !other.bytes.is_empty()
            && self.bytes.start < other.bytes.end
            && other.bytes.start < self.bytes.end
    }
}

/// `out` must not share a byte with `input`.
pub fn check_separate(kernel: &str, out: &Operand, input: &Operand) -> Result<(), KernelError> {
    if out.overlaps(input) {
        Err(KernelError::new(format!(
            "{kernel}: {} overlaps {}; the output must be a separate buffer",
            out.name, input.name
        )))
    } else {
        Ok(())
    }
}

/// Kernels with several outputs (BatchNorm, the optimisers): every output separate from every
/// input and from every other output, checked in that order. Absent optional buffers are `None`.
pub fn check_all_separate(kernel: &str, outputs: &[Option<Operand>], inputs: &[Option<Operand>]) -> Result<(), KernelError> {
    for (i, out) in outputs.iter().enumerate() {
        let Some(out) = out else { continue };
        for input in inputs.iter().chain(&outputs[i + 1..]).flatten() {
            check_separate(kernel, out, input)?;
        }
    }
    Ok(())
}

/// For kernels that may run in place: `Ok(true)` when `out` is exactly `input` (call the
/// in-place variant), `Ok(false)` when they are disjoint, an error when they partly overlap.
pub fn in_place(kernel: &str, out: &Operand, input: &Operand) -> Result<bool, KernelError> {
    if !out.overlaps(input) {
        Ok(false)
    } else if out.bytes == input.bytes {
        Ok(true)
    } else {
        Err(KernelError::new(format!(
            "{kernel}: {} partly overlaps {}; it must be the same buffer (in place) or a separate one",
            out.name, input.name
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_disjoint_and_partial_buffers() {
        let x = Operand::new("x", 16..56);
        assert!(in_place("elu", &Operand::new("out", 16..56), &x).unwrap());
        assert!(!in_place("elu", &Operand::new("out", 56..96), &x).unwrap());
        let err = in_place("elu", &Operand::new("out", 20..60), &x).unwrap_err();
        assert_eq!(
            err.message(),
            "elu: out partly overlaps x; it must be the same buffer (in place) or a separate one"
        );
        let err = check_separate("softmax", &Operand::new("out", 16..56), &x).unwrap_err();
        assert_eq!(err.message(), "softmax: out overlaps x; the output must be a separate buffer");
        assert!(
            check_separate("softmax", &Operand::new("out", 16..16), &x).is_ok(),
            "an empty buffer overlaps nothing"
        );
    }
}
