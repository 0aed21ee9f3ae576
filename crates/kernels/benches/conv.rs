//! The ConvNet's convolutions (DESIGN.md, experiment 4) at batch 32: seconds per call of the
//! forward, input-backward and weight-backward kernels, and the GFLOPS that makes, beside the
//! same layer's GEMMs alone (what im2col, col2im and the copies cost on top); then its max-pools.
//!
//! Run: `cargo bench -p dlp-kernels --bench conv` (DLP_BENCH_THREADS=1 for one thread;
//! DLP_BENCH_LAYERS=preact1,preact4 for some layers only).

use dlp_kernels::threads::available_threads;
use dlp_kernels::{
    conv2d, conv2d_backward_input, conv2d_backward_weight, max_pool2d, max_pool2d_backward, sgemm, Conv2dShape, GemmSpec,
    MaxPool2dShape,
};
use std::time::Instant;

/// (name, in channels, plane size, out channels, kernel): the ConvNet's convolutions.
const LAYERS: &[(&str, usize, usize, usize, usize)] = &[
    ("conv0", 3, 32, 64, 3),
    ("preact1", 64, 32, 64, 3),
    ("conv1", 64, 32, 128, 1),
    ("preact2", 128, 16, 128, 3),
    ("conv2", 128, 16, 256, 1),
    ("preact3", 256, 8, 256, 3),
    ("conv3", 256, 8, 512, 1),
    ("preact4", 512, 4, 512, 3),
    ("preact5", 512, 2, 512, 3),
];

fn median_seconds(mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

fn main() {
    let threads: usize = std::env::var("DLP_BENCH_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let threads = if threads == 0 { available_threads() } else { threads };
    let batch = 32;
    println!("batch {batch}, threads {threads}; ms per call (GFLOPS)");
    println!("{:>8} {:>16} {:>16} {:>16} {:>16}", "layer", "forward", "backward input", "backward weight", "GEMMs alone");
    let mut total = 0.0;
    let only = std::env::var("DLP_BENCH_LAYERS").ok();
    for &(name, c, hw, oc, k) in LAYERS {
        if only.as_deref().is_some_and(|list| !list.split(',').any(|l| l == name)) {
            continue;
        }
        let pad = k / 2;
        let s = Conv2dShape {
            batch, in_channels: c, height: hw, width: hw, out_channels: oc,
            kernel_h: k, kernel_w: k, stride_h: 1, stride_w: 1, pad_h: pad, pad_w: pad,
        };
        let (xl, wl, ol) = (batch * c * hw * hw, oc * s.patch(), batch * oc * s.out_h() * s.out_w());
        let x: Vec<f32> = (0..xl).map(|i| ((i % 17) as f32 - 8.0) * 0.01).collect();
        let w: Vec<f32> = (0..wl).map(|i| ((i % 13) as f32 - 6.0) * 0.01).collect();
        let b = vec![0.1f32; oc];
        let dout: Vec<f32> = (0..ol).map(|i| ((i % 11) as f32 - 5.0) * 0.01).collect();
        let (mut out, mut dx, mut dw, mut db) = (vec![0.0; ol], vec![0.0; xl], vec![0.0; wl], vec![0.0; oc]);
        let flops = 2.0 * (batch * oc * s.patch() * s.out_h() * s.out_w()) as f64;
        let fwd = median_seconds(|| conv2d(&x, &w, Some(&b), &mut out, s, threads).unwrap());
        let bin = median_seconds(|| conv2d_backward_input(&dout, &w, &mut dx, s, threads).unwrap());
        let bw = median_seconds(|| conv2d_backward_weight(&x, &dout, &mut dw, Some(&mut db), s, threads).unwrap());
        // The same three products as one GEMM each over the whole batch (no im2col).
        let cols = batch * s.out_h() * s.out_w();
        let (a, bb) = (vec![0.01f32; s.patch() * cols], vec![0.01f32; oc * cols]);
        let (mut c1, mut c2, mut c3) = (vec![0.0; oc * cols], vec![0.0; s.patch() * cols], vec![0.0; wl]);
        let gemms = median_seconds(|| {
            sgemm(&GemmSpec::new(false, false, oc, cols, s.patch()), &w, &a, &mut c1, threads).unwrap();
            sgemm(&GemmSpec::new(true, false, s.patch(), cols, oc), &w, &bb, &mut c2, threads).unwrap();
            sgemm(&GemmSpec::new(false, true, oc, s.patch(), cols), &bb, &a, &mut c3, threads).unwrap();
        });
        let cell = |t: f64| format!("{:.2} ({:.0})", t * 1e3, flops / t / 1e9);
        println!("{name:>8} {:>16} {:>16} {:>16} {:>16}", cell(fwd), cell(bin), cell(bw), format!("{:.2} ({:.0})", gemms * 1e3, 3.0 * flops / gemms / 1e9));
        total += fwd + bin + bw;
    }
    println!("all three kernels of every layer once: {:.1} ms", total * 1e3);
    // The five 3×3/2 max-pools (padding 1): forward and backward.
    for (c, hw) in [(128, 32), (256, 16), (512, 8), (512, 4), (512, 2)] {
        let s = MaxPool2dShape {
            batch, channels: c, height: hw, width: hw, kernel_h: 3, kernel_w: 3, stride_h: 2, stride_w: 2, pad_h: 1, pad_w: 1,
        };
        // Random values (xorshift): window maxima in random places, as in real activations (a
        // branchy kernel is mispredicted here as it is there; sorted data would hide that).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let x: Vec<f32> = (0..batch * c * hw * hw)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let n = batch * c * s.out_h() * s.out_w();
        let (mut out, mut at, mut dx) = (vec![0.0; n], vec![0; n], vec![0.0; x.len()]);
        let fwd = median_seconds(|| max_pool2d(&x, s, &mut out, &mut at).unwrap());
        let bwd = median_seconds(|| max_pool2d_backward(&out, &at, s, &mut dx).unwrap());
        println!("maxpool {c}x{hw}x{hw}: forward {:.2} ms, backward {:.2} ms", fwd * 1e3, bwd * 1e3);
    }
}
