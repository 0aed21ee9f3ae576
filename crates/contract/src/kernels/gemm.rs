//! Matrix products: C = alpha·op(A)·op(B) + beta·C (dlp-kernels' `sgemm`).

use dlp_kernels::{GemmSpec, KernelError};

use crate::buffer::separate;

/// The GEMM declaration (see the crate docs for the format).
#[macro_export]
macro_rules! gemm_kernels {
    ($gen:ident) => {
        $gen! {
            /// C = alpha·op(A)·op(B) + beta·C on row-major matrices, C (m×n) updated in place; A is
            /// m×k (k×m when transA), B is k×n (n×k when transB). threads = 0: the whole pool.
            "gemm" gemm Gemm {
                transA: flag, transB: flag, m: size, n: size, k: size, alpha: real32, a: f32_in, b: f32_in,
                beta: real32, c: f32_out, threads: size,
            } -> unit;
        }
    };
}
gemm_kernels!(declare);

impl Gemm {
    pub fn run(self) -> Result<(), KernelError> {
        let (a, b, c) = (self.a.named("A"), self.b.named("B"), self.c.named("C"));
        separate(Self::NAME, &[Some(c.op())], &[Some(a.op()), Some(b.op())])?;
        let spec = GemmSpec {
            trans_a: self.transA,
            trans_b: self.transB,
            m: self.m,
            n: self.n,
            k: self.k,
            alpha: self.alpha,
            beta: self.beta,
        };
        // SAFETY: C overlaps neither A nor B (checked above).
        unsafe { dlp_kernels::sgemm(&spec, a.read(), b.read(), c.write(), self.threads) }
    }
}
