//! GEMM throughput on the project's shapes, in GFLOPS (median of timed runs after a warm-up), of
//! the two paths `sgemm` chooses between on this CPU, dlp's own x86 kernel (`gemm_avx512` where
//! AVX-512 runs at full width, else `gemm_avx2`) and the `gemm` crate, and which one it picks, for A·B and the two transposed products backprop runs (Aᵀ·B
//! with A stored k×m, A·Bᵀ with B stored n×k). The two paths are timed in alternation, so that
//! load from elsewhere on the machine falls on both alike.
//!
//! Run: `cargo bench -p dlp-kernels --bench gemm` (DLP_BENCH_THREADS=1 for one thread;
//! DLP_BENCH_SHAPES=MxKxN,... for other shapes).

use dlp_kernels::cpu::simd_level;
use dlp_kernels::gemm::sgemm_gemm_crate;
use dlp_kernels::threads::available_threads;
use dlp_kernels::{GemmSpec, KernelError};
use std::time::{Duration, Instant};

/// (m, k, n) as in `dlp bench gemm`: the MLP's layers, the ConvNet's 1×1 and 3×3 convolutions.
const SHAPES: &[(usize, usize, usize)] =
    &[(200, 3072, 100), (128, 3072, 1024), (128, 1024, 512), (1024, 1024, 1024), (32768, 576, 64)];

/// (name, trans_a, trans_b).
const VARIANTS: &[(&str, bool, bool)] = &[("A·B", false, false), ("Aᵀ·B", true, false), ("A·Bᵀ", false, true)];

/// Median seconds of each of two closures, timed alternately after a warm-up.
fn median_seconds_pair(mut x: impl FnMut(), mut y: impl FnMut()) -> (f64, f64) {
    for _ in 0..2 {
        x();
        y();
    }
    let budget = Duration::from_millis(800);
    let start = Instant::now();
    let (mut tx, mut ty) = (Vec::new(), Vec::new());
    while tx.len() < 5 || (start.elapsed() < budget && tx.len() < 200) {
        let t = Instant::now();
        x();
        tx.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        y();
        ty.push(t.elapsed().as_secs_f64());
    }
    (median(tx), median(ty))
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

fn shapes() -> Vec<(usize, usize, usize)> {
    let Ok(list) = std::env::var("DLP_BENCH_SHAPES") else { return SHAPES.to_vec() };
    list.split(',')
        .map(|s| {
            let v: Vec<usize> = s.split('x').map(|d| d.trim().parse().expect("DLP_BENCH_SHAPES: MxKxN,...")).collect();
            assert!(v.len() == 3, "DLP_BENCH_SHAPES: MxKxN,...");
            (v[0], v[1], v[2])
        })
        .collect()
}

type Path = fn(&GemmSpec, &[f32], &[f32], &mut [f32], usize) -> Result<(), KernelError>;
type Preferred = fn(&GemmSpec) -> bool;

/// dlp's x86 path for this CPU (its name, the path, and whether `sgemm` picks it for a shape),
/// where it has one.
#[cfg(target_arch = "x86_64")]
fn dlp_path() -> Option<(&'static str, Path, Preferred)> {
    use dlp_kernels::gemm::{avx2, avx512};
    if avx512::runs_at_full_width() {
        return Some(("avx512", avx512::sgemm as Path, avx512::is_preferred as Preferred));
    }
    avx2::is_available().then_some(("avx2", avx2::sgemm as Path, avx2::is_preferred as Preferred))
}

#[cfg(not(target_arch = "x86_64"))]
fn dlp_path() -> Option<(&'static str, Path, Preferred)> {
    None
}

fn main() {
    let threads: usize = std::env::var("DLP_BENCH_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let threads = if threads == 0 { available_threads() } else { threads };
    let dlp = dlp_path();
    println!("threads = {threads}, simd = {}, dlp's path: {}", simd_level(), dlp.map_or("none", |d| d.0));
    println!("{:>16} {:>6} {:>11} {:>12} {:>12} {:>6}", "m x k x n", "", "sgemm uses", "dlp GFLOPS", "crate GFLOPS", "ratio");
    for (m, k, n) in shapes() {
        for &(name, trans_a, trans_b) in VARIANTS {
            let a: Vec<f32> = (0..m * k).map(|i| ((i % 17) as f32 - 8.0) * 0.01).collect();
            let b: Vec<f32> = (0..k * n).map(|i| ((i % 13) as f32 - 6.0) * 0.01).collect();
            let (mut c1, mut c2) = (vec![0.0f32; m * n], vec![0.0f32; m * n]);
            let spec = GemmSpec::new(trans_a, trans_b, m, n, k);
            let crate_path = || sgemm_gemm_crate(&spec, &a, &b, &mut c2, threads).unwrap();
            let (uses, ours, theirs) = match dlp {
                Some((dlp_name, path, preferred)) => {
                    let (ours, theirs) = median_seconds_pair(|| path(&spec, &a, &b, &mut c1, threads).unwrap(), crate_path);
                    (if preferred(&spec) { dlp_name } else { "gemm crate" }, ours, theirs)
                }
                None => ("gemm crate", f64::NAN, median_seconds_pair(|| (), crate_path).1),
            };
            let gf = |s: f64| spec.flops() / s / 1e9;
            let shape = format!("{m}x{k}x{n}");
            println!("{shape:>16} {name:>6} {uses:>11} {:>12.1} {:>12.1} {:>6.2}", gf(ours), gf(theirs), theirs / ours);
        }
    }
}
