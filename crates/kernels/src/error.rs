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

/// A number as JavaScript's `String(v)` writes it, for messages identical on every backend
/// (the js backend's included): decimals from 1e-6 to below 1e21, exponents outside
/// ("1e+21", "1.5e-7"), shortest round-trip digits in both, as Rust's formatting also gives.
///
/// ```
/// use dlp_kernels::error::js_number;
/// assert_eq!(js_number(2.5), "2.5");
/// assert_eq!(js_number(-3.0), "-3");
/// assert_eq!(js_number(1e21), "1e+21");
/// assert_eq!(js_number(1.5e-7), "1.5e-7");
/// assert_eq!(js_number(0.000001), "0.000001");
/// assert_eq!(js_number(f64::NEG_INFINITY), "-Infinity");
/// ```
pub fn js_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if v == 0.0 {
        "0".to_string()
    } else if v.abs() >= 1e21 || v.abs() < 1e-6 {
        let s = format!("{v:e}");
        match s.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => s,
        }
    } else {
        v.to_string()
    }
}

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
