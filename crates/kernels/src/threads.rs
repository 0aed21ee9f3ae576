//! How many threads a kernel may use. Natively that is rayon's global pool (created once,
//! sized to the machine's cores, reused by every call); on wasm32 there is one thread.

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

/// The `gemm` crate's parallelism for a requested thread count (0 = all available).
pub(crate) fn gemm_parallelism(requested: usize) -> gemm::Parallelism {
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
