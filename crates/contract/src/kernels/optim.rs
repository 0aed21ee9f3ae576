//! Optimiser updates, in place: the plain SGD update of the manual MLP, and PyTorch's
//! single-tensor SGD (momentum, dampening, Nesterov, weight decay) and Adam steps.

use dlp_kernels::{AdamStep as Adam, KernelError, SgdStep as Sgd};

use crate::buffer::{op, separate, write_opt};

/// The optimiser declarations (see the crate docs for the format).
#[macro_export]
macro_rules! optim_kernels {
    ($gen:ident) => {
        $gen! {
            /// param −= lr·grad.
            "sgdUpdate" sgd_update SgdUpdate { param: f32_out, grad: f32_in, lr: real32 } -> unit;
            /// One torch.optim.SGD step; momentumBuffer is required when momentum ≠ 0.
            "sgdStep" sgd_step SgdStep {
                param: f32_out, grad: f32_in, momentumBuffer: opt_f32_out, lr: real64, momentum: real64,
                dampening: real64, nesterov: flag, weightDecay: real64, firstStep: flag, threads: size,
            } -> unit;
            /// One torch.optim.Adam step (amsgrad off); step counts from 1.
            "adamStep" adam_step AdamStep {
                param: f32_out, grad: f32_in, expAvg: f32_out, expAvgSq: f32_out, lr: real64, beta1: real64,
                beta2: real64, eps: real64, weightDecay: real64, step: real64, threads: size,
            } -> unit;
        }
    };
}
optim_kernels!(declare);

impl SgdUpdate {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.param.op())], &[Some(self.grad.op())])?;
        // SAFETY: param does not overlap grad.
        unsafe { dlp_kernels::sgd_update(self.param.write(), self.grad.read(), self.lr) }
    }
}

impl SgdStep {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.param.op()), op(&self.momentumBuffer)], &[Some(self.grad.op())])?;
        // SAFETY: param and momentumBuffer overlap neither grad nor each other (checked above).
        let args = unsafe {
            Sgd {
                param: self.param.write(),
                grad: self.grad.read(),
                momentum_buffer: write_opt(&self.momentumBuffer),
                lr: self.lr,
                momentum: self.momentum,
                dampening: self.dampening,
                nesterov: self.nesterov,
                weight_decay: self.weightDecay,
                first_step: self.firstStep,
            }
        };
        dlp_kernels::sgd_step(args, self.threads)
    }
}

impl AdamStep {
    pub fn run(self) -> Result<(), KernelError> {
        let outputs = [Some(self.param.op()), Some(self.expAvg.op()), Some(self.expAvgSq.op())];
        separate(Self::NAME, &outputs, &[Some(self.grad.op())])?;
        // SAFETY: param, expAvg and expAvgSq overlap neither grad nor each other (checked above).
        let args = unsafe {
            Adam {
                param: self.param.write(),
                grad: self.grad.read(),
                exp_avg: self.expAvg.write(),
                exp_avg_sq: self.expAvgSq.write(),
                lr: self.lr,
                beta1: self.beta1,
                beta2: self.beta2,
                eps: self.eps,
                weight_decay: self.weightDecay,
                step: self.step,
            }
        };
        dlp_kernels::adam_step(args, self.threads)
    }
}
