//! Each error's kind, which the bindings map to a TypeScript class by `code()`, says what its
//! message says. The js backend and the bindings used to classify messages by / should hold .* but
//! holds /: a kernel error is a ShapeError exactly when its message has that form.

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::{
    adam_step, batch_norm_train, binary, binary_into, conv2d, copy_strided, elu, gather_center_u8, layer_norm,
    max_along, max_along_backward, max_pool2d, max_pool2d_backward, nll_loss, reduce_sum, sgd_step, sgemm, softmax,
    AdamStep, BatchNormShape, BatchNormTrain, BinaryOp, Conv2dShape, ErrorKind, GemmSpec, Input, KernelError,
    LayerNorm, MaxPool2dShape, SgdStep, UnaryOp,
};

fn conv_shape() -> Conv2dShape {
    Conv2dShape {
        batch: 1,
        in_channels: 1,
        height: 3,
        width: 3,
        out_channels: 1,
        kernel_h: 3,
        kernel_w: 3,
        stride_h: 1,
        stride_w: 1,
        pad_h: 0,
        pad_w: 0,
    }
}

fn pool_shape() -> MaxPool2dShape {
    MaxPool2dShape {
        batch: 1,
        channels: 1,
        height: 2,
        width: 2,
        kernel_h: 2,
        kernel_w: 2,
        stride_h: 2,
        stride_w: 2,
        pad_h: 0,
        pad_w: 0,
    }
}

/// Errors from across the crate, length misfits and other bad arguments mixed.
fn representative_errors() -> Vec<KernelError> {
    let mut errors = Vec::new();
    let mut push = |r: Result<(), KernelError>| errors.push(r.unwrap_err());

    // GEMM, the row-wise and elementwise kernels.
    let spec = GemmSpec::new(false, false, 2, 2, 2);
    push(sgemm(&spec, &[0.0; 4], &[0.0; 4], &mut [0.0; 3], 1));
    push(softmax(&[0.0; 6], &mut [0.0; 5], 2, 3));
    push(softmax(&[], &mut [], usize::MAX, 2));
    push(elu(&[0.0; 3], &mut [0.0; 4], 1.0, 1));
    push(UnaryOp::parse("unary", "cube").map(drop));
    push(BinaryOp::parse("binary", "pow").map(drop));
    push(nll_loss(&[0.0; 4], &[0], 2, 2).map(drop));
    push(nll_loss(&[0.0; 4], &[0, 2], 2, 2).map(drop));
    push(gather_center_u8(&[0; 6], &[0], &[0.0; 3], &mut [0.0; 2], 1));
    push(gather_center_u8(&[0; 6], &[2], &[0.0; 3], &mut [0.0; 3], 1));
    push(gather_center_u8(&[0; 7], &[0], &[0.0; 3], &mut [0.0; 3], 1));
    push(gather_center_u8(&[0; 6], &[0], &[], &mut [], 1));

    // The strided kernels (layout's checks).
    let x = [0.0; 6];
    push(binary(BinaryOp::Add, &[2, 3], &x, &[3, 1], &x, &[1], &mut [0.0; 6]));
    push(binary(BinaryOp::Add, &[2, 3], &x, &[3, 1], &x, &[3, 1], &mut [0.0; 5]));
    push(binary(BinaryOp::Add, &[2, 3], &x, &[3, 1], &[0.0; 2], &[0, 1], &mut [0.0; 6]));
    push(binary_into(BinaryOp::Add, &[2, 3], Input::Out, &[1, 2], Input::Slice(&x), &[3, 1], &mut [0.0; 6]));
    push(copy_strided(&[3, 2], &x, &[1, 3], &mut [0.0; 7]));
    push(reduce_sum(&x, &[2, 3], &[true], &mut [0.0; 3], 0.0));
    push(reduce_sum(&[], &[usize::MAX, 2], &[true, false], &mut [0.0; 2], 0.0));
    push(dlp_kernels::layout::counts("binary", "aStrides", &[3.0, -1.0]).map(drop));
    push(max_along(&[0.0; 4], 1, 4, 1, &mut [0.0; 2], &mut [0; 1]));
    push(max_along(&[], 1, 0, 1, &mut [0.0; 1], &mut [0; 1]));
    push(max_along_backward(&[1.0], &[4], 1, 4, 1, &mut [0.0; 4]));

    // Normalisation and the optimisers.
    let (mut out, mut mean, mut inv_std) = ([0.0; 4], [0.0; 2], [0.0; 1]);
    push(batch_norm_train(
        BatchNormTrain {
            x: &[0.0; 4],
            shape: BatchNormShape { outer: 2, channels: 2, inner: 1 },
            gamma: None,
            beta: None,
            eps: 1e-5,
            out: &mut out,
            mean: &mut mean,
            inv_std: &mut inv_std,
            running_mean: None,
            running_var: None,
            momentum: 0.1,
        },
        1,
    ));
    let (mut out, mut mean, mut inv_std, mut running_var) = ([0.0; 2], [0.0; 2], [0.0; 2], [1.0; 2]);
    push(batch_norm_train(
        BatchNormTrain {
            x: &[0.0; 2],
            shape: BatchNormShape { outer: 1, channels: 2, inner: 1 },
            gamma: None,
            beta: None,
            eps: 1e-5,
            out: &mut out,
            mean: &mut mean,
            inv_std: &mut inv_std,
            running_mean: None,
            running_var: Some(&mut running_var),
            momentum: 0.1,
        },
        1,
    ));
    let (mut out, mut mean, mut inv_std) = ([0.0; 6], [0.0; 3], [0.0; 2]);
    push(layer_norm(LayerNorm {
        x: &[0.0; 6],
        rows: 2,
        cols: 3,
        gamma: None,
        beta: None,
        eps: 1e-5,
        out: &mut out,
        mean: &mut mean,
        inv_std: &mut inv_std,
    }));
    let sgd = |grad: &[f32], momentum: f64| {
        let mut param = [0.0; 3];
        sgd_step(
            SgdStep {
                param: &mut param,
                grad,
                momentum_buffer: None,
                lr: 0.1,
                momentum,
                dampening: 0.0,
                nesterov: false,
                weight_decay: 0.0,
                first_step: true,
            },
            1,
        )
    };
    push(sgd(&[0.0; 2], 0.0));
    push(sgd(&[0.0; 3], 0.9));
    let adam = |exp_avg_len: usize, step: f64| {
        let (mut param, mut exp_avg, mut exp_avg_sq) = ([0.0; 3], vec![0.0; exp_avg_len], [0.0; 3]);
        adam_step(
            AdamStep {
                param: &mut param,
                grad: &[0.0; 3],
                exp_avg: &mut exp_avg,
                exp_avg_sq: &mut exp_avg_sq,
                lr: 1e-3,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
                step,
            },
            1,
        )
    };
    push(adam(2, 1.0));
    push(adam(3, 0.0));

    // Convolution and pooling.
    let s = conv_shape();
    push(conv2d(&[0.0; 8], &[0.0; 9], None, &mut [0.0; 1], s, 1));
    push(conv2d(&[0.0; 9], &[0.0; 9], None, &mut [0.0; 1], Conv2dShape { stride_w: 0, ..s }, 1));
    push(conv2d(&[0.0; 4], &[0.0; 9], None, &mut [0.0; 1], Conv2dShape { height: 2, width: 2, ..s }, 1));
    let p = pool_shape();
    push(max_pool2d(&[0.0; 4], p, &mut [0.0; 1], &mut [0; 2]));
    push(max_pool2d(&[0.0; 4], MaxPool2dShape { pad_h: 2, ..p }, &mut [0.0; 4], &mut [0; 4]));
    push(max_pool2d_backward(&[1.0], &[4], p, &mut [0.0; 4]));

    // The bindings' alias checks.
    let x = Operand::new("x", 0..40);
    push(alias::check_separate("softmax", &Operand::new("out", 16..56), &x));
    push(alias::in_place("elu", &Operand::new("out", 20..60), &x).map(drop));
    errors
}

#[test]
fn an_error_is_a_shape_error_exactly_when_its_message_says_what_a_buffer_should_hold_but_holds() {
    let errors = representative_errors();
    for e in &errors {
        let m = e.message();
        let misfit = m.contains(" should hold ") && m.contains(" but holds ");
        assert_eq!(e.kind() == ErrorKind::Shape, misfit, "{:?} for {m:?}", e.kind());
        assert_eq!(e.code(), if misfit { "ShapeError" } else { "ArgumentError" }, "{m}");
    }
    let shapes = errors.iter().filter(|e| e.kind() == ErrorKind::Shape).count();
    assert!(shapes >= 15 && errors.len() - shapes >= 15, "{shapes} of {} are shape errors", errors.len());
}
