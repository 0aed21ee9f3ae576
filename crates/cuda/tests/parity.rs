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
    dlp_kernels::elu(&x, &mut cpu, 1.0).unwrap();
    assert_close("elu", &device.download(&out).unwrap(), &cpu);

    device.elu_backward(&gx, &gdout, &out, 1.0).unwrap();
    dlp_kernels::elu_backward(&x, &dout, &mut cpu, 1.0).unwrap();
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
    dlp_kernels::gather_center_u8(&pixels, &indices, &mean, &mut cpu).unwrap();
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
