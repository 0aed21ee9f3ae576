//! How dlp's own GEMMs (avx2/ natively, simd128/ in the threaded wasm build) share one product
//! among threads: C is cut into a grid of rectangles, each computed whole by one thread with its
//! own packing buffers, so the result does not depend on the number of threads.

/// Each thread gets at least this many flops. Handing a part to the pool and collecting it
/// cost ~6 µs natively when rayon's pool ran the parts (80³ ran 1.1× faster on two threads,
/// 64³ slower), so a call below twice this stays on the calling thread.
const MIN_FLOPS_PER_THREAD: f64 = 0.5e6;

/// A kernel's register tile and column block, which the grid's cost model needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tiling {
    /// Rows of C per micro-kernel tile.
    pub mr: usize,
    /// Columns of C per micro-kernel tile.
    pub nr: usize,
    /// Columns of op(B) packed per block (A is re-packed once per block).
    pub nc: usize,
    /// Multiply-adds per cycle of one thread (16 for AVX2 FMA; 8 for simd128's mul + add).
    pub fma_per_cycle: f64,
}

/// How many row blocks × column blocks of C to compute in parallel on up to `threads`
/// threads: the grid whose largest rectangle costs least, counting its multiply-adds and the
/// packing it repeats (about one cycle per packed float). So a wide, short C splits by columns
/// (every thread packs all of the small A) and a tall, narrow C by rows.
pub(crate) fn grid(m: usize, n: usize, k: usize, threads: usize, t: Tiling) -> (usize, usize) {
    let flops = 2.0 * (m as f64) * (n as f64) * (k as f64);
    let threads = threads.min((flops / MIN_FLOPS_PER_THREAD) as usize).max(1);
    let (m_tiles, n_tiles) = (m.div_ceil(t.mr), n.div_ceil(t.nr));
    let cost = |(tm, tn): (usize, usize)| {
        let rows = m_tiles.div_ceil(tm) * t.mr;
        let cols = n_tiles.div_ceil(tn) * t.nr;
        let multiply = (rows * cols * k) as f64 / t.fma_per_cycle;
        let packing = (k * rows * cols.div_ceil(t.nc) + k * cols) as f64;
        multiply + packing
    };
    let mut best = (1, 1);
    for tm in 1..=threads.min(m_tiles) {
        for tn in 1..=(threads / tm).min(n_tiles) {
            if cost((tm, tn)) < cost(best) {
                best = (tm, tn);
            }
        }
    }
    best
}

/// `parts` contiguous ranges covering 0..len, cut on multiples of `unit`, as equal as the unit
/// allows.
pub(crate) fn split(len: usize, unit: usize, parts: usize) -> Vec<(usize, usize)> {
    let units = len.div_ceil(unit);
    let cut = |p: usize| (units * p / parts * unit).min(len);
    (0..parts).map(|p| (cut(p), cut(p + 1))).collect()
}

/// Runs `part(0..parts)` on the calling thread and the kernel helpers
/// ([`crate::threads::run_claimed`], which says why not on rayon's pool) and returns when all
/// are done (serially without the `parallel` feature).
pub(crate) fn run_parts(parts: usize, part: &(dyn Fn(usize) + Sync)) {
    #[cfg(feature = "parallel")]
    if parts > 1 {
        crate::threads::run_claimed(parts, part);
        return;
    }
    (0..parts).for_each(part);
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Tiling = Tiling { mr: 6, nr: 16, nc: 1024, fma_per_cycle: 16.0 };

    #[test]
    fn split_covers_the_range_on_unit_multiples() {
        assert_eq!(split(100, 6, 2), vec![(0, 48), (48, 100)]);
        assert_eq!(split(5, 6, 2), vec![(0, 0), (0, 5)]);
        assert_eq!(split(32, 16, 1), vec![(0, 32)]);
    }

    #[test]
    fn grid_keeps_small_products_on_one_thread_and_splits_large_ones() {
        assert_eq!(grid(64, 64, 64, 2, T), (1, 1));
        let (tm, tn) = grid(200, 100, 3072, 2, T);
        assert_eq!(tm * tn, 2);
        assert_eq!(grid(3072, 100, 200, 2, T), (2, 1), "a tall, narrow C splits by rows");
        assert_eq!(grid(12, 4096, 512, 2, T), (1, 2), "a short, wide C splits by columns");
    }
}
