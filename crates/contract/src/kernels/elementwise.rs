//! Elementwise kernels: activations, the bias add and its column sums, the autograd ops'
//! unary and broadcasting binary functions, axpy. Several run in place when the output is
//! the input itself.

use dlp_kernels::{BinaryOp, Input, KernelError, UnaryOp};

use crate::buffer::{same, separate, Buf};

/// The elementwise declarations (see the crate docs for the format).
#[macro_export]
macro_rules! elementwise_kernels {
    ($gen:ident) => {
        $gen! {
            /// out[r][c] = x[r][c] + bias[c] over a rows×cols matrix; out may be x itself.
            "biasAdd" bias_add BiasAdd { x: f32_in, bias: f32_in, out: f32_out, rows: size, cols: size } -> unit;
            /// out[c] = beta·out[c] + Σ_r x[r][c] (beta = 0 ignores out's old contents).
            "columnSum" column_sum ColumnSum { x: f32_in, out: f32_out, rows: size, cols: size, beta: real32 } -> unit;
            /// out = x > 0 ? x : alpha·(eˣ − 1); out may be x itself.
            "elu" elu Elu { x: f32_in, out: f32_out, alpha: real32, threads: size } -> unit;
            /// dx = dout · (x > 0 ? 1 : alpha·eˣ); dx may be dout itself.
            "eluBackward" elu_backward EluBackward { x: f32_in, dout: f32_in, dx: f32_out, alpha: real32, threads: size } -> unit;
            /// out = op(x) for op in neg, exp, log, sqrt, relu, tanh, sigmoid; out may be x itself.
            "unary" unary Unary { op: name, x: f32_in, out: f32_out } -> unit;
            /// dx = dout·op'(x), from the forward's input x and output y; dx may be dout itself.
            "unaryBackward" unary_backward UnaryBackward { op: name, x: f32_in, y: f32_in, dout: f32_in, dx: f32_out } -> unit;
            /// out = a op b (add, sub, mul, div) over `shape`, each operand read through its strides
            /// (0 broadcasts); out row-major, and may be a or b itself when that one is row-major.
            "binary" binary Binary {
                op: name, shape: dims, a: f32_in, aStrides: dims, b: f32_in, bStrides: dims, out: f32_out,
            } -> unit;
            /// y += alpha·x (gradient accumulation).
            "axpy" axpy Axpy { x: f32_in, y: f32_out, alpha: real32 } -> unit;
        }
    };
}
elementwise_kernels!(declare);

/// Runs `in_place(out)` when out is `input` itself (no slice of input is formed), else
/// `apart(input, out)`; a partial overlap is refused. The caller has checked `out` against
/// every other buffer the closures read.
fn in_place_or<R>(
    kernel: &str,
    out: &Buf<f32>,
    input: &Buf<f32>,
    in_place: impl FnOnce(&mut [f32]) -> Result<R, KernelError>,
    apart: impl FnOnce(&[f32], &mut [f32]) -> Result<R, KernelError>,
) -> Result<R, KernelError> {
    // SAFETY: out is input itself (one slice of it), or disjoint from it.
    if same(kernel, out, input)? {
        in_place(unsafe { out.write() })
    } else {
        apart(unsafe { input.read() }, unsafe { out.write() })
    }
}

impl BiasAdd {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.bias.op())])?;
        let (bias, rows, cols) = (unsafe { self.bias.read() }, self.rows, self.cols);
        in_place_or(
            Self::NAME,
            &self.out,
            &self.x,
            |out| dlp_kernels::bias_add_in_place(out, bias, rows, cols),
            |x, out| dlp_kernels::bias_add(x, bias, out, rows, cols),
        )
    }
}

impl ColumnSum {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out does not overlap x.
        unsafe { dlp_kernels::column_sum(self.x.read(), self.out.write(), self.rows, self.cols, self.beta) }
    }
}

impl Elu {
    pub fn run(self) -> Result<(), KernelError> {
        let (alpha, threads) = (self.alpha, self.threads);
        in_place_or(
            Self::NAME,
            &self.out,
            &self.x,
            |out| {
                dlp_kernels::elu_in_place(out, alpha, threads);
                Ok(())
            },
            |x, out| dlp_kernels::elu(x, out, alpha, threads),
        )
    }
}

impl EluBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.x.op())])?;
        let (x, alpha, threads) = (unsafe { self.x.read() }, self.alpha, self.threads);
        in_place_or(
            Self::NAME,
            &self.dx,
            &self.dout,
            |dx| dlp_kernels::elu_backward_in_place(x, dx, alpha, threads),
            |dout, dx| dlp_kernels::elu_backward(x, dout, dx, alpha, threads),
        )
    }
}

impl Unary {
    pub fn run(self) -> Result<(), KernelError> {
        let op = UnaryOp::parse(Self::NAME, &self.op)?;
        in_place_or(
            Self::NAME,
            &self.out,
            &self.x,
            |out| {
                dlp_kernels::unary_in_place(op, out);
                Ok(())
            },
            |x, out| dlp_kernels::unary(op, x, out),
        )
    }
}

impl UnaryBackward {
    pub fn run(self) -> Result<(), KernelError> {
        let op = UnaryOp::parse(Self::NAME, &self.op)?;
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.x.op()), Some(self.y.op())])?;
        // SAFETY: dx overlaps neither x nor y (checked above).
        let (x, y) = unsafe { (self.x.read(), self.y.read()) };
        in_place_or(
            Self::NAME,
            &self.dx,
            &self.dout,
            |dx| dlp_kernels::unary_backward_in_place(op, x, y, dx),
            |dout, dx| dlp_kernels::unary_backward(op, x, y, dout, dx),
        )
    }
}

impl Binary {
    pub fn run(self) -> Result<(), KernelError> {
        let op = BinaryOp::parse(Self::NAME, &self.op)?;
        let a_is_out = same(Self::NAME, &self.out, &self.a)?;
        let b_is_out = same(Self::NAME, &self.out, &self.b)?;
        // An operand that is out itself is passed as `Input::Out`, never as a slice.
        // SAFETY: out is disjoint from every operand given as a slice (checked above).
        let operand = |is_out: bool, buf: &Buf<f32>| if is_out { Input::Out } else { Input::Slice(unsafe { buf.read() }) };
        let (a, b) = (operand(a_is_out, &self.a), operand(b_is_out, &self.b));
        let out = unsafe { self.out.write() };
        dlp_kernels::binary_into(op, &self.shape, a, &self.aStrides, b, &self.bStrides, out)
    }
}

impl Axpy {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.y.op())], &[Some(self.x.op())])?;
        // SAFETY: y does not overlap x.
        unsafe { dlp_kernels::axpy(self.x.read(), self.y.write(), self.alpha) }
    }
}
