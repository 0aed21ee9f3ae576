//! GEMM throughput on the project's shapes, in GFLOPS (median of timed runs after a warm-up),
//! for dlp's sgemm (the `gemm` crate) and, side by side, `matrixmultiply`, which was the other
//! candidate. Run: `cargo bench -p dlp-kernels --bench gemm` (DLP_BENCH_THREADS=1 for one thread).

use dlp_kernels::threads::available_threads;
use dlp_kernels::{sgemm, GemmSpec};
use std::time::{Duration, Instant};

/// (m, k, n) as in `dlp bench gemm`: the MLP's layers, the ConvNet's 1×1 and 3×3 convolutions.
const SHAPES: &[(usize, usize, usize)] =
    &[(200, 3072, 100), (128, 3072, 1024), (128, 1024, 512), (1024, 1024, 1024), (32768, 576, 64)];

fn median_seconds(mut run: impl FnMut()) -> f64 {
    run(); // warm-up: packing buffers, pool threads, caches
    let budget = Duration::from_millis(600);
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < 5 || (start.elapsed() < budget && times.len() < 200) {
        let t = Instant::now();
        run();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

fn main() {
    let threads: usize = std::env::var("DLP_BENCH_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let threads = if threads == 0 { available_threads() } else { threads };
    println!("threads = {threads}");
    println!("{:>22} {:>12} {:>16} {:>8}", "m x k x n", "dlp GFLOPS", "matrixmul GFLOPS", "ratio");
    for &(m, k, n) in SHAPES {
        let a: Vec<f32> = (0..m * k).map(|i| ((i % 17) as f32 - 8.0) * 0.01).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i % 13) as f32 - 6.0) * 0.01).collect();
        let mut c = vec![0.0f32; m * n];
        let spec = GemmSpec::new(false, false, m, n, k);
        let ours = median_seconds(|| sgemm(&spec, &a, &b, &mut c, threads).unwrap());
        let theirs = median_seconds(|| unsafe {
            matrixmultiply::sgemm(
                m, k, n, 1.0, a.as_ptr(), k as isize, 1, b.as_ptr(), n as isize, 1, 0.0,
                c.as_mut_ptr(), n as isize, 1,
            )
        });
        let gf = |s: f64| spec.flops() / s / 1e9;
        println!("{:>22} {:>12.1} {:>16.1} {:>8.2}", format!("{m}x{k}x{n}"), gf(ours), gf(theirs), theirs / ours);
    }
}
