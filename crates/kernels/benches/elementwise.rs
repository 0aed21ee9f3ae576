//! The MLP's elementwise and row-wise kernels at every SIMD level on this machine, in ns per
//! call and elements per second (median of timed runs after a warm-up). One thread: these
//! kernels are memory-bound at the MLP's sizes. Run: `cargo bench -p dlp-kernels --bench elementwise`.

use dlp_kernels::simd::{with_level, Level};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// (kernel, rows, cols): the MLP's shapes (batch 200, hidden 100, 10 classes), a wide layer,
/// and 1e6 elements for the SIMD-vs-scalar comparison.
const CASES: &[(&str, usize, usize)] = &[
    ("elu", 1, 1_000_000),
    ("eluBackward", 1, 1_000_000),
    ("elu", 200, 100),
    ("elu", 128, 1024),
    ("biasAdd", 200, 100),
    ("columnSum", 200, 100),
    ("softmax", 200, 10),
    ("softmaxCrossEntropy", 200, 10),
    ("sgdUpdate", 1, 307_300),
];

fn median_seconds(mut run: impl FnMut()) -> f64 {
    run();
    let budget = Duration::from_millis(300);
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < 5 || (start.elapsed() < budget && times.len() < 5000) {
        let t = Instant::now();
        run();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

/// Times one kernel call on rows×cols data of values in [-3, 3).
fn time(kernel: &str, rows: usize, cols: usize) -> f64 {
    let n = rows * cols;
    let x: Vec<f32> = (0..n).map(|i| ((i * 7919 % 6000) as f32) / 1000.0 - 3.0).collect();
    let small: Vec<f32> = (0..cols).map(|i| i as f32 * 0.01).collect();
    let labels: Vec<i32> = (0..rows).map(|r| (r % cols) as i32).collect();
    let mut out = vec![0.0f32; n];
    let mut col_out = vec![0.0f32; cols];
    match kernel {
        "elu" => median_seconds(|| dlp_kernels::elu(black_box(&x), &mut out, 1.0, 1).unwrap()),
        "eluBackward" => median_seconds(|| dlp_kernels::elu_backward(black_box(&x), &x, &mut out, 1.0, 1).unwrap()),
        "biasAdd" => median_seconds(|| dlp_kernels::bias_add(black_box(&x), &small, &mut out, rows, cols).unwrap()),
        "columnSum" => {
            median_seconds(|| dlp_kernels::column_sum(black_box(&x), &mut col_out, rows, cols, 0.0).unwrap())
        }
        "softmax" => median_seconds(|| dlp_kernels::softmax(black_box(&x), &mut out, rows, cols).unwrap()),
        "softmaxCrossEntropy" => median_seconds(|| {
            black_box(
                dlp_kernels::softmax_cross_entropy(black_box(&x), &labels, rows, cols, Some(&mut out), None).unwrap(),
            );
        }),
        "sgdUpdate" => median_seconds(|| dlp_kernels::sgd_update(black_box(&mut out), &x, 0.01).unwrap()),
        _ => unreachable!("no kernel {kernel}"),
    }
}

fn main() {
    let levels = Level::available();
    print!("{:>20} {:>12}", "kernel", "rows x cols");
    for level in &levels {
        print!(" {:>12} {:>9}", format!("{} ns", level.name()), "Gelem/s");
    }
    println!(" {:>8}", "speedup");
    for &(kernel, rows, cols) in CASES {
        print!("{kernel:>20} {:>12}", format!("{rows}x{cols}"));
        let mut seconds = Vec::new();
        for &level in &levels {
            let s = with_level(level, || time(kernel, rows, cols)).unwrap();
            print!(" {:>12.0} {:>9.2}", s * 1e9, (rows * cols) as f64 / s / 1e9);
            seconds.push(s);
        }
        println!(" {:>8.1}", seconds[0] / seconds[seconds.len() - 1]);
    }
}
