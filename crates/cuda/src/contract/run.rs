//! What each kernel of the contract does on the device: the [`Device`] method of the same
//! name, after the CPU binding's checks that outputs are apart from the inputs they may not be
//! (crates/contract: `separate`). Device buffers are separate allocations, so two of them
//! overlap only when they are one buffer passed twice. Every declared kernel has a GPU version
//! (`not_on_gpu!` at the end is for one that is declared before it has).

use dlp_contract::{adaptive_avg_pool_shape, avg_pool_shape, conv_shape, pool_shape};
use dlp_kernels::alias::{check_all_separate, Operand};
use dlp_kernels::{BatchNormShape, BinaryOp, GemmSpec, UnaryOp};

use super::*;
use crate::device::{Device, DeviceBuffer};
use crate::error::CudaError;

/// A buffer's device addresses, for the aliasing checks.
fn op<'n, T>(name: &'n str, buffer: &DeviceBuffer<T>, device: &Device) -> Option<Operand<'n>> {
    let start = device.ptr(buffer) as usize;
    Some(Operand::new(name, start..start + buffer.len() * std::mem::size_of::<T>()))
}

fn opt<'n, T>(name: &'n str, buffer: Option<&DeviceBuffer<T>>, device: &Device) -> Option<Operand<'n>> {
    buffer.and_then(|b| op(name, b, device))
}

/// Every output apart from every input and every other output (as the CPU contract's `separate`).
fn separate(kernel: &str, outputs: &[Option<Operand>], inputs: &[Option<Operand>]) -> Result<(), CudaError> {
    Ok(check_all_separate(kernel, outputs, inputs)?)
}

/// Marks a kernel as running on the GPU, with its body.
macro_rules! on_gpu {
    ($S:ident -> $R:ty, |$a:ident, $d:ident| $body:expr) => {
        impl OnDevice<$R> for $S<'_> {
            const ON_GPU: bool = true;
            fn run_on(self, $d: &Device) -> Result<$R, CudaError> {
                let $a = self;
                const K: &str = <$S<'static> as Declared>::NAME;
                let _ = K;
                $body
            }
        }
    };
}

on_gpu!(Gemm -> (), |a, d| {
    separate(K, &[op("C", a.c, d)], &[op("A", a.a, d), op("B", a.b, d)])?;
    let spec = GemmSpec { alpha: a.alpha, beta: a.beta, ..GemmSpec::new(a.transA, a.transB, a.m, a.n, a.k) };
    d.sgemm(&spec, a.a, a.b, a.c)
});

on_gpu!(BiasAdd -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("bias", a.bias, d)])?;
    d.bias_add(a.x, a.bias, a.out, a.rows, a.cols)
});

on_gpu!(ColumnSum -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.column_sum(a.x, a.out, a.rows, a.cols, a.beta)
});

on_gpu!(Elu -> (), |a, d| d.elu(a.x, a.out, a.alpha));

on_gpu!(EluBackward -> (), |a, d| {
    separate(K, &[op("dx", a.dx, d)], &[op("x", a.x, d)])?;
    d.elu_backward(a.x, a.dout, a.dx, a.alpha)
});

on_gpu!(Unary -> (), |a, d| d.unary(UnaryOp::parse(K, &a.op)?, a.x, a.out));

on_gpu!(UnaryBackward -> (), |a, d| {
    separate(K, &[op("dx", a.dx, d)], &[op("x", a.x, d), op("y", a.y, d)])?;
    d.unary_backward(UnaryOp::parse(K, &a.op)?, a.x, a.y, a.dout, a.dx)
});

on_gpu!(Binary -> (), |a, d| d.binary(BinaryOp::parse(K, &a.op)?, &a.shape, a.a, &a.aStrides, a.b, &a.bStrides, a.out));

on_gpu!(Axpy -> (), |a, d| {
    separate(K, &[op("y", a.y, d)], &[op("x", a.x, d)])?;
    d.axpy(a.x, a.y, a.alpha)
});

on_gpu!(Copy -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.copy_strided(&a.shape, a.x, &a.strides, a.out)
});

on_gpu!(SoftmaxCrossEntropy -> f64, |a, d| {
    separate(K, &[opt("dlogits", a.dlogits, d), opt("probs", a.probs, d)], &[op("logits", a.logits, d)])?;
    d.softmax_cross_entropy(a.logits, a.labels.host(K, "labels")?, a.rows, a.cols, a.dlogits, a.probs)
});

on_gpu!(LogSoftmax -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.log_softmax(a.x, a.out, a.rows, a.cols)
});

on_gpu!(LogSoftmaxBackward -> (), |a, d| {
    separate(K, &[op("dx", a.dx, d)], &[op("y", a.y, d)])?;
    d.log_softmax_backward(a.y, a.dout, a.dx, a.rows, a.cols)
});

on_gpu!(NllLoss -> f64, |a, d| d.nll_loss(a.logp, a.labels.host(K, "labels")?, a.rows, a.cols));

on_gpu!(NllLossBackward -> (), |a, d| d.nll_loss_backward(a.labels.host(K, "labels")?, a.rows, a.cols, a.scale, a.dlogp));

on_gpu!(BatchNormTrain -> (), |a, d| {
    separate(
        K,
        &[op("out", a.out, d), op("mean", a.mean, d), op("invStd", a.invStd, d), opt("runningMean", a.runningMean, d), opt("runningVar", a.runningVar, d)],
        &[op("x", a.x, d), opt("gamma", a.gamma, d), opt("beta", a.beta, d)],
    )?;
    let shape = BatchNormShape { outer: a.outer, channels: a.channels, inner: a.inner };
    d.batch_norm_train(a.x, shape, a.gamma, a.beta, a.eps, a.out, a.mean, a.invStd, a.runningMean, a.runningVar, a.momentum)
});

on_gpu!(BatchNormInference -> (), |a, d| {
    separate(
        K,
        &[op("out", a.out, d)],
        &[op("x", a.x, d), op("runningMean", a.runningMean, d), op("runningVar", a.runningVar, d), opt("gamma", a.gamma, d), opt("beta", a.beta, d)],
    )?;
    let shape = BatchNormShape { outer: a.outer, channels: a.channels, inner: a.inner };
    d.batch_norm_inference(a.x, shape, a.runningMean, a.runningVar, a.gamma, a.beta, a.eps, a.out)
});

on_gpu!(BatchNormBackward -> (), |a, d| {
    separate(
        K,
        &[opt("dx", a.dx, d), opt("dgamma", a.dgamma, d), opt("dbeta", a.dbeta, d)],
        &[op("x", a.x, d), op("dout", a.dout, d), op("mean", a.mean, d), op("invStd", a.invStd, d), opt("gamma", a.gamma, d)],
    )?;
    let shape = BatchNormShape { outer: a.outer, channels: a.channels, inner: a.inner };
    d.batch_norm_backward(a.x, a.dout, shape, a.mean, a.invStd, a.gamma, a.dx, a.dgamma, a.dbeta)
});

on_gpu!(SgdStep -> (), |a, d| {
    separate(K, &[op("param", a.param, d), opt("momentumBuffer", a.momentumBuffer, d)], &[op("grad", a.grad, d)])?;
    d.sgd_step(a.param, a.grad, a.momentumBuffer, a.lr, a.momentum, a.dampening, a.nesterov, a.weightDecay, a.firstStep)
});

on_gpu!(AdamStep -> (), |a, d| {
    separate(K, &[op("param", a.param, d), op("expAvg", a.expAvg, d), op("expAvgSq", a.expAvgSq, d)], &[op("grad", a.grad, d)])?;
    d.adam_step(a.param, a.grad, a.expAvg, a.expAvgSq, a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.step)
});

on_gpu!(Conv2d -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d), op("weight", a.weight, d), opt("bias", a.bias, d)])?;
    d.conv2d(a.x, a.weight, a.bias, a.out, conv_shape!(a))
});

on_gpu!(Conv2dBackwardInput -> (), |a, d| {
    separate(K, &[op("dx", a.dx, d)], &[op("dout", a.dout, d), op("weight", a.weight, d)])?;
    d.conv2d_backward_input(a.dout, a.weight, a.dx, conv_shape!(a))
});

on_gpu!(Conv2dBackwardWeight -> (), |a, d| {
    separate(K, &[op("dweight", a.dweight, d), opt("dbias", a.dbias, d)], &[op("x", a.x, d), op("dout", a.dout, d)])?;
    d.conv2d_backward_weight(a.x, a.dout, a.dweight, a.dbias, conv_shape!(a))
});

on_gpu!(MaxPool2d -> (), |a, d| {
    let indices = a.indices.device(K, "indices")?;
    separate(K, &[op("out", a.out, d), op("indices", indices, d)], &[op("x", a.x, d)])?;
    d.max_pool2d(a.x, pool_shape!(a), a.out, indices)
});

on_gpu!(MaxPool2dBackward -> (), |a, d| {
    let indices = a.indices.device(K, "indices")?;
    separate(K, &[op("dx", a.dx, d)], &[op("dout", a.dout, d), op("indices", indices, d)])?;
    d.max_pool2d_backward(a.dout, indices, pool_shape!(a), a.dx)
});

on_gpu!(GatherCenter -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("pixels", a.pixels, d), op("mean", a.mean, d)])?;
    d.gather_center(a.pixels, a.indices, a.mean, a.out)
});

on_gpu!(CopyIntoSlice -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.copy_into_slice(a.x, a.out, a.outer, a.total, a.inner, a.offset, a.size)
});

on_gpu!(CopySlice -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.copy_slice(a.x, a.out, a.outer, a.total, a.inner, a.offset, a.size)
});

on_gpu!(ReduceSum -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.reduce_sum(a.x, &a.shape, &a.axes, a.out, a.beta)
});

on_gpu!(MaxAlong -> (), |a, d| {
    let indices = a.indices.device(K, "indices")?;
    separate(K, &[op("out", a.out, d), op("indices", indices, d)], &[op("x", a.x, d)])?;
    d.max_along(a.x, a.outer, a.size, a.inner, a.out, indices)
});

on_gpu!(MaxAlongBackward -> (), |a, d| {
    let indices = a.indices.device(K, "indices")?;
    separate(K, &[op("dx", a.dx, d)], &[op("dout", a.dout, d), op("indices", indices, d)])?;
    d.max_along_backward(a.dout, indices, a.outer, a.size, a.inner, a.dx)
});

on_gpu!(Softmax -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.softmax(a.x, a.out, a.rows, a.cols)
});

on_gpu!(SoftmaxBackward -> (), |a, d| {
    separate(K, &[op("dx", a.dx, d)], &[op("s", a.s, d), op("dout", a.dout, d)])?;
    d.softmax_backward(a.s, a.dout, a.dx, a.rows, a.cols)
});

on_gpu!(CrossEntropy -> f64, |a, d| d.cross_entropy(a.probs, a.targets, a.rows, a.cols));

on_gpu!(CrossEntropyBackward -> (), |a, d| {
    separate(K, &[op("dprobs", a.dprobs, d)], &[op("probs", a.probs, d), op("targets", a.targets, d)])?;
    d.cross_entropy_backward(a.probs, a.targets, a.dprobs, a.rows, a.cols)
});

on_gpu!(LayerNorm -> (), |a, d| {
    separate(
        K,
        &[op("out", a.out, d), op("mean", a.mean, d), op("invStd", a.invStd, d)],
        &[op("x", a.x, d), opt("gamma", a.gamma, d), opt("beta", a.beta, d)],
    )?;
    d.layer_norm(a.x, a.rows, a.cols, a.gamma, a.beta, a.eps, a.out, a.mean, a.invStd)
});

on_gpu!(LayerNormBackward -> (), |a, d| {
    separate(
        K,
        &[opt("dx", a.dx, d), opt("dgamma", a.dgamma, d), opt("dbeta", a.dbeta, d)],
        &[op("x", a.x, d), op("dout", a.dout, d), op("mean", a.mean, d), op("invStd", a.invStd, d), opt("gamma", a.gamma, d)],
    )?;
    d.layer_norm_backward(a.x, a.dout, a.rows, a.cols, a.mean, a.invStd, a.gamma, a.dx, a.dgamma, a.dbeta)
});

on_gpu!(SgdUpdate -> (), |a, d| {
    separate(K, &[op("param", a.param, d)], &[op("grad", a.grad, d)])?;
    d.sgd_update(a.param, a.grad, a.lr)
});

on_gpu!(AvgPool2d -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.avg_pool2d(a.x, avg_pool_shape!(a), a.out)
});

on_gpu!(AvgPool2dBackward -> (), |a, d| {
    separate(K, &[op("dx", a.dx, d)], &[op("dout", a.dout, d)])?;
    d.avg_pool2d_backward(a.dout, avg_pool_shape!(a), a.dx)
});

on_gpu!(AdaptiveAvgPool2d -> (), |a, d| {
    separate(K, &[op("out", a.out, d)], &[op("x", a.x, d)])?;
    d.adaptive_avg_pool2d(a.x, adaptive_avg_pool_shape!(a), a.out)
});

on_gpu!(AdaptiveAvgPool2dBackward -> (), |a, d| {
    separate(K, &[op("dx", a.dx, d)], &[op("dout", a.dout, d)])?;
    d.adaptive_avg_pool2d_backward(a.dout, adaptive_avg_pool_shape!(a), a.dx)
});

/// For a kernel declared with no GPU version yet (none at present): `not_on_gpu!(Name -> ())`
/// gives it the default `run`, which says so, and leaves it out of [`kernels_on_gpu`].
#[allow(unused_macros)]
macro_rules! not_on_gpu {
    ($($S:ident -> $R:ty),* $(,)?) => {$( impl OnDevice<$R> for $S<'_> {} )*};
}
