//! The CUDA C sources, compiled at run time for the GPU at hand (and to PTX and cubins for
//! sm_80 and sm_90 by the tests, so that one that does not compile fails CI without a GPU).

/// One `.cu` file and the `extern "C"` kernels it defines (compiled after `kernels/common.cuh`,
/// which every source shares: compile.rs).
#[derive(Clone, Copy, Debug)]
pub struct KernelSource {
    /// The file's name under `src/kernels/`, which NVRTC names in its messages.
    pub file: &'static str,
    pub code: &'static str,
    pub kernels: &'static [&'static str],
}

/// Every source this crate compiles.
pub const SOURCES: &[KernelSource] = &[
    KernelSource {
        file: "elementwise.cu",
        code: include_str!("kernels/elementwise.cu"),
        kernels: &["bias_add", "column_sum", "elu", "elu_backward", "unary", "unary_backward", "axpy"],
    },
    KernelSource { file: "optim.cu", code: include_str!("kernels/optim.cu"), kernels: &["sgd_update", "sgd_step", "adam_step"] },
    KernelSource {
        file: "loss.cu",
        code: include_str!("kernels/loss.cu"),
        kernels: &["softmax_cross_entropy", "sum_to_first", "log_softmax", "log_softmax_backward", "nll_rows", "nll_loss_backward"],
    },
    KernelSource {
        file: "norm.cu",
        code: include_str!("kernels/norm.cu"),
        kernels: &["batch_norm_train", "batch_norm_inference", "batch_norm_backward"],
    },
    KernelSource { file: "conv.cu", code: include_str!("kernels/conv.cu"), kernels: &["im2col", "col2im", "add_channel_bias", "channel_sum"] },
    KernelSource { file: "pool.cu", code: include_str!("kernels/pool.cu"), kernels: &["max_pool2d", "max_pool2d_backward"] },
    KernelSource { file: "layout.cu", code: include_str!("kernels/layout.cu"), kernels: &["binary", "copy_strided", "fill", "copy_slice", "copy_into_slice"] },
    KernelSource { file: "images.cu", code: include_str!("kernels/images.cu"), kernels: &["gather_center"] },
    KernelSource {
        file: "layer_norm.cu",
        code: include_str!("kernels/layer_norm.cu"),
        kernels: &["layer_norm", "layer_norm_backward_rows", "layer_norm_param_grads"],
    },
    KernelSource { file: "softmax.cu", code: include_str!("kernels/softmax.cu"), kernels: &["softmax", "softmax_backward"] },
    KernelSource {
        file: "cross_entropy.cu",
        code: include_str!("kernels/cross_entropy.cu"),
        kernels: &["cross_entropy_partials", "sum_f64_to_first", "cross_entropy_backward"],
    },
    KernelSource {
        file: "reduce.cu",
        code: include_str!("kernels/reduce.cu"),
        kernels: &["reduce_sum_threads", "reduce_sum_blocks", "max_along", "max_along_backward"],
    },
    KernelSource {
        file: "avg_pool.cu",
        code: include_str!("kernels/avg_pool.cu"),
        kernels: &["avg_pool2d", "avg_pool2d_backward", "adaptive_avg_pool2d", "adaptive_avg_pool2d_backward"],
    },
];
