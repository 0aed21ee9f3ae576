//! The one error type kernels return: a message that names the argument and what was expected,
//! ready to be shown to a user unchanged by the bindings, and a kind that tells the bindings
//! which TypeScript error class to throw.

use std::fmt;

/// What a [`KernelError`] is about. The bindings throw the TypeScript class named by
/// [`ErrorKind::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A buffer's length does not fit its shape: "… should hold … but holds …".
    Shape,
    /// Any other bad argument: a value out of range, a size that overflows, overlapping buffers,
    /// an unknown op, a missing buffer, a CPU without the required features.
    Argument,
}

impl ErrorKind {
    /// The TypeScript error class: "ShapeError" or "ArgumentError".
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Shape => "ShapeError",
            ErrorKind::Argument => "ArgumentError",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelError {
    kind: ErrorKind,
    message: String,
}

impl KernelError {
    /// An argument error ([`ErrorKind::Argument`]).
    pub fn new(message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Argument, message: message.into() }
    }

    /// A length that does not fit a shape ([`ErrorKind::Shape`]); the message says what the
    /// buffer should hold and what it holds.
    pub fn shape(message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Shape, message: message.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The TypeScript error class the bindings throw: "ShapeError" or "ArgumentError".
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for KernelError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constructor_sets_the_kind_and_code() {
        let e = KernelError::shape("k: x should hold 4 elements (rows) but holds 3");
        assert_eq!((e.kind(), e.code()), (ErrorKind::Shape, "ShapeError"));
        assert_eq!(e.message(), "k: x should hold 4 elements (rows) but holds 3");
        let e = KernelError::new("k: op 'foo' is not one of neg, exp");
        assert_eq!((e.kind(), e.code()), (ErrorKind::Argument, "ArgumentError"));
        assert_eq!(e.to_string(), "k: op 'foo' is not one of neg, exp");
    }
}
