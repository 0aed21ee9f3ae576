//! The f32 fused-multiply-add peak of this CPU, measured: each thread runs 12 independent
//! accumulator chains of vector FMAs (enough to cover the FMA latency of 4 to 5 cycles on two
//! pipes) on registers only, so nothing but the FMA units limits it. Reported per instruction
//! set present (AVX2+FMA, AVX-512F) and per thread count 1..=T, as one JSON line each:
//! `{"probe":"fma_peak","isa":"avx2","threads":2,"gflops":179.1,"ghz_equivalent":2.8}`,
//! where GFLOPS counts a multiply and an add per lane and `ghz_equivalent` is GFLOPS / (threads ·
//! 32 flops per cycle of two 256-bit FMA pipes), a sanity check against the clock.
//!
//! The best of several trials is the peak (a trial can only be slowed down, never sped up).
//! Usage: `dlp-fma-peak [--threads T] [--trials N] [--millis MS]` (T defaults to all cores).

use std::time::Instant;

/// FMAs per vector per loop iteration: the independent chains.
const CHAINS: usize = 12;

#[derive(Clone, Copy)]
enum Isa {
    Avx2,
    Avx512,
}

impl Isa {
    fn name(self) -> &'static str {
        match self {
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512f",
        }
    }

    fn lanes(self) -> usize {
        match self {
            Isa::Avx2 => 8,
            Isa::Avx512 => 16,
        }
    }

    fn present(self) -> bool {
        match self {
            Isa::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            Isa::Avx512 => is_x86_feature_detected!("avx512f"),
        }
    }

    /// Runs `iterations` loop iterations; returns a value that depends on every chain, so the
    /// loop cannot be removed.
    fn run(self, iterations: u64, seed: f32) -> f32 {
        // SAFETY: `present()` was checked before any call.
        unsafe {
            match self {
                Isa::Avx2 => chains_avx2(iterations, seed),
                Isa::Avx512 => chains_avx512(iterations, seed),
            }
        }
    }
}

#[target_feature(enable = "avx2,fma")]
unsafe fn chains_avx2(iterations: u64, seed: f32) -> f32 {
    use std::arch::x86_64::*;
    // x·1 + 0 never grows nor decays: no denormals, no infinities, the same cost every time.
    // The constants come through black_box, or the compiler folds the FMA away.
    let mul = _mm256_set1_ps(std::hint::black_box(1.0));
    let add = _mm256_set1_ps(std::hint::black_box(0.0));
    let mut acc = [_mm256_set1_ps(seed); CHAINS];
    for _ in 0..iterations {
        for a in acc.iter_mut() {
            *a = _mm256_fmadd_ps(*a, mul, add);
        }
        // One loop iteration per source iteration: no unrolling that would change the count.
        std::arch::asm!("", options(nomem, nostack, preserves_flags));
    }
    let mut sum = _mm256_setzero_ps();
    for a in acc {
        sum = _mm256_add_ps(sum, a);
    }
    let mut lanes = [0f32; 8];
    _mm256_storeu_ps(lanes.as_mut_ptr(), sum);
    lanes.iter().sum()
}

#[target_feature(enable = "avx512f")]
unsafe fn chains_avx512(iterations: u64, seed: f32) -> f32 {
    use std::arch::x86_64::*;
    let mul = _mm512_set1_ps(std::hint::black_box(1.0));
    let add = _mm512_set1_ps(std::hint::black_box(0.0));
    let mut acc = [_mm512_set1_ps(seed); CHAINS];
    for _ in 0..iterations {
        for a in acc.iter_mut() {
            *a = _mm512_fmadd_ps(*a, mul, add);
        }
        std::arch::asm!("", options(nomem, nostack, preserves_flags));
    }
    let mut sum = _mm512_setzero_ps();
    for a in acc {
        sum = _mm512_add_ps(sum, a);
    }
    _mm512_reduce_add_ps(sum)
}

/// GFLOPS of `threads` threads each running `iterations` iterations at once.
fn trial(isa: Isa, threads: usize, iterations: u64) -> f64 {
    let start = Instant::now();
    let checks: Vec<f32> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|t| scope.spawn(move || isa.run(iterations, 1.0 + t as f32))).collect();
        handles.into_iter().map(|h| h.join().expect("a probe thread panicked")).collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    assert!(checks.iter().all(|c| c.is_finite()), "the chains must stay finite");
    let flops = 2.0 * (threads * CHAINS * isa.lanes()) as f64 * iterations as f64;
    flops / seconds / 1e9
}

struct Options {
    threads: usize,
    trials: usize,
    millis: u64,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        trials: 7,
        millis: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            let text = args.next().ok_or(format!("{name} needs a value"))?;
            match text.parse::<u64>() {
                Ok(v) if v > 0 => Ok(v),
                _ => Err(format!("{name} must be a positive integer, got '{text}'")),
            }
        };
        match flag.as_str() {
            "--threads" => options.threads = value("--threads")? as usize,
            "--trials" => options.trials = value("--trials")? as usize,
            "--millis" => options.millis = value("--millis")?,
            "--help" | "-h" => return Err("usage: dlp-fma-peak [--threads T] [--trials N] [--millis MS]".into()),
            other => return Err(format!("unknown flag '{other}' (expected --threads, --trials, --millis)")),
        }
    }
    Ok(options)
}

fn main() {
    let options = match parse_options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("dlp-fma-peak: {message}");
            std::process::exit(2);
        }
    };
    let isas: Vec<Isa> = [Isa::Avx2, Isa::Avx512].into_iter().filter(|isa| isa.present()).collect();
    if isas.is_empty() {
        eprintln!("dlp-fma-peak: this CPU has neither AVX2+FMA nor AVX-512F; the probe measures those only");
        std::process::exit(2);
    }
    for isa in isas {
        // Calibrate: iterations for about `millis` on one thread.
        let mut iterations = 1u64 << 16;
        loop {
            let start = Instant::now();
            isa.run(iterations, 1.0);
            if start.elapsed().as_millis() as u64 >= options.millis / 4 || iterations >= 1 << 40 {
                let per = start.elapsed().as_secs_f64() / iterations as f64;
                iterations = ((options.millis as f64 / 1e3) / per).max(1.0) as u64;
                break;
            }
            iterations *= 4;
        }
        for threads in 1..=options.threads {
            let best = (0..options.trials).map(|_| trial(isa, threads, iterations)).fold(0.0, f64::max);
            let ghz = best / (threads as f64 * 32.0);
            println!(
                "{{\"probe\":\"fma_peak\",\"isa\":\"{}\",\"threads\":{threads},\"gflops\":{best:.1},\"ghz_equivalent\":{ghz:.2}}}",
                isa.name()
            );
        }
    }
}
