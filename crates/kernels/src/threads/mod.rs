//! How many threads a kernel may use: rayon's global pool's size (sized to the machine's cores,
//! or RAYON_NUM_THREADS), on Web Workers in the threaded wasm build (wasm-bindgen-rayon), one
//! thread in the other wasm builds. A kernel's parts are claimed by the caller and by helpers
//! kept awake between calls (claimed.rs): natively dedicated threads, in wasm the pool's.
//! `parallel_map` splits a kernel into parts that way (BatchNorm, the optimiser steps); GEMM
//! products go through gemm/parallel.rs. The `gemm` crate's thin products run on rayon's pool.

#[cfg(feature = "parallel")]
mod claimed;
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
mod native_helpers;
#[cfg(feature = "parallel")]
pub(crate) use claimed::run_claimed;

/// Number of worker threads in the shared pool (1 when built without `parallel`).
pub fn available_threads() -> usize {
    #[cfg(feature = "parallel")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

/// Below this many flops the `gemm` crate runs on the calling thread. Its rayon workers sleep
/// between the MLP's few crate calls (the thin last layers), and waking them cost more than
/// the product: 200×10×512 (2 MFLOP) took 0.25 ms inside a setup-4 step, and in a tight loop
/// ran at 48 GFLOPS on two rayon threads against 72 on one.
const GEMM_CRATE_MIN_PARALLEL_FLOPS: f64 = 8e6;

/// The `gemm` crate's parallelism for a requested thread count (0 = all available) and a
/// product of `flops`.
pub(crate) fn gemm_parallelism(requested: usize, flops: f64) -> gemm::Parallelism {
    if flops < GEMM_CRATE_MIN_PARALLEL_FLOPS {
        return gemm::Parallelism::None;
    }
    let threads = if requested == 0 { available_threads() } else { requested.min(available_threads()) };
    #[cfg(feature = "parallel")]
    {
        if threads > 1 {
            return gemm::Parallelism::Rayon(threads);
        }
    }
    let _ = threads;
    gemm::Parallelism::None
}

/// How many parts to split `work` elements into for `requested` threads (0 = all available):
/// at most one per thread, and none smaller than `min_part` elements, because handing a part
/// to the pool costs about as much as streaming a few thousand floats.
pub(crate) fn parts(work: usize, requested: usize, min_part: usize) -> usize {
    let threads = if requested == 0 { available_threads() } else { requested.min(available_threads()) };
    threads.min(work / min_part.max(1)).max(1)
}

/// `f(0..parts)` on the shared pool, results in order. Each part runs at the caller's SIMD
/// level: `with_level` pins a level per thread, and the pool's threads would not see it.
pub(crate) fn parallel_map<T: Send>(parts: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    #[cfg(feature = "parallel")]
    if parts > 1 {
        let level = crate::simd::Level::current();
        let results: Vec<std::sync::Mutex<Option<T>>> = (0..parts).map(|_| std::sync::Mutex::new(None)).collect();
        run_claimed(parts, &|i| {
            let result = crate::simd::with_level(level, || f(i)).expect("the caller's level is available on this machine");
            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        });
        return results.into_iter().map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()).expect("run_claimed ran every part")).collect();
    }
    (0..parts).map(f).collect()
}

/// Part `p` of `count` near-equal ranges of `0..len`.
pub(crate) fn part_range(len: usize, p: usize, count: usize) -> std::ops::Range<usize> {
    let per = len.div_ceil(count.max(1));
    (p * per).min(len)..((p + 1) * per).min(len)
}

/// `f` over near-equal ranges of `0..len` on up to `requested` threads (0 = all), none shorter
/// than `min_part` elements: the split of the elementwise kernels.
pub(crate) fn for_each_range(len: usize, requested: usize, min_part: usize, f: impl Fn(std::ops::Range<usize>) + Sync) {
    let count = parts(len, requested, min_part);
    parallel_map(count, |p| f(part_range(len, p, count)));
}

/// A buffer that the parts of one kernel write disjoint ranges of, from several threads.
pub(crate) struct SharedMut<T = f32>(pub(crate) *mut T);

// Not derived: a derive would demand T: Copy, and the pointer is Copy for any T.
impl<T> Clone for SharedMut<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SharedMut<T> {}

impl<T> SharedMut<T> {
    /// The pointer. A method, not `.0`, inside closures: a closure naming `x.0` captures only the
    /// raw-pointer field, which is not `Sync`.
    pub(crate) fn ptr(self) -> *mut T {
        self.0
    }
}

// SAFETY: the kernels that share one hand each part a disjoint range of it.
unsafe impl<T> Send for SharedMut<T> {}
unsafe impl<T> Sync for SharedMut<T> {}
