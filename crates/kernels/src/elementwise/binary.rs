//! Elementwise functions of two inputs with broadcasting, and gradient accumulation:
//!
//! - `binary`: out[i] = a[i·a_strides] op b[i·b_strides] over the multi-index i of `shape`
//!   (out row-major), op in add, sub, mul, div; a stride of 0 broadcasts an axis.
//! - `axpy`: y += alpha·x over two buffers of one length.
//!
//! After `layout::collapse`, each innermost row runs one of four loops: both operands
//! contiguous (a same-shape op, or each row of [R,C] op [C]), one of them a broadcast scalar
//! ([R,C] op scalar, or [R,C] op [R,1]) — these three vectorised — or any strides (a
//! transposed view), one element at a time.

use crate::check;
use crate::error::KernelError;
use crate::layout::{self, collapse, for_each_row};
use crate::simd::stream::{map1, map2};
use crate::simd::{dispatch, Simd, SimdKernel};

/// An elementwise function of two inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub const ALL: [BinaryOp; 4] = [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div];

    /// The op's name on the JS side (`BinaryOp` in packages/core/src/kernels/elementwise.ts).
    pub fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
        }
    }

    /// The op named `name` (ops arrive from JS as strings).
    pub fn parse(kernel: &str, name: &str) -> Result<Self, KernelError> {
        Self::ALL.into_iter().find(|op| op.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|op| op.name()).collect();
            KernelError::new(format!("{kernel}: op '{name}' is not one of {}", known.join(", ")))
        })
    }

    /// a op b in f64.
    pub fn reference(self, a: f64, b: f64) -> f64 {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
        }
    }
}

/// Where an operand of `binary_into` lives: its own slice, or the output itself (in place),
/// which it may be only when read row-major.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    Slice(&'a [f32]),
    Out,
}

/// out = a op b, broadcast through the strides.
///
/// ```
/// use dlp_kernels::{binary, BinaryOp};
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
/// let mut out = [0.0; 6];
/// binary(BinaryOp::Add, &[2, 3], &x, &[3, 1], &[10.0, 20.0, 30.0], &[0, 1], &mut out).unwrap();
/// assert_eq!(out, [11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
/// ```
pub fn binary(
    op: BinaryOp,
    shape: &[usize],
    a: &[f32],
    a_strides: &[usize],
    b: &[f32],
    b_strides: &[usize],
    out: &mut [f32],
) -> Result<(), KernelError> {
    binary_into(op, shape, Input::Slice(a), a_strides, Input::Slice(b), b_strides, out)
}

/// `binary` where either operand (or both) may be the output itself.
///
/// ```
/// use dlp_kernels::{binary_into, BinaryOp, Input};
/// let mut acc = [1.0, 2.0, 3.0, 4.0];
/// binary_into(BinaryOp::Mul, &[2, 2], Input::Out, &[2, 1], Input::Slice(&[10.0]), &[0, 0], &mut acc).unwrap();
/// assert_eq!(acc, [10.0, 20.0, 30.0, 40.0]);
/// ```
pub fn binary_into(
    op: BinaryOp,
    shape: &[usize],
    a: Input,
    a_strides: &[usize],
    b: Input,
    b_strides: &[usize],
    out: &mut [f32],
) -> Result<(), KernelError> {
    let len = |input: Input| match input {
        Input::Slice(s) => s.len(),
        Input::Out => out.len(),
    };
    let in_place = |input: Input| matches!(input, Input::Out);
    let operands = [(len(a), a_strides, in_place(a)), (len(b), b_strides, in_place(b))];
    let (shape, strides) = binary_layout(shape, operands, out.len())?;
    if out.is_empty() {
        return Ok(());
    }
    let dst = out.as_mut_ptr();
    let ptr = |input: Input| match input {
        Input::Slice(s) => s.as_ptr(),
        Input::Out => dst.cast_const(),
    };
    dispatch(Binary { op, a: ptr(a), b: ptr(b), out: dst, shape, strides });
    Ok(())
}

/// `binary`'s checks, for every device that runs it: out holds `shape`'s elements; each of a
/// and b, given as (length, strides, whether it is out itself), is a view of `shape` inside
/// its length, read row-major when it is out. Returns the collapsed shape and strides
/// (`layout::collapse`) that a kernel walks.
pub fn binary_layout(
    shape: &[usize],
    [(a_len, a_strides, a_is_out), (b_len, b_strides, b_is_out)]: [(usize, &[usize], bool); 2],
    out_len: usize,
) -> Result<(Vec<usize>, [Vec<usize>; 2]), KernelError> {
    const K: &str = "binary";
    layout::shaped(K, "out", shape, out_len)?;
    layout::view(K, "a", a_len, "aStrides", a_strides, shape)?;
    layout::view(K, "b", b_len, "bStrides", b_strides, shape)?;
    for (is_out, name, strides) in [(a_is_out, "a", a_strides), (b_is_out, "b", b_strides)] {
        if is_out {
            layout::in_place_row_major(K, name, strides, shape)?;
        }
    }
    Ok(collapse(shape, [a_strides, b_strides]))
}

/// a op b in f64, row-major over `shape`: the oracle for `binary`.
pub fn binary_reference(
    op: BinaryOp,
    shape: &[usize],
    a: &[f32],
    a_strides: &[usize],
    b: &[f32],
    b_strides: &[usize],
) -> Result<Vec<f64>, KernelError> {
    layout::view("binary", "a", a.len(), "aStrides", a_strides, shape)?;
    layout::view("binary", "b", b.len(), "bStrides", b_strides, shape)?;
    Ok(layout::offsets(shape, &[a_strides, b_strides]).map(|[i, j]| op.reference(a[i] as f64, b[j] as f64)).collect())
}

const ADD: u8 = 0;
const SUB: u8 = 1;
const MUL: u8 = 2;
const DIV: u8 = 3;

/// The op as a const parameter, so each loop is compiled for one op with no branch inside.
#[inline(always)]
unsafe fn vector<S: Simd, const OP: u8>(a: S::V, b: S::V) -> S::V {
    match OP {
        ADD => S::add(a, b),
        SUB => S::sub(a, b),
        MUL => S::mul(a, b),
        _ => S::div(a, b),
    }
}

#[inline(always)]
fn scalar<const OP: u8>(a: f32, b: f32) -> f32 {
    match OP {
        ADD => a + b,
        SUB => a - b,
        MUL => a * b,
        _ => a / b,
    }
}

struct Binary {
    op: BinaryOp,
    a: *const f32,
    b: *const f32,
    out: *mut f32,
    /// Collapsed: rank ≥ 1, and out row-major over it.
    shape: Vec<usize>,
    strides: [Vec<usize>; 2],
}

impl Binary {
    #[inline(always)]
    unsafe fn rows<S: Simd, const OP: u8>(&self) {
        let last = self.shape.len() - 1;
        let (n, sa, sb) = (self.shape[last], self.strides[0][last], self.strides[1][last]);
        for_each_row(
            &self.shape,
            &self.strides,
            #[inline(always)]
            |start, [oa, ob]| {
                let (a, b, out) = (self.a.add(oa), self.b.add(ob), self.out.add(start));
                match (sa, sb) {
                    (1, 1) => map2::<S>(
                        a,
                        b,
                        out,
                        n,
                        #[inline(always)]
                        |x, y| vector::<S, OP>(x, y),
                    ),
                    (1, 0) => {
                        let y = S::splat(*b);
                        map1::<S>(
                            a,
                            out,
                            n,
                            #[inline(always)]
                            |x| vector::<S, OP>(x, y),
                        );
                    }
                    (0, 1) => {
                        let x = S::splat(*a);
                        map1::<S>(
                            b,
                            out,
                            n,
                            #[inline(always)]
                            |y| vector::<S, OP>(x, y),
                        );
                    }
                    _ => {
                        for j in 0..n {
                            *out.add(j) = scalar::<OP>(*a.add(j * sa), *b.add(j * sb));
                        }
                    }
                }
            },
        );
    }
}

impl SimdKernel for Binary {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        match self.op {
            BinaryOp::Add => self.rows::<S, ADD>(),
            BinaryOp::Sub => self.rows::<S, SUB>(),
            BinaryOp::Mul => self.rows::<S, MUL>(),
            BinaryOp::Div => self.rows::<S, DIV>(),
        }
    }
}

/// y += alpha·x (gradient accumulation), fused multiply-add where the CPU has FMA.
///
/// ```
/// let mut y = [1.0, 2.0];
/// dlp_kernels::axpy(&[10.0, 20.0], &mut y, 0.5).unwrap();
/// assert_eq!(y, [6.0, 12.0]);
/// ```
pub fn axpy(x: &[f32], y: &mut [f32], alpha: f32) -> Result<(), KernelError> {
    check::same_len("axpy", "y", y.len(), "x", x.len())?;
    dispatch(Axpy { x: x.as_ptr(), y: y.as_mut_ptr(), len: x.len(), alpha });
    Ok(())
}

/// y + alpha·x in f64: the oracle for `axpy`.
pub fn axpy_reference(x: &[f32], y: &[f32], alpha: f32) -> Result<Vec<f64>, KernelError> {
    check::same_len("axpy", "y", y.len(), "x", x.len())?;
    Ok(x.iter().zip(y).map(|(&x, &y)| y as f64 + alpha as f64 * x as f64).collect())
}

struct Axpy {
    x: *const f32,
    y: *mut f32,
    len: usize,
    alpha: f32,
}

impl SimdKernel for Axpy {
    type Output = ();
    #[inline(always)]
    unsafe fn run<S: Simd>(self) {
        let alpha = S::splat(self.alpha);
        map2::<S>(
            self.x,
            self.y,
            self.y,
            self.len,
            #[inline(always)]
            |x, y| S::mul_add(x, alpha, y),
        );
    }
}
