//! The convolutions give the same bits on any thread count (as the GEMM does): how work is
//! split over threads must not change the order of any sum, so that a run, resumed on a
//! machine with another core count or split over processes, repeats itself exactly.

use dlp_kernels::{conv2d, conv2d_backward_input, conv2d_backward_weight, Conv2dShape};

fn values(n: usize, seed: u32) -> Vec<f32> {
    (0..n as u32).map(|i| ((i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) % 2001) as f32 / 1000.0 - 1.0).collect()
}

/// The ConvNet's convolutions at a small batch (every one of its shapes), and an odd batch.
fn shapes() -> Vec<Conv2dShape> {
    let conv = |batch, cin, hw, cout, k: usize, pad| Conv2dShape {
        batch,
        in_channels: cin,
        height: hw,
        width: hw,
        out_channels: cout,
        kernel_h: k,
        kernel_w: k,
        stride_h: 1,
        stride_w: 1,
        pad_h: pad,
        pad_w: pad,
    };
    // Fewer channels than the ConvNet's where that keeps the path (im2col or Winograd, and how
    // many images share a GEMM), so that the test stays quick in a debug build.
    vec![
        conv(4, 3, 32, 64, 3, 1),
        conv(4, 16, 32, 16, 3, 1),
        conv(4, 16, 32, 32, 1, 0),
        conv(8, 32, 16, 32, 3, 1),
        conv(8, 64, 8, 128, 1, 0),
        conv(8, 64, 4, 64, 3, 1),
        // 2×2 planes: 16 images share a GEMM; split per thread, its width, and path, changed.
        conv(8, 64, 2, 64, 3, 1),
        conv(7, 32, 4, 32, 3, 1),
    ]
}

#[test]
fn convolutions_give_the_same_bits_on_one_thread_and_on_several() {
    let available = dlp_kernels::threads::available_threads();
    for s in shapes() {
        let x = values(s.batch * s.in_channels * s.height * s.width, 1);
        let w = values(s.out_channels * s.in_channels * s.kernel_h * s.kernel_w, 2);
        let out_len = s.batch * s.out_channels * s.out_h() * s.out_w();
        let dout = values(out_len, 3);
        let run = |threads: usize| {
            let mut out = vec![0.0; out_len];
            conv2d(&x, &w, None, &mut out, s, threads).unwrap();
            let mut dx = vec![0.0; x.len()];
            conv2d_backward_input(&dout, &w, &mut dx, s, threads).unwrap();
            let (mut dw, mut db) = (vec![0.0; w.len()], vec![0.0; s.out_channels]);
            conv2d_backward_weight(&x, &dout, &mut dw, Some(&mut db), s, threads).unwrap();
            (out, dx, dw, db)
        };
        let one = run(1);
        for threads in [2, 3, available.max(2)] {
            let many = run(threads);
            let same = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits());
            assert!(same(&one.0, &many.0), "conv2d {s:?} on {threads} threads");
            assert!(same(&one.1, &many.1), "conv2d_backward_input {s:?} on {threads} threads");
            assert!(same(&one.2, &many.2), "conv2d_backward_weight dweight {s:?} on {threads} threads");
            assert!(same(&one.3, &many.3), "conv2d_backward_weight dbias {s:?} on {threads} threads");
        }
    }
}

#[test]
fn batch_norm_gives_the_same_bits_on_one_thread_and_on_several() {
    use dlp_kernels::{batch_norm_backward, batch_norm_train, BatchNormBackward, BatchNormShape, BatchNormTrain};
    let available = dlp_kernels::threads::available_threads();
    for shape in [BatchNormShape { outer: 4, channels: 64, inner: 1024 }, BatchNormShape { outer: 8, channels: 128, inner: 16 }, BatchNormShape { outer: 128, channels: 256, inner: 1 }] {
        let n = shape.outer * shape.channels * shape.inner;
        let (x, dout, gamma, beta) = (values(n, 4), values(n, 5), values(shape.channels, 6), values(shape.channels, 7));
        let run = |threads: usize| {
            let c = shape.channels;
            let (mut out, mut mean, mut inv_std) = (vec![0.0; n], vec![0.0; c], vec![0.0; c]);
            let (mut rm, mut rv) = (vec![0.0; c], vec![1.0; c]);
            let args = BatchNormTrain {
                x: &x, shape, gamma: Some(&gamma), beta: Some(&beta), eps: 1e-5, out: &mut out, mean: &mut mean, inv_std: &mut inv_std,
                running_mean: Some(&mut rm), running_var: Some(&mut rv), momentum: 0.1,
            };
            batch_norm_train(args, threads).unwrap();
            let (mut dx, mut dgamma, mut dbeta) = (vec![0.0; n], vec![0.0; c], vec![0.0; c]);
            let args = BatchNormBackward {
                x: &x, dout: &dout, shape, mean: &mean, inv_std: &inv_std, gamma: Some(&gamma), dx: Some(&mut dx), dgamma: Some(&mut dgamma), dbeta: Some(&mut dbeta),
            };
            batch_norm_backward(args, threads).unwrap();
            [out, mean, inv_std, rm, rv, dx, dgamma, dbeta]
        };
        let one = run(1);
        for threads in [2, 3, available.max(2)] {
            let many = run(threads);
            for (k, (a, b)) in one.iter().zip(&many).enumerate() {
                assert!(a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits()), "batch norm output {k} {shape:?} on {threads} threads");
            }
        }
    }
}
