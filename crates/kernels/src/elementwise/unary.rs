//! Elementwise functions of one input and their backward, over buffers of any length:
//!
//! - `unary`: out = op(x) for op in neg, exp, log, sqrt, relu, tanh, sigmoid
//! - `unary_backward`: dx = dout·op'(x), op' taken from the forward's input x or output y,
//!   whichever is cheaper: neg −dout; exp dout·y; log dout/x; sqrt dout/(2y);
//!   relu dout·(x > 0); tanh dout·(1 − y)(1 + y); sigmoid dout·y·(1 − y).
//!
//! 1 − y² is taken as (1 − y)(1 + y): 1 − y is exact for y near 1, where y² would cancel.
//! relu keeps NaN (as PyTorch). log runs as a plain loop (the SIMD layer has no logarithm);
//! the others are vectorised.

use crate::check;
use crate::error::KernelError;
use crate::simd::math::{exp, sigmoid, tanh};
use crate::simd::stream::{map1, map2};
use crate::simd::{dispatch, Simd, SimdKernel};

/// An elementwise function of one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Exp,
    Log,
    Sqrt,
    Relu,
    Tanh,
    Sigmoid,
}

impl UnaryOp {
    pub const ALL: [UnaryOp; 7] =
        [UnaryOp::Neg, UnaryOp::Exp, UnaryOp::Log, UnaryOp::Sqrt, UnaryOp::Relu, UnaryOp::Tanh, UnaryOp::Sigmoid];

    /// The op's name on the JS side (`UnaryOp` in packages/core/src/kernels/elementwise.ts).
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Relu => "relu",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Sigmoid => "sigmoid",
        }
    }

    /// The op named `name`, for the bindings (ops arrive from JS as strings).
    ///
    /// ```
    /// use dlp_kernels::UnaryOp;
    /// assert_eq!(UnaryOp::parse("unary", "relu").unwrap(), UnaryOp::Relu);
    /// assert_eq!(
    ///     UnaryOp::parse("unary", "abs").unwrap_err().message(),
    ///     "unary: op 'abs' is not one of neg, exp, log, sqrt, relu, tanh, sigmoid"
    /// );
    /// ```
    pub fn parse(kernel: &str, name: &str) -> Result<Self, KernelError> {
        Self::ALL.into_iter().find(|op| op.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|op| op.name()).collect();
            KernelError::new(format!("{kernel}: op '{name}' is not one of {}", known.join(", ")))
        })
    }

    /// op(x) in f64.
    pub fn reference(self, x: f64) -> f64 {
        match self {
            UnaryOp::Neg => -x,
            UnaryOp::Exp => x.exp(),
            UnaryOp::Log => x.ln(),
            UnaryOp::Sqrt => x.sqrt(),
            UnaryOp::Relu => {
                if x < 0.0 {
                    0.0
                } else {
                    x
                }
            }
            UnaryOp::Tanh => x.tanh(),
            UnaryOp::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        }
    }

    /// dout·op'(x) in f64, from the forward's input x and output y.
    pub fn backward_reference(self, x: f64, y: f64, dout: f64) -> f64 {
        match self {
            UnaryOp::Neg => -dout,
            UnaryOp::Exp => dout * y,
            UnaryOp::Log => dout / x,
            UnaryOp::Sqrt => dout / (2.0 * y),
            UnaryOp::Relu => {
                if x > 0.0 {
                    dout
                } else {
                    0.0
                }
            }
            UnaryOp::Tanh => dout * (1.0 - y) * (1.0 + y),
            UnaryOp::Sigmoid => dout * y * (1.0 - y),
        }
    }
}

/// out = op(x), elementwise.
///
/// ```
/// use dlp_kernels::{unary, UnaryOp};
/// let mut out = [0.0; 3];
/// unary(UnaryOp::Relu, &[-1.0, 0.5, f32::NAN], &mut out).unwrap();
/// assert_eq!(out[..2], [0.0, 0.5]);
/// assert!(out[2].is_nan());
/// ```
pub fn unary(op: UnaryOp, x: &[f32], out: &mut [f32]) -> Result<(), KernelError> {
    check::same_len("unary", "out", out.len(), "x", x.len())?;
    dispatch(Unary { op, x: x.as_ptr(), out: out.as_mut_ptr(), len: x.len() });
    Ok(())
}

/// x = op(x).
pub fn unary_in_place(op: UnaryOp, x: &mut [f32]) {
    let out = x.as_mut_ptr();
    dispatch(Unary { op, x: out, out, len: x.len() });
}

/// op(x) in f64: the oracle for `unary`.
pub fn unary_reference(op: UnaryOp, x: &[f32]) -> Vec<f64> {
    x.iter().map(|&v| op.reference(v as f64)).collect()
}

struct Unary {
    op: UnaryOp,
    x: *const f32,
    out: *mut f32,
    len: usize,
}

impl SimdKernel for Unary {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (x, out, len) = (self.x, self.out, self.len);
        let zero = S::splat(0.0);
        match self.op {
            UnaryOp::Neg => map1::<S>(
                x,
                out,
                len,
                #[inline(always)]
                |v| S::mul(v, S::splat(-1.0)),
            ),
            UnaryOp::Exp => map1::<S>(
                x,
                out,
                len,
                #[inline(always)]
                |v| exp::<S>(v),
            ),
            UnaryOp::Relu => map1::<S>(
                x,
                out,
                len,
                #[inline(always)]
                |v| S::max(zero, v),
            ),
            UnaryOp::Tanh => map1::<S>(
                x,
                out,
                len,
                #[inline(always)]
                |v| tanh::<S>(v),
            ),
            UnaryOp::Sigmoid => map1::<S>(
                x,
                out,
                len,
                #[inline(always)]
                |v| sigmoid::<S>(v),
            ),
            UnaryOp::Sqrt => map1::<S>(
                x,
                out,
                len,
                #[inline(always)]
                |v| S::sqrt(v),
            ),
            UnaryOp::Log => map_scalar(x, out, len, f32::ln),
        }
    }
}

/// dst[i] = f(src[i]) one element at a time; each read precedes its write, so dst may be src.
#[inline(always)]
unsafe fn map_scalar(src: *const f32, dst: *mut f32, len: usize, f: impl Fn(f32) -> f32) {
    for i in 0..len {
        *dst.add(i) = f(*src.add(i));
    }
}

/// dx = dout·op'(x), from the forward's input x and output y.
///
/// ```
/// use dlp_kernels::{unary_backward, UnaryOp};
/// let mut dx = [0.0; 2];
/// // sigmoid: dout·y·(1 − y)
/// unary_backward(UnaryOp::Sigmoid, &[0.0, 0.0], &[0.5, 0.5], &[1.0, 2.0], &mut dx).unwrap();
/// assert_eq!(dx, [0.25, 0.5]);
/// ```
pub fn unary_backward(op: UnaryOp, x: &[f32], y: &[f32], dout: &[f32], dx: &mut [f32]) -> Result<(), KernelError> {
    check_backward(x, y, dout.len())?;
    check::same_len("unaryBackward", "dx", dx.len(), "x", x.len())?;
    dispatch(UnaryBackward {
        op,
        x: x.as_ptr(),
        y: y.as_ptr(),
        dout: dout.as_ptr(),
        dx: dx.as_mut_ptr(),
        len: x.len(),
    });
    Ok(())
}

/// dout = dout·op'(x): `unary_backward` with dx = dout.
pub fn unary_backward_in_place(op: UnaryOp, x: &[f32], y: &[f32], dout: &mut [f32]) -> Result<(), KernelError> {
    check_backward(x, y, dout.len())?;
    let dx = dout.as_mut_ptr();
    dispatch(UnaryBackward { op, x: x.as_ptr(), y: y.as_ptr(), dout: dx, dx, len: x.len() });
    Ok(())
}

/// dout·op'(x) in f64: the oracle for `unary_backward`.
pub fn unary_backward_reference(op: UnaryOp, x: &[f32], y: &[f32], dout: &[f32]) -> Result<Vec<f64>, KernelError> {
    check_backward(x, y, dout.len())?;
    Ok((0..x.len()).map(|i| op.backward_reference(x[i] as f64, y[i] as f64, dout[i] as f64)).collect())
}

fn check_backward(x: &[f32], y: &[f32], dout_len: usize) -> Result<(), KernelError> {
    check::same_len("unaryBackward", "y", y.len(), "x", x.len())?;
    check::same_len("unaryBackward", "dout", dout_len, "x", x.len())
}

struct UnaryBackward {
    op: UnaryOp,
    x: *const f32,
    y: *const f32,
    dout: *const f32,
    dx: *mut f32,
    len: usize,
}

impl SimdKernel for UnaryBackward {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let (x, y, d, dx, len) = (self.x, self.y, self.dout, self.dx, self.len);
        let (zero, one) = (S::splat(0.0), S::splat(1.0));
        match self.op {
            UnaryOp::Neg => map1::<S>(
                d,
                dx,
                len,
                #[inline(always)]
                |d| S::mul(d, S::splat(-1.0)),
            ),
            UnaryOp::Exp => map2::<S>(
                y,
                d,
                dx,
                len,
                #[inline(always)]
                |y, d| S::mul(d, y),
            ),
            UnaryOp::Log => map2::<S>(
                x,
                d,
                dx,
                len,
                #[inline(always)]
                |x, d| S::div(d, x),
            ),
            UnaryOp::Sqrt => map2::<S>(
                y,
                d,
                dx,
                len,
                #[inline(always)]
                |y, d| S::div(d, S::add(y, y)),
            ),
            UnaryOp::Relu => map2::<S>(
                x,
                d,
                dx,
                len,
                #[inline(always)]
                |x, d| S::select(S::gt(x, zero), d, zero),
            ),
            UnaryOp::Tanh => map2::<S>(
                y,
                d,
                dx,
                len,
                #[inline(always)]
                |y, d| S::mul(S::mul(d, S::sub(one, y)), S::add(one, y)),
            ),
            UnaryOp::Sigmoid => map2::<S>(
                y,
                d,
                dx,
                len,
                #[inline(always)]
                |y, d| S::mul(S::mul(d, y), S::sub(one, y)),
            ),
        }
    }
}
