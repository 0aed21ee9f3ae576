//! Normalisation: BatchNorm over x viewed as [outer, channels, inner] (training, inference,
//! backward) and LayerNorm over the rows of a matrix (forward, backward). Every output must be
//! separate from every input and every other output.

use dlp_kernels::{
    BatchNormBackward as BnBackward, BatchNormInference as BnInference, BatchNormShape, BatchNormTrain as BnTrain,
    KernelError, LayerNorm as LnForward, LayerNormBackward as LnBackward,
};

use crate::buffer::{op, read_opt, separate, write_opt};

/// The normalisation declarations (see the crate docs for the format).
#[macro_export]
macro_rules! norm_kernels {
    ($gen:ident) => {
        $gen! {
            /// Training-mode BatchNorm: writes out, mean and invStd, and updates runningMean and
            /// runningVar when given. gamma/beta absent: 1 and 0.
            "batchNormTrain" batch_norm_train BatchNormTrain {
                x: f32_in, outer: size, channels: size, inner: size, gamma: opt_f32_in, beta: opt_f32_in, eps: real64,
                out: f32_out, mean: f32_out, invStd: f32_out, runningMean: opt_f32_out, runningVar: opt_f32_out,
                momentum: real64, threads: size,
            } -> unit;
            /// Eval-mode BatchNorm with the running statistics.
            "batchNormInference" batch_norm_inference BatchNormInference {
                x: f32_in, outer: size, channels: size, inner: size, runningMean: f32_in, runningVar: f32_in,
                gamma: opt_f32_in, beta: opt_f32_in, eps: real64, out: f32_out, threads: size,
            } -> unit;
            /// BatchNorm backward from the saved mean/invStd: fills whichever of dx, dgamma, dbeta are given.
            "batchNormBackward" batch_norm_backward BatchNormBackward {
                x: f32_in, dout: f32_in, outer: size, channels: size, inner: size, mean: f32_in, invStd: f32_in,
                gamma: opt_f32_in, dx: opt_f32_out, dgamma: opt_f32_out, dbeta: opt_f32_out, threads: size,
            } -> unit;
            /// LayerNorm over each row of a rows×cols matrix: writes out, mean and invStd.
            "layerNorm" layer_norm LayerNorm {
                x: f32_in, rows: size, cols: size, gamma: opt_f32_in, beta: opt_f32_in, eps: real64,
                out: f32_out, mean: f32_out, invStd: f32_out,
            } -> unit;
            /// LayerNorm backward from the saved mean/invStd: fills whichever of dx, dgamma, dbeta are given.
            "layerNormBackward" layer_norm_backward LayerNormBackward {
                x: f32_in, dout: f32_in, rows: size, cols: size, mean: f32_in, invStd: f32_in,
                gamma: opt_f32_in, dx: opt_f32_out, dgamma: opt_f32_out, dbeta: opt_f32_out,
            } -> unit;
        }
    };
}
norm_kernels!(declare);

/// Both backwards' aliasing rule: dx, dgamma, dbeta separate from x, dout, mean, invStd, gamma
/// and from each other.
macro_rules! backward_separate {
    ($a:expr, $kernel:expr) => {
        separate(
            $kernel,
            &[op(&$a.dx), op(&$a.dgamma), op(&$a.dbeta)],
            &[Some($a.x.op()), Some($a.dout.op()), Some($a.mean.op()), Some($a.invStd.op()), op(&$a.gamma)],
        )
    };
}

impl BatchNormTrain {
    pub fn run(self) -> Result<(), KernelError> {
        separate(
            Self::NAME,
            &[Some(self.out.op()), Some(self.mean.op()), Some(self.invStd.op()), op(&self.runningMean), op(&self.runningVar)],
            &[Some(self.x.op()), op(&self.gamma), op(&self.beta)],
        )?;
        // SAFETY: the outputs overlap no input and no other output (checked above).
        let args = unsafe {
            BnTrain {
                x: self.x.read(),
                shape: BatchNormShape { outer: self.outer, channels: self.channels, inner: self.inner },
                gamma: read_opt(&self.gamma),
                beta: read_opt(&self.beta),
                eps: self.eps,
                out: self.out.write(),
                mean: self.mean.write(),
                inv_std: self.invStd.write(),
                running_mean: write_opt(&self.runningMean),
                running_var: write_opt(&self.runningVar),
                momentum: self.momentum,
            }
        };
        dlp_kernels::batch_norm_train(args, self.threads)
    }
}

impl BatchNormInference {
    pub fn run(self) -> Result<(), KernelError> {
        separate(
            Self::NAME,
            &[Some(self.out.op())],
            &[Some(self.x.op()), Some(self.runningMean.op()), Some(self.runningVar.op()), op(&self.gamma), op(&self.beta)],
        )?;
        // SAFETY: out overlaps no input (checked above).
        let args = unsafe {
            BnInference {
                x: self.x.read(),
                shape: BatchNormShape { outer: self.outer, channels: self.channels, inner: self.inner },
                running_mean: self.runningMean.read(),
                running_var: self.runningVar.read(),
                gamma: read_opt(&self.gamma),
                beta: read_opt(&self.beta),
                eps: self.eps,
                out: self.out.write(),
            }
        };
        dlp_kernels::batch_norm_inference(args, self.threads)
    }
}

impl BatchNormBackward {
    pub fn run(self) -> Result<(), KernelError> {
        backward_separate!(self, Self::NAME)?;
        // SAFETY: the outputs overlap no input and no other output (checked above).
        let args = unsafe {
            BnBackward {
                x: self.x.read(),
                dout: self.dout.read(),
                shape: BatchNormShape { outer: self.outer, channels: self.channels, inner: self.inner },
                mean: self.mean.read(),
                inv_std: self.invStd.read(),
                gamma: read_opt(&self.gamma),
                dx: write_opt(&self.dx),
                dgamma: write_opt(&self.dgamma),
                dbeta: write_opt(&self.dbeta),
            }
        };
        dlp_kernels::batch_norm_backward(args, self.threads)
    }
}

impl LayerNorm {
    pub fn run(self) -> Result<(), KernelError> {
        separate(
            Self::NAME,
            &[Some(self.out.op()), Some(self.mean.op()), Some(self.invStd.op())],
            &[Some(self.x.op()), op(&self.gamma), op(&self.beta)],
        )?;
        // SAFETY: the outputs overlap no input and no other output (checked above).
        let args = unsafe {
            LnForward {
                x: self.x.read(),
                rows: self.rows,
                cols: self.cols,
                gamma: read_opt(&self.gamma),
                beta: read_opt(&self.beta),
                eps: self.eps,
                out: self.out.write(),
                mean: self.mean.write(),
                inv_std: self.invStd.write(),
            }
        };
        dlp_kernels::layer_norm(args)
    }
}

impl LayerNormBackward {
    pub fn run(self) -> Result<(), KernelError> {
        backward_separate!(self, Self::NAME)?;
        // SAFETY: the outputs overlap no input and no other output (checked above).
        let args = unsafe {
            LnBackward {
                x: self.x.read(),
                dout: self.dout.read(),
                rows: self.rows,
                cols: self.cols,
                mean: self.mean.read(),
                inv_std: self.invStd.read(),
                gamma: read_opt(&self.gamma),
                dx: write_opt(&self.dx),
                dgamma: write_opt(&self.dgamma),
                dbeta: write_opt(&self.dbeta),
            }
        };
        dlp_kernels::layer_norm_backward(args)
    }
}
