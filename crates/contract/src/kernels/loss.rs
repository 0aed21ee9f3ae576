//! Softmax, log-softmax and the losses over them (cross-entropy on probabilities, the fused
//! softmax + cross-entropy on logits, the negative log-likelihood), with their backwards.
//! Losses return the mean over rows.

use dlp_kernels::KernelError;

use crate::buffer::{op, same, separate, write_opt};

/// The softmax and loss declarations (see the crate docs for the format).
#[macro_export]
macro_rules! loss_kernels {
    ($gen:ident) => {
        $gen! {
            /// Row-wise softmax of a rows×cols matrix (max trick); out must be a separate buffer.
            "softmax" softmax Softmax { x: f32_in, out: f32_out, rows: size, cols: size } -> unit;
            /// dx = s ∘ (dout − rowwise Σ dout·s), from the softmax output s.
            "softmaxBackward" softmax_backward SoftmaxBackward { s: f32_in, dout: f32_in, dx: f32_out, rows: size, cols: size } -> unit;
            /// −(1/rows)·Σ t·ln p over probabilities and targets, t = 0 skipped: the mean loss.
            "crossEntropy" cross_entropy CrossEntropy { probs: f32_in, targets: f32_in, rows: size, cols: size } -> number;
            /// dprobs = −t / (p·rows), 0 where t = 0.
            "crossEntropyBackward" cross_entropy_backward CrossEntropyBackward {
                probs: f32_in, targets: f32_in, dprobs: f32_out, rows: size, cols: size,
            } -> unit;
            /// Fused softmax + cross-entropy on logits and labels: returns the mean loss, fills
            /// dlogits = (softmax − onehot)/rows and probs = softmax when given.
            "softmaxCrossEntropy" softmax_cross_entropy SoftmaxCrossEntropy {
                logits: f32_in, labels: i32_in, rows: size, cols: size, dlogits: opt_f32_out, probs: opt_f32_out,
            } -> number;
            /// Row log-softmax of a rows×cols matrix; out must be a separate buffer.
            "logSoftmax" log_softmax LogSoftmax { x: f32_in, out: f32_out, rows: size, cols: size } -> unit;
            /// dx = dout − exp(y)·rowwise Σ dout, from the log-softmax output y; dx may be dout itself.
            "logSoftmaxBackward" log_softmax_backward LogSoftmaxBackward { y: f32_in, dout: f32_in, dx: f32_out, rows: size, cols: size } -> unit;
            /// −(1/rows)·Σ_r logp[r][labels[r]]: the mean negative log-likelihood.
            "nllLoss" nll_loss NllLoss { logp: f32_in, labels: i32_in, rows: size, cols: size } -> number;
            /// dlogp = −scale/rows at each row's label, 0 elsewhere.
            "nllLossBackward" nll_loss_backward NllLossBackward { labels: i32_in, rows: size, cols: size, scale: real32, dlogp: f32_out } -> unit;
        }
    };
}
loss_kernels!(declare);

impl Softmax {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out does not overlap x.
        unsafe { dlp_kernels::softmax(self.x.read(), self.out.write(), self.rows, self.cols) }
    }
}

impl SoftmaxBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.s.op()), Some(self.dout.op())])?;
        // SAFETY: dx overlaps neither input.
        unsafe { dlp_kernels::softmax_backward(self.s.read(), self.dout.read(), self.dx.write(), self.rows, self.cols) }
    }
}

impl CrossEntropy {
    pub fn run(self) -> Result<f64, KernelError> {
        // SAFETY: nothing is written.
        unsafe { dlp_kernels::cross_entropy(self.probs.read(), self.targets.read(), self.rows, self.cols) }
    }
}

impl CrossEntropyBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dprobs.op())], &[Some(self.probs.op()), Some(self.targets.op())])?;
        // SAFETY: dprobs overlaps neither input.
        unsafe {
            dlp_kernels::cross_entropy_backward(self.probs.read(), self.targets.read(), self.dprobs.write(), self.rows, self.cols)
        }
    }
}

impl SoftmaxCrossEntropy {
    pub fn run(self) -> Result<f64, KernelError> {
        separate(Self::NAME, &[op(&self.dlogits), op(&self.probs)], &[Some(self.logits.op()), Some(self.labels.op())])?;
        // SAFETY: dlogits, probs, logits and labels are pairwise disjoint (checked above).
        unsafe {
            let (dlogits, probs) = (write_opt(&self.dlogits), write_opt(&self.probs));
            dlp_kernels::softmax_cross_entropy(self.logits.read(), self.labels.read(), self.rows, self.cols, dlogits, probs)
        }
    }
}

impl LogSoftmax {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out does not overlap x.
        unsafe { dlp_kernels::log_softmax(self.x.read(), self.out.write(), self.rows, self.cols) }
    }
}

impl LogSoftmaxBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.y.op())])?;
        let (rows, cols) = (self.rows, self.cols);
        // SAFETY: dx does not overlap y, and is dout itself (one slice of it) or disjoint from it.
        unsafe {
            let y = self.y.read();
            if same(Self::NAME, &self.dx, &self.dout)? {
                dlp_kernels::log_softmax_backward_in_place(y, self.dx.write(), rows, cols)
            } else {
                dlp_kernels::log_softmax_backward(y, self.dout.read(), self.dx.write(), rows, cols)
            }
        }
    }
}

impl NllLoss {
    pub fn run(self) -> Result<f64, KernelError> {
        // SAFETY: nothing is written.
        unsafe { dlp_kernels::nll_loss(self.logp.read(), self.labels.read(), self.rows, self.cols) }
    }
}

impl NllLossBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dlogp.op())], &[Some(self.labels.op())])?;
        // SAFETY: dlogp does not overlap labels.
        unsafe { dlp_kernels::nll_loss_backward(self.labels.read(), self.rows, self.cols, self.scale, self.dlogp.write()) }
    }
}
