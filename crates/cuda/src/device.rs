//! An open GPU: its context and stream, cuBLAS, the compiled kernels, buffers, and every
//! kernel as a method. Each method checks its arguments as the CPU kernel of the same name
//! does (same messages), then queues its work on the device's one stream; results come back
//! only through [`Device::download`] (and the loss of [`Device::softmax_cross_entropy`]).
//!
//! Buffers are passed by reference and written through device pointers, so an output may be
//! an input itself where the CPU kernel allows it (the kernels read each element before they
//! write it). One stream: every call runs after the ones before it.

use std::collections::HashMap;
use std::sync::Arc;

use cudarc::cublas::{sys as cublas_sys, CudaBlas};
use cudarc::driver::{CudaContext, CudaFunction, CudaSlice, CudaStream, DevicePtr, DeviceRepr, LaunchConfig, PushKernelArg, ValidAsZeroBits};
use cudarc::nvrtc::Ptx;
use dlp_kernels::{adam_bias_corrections, check_sgd_update, BatchNormShape, GemmSpec, KernelError, UnaryOp};

use crate::compile;
use crate::error::CudaError;
use crate::libs::availability;
use crate::sources::SOURCES;

/// A buffer of `T` on the device, freed on drop.
pub struct DeviceBuffer<T> {
    pub(crate) slice: CudaSlice<T>,
}

impl<T> DeviceBuffer<T> {
    pub fn len(&self) -> usize {
        self.slice.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slice.len() == 0
    }
}

/// An open GPU (see the module docs).
pub struct Device {
    pub(crate) stream: Arc<CudaStream>,
    blas: CudaBlas,
    kernels: HashMap<&'static str, CudaFunction>,
    description: String,
}

/// Threads per block of the elementwise kernels, and the most blocks one launch uses (the
/// kernels loop over the rest).
pub(crate) const BLOCK: u32 = 256;
const MAX_BLOCKS: u64 = 4096;

/// The launch shape for `n` elements (one thread each, grid-stride beyond MAX_BLOCKS blocks).
pub(crate) fn elementwise_config(n: u64) -> LaunchConfig {
    let blocks = n.div_ceil(BLOCK as u64).clamp(1, MAX_BLOCKS) as u32;
    LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (BLOCK, 1, 1), shared_mem_bytes: 0 }
}

/// Launches kernel `$name` of `$device` with the arguments in order (each a local: the launch
/// takes their addresses): over `$n` elements (one thread each), or, with `blocks = $b`, one
/// block of BLOCK threads per item (a channel of BatchNorm). Nothing runs when the count is 0.
macro_rules! launch {
    ($device:expr, $name:literal, blocks = $blocks:expr; $($arg:expr),* $(,)?) => {{
        let blocks: u64 = $blocks;
        let grid = u32::try_from(blocks).map_err(|_| $crate::CudaError::argument(concat!($name, ": too many channels for one launch")))?;
        let config = cudarc::driver::LaunchConfig { grid_dim: (grid, 1, 1), block_dim: ($crate::device::BLOCK, 1, 1), shared_mem_bytes: 0 };
        launch!(@run $device, $name, blocks, config; $($arg),*)
    }};
    ($device:expr, $name:literal, $n:expr; $($arg:expr),* $(,)?) => {{
        let n: u64 = $n;
        launch!(@run $device, $name, n, $crate::device::elementwise_config(n); $($arg),*)
    }};
    (@run $device:expr, $name:literal, $count:expr, $config:expr; $($arg:expr),*) => {{
        if $count > 0 {
            let mut args = $device.stream.launch_builder($device.kernel($name)?);
            $( cudarc::driver::PushKernelArg::arg(&mut args, &$arg); )*
            // SAFETY: the arguments are the kernel's, in its declared order and types (see the
            // .cu source), and the calling method checked the buffers' lengths against the sizes.
            unsafe { args.launch($config) }.map_err(|e| $crate::CudaError::cuda(concat!("launching ", $name), e))?;
        }
        Ok::<(), $crate::CudaError>(())
    }};
}
pub(crate) use launch;

impl Device {
    /// Opens GPU `ordinal`: checks what CUDA needs ([`availability`]), compiles every kernel
    /// source with NVRTC for the GPU's architecture and loads them. Takes a second or so.
    pub fn open(ordinal: usize) -> Result<Device, CudaError> {
        let count = availability()?;
        if ordinal >= count {
            return Err(CudaError::argument(format!("cuda: device {ordinal} is outside 0..{} (this machine has {count})", count - 1)));
        }
        let ctx = CudaContext::new(ordinal).map_err(|e| CudaError::cuda("cuCtxCreate", e))?;
        // SAFETY: one stream only, so the per-buffer events that keep several streams in order
        // are not needed (set before any buffer exists).
        unsafe { ctx.disable_event_tracking() };
        let attr = |a| ctx.attribute(a).map_err(|e| CudaError::cuda("cuDeviceGetAttribute", e));
        use cudarc::driver::sys::CUdevice_attribute::{
            CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR as MAJOR, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR as MINOR,
        };
        let (major, minor) = (attr(MAJOR)?, attr(MINOR)?);
        let arch = format!("compute_{major}{minor}");
        let stream = ctx.default_stream();
        let blas = CudaBlas::new(stream.clone()).map_err(|e| CudaError::cuda("cublasCreate", e))?;
        // FP32 products stay FP32: no TF32 tensor-core rounding (parity with the CPU at 1e-4).
        // SAFETY: a live handle.
        unsafe { cublas_sys::cublasSetMathMode(*blas.handle(), cublas_sys::cublasMath_t::CUBLAS_DEFAULT_MATH) }
            .result()
            .map_err(|e| CudaError::cuda("cublasSetMathMode", e))?;
        let mut kernels = HashMap::new();
        for source in SOURCES {
            let ptx = compile::to_ptx(source, &arch)?;
            let module = ctx.load_module(Ptx::from_src(ptx)).map_err(|e| {
                CudaError::cuda(&format!("loading {} ({arch}; a driver older than this NVRTC cannot load its PTX)", source.file), e)
            })?;
            for &name in source.kernels {
                kernels.insert(name, module.load_function(name).map_err(|e| CudaError::cuda(&format!("cuModuleGetFunction {name}"), e))?);
            }
        }
        let name = ctx.name().unwrap_or_else(|_| "unknown GPU".into());
        let description = format!("{name} (sm_{major}{minor})");
        Ok(Device { stream, blas, kernels, description })
    }

    /// The GPU's name and architecture, e.g. "NVIDIA H100 80GB HBM3 (sm_90)".
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// A buffer holding a copy of `data`.
    pub fn upload<T: DeviceRepr>(&self, data: &[T]) -> Result<DeviceBuffer<T>, CudaError> {
        Ok(DeviceBuffer { slice: self.stream.memcpy_stod(data).map_err(|e| CudaError::cuda("cuMemcpyHtoD", e))? })
    }

    /// A zero-filled buffer of `len` elements.
    pub fn zeros<T: DeviceRepr + ValidAsZeroBits>(&self, len: usize) -> Result<DeviceBuffer<T>, CudaError> {
        Ok(DeviceBuffer { slice: self.stream.alloc_zeros(len).map_err(|e| CudaError::cuda("cuMemAlloc", e))? })
    }

    /// A buffer of `len` floats with unspecified contents, for scratch space.
    ///
    /// # Safety
    /// Every element must be written before it is read.
    pub(crate) unsafe fn scratch(&self, len: usize) -> Result<DeviceBuffer<f32>, CudaError> {
        Ok(DeviceBuffer { slice: self.stream.alloc(len).map_err(|e| CudaError::cuda("cuMemAlloc", e))? })
    }

    /// The buffer's contents, after every queued call has run.
    pub fn download<T: DeviceRepr + Default + Clone>(&self, buffer: &DeviceBuffer<T>) -> Result<Vec<T>, CudaError> {
        self.stream.memcpy_dtov(&buffer.slice).map_err(|e| CudaError::cuda("cuMemcpyDtoH", e))
    }

    /// Sets every element to zero (queued on the stream).
    pub fn fill_zero(&self, buffer: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        let ptr = self.ptr(buffer);
        // SAFETY: the buffer holds len() floats; the memset runs in stream order.
        unsafe { cudarc::driver::result::memset_d8_async(ptr, 0, buffer.len() * std::mem::size_of::<f32>(), self.stream.cu_stream()) }
            .map_err(|e| CudaError::cuda("cuMemsetD8Async", e))
    }

    /// Waits for every queued call.
    pub fn synchronize(&self) -> Result<(), CudaError> {
        self.stream.synchronize().map_err(|e| CudaError::cuda("cuStreamSynchronize", e))
    }

    pub(crate) fn ptr<T>(&self, buffer: &DeviceBuffer<T>) -> u64 {
        buffer.slice.device_ptr(&self.stream).0
    }

    /// An optional buffer's device pointer, null (0) when absent: what the kernels test for.
    pub(crate) fn opt_ptr<T>(&self, buffer: Option<&DeviceBuffer<T>>) -> u64 {
        buffer.map_or(0, |b| self.ptr(b))
    }

    /// Kernel `name`, compiled and loaded by `open`.
    pub(crate) fn kernel(&self, name: &str) -> Result<&CudaFunction, CudaError> {
        self.kernels.get(name).ok_or_else(|| CudaError::Cuda(format!("kernel {name} was not loaded")))
    }

    /// C = alpha·op(A)·op(B) + beta·C, row-major, as [`dlp_kernels::sgemm`], on cuBLAS.
    pub fn sgemm(&self, spec: &GemmSpec, a: &DeviceBuffer<f32>, b: &DeviceBuffer<f32>, c: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        spec.check_lengths(a.len(), b.len(), c.len())?;
        if spec.m == 0 || spec.n == 0 {
            return Ok(());
        }
        self.gemm_raw(spec, self.ptr(a), self.ptr(b), self.ptr(c))
    }

    /// `sgemm` on device pointers whose buffers the caller checked against `spec` (m, n > 0).
    pub(crate) fn gemm_raw(&self, spec: &GemmSpec, a: u64, b: u64, c: u64) -> Result<(), CudaError> {
        let GemmSpec { trans_a, trans_b, m, n, k, alpha, beta } = *spec;
        let int = |x: usize, what: &str| i32::try_from(x).map_err(|_| CudaError::argument(format!("gemm: {what} = {x} exceeds cuBLAS's 32-bit sizes")));
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: cuBLAS gets B first.
        let op = |t: bool| if t { cublas_sys::cublasOperation_t::CUBLAS_OP_T } else { cublas_sys::cublasOperation_t::CUBLAS_OP_N };
        let (lda, ldb) = (if trans_b { k } else { n }, if trans_a { m } else { k });
        // SAFETY: the lengths fit the shapes (checked above) and the leading dimensions are
        // the stored matrices' row lengths (at least 1, as cuBLAS requires even when k = 0, where
        // it only scales C by beta). cuBLAS runs on this device's stream.
        unsafe {
            cudarc::cublas::result::sgemm(
                *self.blas.handle(),
                op(trans_b),
                op(trans_a),
                int(n, "n")?,
                int(m, "m")?,
                int(k, "k")?,
                &alpha,
                b as *const f32,
                int(lda.max(1), "n")?,
                a as *const f32,
                int(ldb.max(1), "k")?,
                &beta,
                c as *mut f32,
                int(n, "n")?,
            )
        }
        .map_err(|e| CudaError::cuda("cublasSgemm", e))
    }

    /// out[r][c] = x[r][c] + bias[c]; out may be x itself.
    pub fn bias_add(&self, x: &DeviceBuffer<f32>, bias: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>, rows: usize, cols: usize) -> Result<(), CudaError> {
        check_matrix("biasAdd", "x", rows, cols, x.len())?;
        check_matrix("biasAdd", "out", rows, cols, out.len())?;
        check_len("biasAdd", "bias", cols, bias.len())?;
        let (x, bias, out, rows, cols) = (self.ptr(x), self.ptr(bias), self.ptr(out), rows as u64, cols as u64);
        launch!(self, "bias_add", rows * cols; x, bias, out, rows, cols)
    }

    /// out[c] = beta·out[c] + Σ_r x[r][c].
    pub fn column_sum(&self, x: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>, rows: usize, cols: usize, beta: f32) -> Result<(), CudaError> {
        check_matrix("columnSum", "x", rows, cols, x.len())?;
        check_len("columnSum", "out", cols, out.len())?;
        let (x, out, rows, cols) = (self.ptr(x), self.ptr(out), rows as u64, cols as u64);
        launch!(self, "column_sum", cols; x, out, rows, cols, beta)
    }

    /// out = ELU(x); out may be x itself.
    pub fn elu(&self, x: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>, alpha: f32) -> Result<(), CudaError> {
        check_len("elu", "out", x.len(), out.len())?;
        let (n, x, out) = (x.len() as u64, self.ptr(x), self.ptr(out));
        launch!(self, "elu", n; x, out, n, alpha)
    }

    /// dx = dout·ELU'(x); dx may be dout itself.
    pub fn elu_backward(&self, x: &DeviceBuffer<f32>, dout: &DeviceBuffer<f32>, dx: &DeviceBuffer<f32>, alpha: f32) -> Result<(), CudaError> {
        check_len("eluBackward", "dout", x.len(), dout.len())?;
        check_len("eluBackward", "dx", x.len(), dx.len())?;
        let (n, x, dout, dx) = (x.len() as u64, self.ptr(x), self.ptr(dout), self.ptr(dx));
        launch!(self, "elu_backward", n; x, dout, dx, n, alpha)
    }

    /// out = op(x); out may be x itself.
    pub fn unary(&self, op: UnaryOp, x: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        check_len("unary", "out", x.len(), out.len())?;
        let (code, n, x, out) = (op_code(op), x.len() as u64, self.ptr(x), self.ptr(out));
        launch!(self, "unary", n; code, x, out, n)
    }

    /// dx = dout·op'(x) from the forward's input x and output y; dx may be dout itself.
    pub fn unary_backward(
        &self,
        op: UnaryOp,
        x: &DeviceBuffer<f32>,
        y: &DeviceBuffer<f32>,
        dout: &DeviceBuffer<f32>,
        dx: &DeviceBuffer<f32>,
    ) -> Result<(), CudaError> {
        for (name, len) in [("y", y.len()), ("dout", dout.len()), ("dx", dx.len())] {
            check_len("unaryBackward", name, x.len(), len)?;
        }
        let (code, n) = (op_code(op), x.len() as u64);
        let (x, y, dout, dx) = (self.ptr(x), self.ptr(y), self.ptr(dout), self.ptr(dx));
        launch!(self, "unary_backward", n; code, x, y, dout, dx, n)
    }

    /// y += alpha·x.
    pub fn axpy(&self, x: &DeviceBuffer<f32>, y: &DeviceBuffer<f32>, alpha: f32) -> Result<(), CudaError> {
        check_len("axpy", "y", x.len(), y.len())?;
        let (n, x, y) = (x.len() as u64, self.ptr(x), self.ptr(y));
        launch!(self, "axpy", n; x, y, n, alpha)
    }

    /// param −= lr·grad, as [`dlp_kernels::sgd_update`].
    pub fn sgd_update(&self, param: &DeviceBuffer<f32>, grad: &DeviceBuffer<f32>, lr: f32) -> Result<(), CudaError> {
        check_sgd_update(param.len(), grad.len())?;
        let (n, param, grad, minus_lr) = (param.len() as u64, self.ptr(param), self.ptr(grad), -lr);
        launch!(self, "sgd_update", n; param, grad, n, minus_lr)
    }

    /// One torch.optim.SGD step, as [`dlp_kernels::sgd_step`] (`buffer` required when momentum ≠ 0).
    #[allow(clippy::too_many_arguments)]
    pub fn sgd_step(
        &self,
        param: &DeviceBuffer<f32>,
        grad: &DeviceBuffer<f32>,
        buffer: Option<&DeviceBuffer<f32>>,
        lr: f64,
        momentum: f64,
        dampening: f64,
        nesterov: bool,
        weight_decay: f64,
        first_step: bool,
    ) -> Result<(), CudaError> {
        check_len("sgdStep", "grad", param.len(), grad.len())?;
        if let Some(b) = buffer {
            check_len("sgdStep", "momentumBuffer", param.len(), b.len())?;
        }
        if momentum != 0.0 && buffer.is_none() {
            return Err(CudaError::argument("sgdStep: momentumBuffer is required when momentum is not 0"));
        }
        let n = param.len() as u64;
        let buffer = self.opt_ptr(buffer.filter(|_| momentum != 0.0));
        let (param, grad) = (self.ptr(param), self.ptr(grad));
        let (lr, momentum, keep, wd) = (lr as f32, momentum as f32, (1.0 - dampening) as f32, weight_decay as f32);
        let (nesterov, first_step) = (nesterov as i32, first_step as i32);
        launch!(self, "sgd_step", n; param, grad, buffer, n, lr, momentum, keep, nesterov, wd, first_step)
    }

    /// One torch.optim.Adam step, as [`dlp_kernels::adam_step`].
    #[allow(clippy::too_many_arguments)]
    pub fn adam_step(
        &self,
        param: &DeviceBuffer<f32>,
        grad: &DeviceBuffer<f32>,
        exp_avg: &DeviceBuffer<f32>,
        exp_avg_sq: &DeviceBuffer<f32>,
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
        weight_decay: f64,
        step: f64,
    ) -> Result<(), CudaError> {
        for (name, len) in [("grad", grad.len()), ("expAvg", exp_avg.len()), ("expAvgSq", exp_avg_sq.len())] {
            check_len("adamStep", name, param.len(), len)?;
        }
        let (step_size, inv_bias2_sqrt) = adam_bias_corrections(lr, beta1, beta2, step)?;
        let n = param.len() as u64;
        let (param, grad, m, v) = (self.ptr(param), self.ptr(grad), self.ptr(exp_avg), self.ptr(exp_avg_sq));
        let f = |x: f64| x as f32;
        let (b1, omb1, b2, omb2, eps, wd) = (f(beta1), f(1.0 - beta1), f(beta2), f(1.0 - beta2), f(eps), f(weight_decay));
        let (step_size, inv_bias2_sqrt) = (f(step_size), f(inv_bias2_sqrt));
        launch!(self, "adam_step", n; param, grad, m, v, n, b1, omb1, b2, omb2, eps, wd, step_size, inv_bias2_sqrt)
    }

    /// Training-mode BatchNorm, as [`dlp_kernels::batch_norm_train`]: writes out, the saved
    /// mean and invStd, and updates the running statistics where given.
    #[allow(clippy::too_many_arguments)]
    pub fn batch_norm_train(
        &self,
        x: &DeviceBuffer<f32>,
        shape: BatchNormShape,
        gamma: Option<&DeviceBuffer<f32>>,
        beta: Option<&DeviceBuffer<f32>>,
        eps: f64,
        out: &DeviceBuffer<f32>,
        mean: &DeviceBuffer<f32>,
        inv_std: &DeviceBuffer<f32>,
        running_mean: Option<&DeviceBuffer<f32>>,
        running_var: Option<&DeviceBuffer<f32>>,
        momentum: f64,
    ) -> Result<(), CudaError> {
        const K: &str = "batchNormTrain";
        shape.check_tensor(K, "x", x.len())?;
        shape.check_tensor(K, "out", out.len())?;
        for (name, len) in [("mean", Some(mean.len())), ("invStd", Some(inv_std.len())), ("gamma", gamma.map(|b| b.len())), ("beta", beta.map(|b| b.len()))]
            .into_iter()
            .chain([("runningMean", running_mean.map(|b| b.len())), ("runningVar", running_var.map(|b| b.len()))])
        {
            if let Some(len) = len {
                shape.check_channels(K, name, len)?;
            }
        }
        let n = shape.per_channel();
        if running_var.is_some() && n < 2 {
            return Err(CudaError::argument(format!("{K}: runningVar needs at least 2 values per channel (outer·inner) but there are {n}")));
        }
        if n == 0 {
            return Ok(());
        }
        let (outer, channels, inner) = (shape.outer as u64, shape.channels as u64, shape.inner as u64);
        let (x, gamma, beta, out, mean, inv_std) = (self.ptr(x), self.opt_ptr(gamma), self.opt_ptr(beta), self.ptr(out), self.ptr(mean), self.ptr(inv_std));
        let (running_mean, running_var) = (self.opt_ptr(running_mean), self.opt_ptr(running_var));
        launch!(self, "batch_norm_train", blocks = channels;
            x, outer, channels, inner, gamma, beta, eps, out, mean, inv_std, running_mean, running_var, momentum)
    }

    /// Eval-mode BatchNorm, as [`dlp_kernels::batch_norm_inference`].
    #[allow(clippy::too_many_arguments)]
    pub fn batch_norm_inference(
        &self,
        x: &DeviceBuffer<f32>,
        shape: BatchNormShape,
        running_mean: &DeviceBuffer<f32>,
        running_var: &DeviceBuffer<f32>,
        gamma: Option<&DeviceBuffer<f32>>,
        beta: Option<&DeviceBuffer<f32>>,
        eps: f64,
        out: &DeviceBuffer<f32>,
    ) -> Result<(), CudaError> {
        const K: &str = "batchNormInference";
        shape.check_tensor(K, "x", x.len())?;
        shape.check_tensor(K, "out", out.len())?;
        shape.check_channels(K, "runningMean", running_mean.len())?;
        shape.check_channels(K, "runningVar", running_var.len())?;
        for (name, b) in [("gamma", gamma), ("beta", beta)] {
            if let Some(b) = b {
                shape.check_channels(K, name, b.len())?;
            }
        }
        let (outer, channels, inner) = (shape.outer as u64, shape.channels as u64, shape.inner as u64);
        let (x, rm, rv, gamma, beta, out) = (self.ptr(x), self.ptr(running_mean), self.ptr(running_var), self.opt_ptr(gamma), self.opt_ptr(beta), self.ptr(out));
        launch!(self, "batch_norm_inference", outer * channels * inner; x, outer, channels, inner, rm, rv, gamma, beta, eps, out)
    }

    /// BatchNorm backward from the saved mean and invStd, as [`dlp_kernels::batch_norm_backward`]:
    /// fills whichever of dx, dgamma, dbeta are given.
    #[allow(clippy::too_many_arguments)]
    pub fn batch_norm_backward(
        &self,
        x: &DeviceBuffer<f32>,
        dout: &DeviceBuffer<f32>,
        shape: BatchNormShape,
        mean: &DeviceBuffer<f32>,
        inv_std: &DeviceBuffer<f32>,
        gamma: Option<&DeviceBuffer<f32>>,
        dx: Option<&DeviceBuffer<f32>>,
        dgamma: Option<&DeviceBuffer<f32>>,
        dbeta: Option<&DeviceBuffer<f32>>,
    ) -> Result<(), CudaError> {
        const K: &str = "batchNormBackward";
        shape.check_tensor(K, "x", x.len())?;
        shape.check_tensor(K, "dout", dout.len())?;
        if let Some(dx) = dx {
            shape.check_tensor(K, "dx", dx.len())?;
        }
        for (name, len) in [("mean", Some(mean.len())), ("invStd", Some(inv_std.len())), ("gamma", gamma.map(|b| b.len()))]
            .into_iter()
            .chain([("dgamma", dgamma.map(|b| b.len())), ("dbeta", dbeta.map(|b| b.len()))])
        {
            if let Some(len) = len {
                shape.check_channels(K, name, len)?;
            }
        }
        let (outer, channels, inner) = (shape.outer as u64, shape.channels as u64, shape.inner as u64);
        let (x, dout, mean, inv_std, gamma) = (self.ptr(x), self.ptr(dout), self.ptr(mean), self.ptr(inv_std), self.opt_ptr(gamma));
        let (dx, dgamma, dbeta) = (self.opt_ptr(dx), self.opt_ptr(dgamma), self.opt_ptr(dbeta));
        launch!(self, "batch_norm_backward", blocks = channels; x, dout, outer, channels, inner, mean, inv_std, gamma, dx, dgamma, dbeta)
    }

    /// Fused softmax + cross-entropy, as [`dlp_kernels::softmax_cross_entropy`]: the mean loss
    /// (the one value that comes back), and dlogits and probs where given. `labels` are checked
    /// here, on the host, before they go up.
    pub fn softmax_cross_entropy(
        &self,
        logits: &DeviceBuffer<f32>,
        labels: &[i32],
        rows: usize,
        cols: usize,
        dlogits: Option<&DeviceBuffer<f32>>,
        probs: Option<&DeviceBuffer<f32>>,
    ) -> Result<f64, CudaError> {
        const K: &str = "softmaxCrossEntropy";
        check_matrix(K, "logits", rows, cols, logits.len())?;
        check_labels(K, labels, rows, cols)?;
        for (name, buffer) in [("dlogits", dlogits), ("probs", probs)] {
            if let Some(b) = buffer {
                check_matrix(K, name, rows, cols, b.len())?;
            }
        }
        if rows == 0 {
            return Ok(0.0);
        }
        let labels = self.upload(labels)?;
        let losses = self.zeros::<f32>(rows)?;
        let (logits_p, labels_p, losses_p) = (self.ptr(logits), self.ptr(&labels), self.ptr(&losses));
        let (dlogits, probs) = (self.opt_ptr(dlogits), self.opt_ptr(probs));
        let (r, c) = (rows as u64, cols as u64);
        launch!(self, "softmax_cross_entropy", r; logits_p, labels_p, r, c, dlogits, probs, losses_p)?;
        self.mean_of(&losses)
    }

    /// The mean of `values` (rows > 0 of them), summed on the device: one float comes back.
    pub(crate) fn mean_of(&self, values: &DeviceBuffer<f32>) -> Result<f64, CudaError> {
        let (ptr, n) = (self.ptr(values), values.len() as u64);
        let mut args = self.stream.launch_builder(self.kernel("sum_to_first")?);
        args.arg(&ptr).arg(&n);
        let one_block = LaunchConfig { grid_dim: (1, 1, 1), block_dim: (256, 1, 1), shared_mem_bytes: 0 };
        // SAFETY: (values, n) as declared; the buffer holds n floats.
        unsafe { args.launch(one_block) }.map_err(|e| CudaError::cuda("launching sum_to_first", e))?;
        let mut total = [0.0f32];
        self.stream.memcpy_dtoh(&values.slice.slice(0..1), &mut total).map_err(|e| CudaError::cuda("cuMemcpyDtoH", e))?;
        Ok(total[0] as f64 / n as f64)
    }

    /// out[r] = pixels of image indices[r] − mean, as [`dlp_kernels::gather_center_u8`];
    /// indices are checked here, on the host, before they go up.
    pub fn gather_center(&self, pixels: &DeviceBuffer<u8>, indices: &[u32], mean: &DeviceBuffer<f32>, out: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        const K: &str = "gatherCenter";
        let d = mean.len();
        if d == 0 {
            return Err(CudaError::argument(format!("{K}: mean is empty")));
        }
        if !pixels.len().is_multiple_of(d) {
            return Err(CudaError::argument(format!("{K}: pixels hold {} bytes, not a whole number of {d}-byte images", pixels.len())));
        }
        check_matrix(K, "out", indices.len(), d, out.len())?;
        let images = pixels.len() / d;
        if let Some(bad) = indices.iter().find(|&&i| i as usize >= images) {
            return Err(CudaError::argument(format!("{K}: image index {bad} is outside 0..{}", images.saturating_sub(1))));
        }
        if indices.is_empty() {
            return Ok(());
        }
        let indices = self.upload(indices)?;
        let (count, d) = (indices.len() as u64, d as u64);
        let (pixels, idx, mean, out) = (self.ptr(pixels), self.ptr(&indices), self.ptr(mean), self.ptr(out));
        // `indices` is freed on return in stream order (cudarc), after the kernel has read it.
        launch!(self, "gather_center", count * d; pixels, idx, mean, out, count, d)
    }
}

/// The op's code in the kernels' switch (UnaryOp's order).
fn op_code(op: UnaryOp) -> i32 {
    UnaryOp::ALL.iter().position(|&o| o == op).expect("every op is in ALL") as i32
}

/// Labels in 0..cols, one per row, checked on the host before they go up.
pub(crate) fn check_labels(kernel: &str, labels: &[i32], rows: usize, cols: usize) -> Result<(), CudaError> {
    check_len(kernel, "labels", rows, labels.len())?;
    match labels.iter().find(|&&l| l < 0 || l as usize >= cols) {
        Some(bad) => Err(CudaError::argument(format!("{kernel}: label {bad} is outside 0..{}", cols.saturating_sub(1)))),
        None => Ok(()),
    }
}

pub(crate) fn check_len(kernel: &str, name: &str, want: usize, len: usize) -> Result<(), CudaError> {
    if want == len {
        Ok(())
    } else {
        Err(KernelError::shape(format!("{kernel}: {name} should hold {want} elements but holds {len}")).into())
    }
}

pub(crate) fn check_matrix(kernel: &str, name: &str, rows: usize, cols: usize, len: usize) -> Result<(), CudaError> {
    match rows.checked_mul(cols) {
        Some(want) if want == len => Ok(()),
        Some(want) => Err(KernelError::shape(format!("{kernel}: {name} should hold {rows}x{cols} = {want} elements but holds {len}")).into()),
        None => Err(CudaError::argument(format!("{kernel}: {name}'s size {rows}x{cols} overflows"))),
    }
}
