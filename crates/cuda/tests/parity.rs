//! Every CUDA kernel against the CPU kernel of the same name (dlp-kernels, itself checked
//! against its f64 reference), on random inputs: relative 1e-4.
//!
//! These need a GPU, so they are `#[ignore]`d: `cargo test` reports them as ignored, not
//! passed. On the GPU machine they run with `--include-ignored` (scripts/run-gpu-checks.sh),
//! where a device that does not open fails them with the reason.

use dlp_cuda::{Device, DeviceBuffer};
use dlp_kernels::{AdamStep, BinaryOp, GemmSpec, SgdStep, UnaryOp};

fn device() -> Device {
    let device = Device::open(0).unwrap_or_else(|e| panic!("the CUDA device did not open: {e}"));
    eprintln!("on {}", device.describe());
    device
}

/// Deterministic values in [lo, hi).
fn values(n: usize, seed: u64, lo: f32, hi: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            lo + (hi - lo) * ((s >> 40) as f32 / (1u64 << 24) as f32)
        })
        .collect()
}

#[track_caller]
fn assert_close(what: &str, gpu: &[f32], cpu: &[f32]) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths");
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        let tolerance = 1e-4 * c.abs().max(1.0);
        assert!((g - c).abs() <= tolerance || (g.is_nan() && c.is_nan()), "{what}[{i}]: GPU {g}, CPU {c}");
    }
}

fn up(device: &Device, data: &[f32]) -> DeviceBuffer<f32> {
    device.upload(data).unwrap()
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn gemm_matches_the_cpu_for_every_transpose_and_awkward_shapes() {
    let device = device();
    for &(m, n, k) in &[(1, 1, 1), (7, 13, 5), (128, 1024, 3072), (200, 100, 3072), (33, 65, 0)] {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
            for (alpha, beta) in [(1.0, 0.0), (0.5, 2.0)] {
                let spec = GemmSpec { alpha, beta, ..GemmSpec::new(trans_a, trans_b, m, n, k) };
                let (a, b, c0) = (values(m * k, 1, -1.0, 1.0), values(k * n, 2, -1.0, 1.0), values(m * n, 3, -1.0, 1.0));
                let mut cpu = c0.clone();
                dlp_kernels::sgemm(&spec, &a, &b, &mut cpu, 1).unwrap();
                let c = up(&device, &c0);
                device.sgemm(&spec, &up(&device, &a), &up(&device, &b), &c).unwrap();
                // Sums of k products: the tolerance grows with the inner dimension.
                let scale = (k as f32).sqrt().max(1.0);
                let gpu = device.download(&c).unwrap();
                for (i, (&g, &x)) in gpu.iter().zip(&cpu).enumerate() {
                    assert!((g - x).abs() <= 1e-4 * scale * x.abs().max(1.0), "{spec:?} [{i}]: GPU {g}, CPU {x}");
                }
            }
        }
    }
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn elementwise_kernels_match_the_cpu() {
    let device = device();
    let (rows, cols) = (37, 129);
    let x = values(rows * cols, 4, -3.0, 3.0);
    let bias = values(cols, 5, -1.0, 1.0);
    let dout = values(rows * cols, 6, -1.0, 1.0);
    let (gx, gdout) = (up(&device, &x), up(&device, &dout));

    let out = device.zeros::<f32>(rows * cols).unwrap();
    device.bias_add(&gx, &up(&device, &bias), &out, rows, cols).unwrap();
    let mut cpu = vec![0.0; rows * cols];
    dlp_kernels::bias_add(&x, &bias, &mut cpu, rows, cols).unwrap();
    assert_close("biasAdd", &device.download(&out).unwrap(), &cpu);

    let sums = up(&device, &bias);
    device.column_sum(&gx, &sums, rows, cols, 0.5).unwrap();
    let mut cpu = bias.clone();
    dlp_kernels::column_sum(&x, &mut cpu, rows, cols, 0.5).unwrap();
    assert_close("columnSum", &device.download(&sums).unwrap(), &cpu);

    device.elu(&gx, &out, 1.0).unwrap();
    let mut cpu = vec![0.0; rows * cols];
    dlp_kernels::elu(&x, &mut cpu, 1.0, 1).unwrap();
    assert_close("elu", &device.download(&out).unwrap(), &cpu);

    device.elu_backward(&gx, &gdout, &out, 1.0).unwrap();
    dlp_kernels::elu_backward(&x, &dout, &mut cpu, 1.0, 1).unwrap();
    assert_close("eluBackward", &device.download(&out).unwrap(), &cpu);

    for op in UnaryOp::ALL {
        // log and sqrt on positive inputs.
        let input: Vec<f32> = if matches!(op, UnaryOp::Log | UnaryOp::Sqrt) { x.iter().map(|v| v.abs() + 0.1).collect() } else { x.clone() };
        let gin = up(&device, &input);
        device.unary(op, &gin, &out).unwrap();
        let mut y = vec![0.0; input.len()];
        dlp_kernels::unary(op, &input, &mut y).unwrap();
        assert_close(&format!("unary {op:?}"), &device.download(&out).unwrap(), &y);
        let dx = device.zeros::<f32>(input.len()).unwrap();
        device.unary_backward(op, &gin, &up(&device, &y), &gdout, &dx).unwrap();
        let mut cpu = vec![0.0; input.len()];
        dlp_kernels::unary_backward(op, &input, &y, &dout, &mut cpu).unwrap();
        assert_close(&format!("unaryBackward {op:?}"), &device.download(&dx).unwrap(), &cpu);
    }

    let y = up(&device, &dout);
    device.axpy(&gx, &y, -0.25).unwrap();
    let mut cpu = dout.clone();
    dlp_kernels::axpy(&x, &mut cpu, -0.25).unwrap();
    assert_close("axpy", &device.download(&y).unwrap(), &cpu);

    let err = device.bias_add(&gx, &up(&device, &bias[1..]), &out, rows, cols).unwrap_err();
    assert_eq!(err.to_string(), format!("biasAdd: bias should hold {cols} elements but holds {}", cols - 1));
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn optimiser_steps_match_the_cpu_over_several_steps() {
    let device = device();
    let n = 10_007;
    let p0 = values(n, 7, -1.0, 1.0);
    for (momentum, dampening, nesterov, weight_decay) in [(0.0, 0.0, false, 0.0), (0.9, 0.1, false, 1e-4), (0.9, 0.0, true, 0.0)] {
        let (mut param, mut buffer) = (p0.clone(), vec![0.0; n]);
        let (gp, gb) = (up(&device, &p0), device.zeros::<f32>(n).unwrap());
        for step in 0..3 {
            let grad = values(n, 10 + step, -1.0, 1.0);
            let first_step = step == 0;
            device.sgd_step(&gp, &up(&device, &grad), Some(&gb), 0.05, momentum, dampening, nesterov, weight_decay, first_step).unwrap();
            let momentum_buffer = Some(&mut buffer[..]);
            let args = SgdStep { param: &mut param, grad: &grad, momentum_buffer, lr: 0.05, momentum, dampening, nesterov, weight_decay, first_step };
            dlp_kernels::sgd_step(args, 1).unwrap();
        }
        assert_close(&format!("sgdStep momentum {momentum} nesterov {nesterov}"), &device.download(&gp).unwrap(), &param);
    }
    let (mut param, mut m, mut v) = (p0.clone(), vec![0.0; n], vec![0.0; n]);
    let (gp, gm, gv) = (up(&device, &p0), device.zeros::<f32>(n).unwrap(), device.zeros::<f32>(n).unwrap());
    for step in 1..=3u64 {
        let grad = values(n, 20 + step, -1.0, 1.0);
        device.adam_step(&gp, &up(&device, &grad), &gm, &gv, 1e-3, 0.9, 0.999, 1e-8, 1e-2, step as f64).unwrap();
        let args = AdamStep {
            param: &mut param, grad: &grad, exp_avg: &mut m, exp_avg_sq: &mut v, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8,
            weight_decay: 1e-2, step: step as f64,
        };
        dlp_kernels::adam_step(args, 1).unwrap();
    }
    assert_close("adamStep param", &device.download(&gp).unwrap(), &param);
    assert_close("adamStep expAvg", &device.download(&gm).unwrap(), &m);
    assert_close("adamStep expAvgSq", &device.download(&gv).unwrap(), &v);
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn softmax_cross_entropy_and_gather_center_match_the_cpu() {
    let device = device();
    let (rows, cols) = (128, 10);
    let logits = values(rows * cols, 30, -5.0, 5.0);
    let labels: Vec<i32> = (0..rows as i32).map(|r| (r * 7) % cols as i32).collect();
    let (dl, pr) = (device.zeros::<f32>(rows * cols).unwrap(), device.zeros::<f32>(rows * cols).unwrap());
    let loss = device.softmax_cross_entropy(&up(&device, &logits), &labels, rows, cols, Some(&dl), Some(&pr)).unwrap();
    let (mut dcpu, mut pcpu) = (vec![0.0; rows * cols], vec![0.0; rows * cols]);
    let cpu_loss = dlp_kernels::softmax_cross_entropy(&logits, &labels, rows, cols, Some(&mut dcpu), Some(&mut pcpu)).unwrap();
    assert!((loss - cpu_loss).abs() <= 1e-4 * cpu_loss.abs().max(1.0), "loss: GPU {loss}, CPU {cpu_loss}");
    assert_close("dlogits", &device.download(&dl).unwrap(), &dcpu);
    assert_close("probs", &device.download(&pr).unwrap(), &pcpu);
    let bad = device.softmax_cross_entropy(&up(&device, &logits), &[10; 128], rows, cols, None, None).unwrap_err();
    assert_eq!(bad.to_string(), "softmaxCrossEntropy: label 10 is outside 0..9");

    let d = 3 * 32 * 32;
    let pixels: Vec<u8> = (0..50 * d).map(|i| (i * 31 % 256) as u8).collect();
    let mean = values(d, 31, 100.0, 150.0);
    let indices = [3u32, 49, 0, 3, 17];
    let out = device.zeros::<f32>(indices.len() * d).unwrap();
    device.gather_center(&device.upload(&pixels).unwrap(), &indices, &up(&device, &mean), &out).unwrap();
    let mut cpu = vec![0.0; indices.len() * d];
    dlp_kernels::gather_center_u8(&pixels, &indices, &mean, &mut cpu, 1).unwrap();
    assert_close("gatherCenter", &device.download(&out).unwrap(), &cpu);
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn batch_norm_train_inference_and_backward_match_the_cpu() {
    use dlp_kernels::{BatchNormBackward, BatchNormInference, BatchNormShape, BatchNormTrain};
    let device = device();
    for shape in [BatchNormShape { outer: 128, channels: 64, inner: 1 }, BatchNormShape { outer: 8, channels: 16, inner: 49 }] {
        let (len, ch) = (shape.outer * shape.channels * shape.inner, shape.channels);
        // A large offset against the spread: the variance must not cancel.
        let x = values(len, 40, 95.0, 105.0);
        let (gamma, beta, dout) = (values(ch, 41, 0.5, 1.5), values(ch, 42, -0.5, 0.5), values(len, 43, -1.0, 1.0));
        let (mut rm, mut rv) = (values(ch, 44, -0.1, 0.1), values(ch, 45, 0.9, 1.1));
        let (gx, gg, gb, gdout) = (up(&device, &x), up(&device, &gamma), up(&device, &beta), up(&device, &dout));
        let (grm, grv) = (up(&device, &rm), up(&device, &rv));
        let (out, mean, inv_std) = (device.zeros::<f32>(len).unwrap(), device.zeros::<f32>(ch).unwrap(), device.zeros::<f32>(ch).unwrap());
        device.batch_norm_train(&gx, shape, Some(&gg), Some(&gb), 1e-5, &out, &mean, &inv_std, Some(&grm), Some(&grv), 0.1).unwrap();
        let (mut cout, mut cmean, mut cistd) = (vec![0.0; len], vec![0.0; ch], vec![0.0; ch]);
        let args = BatchNormTrain {
            x: &x, shape, gamma: Some(&gamma), beta: Some(&beta), eps: 1e-5, out: &mut cout, mean: &mut cmean, inv_std: &mut cistd,
            running_mean: Some(&mut rm), running_var: Some(&mut rv), momentum: 0.1,
        };
        dlp_kernels::batch_norm_train(args, 1).unwrap();
        assert_close(&format!("batchNormTrain out {shape:?}"), &device.download(&out).unwrap(), &cout);
        assert_close("batchNormTrain mean", &device.download(&mean).unwrap(), &cmean);
        assert_close("batchNormTrain invStd", &device.download(&inv_std).unwrap(), &cistd);
        assert_close("batchNormTrain runningMean", &device.download(&grm).unwrap(), &rm);
        assert_close("batchNormTrain runningVar", &device.download(&grv).unwrap(), &rv);

        device.batch_norm_inference(&gx, shape, &grm, &grv, Some(&gg), Some(&gb), 1e-5, &out).unwrap();
        let args = BatchNormInference { x: &x, shape, running_mean: &rm, running_var: &rv, gamma: Some(&gamma), beta: Some(&beta), eps: 1e-5, out: &mut cout };
        dlp_kernels::batch_norm_inference(args, 1).unwrap();
        assert_close("batchNormInference", &device.download(&out).unwrap(), &cout);

        let (dx, dgamma, dbeta) = (device.zeros::<f32>(len).unwrap(), device.zeros::<f32>(ch).unwrap(), device.zeros::<f32>(ch).unwrap());
        device.batch_norm_backward(&gx, &gdout, shape, &mean, &inv_std, Some(&gg), Some(&dx), Some(&dgamma), Some(&dbeta)).unwrap();
        let (mut cdx, mut cdg, mut cdb) = (vec![0.0; len], vec![0.0; ch], vec![0.0; ch]);
        let args = BatchNormBackward {
            x: &x, dout: &dout, shape, mean: &cmean, inv_std: &cistd, gamma: Some(&gamma), dx: Some(&mut cdx), dgamma: Some(&mut cdg),
            dbeta: Some(&mut cdb),
        };
        dlp_kernels::batch_norm_backward(args, 1).unwrap();
        assert_close("batchNormBackward dx", &device.download(&dx).unwrap(), &cdx);
        assert_close("batchNormBackward dgamma", &device.download(&dgamma).unwrap(), &cdg);
        assert_close("batchNormBackward dbeta", &device.download(&dbeta).unwrap(), &cdb);
    }
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn conv2d_and_both_backwards_match_the_cpu() {
    use dlp_kernels::Conv2dShape;
    let device = device();
    let conv = |batch, in_channels, size, out_channels, kernel, stride, pad| Conv2dShape {
        batch, in_channels, height: size, width: size + 1, out_channels, kernel_h: kernel, kernel_w: kernel, stride_h: stride,
        stride_w: stride, pad_h: pad, pad_w: pad,
    };
    // The ConvNet's 3×3 (Winograd on the CPU), a strided 3×3, a 1×1 and an unpadded 5×5.
    for s in [conv(4, 16, 16, 32, 3, 1, 1), conv(3, 8, 15, 12, 3, 2, 1), conv(2, 24, 8, 16, 1, 1, 0), conv(2, 3, 11, 5, 5, 1, 0)] {
        let (oh, ow) = (s.out_h(), s.out_w());
        let (xl, wl, ol) = (s.batch * s.in_channels * s.height * s.width, s.out_channels * s.in_channels * s.kernel_h * s.kernel_w, s.batch * s.out_channels * oh * ow);
        let (x, w, bias, dout) = (values(xl, 50, -1.0, 1.0), values(wl, 51, -0.3, 0.3), values(s.out_channels, 52, -1.0, 1.0), values(ol, 53, -1.0, 1.0));
        let (gx, gw, gb, gdout) = (up(&device, &x), up(&device, &w), up(&device, &bias), up(&device, &dout));
        // Sums of C·KH·KW (or OC·KH·KW, B·OH·OW) products: the tolerance grows with their count.
        let close = |what: &str, gpu: &[f32], cpu: &[f32], terms: usize| {
            let scale = (terms as f32).sqrt();
            for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
                assert!((g - c).abs() <= 1e-4 * scale * c.abs().max(1.0), "{what} {s:?} [{i}]: GPU {g}, CPU {c}");
            }
        };

        let out = device.zeros::<f32>(ol).unwrap();
        device.conv2d(&gx, &gw, Some(&gb), &out, s).unwrap();
        let mut cpu = vec![0.0; ol];
        dlp_kernels::conv2d(&x, &w, Some(&bias), &mut cpu, s, 1).unwrap();
        close("conv2d", &device.download(&out).unwrap(), &cpu, s.in_channels * s.kernel_h * s.kernel_w);

        let dx = device.zeros::<f32>(xl).unwrap();
        device.conv2d_backward_input(&gdout, &gw, &dx, s).unwrap();
        let mut cpu = vec![0.0; xl];
        dlp_kernels::conv2d_backward_input(&dout, &w, &mut cpu, s, 1).unwrap();
        close("conv2dBackwardInput", &device.download(&dx).unwrap(), &cpu, s.out_channels * s.kernel_h * s.kernel_w);

        let (dw, db) = (device.zeros::<f32>(wl).unwrap(), device.zeros::<f32>(s.out_channels).unwrap());
        device.conv2d_backward_weight(&gx, &gdout, &dw, Some(&db), s).unwrap();
        let (mut cdw, mut cdb) = (vec![0.0; wl], vec![0.0; s.out_channels]);
        dlp_kernels::conv2d_backward_weight(&x, &dout, &mut cdw, Some(&mut cdb), s, 1).unwrap();
        close("conv2dBackwardWeight dweight", &device.download(&dw).unwrap(), &cdw, s.batch * oh * ow);
        close("conv2dBackwardWeight dbias", &device.download(&db).unwrap(), &cdb, s.batch * oh * ow);
    }
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn max_pool2d_and_its_backward_match_the_cpu() {
    use dlp_kernels::MaxPool2dShape;
    let device = device();
    let shape = |kernel, stride, pad| MaxPool2dShape {
        batch: 3, channels: 5, height: 13, width: 16, kernel_h: kernel, kernel_w: kernel, stride_h: stride, stride_w: stride, pad_h: pad, pad_w: pad,
    };
    // The ConvNet's 2×2/2, and overlapping 3×3/2 windows with padding (several outputs per pixel).
    for s in [shape(2, 2, 0), shape(3, 2, 1)] {
        let (xl, ol) = (s.batch * s.channels * s.height * s.width, s.batch * s.channels * s.out_h() * s.out_w());
        // Ties (values on a coarse grid) and a NaN: the first maximum, NaN first, as on the CPU.
        let mut x: Vec<f32> = values(xl, 60, -4.0, 4.0).iter().map(|v| v.round()).collect();
        x[17] = f32::NAN;
        let dout = values(ol, 61, -1.0, 1.0);
        let (out, idx) = (device.zeros::<f32>(ol).unwrap(), device.zeros::<i32>(ol).unwrap());
        device.max_pool2d(&up(&device, &x), s, &out, &idx).unwrap();
        let (mut cout, mut cidx) = (vec![0.0; ol], vec![0; ol]);
        dlp_kernels::max_pool2d(&x, s, &mut cout, &mut cidx).unwrap();
        assert_close(&format!("maxPool2d {s:?}"), &device.download(&out).unwrap(), &cout);
        assert_eq!(device.download(&idx).unwrap(), cidx, "maxPool2d indices {s:?}");
        let dx = device.zeros::<f32>(xl).unwrap();
        device.max_pool2d_backward(&up(&device, &dout), &idx, s, &dx).unwrap();
        let mut cdx = vec![0.0; xl];
        dlp_kernels::max_pool2d_backward(&dout, &cidx, s, &mut cdx).unwrap();
        assert_close("maxPool2dBackward", &device.download(&dx).unwrap(), &cdx);
    }
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn log_softmax_and_nll_match_the_cpu() {
    let device = device();
    let (rows, cols) = (96, 10);
    let x = values(rows * cols, 70, -20.0, 20.0);
    let dout = values(rows * cols, 71, -1.0, 1.0);
    let labels: Vec<i32> = (0..rows as i32).map(|r| (r * 3) % cols as i32).collect();
    let y = device.zeros::<f32>(rows * cols).unwrap();
    device.log_softmax(&up(&device, &x), &y, rows, cols).unwrap();
    let mut cy = vec![0.0; rows * cols];
    dlp_kernels::log_softmax(&x, &mut cy, rows, cols).unwrap();
    assert_close("logSoftmax", &device.download(&y).unwrap(), &cy);

    let dx = up(&device, &dout);
    device.log_softmax_backward(&y, &dx, &dx, rows, cols).unwrap(); // in place, as the CPU allows
    let mut cdx = vec![0.0; rows * cols];
    dlp_kernels::log_softmax_backward(&cy, &dout, &mut cdx, rows, cols).unwrap();
    assert_close("logSoftmaxBackward", &device.download(&dx).unwrap(), &cdx);

    let loss = device.nll_loss(&y, &labels, rows, cols).unwrap();
    let cpu = dlp_kernels::nll_loss(&cy, &labels, rows, cols).unwrap();
    assert!((loss - cpu).abs() <= 1e-4 * cpu.abs().max(1.0), "nllLoss: GPU {loss}, CPU {cpu}");

    let dlogp = device.zeros::<f32>(rows * cols).unwrap();
    device.nll_loss_backward(&labels, rows, cols, 2.0, &dlogp).unwrap();
    let mut cpu = vec![0.0; rows * cols];
    dlp_kernels::nll_loss_backward(&labels, rows, cols, 2.0, &mut cpu).unwrap();
    assert_close("nllLossBackward", &device.download(&dlogp).unwrap(), &cpu);
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn binary_copy_fill_and_range_copies_match_the_cpu() {
    let device = device();
    let (rows, cols) = (37, 129);
    let a = values(rows * cols, 21, -2.0, 2.0);
    let b = values(rows * cols, 22, 0.5, 2.0);
    let (ga, gb) = (up(&device, &a), up(&device, &b));
    let out = device.zeros::<f32>(rows * cols).unwrap();
    let shape = [rows, cols];
    // (b's strides, what it reads): same shape, a row vector, a column vector, a scalar, b's transpose read as [rows, cols].
    let layouts: [[usize; 2]; 5] = [[cols, 1], [0, 1], [1, 0], [0, 0], [1, rows]];
    for op in BinaryOp::ALL {
        for b_strides in layouts {
            device.binary(op, &shape, &ga, &[cols, 1], &gb, &b_strides, &out).unwrap();
            let mut cpu = vec![0.0; rows * cols];
            dlp_kernels::binary(op, &shape, &a, &[cols, 1], &b, &b_strides, &mut cpu).unwrap();
            assert_close(&format!("binary {op:?} b strides {b_strides:?}"), &device.download(&out).unwrap(), &cpu);
        }
    }
    // In place: out is a.
    let acc = up(&device, &a);
    device.binary(BinaryOp::Mul, &shape, &acc, &[cols, 1], &gb, &[0, 1], &acc).unwrap();
    let mut cpu = vec![0.0; rows * cols];
    dlp_kernels::binary(BinaryOp::Mul, &shape, &a, &[cols, 1], &b, &[0, 1], &mut cpu).unwrap();
    assert_close("binary in place", &device.download(&acc).unwrap(), &cpu);
    // The CPU's checks and messages: an out that is a, read transposed, is refused.
    let err = device.binary(BinaryOp::Add, &[cols, rows], &acc, &[1, cols], &gb, &[1, cols], &acc).unwrap_err();
    let cpu_err = dlp_kernels::binary_layout(&[cols, rows], [(a.len(), &[1, cols], true), (b.len(), &[1, cols], false)], a.len()).unwrap_err();
    assert_eq!(err.to_string(), cpu_err.message());

    // copy: a transpose, a broadcast and a 4-d permutation.
    let x = values(2 * 3 * 4 * 5, 23, -1.0, 1.0);
    let gx = up(&device, &x);
    for (shape, strides) in [(vec![5, 24], vec![1, 5]), (vec![3, 120], vec![0, 1]), (vec![5, 4, 3, 2], vec![1, 5, 20, 60])] {
        let n: usize = shape.iter().product();
        let out = device.zeros::<f32>(n).unwrap();
        device.copy_strided(&shape, &gx, &strides, &out).unwrap();
        let mut cpu = vec![0.0; n];
        dlp_kernels::copy_strided(&shape, &x, &strides, &mut cpu).unwrap();
        assert_close(&format!("copy {shape:?} {strides:?}"), &device.download(&out).unwrap(), &cpu);
    }

    // fill, and reads and writes of a range.
    let mut buffer = device.zeros::<f32>(100).unwrap();
    device.fill(&buffer, 2.5).unwrap();
    device.write(&mut buffer, &[7.0, 8.0, 9.0], 10).unwrap();
    assert_eq!(device.read(&buffer, 9, 5).unwrap(), [2.5, 7.0, 8.0, 9.0, 2.5]);
    assert!(device.read(&buffer, 99, 2).is_err());
    assert!(device.write(&mut buffer, &[1.0], 100).is_err());
}

/// `gpu` and `cpu` failed with the same message.
#[track_caller]
fn same_error<A: std::fmt::Debug, B: std::fmt::Debug>(gpu: Result<A, dlp_cuda::CudaError>, cpu: Result<B, dlp_kernels::KernelError>) {
    let (gpu, cpu) = (gpu.unwrap_err(), cpu.unwrap_err());
    assert_eq!(gpu.to_string(), cpu.message());
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn layer_norm_and_its_backward_match_the_cpu() {
    use dlp_kernels::{LayerNorm, LayerNormBackward};
    let device = device();
    // Odd widths, a row longer than a block, a large offset against the spread (the variance
    // must not cancel), one column, no rows (dgamma and dbeta still zeroed), no columns.
    for (rows, cols, lo, hi, affine) in [(37, 129, -2.0, 2.0, true), (5, 1000, 95.0, 105.0, true), (6, 1, -1.0, 1.0, false), (0, 7, -1.0, 1.0, true), (4, 0, -1.0, 1.0, true)] {
        let n = rows * cols;
        let (x, dout) = (values(n, 80, lo, hi), values(n, 81, -1.0, 1.0));
        let (gamma, beta) = (values(cols, 82, 0.5, 1.5), values(cols, 83, -0.5, 0.5));
        let (gx, gdout, gg, gb) = (up(&device, &x), up(&device, &dout), up(&device, &gamma), up(&device, &beta));
        let (gamma_opt, beta_opt) = if affine { (Some(&gamma[..]), Some(&beta[..])) } else { (None, None) };
        let (gg_opt, gb_opt) = if affine { (Some(&gg), Some(&gb)) } else { (None, None) };
        let what = format!("{rows}x{cols}");

        let (out, mean, inv_std) = (device.zeros::<f32>(n).unwrap(), device.zeros::<f32>(rows).unwrap(), device.zeros::<f32>(rows).unwrap());
        device.layer_norm(&gx, rows, cols, gg_opt, gb_opt, 1e-5, &out, &mean, &inv_std).unwrap();
        let (mut cout, mut cmean, mut cistd) = (vec![0.0; n], vec![0.0; rows], vec![0.0; rows]);
        let args = LayerNorm { x: &x, rows, cols, gamma: gamma_opt, beta: beta_opt, eps: 1e-5, out: &mut cout, mean: &mut cmean, inv_std: &mut cistd };
        dlp_kernels::layer_norm(args).unwrap();
        assert_close(&format!("layerNorm out {what}"), &device.download(&out).unwrap(), &cout);
        assert_close(&format!("layerNorm mean {what}"), &device.download(&mean).unwrap(), &cmean);
        assert_close(&format!("layerNorm invStd {what}"), &device.download(&inv_std).unwrap(), &cistd);

        // Every gradient, then dx alone and dgamma alone; dgamma and dbeta start dirty (overwritten).
        for (want_dx, want_dgamma, want_dbeta) in [(true, true, true), (true, false, false), (false, true, false)] {
            let (dx, dgamma, dbeta) = (up(&device, &vec![9.0; n]), up(&device, &vec![9.0; cols]), up(&device, &vec![9.0; cols]));
            let pick = |want: bool, b| if want { Some(b) } else { None };
            device
                .layer_norm_backward(&gx, &gdout, rows, cols, &mean, &inv_std, gg_opt, pick(want_dx, &dx), pick(want_dgamma, &dgamma), pick(want_dbeta, &dbeta))
                .unwrap();
            let (mut cdx, mut cdg, mut cdb) = (vec![9.0; n], vec![9.0; cols], vec![9.0; cols]);
            let args = LayerNormBackward {
                x: &x, dout: &dout, rows, cols, mean: &cmean, inv_std: &cistd, gamma: gamma_opt, dx: want_dx.then_some(&mut cdx[..]),
                dgamma: want_dgamma.then_some(&mut cdg[..]), dbeta: want_dbeta.then_some(&mut cdb[..]),
            };
            dlp_kernels::layer_norm_backward(args).unwrap();
            assert_close(&format!("layerNormBackward dx {what}"), &device.download(&dx).unwrap(), &cdx);
            // Sums over the rows: the tolerance grows with their count.
            let scale = (rows as f32).sqrt().max(1.0);
            for (name, gpu, cpu) in [("dgamma", device.download(&dgamma).unwrap(), cdg), ("dbeta", device.download(&dbeta).unwrap(), cdb)] {
                for (i, (&g, &c)) in gpu.iter().zip(&cpu).enumerate() {
                    assert!((g - c).abs() <= 1e-4 * scale * c.abs().max(1.0), "layerNormBackward {name} {what} [{i}]: GPU {g}, CPU {c}");
                }
            }
        }
    }

    // The CPU's checks and messages: a mean of the wrong length.
    let (x, gx) = (values(12, 84, -1.0, 1.0), up(&device, &values(12, 84, -1.0, 1.0)));
    let (out, mean, inv_std) = (device.zeros::<f32>(12).unwrap(), device.zeros::<f32>(2).unwrap(), device.zeros::<f32>(3).unwrap());
    let (mut cout, mut cmean, mut cistd) = (vec![0.0; 12], vec![0.0; 2], vec![0.0; 3]);
    same_error(
        device.layer_norm(&gx, 3, 4, None, None, 1e-5, &out, &mean, &inv_std),
        dlp_kernels::layer_norm(LayerNorm { x: &x, rows: 3, cols: 4, gamma: None, beta: None, eps: 1e-5, out: &mut cout, mean: &mut cmean, inv_std: &mut cistd }),
    );
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn softmax_and_cross_entropy_match_the_cpu() {
    let device = device();
    // Odd widths, rows longer than a block, one column, no rows, no columns.
    for (rows, cols) in [(37, 129), (3, 1000), (5, 1), (0, 10), (4, 0)] {
        let n = rows * cols;
        let (x, dout) = (values(n, 90, -20.0, 20.0), values(n, 91, -1.0, 1.0));
        let what = format!("{rows}x{cols}");
        let s = device.zeros::<f32>(n).unwrap();
        device.softmax(&up(&device, &x), &s, rows, cols).unwrap();
        let mut cs = vec![0.0; n];
        dlp_kernels::softmax(&x, &mut cs, rows, cols).unwrap();
        assert_close(&format!("softmax {what}"), &device.download(&s).unwrap(), &cs);

        let dx = device.zeros::<f32>(n).unwrap();
        device.softmax_backward(&s, &up(&device, &dout), &dx, rows, cols).unwrap();
        let mut cdx = vec![0.0; n];
        dlp_kernels::softmax_backward(&cs, &dout, &mut cdx, rows, cols).unwrap();
        assert_close(&format!("softmaxBackward {what}"), &device.download(&dx).unwrap(), &cdx);

        // One-hot targets, and soft ones with zeros among them (skipped terms).
        let one_hot: Vec<f32> = (0..n).map(|i| if cols > 0 && i % cols == (i / cols * 7) % cols { 1.0 } else { 0.0 }).collect();
        let soft: Vec<f32> = values(n, 92, -0.5, 1.0).iter().map(|&t| t.max(0.0)).collect();
        for targets in [one_hot, soft] {
            let gt = up(&device, &targets);
            let loss = device.cross_entropy(&up(&device, &cs), &gt, rows, cols).unwrap();
            let cpu = dlp_kernels::cross_entropy(&cs, &targets, rows, cols).unwrap();
            assert!((loss - cpu).abs() <= 1e-4 * cpu.abs().max(1.0) || (loss.is_nan() && cpu.is_nan()), "crossEntropy {what}: GPU {loss}, CPU {cpu}");
            let dprobs = device.zeros::<f32>(n).unwrap();
            device.cross_entropy_backward(&up(&device, &cs), &gt, &dprobs, rows, cols).unwrap();
            let mut cdp = vec![0.0; n];
            dlp_kernels::cross_entropy_backward(&cs, &targets, &mut cdp, rows, cols).unwrap();
            assert_close(&format!("crossEntropyBackward {what}"), &device.download(&dprobs).unwrap(), &cdp);
        }
    }

    // The CPU's checks and messages: an out of the wrong length, targets of the wrong length.
    let x = values(20, 93, -1.0, 1.0);
    let (gx, short) = (up(&device, &x), device.zeros::<f32>(19).unwrap());
    same_error(device.softmax(&gx, &short, 4, 5), dlp_kernels::softmax(&x, &mut [0.0; 19], 4, 5));
    same_error(device.cross_entropy(&gx, &short, 4, 5), dlp_kernels::cross_entropy(&x, &[0.0; 19], 4, 5));
    // Through the contract: out may not be x, refused with the CPU binding's words.
    let err = dlp_cuda::contract::Softmax { x: &gx, out: &gx, rows: 4, cols: 5 }.run(&device).unwrap_err();
    let operand = |name| Some(dlp_kernels::alias::Operand::new(name, 0..80));
    let cpu = dlp_kernels::alias::check_all_separate("softmax", &[operand("out")], &[operand("x")]).unwrap_err();
    assert_eq!(err.to_string(), cpu.message());
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn sgd_update_matches_the_cpu() {
    let device = device();
    for n in [10_007, 1, 0] {
        let (p0, grad) = (values(n, 100, -1.0, 1.0), values(n, 101, -1.0, 1.0));
        let param = up(&device, &p0);
        device.sgd_update(&param, &up(&device, &grad), 0.05).unwrap();
        let mut cpu = p0.clone();
        dlp_kernels::sgd_update(&mut cpu, &grad, 0.05).unwrap();
        assert_close(&format!("sgdUpdate {n}"), &device.download(&param).unwrap(), &cpu);
    }
    let p0 = values(5, 102, -1.0, 1.0);
    same_error(device.sgd_update(&up(&device, &p0), &up(&device, &p0[1..]), 0.1), dlp_kernels::sgd_update(&mut p0.clone(), &p0[1..], 0.1));
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn reduce_sum_and_max_along_match_the_cpu() {
    let device = device();
    // Row sums, column sums, a total (one block for it), alternating runs, a long summed middle
    // axis (a block per output), size-1 axes, nothing summed, an empty x into a non-empty out.
    let cases: &[(&[usize], &[bool])] = &[
        (&[37, 129], &[false, true]),
        (&[37, 129], &[true, false]),
        (&[101, 99], &[true, true]),
        (&[4, 3, 5, 7], &[true, false, false, true]),
        (&[2, 3, 4, 5], &[false, true, false, true]),
        (&[3, 300, 2], &[false, true, false]),
        (&[1, 6, 1, 5], &[true, false, true, true]),
        (&[6, 5], &[false, false]),
        (&[0, 5], &[true, false]),
    ];
    for &(shape, axes) in cases {
        let n: usize = shape.iter().product();
        let out_len: usize = shape.iter().zip(axes).filter(|(_, &summed)| !summed).map(|(&d, _)| d).product();
        let x = values(n, 110, -1.0, 1.0);
        let gx = up(&device, &x);
        for beta in [0.0, 0.5] {
            // beta = 0 ignores out's old contents, NaN included.
            let old: Vec<f32> = if beta == 0.0 { vec![f32::NAN; out_len] } else { values(out_len, 111, -1.0, 1.0) };
            let out = up(&device, &old);
            device.reduce_sum(&gx, shape, axes, &out, beta).unwrap();
            let mut cpu = old.clone();
            dlp_kernels::reduce_sum(&x, shape, axes, &mut cpu, beta).unwrap();
            // Sums of up to n values: the tolerance grows with their count.
            let scale = ((n / out_len.max(1)) as f32).sqrt().max(1.0);
            for (i, (&g, &c)) in device.download(&out).unwrap().iter().zip(&cpu).enumerate() {
                assert!((g - c).abs() <= 1e-4 * scale * c.abs().max(1.0), "reduceSum {shape:?} {axes:?} beta {beta} [{i}]: GPU {g}, CPU {c}");
            }
        }
    }
    let x = values(6, 112, -1.0, 1.0);
    same_error(device.reduce_sum(&up(&device, &x), &[2, 3], &[true], &up(&device, &[0.0; 3]), 0.0), dlp_kernels::reduce_sum(&x, &[2, 3], &[true], &mut [0.0; 3], 0.0));

    // Ties (values on a coarse grid) and NaNs: the first maximum, the first NaN winning.
    for (outer, size, inner) in [(3, 7, 5), (1, 100, 1), (4, 1, 9), (2, 300, 33), (0, 5, 3), (2, 0, 0)] {
        let (n, m) = (outer * size * inner, outer * inner);
        let mut x: Vec<f32> = values(n, 113, -4.0, 4.0).iter().map(|v| v.round()).collect();
        for k in (5..n).step_by(37) {
            x[k] = f32::NAN;
        }
        let dout = values(m, 114, -1.0, 1.0);
        let (out, idx) = (device.zeros::<f32>(m).unwrap(), device.zeros::<i32>(m).unwrap());
        device.max_along(&up(&device, &x), outer, size, inner, &out, &idx).unwrap();
        let (mut cout, mut cidx) = (vec![0.0; m], vec![0; m]);
        dlp_kernels::max_along(&x, outer, size, inner, &mut cout, &mut cidx).unwrap();
        let what = format!("[{outer}, {size}, {inner}]");
        assert_close(&format!("maxAlong {what}"), &device.download(&out).unwrap(), &cout);
        assert_eq!(device.download(&idx).unwrap(), cidx, "maxAlong indices {what}");
        let dx = up(&device, &vec![9.0; n]);
        device.max_along_backward(&up(&device, &dout), &idx, outer, size, inner, &dx).unwrap();
        let mut cdx = vec![9.0; n];
        dlp_kernels::max_along_backward(&dout, &cidx, outer, size, inner, &mut cdx).unwrap();
        assert_close(&format!("maxAlongBackward {what}"), &device.download(&dx).unwrap(), &cdx);
    }
    // No maximum to take along an empty axis.
    let (out, idx) = (device.zeros::<f32>(6).unwrap(), device.zeros::<i32>(6).unwrap());
    same_error(device.max_along(&device.zeros::<f32>(0).unwrap(), 2, 0, 3, &out, &idx), dlp_kernels::max_along(&[], 2, 0, 3, &mut [0.0; 6], &mut [0; 6]));
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn slice_copies_match_the_cpu() {
    let device = device();
    // (outer, total, inner, offset, size): a middle slice, the whole axis, an empty slice at the
    // end, no outer rows.
    for (outer, total, inner, offset, size) in [(3, 10, 7, 2, 5), (1, 4, 1, 0, 4), (5, 6, 3, 6, 0), (0, 3, 2, 1, 1), (4, 9, 1, 8, 1)] {
        let what = format!("outer {outer} total {total} inner {inner} offset {offset} size {size}");
        let (whole, part) = (outer * total * inner, outer * size * inner);
        let x = values(whole, 120, -1.0, 1.0);
        let out = up(&device, &vec![9.0; part]);
        device.copy_slice(&up(&device, &x), &out, outer, total, inner, offset, size).unwrap();
        let mut cpu = vec![9.0; part];
        dlp_kernels::copy_slice(&x, &mut cpu, outer, total, inner, offset, size).unwrap();
        assert_eq!(device.download(&out).unwrap(), cpu, "copySlice {what}");

        // The rest of out is left as it is.
        let (piece, old) = (values(part, 121, -1.0, 1.0), values(whole, 122, -1.0, 1.0));
        let out = up(&device, &old);
        device.copy_into_slice(&up(&device, &piece), &out, outer, total, inner, offset, size).unwrap();
        let mut cpu = old.clone();
        dlp_kernels::copy_into_slice(&piece, &mut cpu, outer, total, inner, offset, size).unwrap();
        assert_eq!(device.download(&out).unwrap(), cpu, "copyIntoSlice {what}");
    }
    let x = values(12, 123, -1.0, 1.0);
    same_error(
        device.copy_slice(&up(&device, &x), &device.zeros::<f32>(6).unwrap(), 2, 3, 2, 2, 3),
        dlp_kernels::copy_slice(&x, &mut [0.0; 6], 2, 3, 2, 2, 3),
    );
}

#[test]
#[ignore = "needs a CUDA device: run with --include-ignored on a GPU machine"]
fn average_poolings_and_their_backwards_match_the_cpu() {
    use dlp_kernels::{AdaptiveAvgPool2dShape, AvgPool2dShape};
    let device = device();
    let avg = |batch, height, width, kernel, stride, pad, count_include_pad| AvgPool2dShape {
        batch, channels: 3, height, width, kernel_h: kernel, kernel_w: kernel, stride_h: stride, stride_w: stride, pad_h: pad, pad_w: pad,
        count_include_pad,
    };
    // 2×2/2, overlapping padded 3×3/2 windows divided both ways, 5×5/3 with padding 2, windows
    // that skip pixels (3 > 2: those get 0), one window over the whole plane (a sum of the plane
    // on the CPU), no images.
    let shapes = [
        avg(2, 13, 16, 2, 2, 0, true), avg(2, 13, 16, 3, 2, 1, true), avg(2, 13, 16, 3, 2, 1, false), avg(2, 11, 12, 5, 3, 2, false),
        avg(2, 10, 11, 2, 3, 0, true), avg(2, 7, 7, 7, 1, 0, true), avg(0, 5, 5, 3, 1, 1, true),
    ];
    for s in shapes {
        let (xl, ol) = (s.batch * s.channels * s.height * s.width, s.batch * s.channels * s.out_h() * s.out_w());
        let (x, dout) = (values(xl, 130, -1.0, 1.0), values(ol, 131, -1.0, 1.0));
        let out = device.zeros::<f32>(ol).unwrap();
        device.avg_pool2d(&up(&device, &x), s, &out).unwrap();
        let mut cpu = vec![0.0; ol];
        dlp_kernels::avg_pool2d(&x, s, &mut cpu).unwrap();
        assert_close(&format!("avgPool2d {s:?}"), &device.download(&out).unwrap(), &cpu);
        let dx = up(&device, &vec![9.0; xl]);
        device.avg_pool2d_backward(&up(&device, &dout), s, &dx).unwrap();
        let mut cpu = vec![9.0; xl];
        dlp_kernels::avg_pool2d_backward(&dout, s, &mut cpu).unwrap();
        assert_close(&format!("avgPool2dBackward {s:?}"), &device.download(&dx).unwrap(), &cpu);
    }

    let adaptive = |batch, height, width, out_h, out_w| AdaptiveAvgPool2dShape { batch, channels: 3, height, width, out_h, out_w };
    // Bins that overlap (13 → 4), a global average, more bins than rows (bins repeat rows), one
    // pixel per bin, uneven bins, no images.
    let shapes = [adaptive(2, 13, 16, 4, 5), adaptive(2, 7, 7, 1, 1), adaptive(2, 5, 3, 7, 8), adaptive(2, 10, 10, 10, 10), adaptive(2, 6, 9, 3, 4), adaptive(0, 4, 4, 2, 2)];
    for s in shapes {
        let (xl, ol) = (s.batch * s.channels * s.height * s.width, s.batch * s.channels * s.out_h * s.out_w);
        let (x, dout) = (values(xl, 132, -1.0, 1.0), values(ol, 133, -1.0, 1.0));
        let out = device.zeros::<f32>(ol).unwrap();
        device.adaptive_avg_pool2d(&up(&device, &x), s, &out).unwrap();
        let mut cpu = vec![0.0; ol];
        dlp_kernels::adaptive_avg_pool2d(&x, s, &mut cpu).unwrap();
        assert_close(&format!("adaptiveAvgPool2d {s:?}"), &device.download(&out).unwrap(), &cpu);
        let dx = up(&device, &vec![9.0; xl]);
        device.adaptive_avg_pool2d_backward(&up(&device, &dout), s, &dx).unwrap();
        let mut cpu = vec![9.0; xl];
        dlp_kernels::adaptive_avg_pool2d_backward(&dout, s, &mut cpu).unwrap();
        assert_close(&format!("adaptiveAvgPool2dBackward {s:?}"), &device.download(&dx).unwrap(), &cpu);
    }

    // The CPU's checks and messages: padding over half the kernel, an output of 0 rows.
    let (x, out) = (up(&device, &[0.0; 75]), device.zeros::<f32>(75).unwrap());
    let bad = avg(1, 5, 5, 2, 1, 2, true);
    same_error(device.avg_pool2d(&x, bad, &out), dlp_kernels::avg_pool2d(&[0.0; 75], bad, &mut [0.0; 75]));
    let bad = adaptive(1, 5, 5, 0, 2);
    same_error(device.adaptive_avg_pool2d_backward(&out, bad, &x), dlp_kernels::adaptive_avg_pool2d_backward(&[0.0; 75], bad, &mut [0.0; 75]));
}
