//! Running the parts of one kernel call on the caller and helper threads by claiming them,
//! with helpers that stay awake between calls: how every parallel kernel splits its work
//! (GEMM products through gemm/parallel.rs, the others through `parallel_map`). The helpers
//! are the pool's Web Workers in the threaded wasm build (below), dedicated threads natively
//! (native_helpers.rs).

/// The caller and its helpers claim parts from one counter until none is left, so a helper
/// that starts late finds the work done and returns at once, and the caller waits only for
/// parts already claimed (by spinning: they are running). Helpers come first from those still
/// spinning after an earlier call, then from those asleep. Why: a helper asleep takes long to
/// start. In the browser a pool worker asleep in Atomics.wait took from 0.1 to over 1 ms,
/// about as long as its part of one of setup 1's big products, and setup 1 calls one every
/// ~2 ms: the threaded step ran only 1.1-1.5x faster than one thread, while its GEMMs called
/// back to back (workers awake) ran 1.9x faster. Natively rayon's sleeping workers took
/// 20-90 µs to start a part, and setup 5's step ran 12-19% slower on them than on helpers
/// that spin between its ~60 kernel calls (OpenMP's threads, which PyTorch's BLAS runs on,
/// spin 200 ms by default).
pub(crate) fn run_claimed(parts: usize, part: &(dyn Fn(usize) + Sync)) {
    // Tests run in parallel threads; the one that checks which thread runs a part holds this
    // exclusively, so that other tests' tasks cannot push its task out of the helpers' queue.
    #[cfg(test)]
    let _shared = tests::EXCLUSIVE.read().unwrap_or_else(|e| e.into_inner());
    run_claimed_alone(parts, part)
}

fn run_claimed_alone(parts: usize, part: &(dyn Fn(usize) + Sync)) {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    let claims = Arc::new(Claims::default());
    // SAFETY: a helper calls `part` only for a part it claimed, i.e. before the counter passed
    // `parts`; this function returns only after every claimed part is done, so every call of
    // `part` happens while the borrow is alive. A helper that comes later claims nothing.
    // A raw pointer, not a `&'static`: a task left posted for the helpers outlives the closure.
    let part: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(part as *const (dyn Fn(usize) + Sync + '_)) };
    let task = Task { claims: Arc::clone(&claims), parts, part };
    #[cfg(target_arch = "wasm32")]
    {
        let hot = HOT.offer(&task, parts - 1);
        for _ in hot..parts - 1 {
            let task = task.clone();
            rayon::spawn(move || {
                task.work();
                HOT.stay(task.epoch_seen());
            });
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    super::native_helpers::offer(&task);
    task.work();
    while claims.done.load(Ordering::Acquire) != parts {
        std::hint::spin_loop();
    }
}

#[derive(Default)]
struct Claims {
    next: std::sync::atomic::AtomicUsize,
    done: std::sync::atomic::AtomicUsize,
}

/// One call's parts, as a helper sees them.
#[derive(Clone)]
pub(super) struct Task {
    claims: std::sync::Arc<Claims>,
    parts: usize,
    /// Called only for a claimed part, i.e. while the caller's closure lives.
    part: *const (dyn Fn(usize) + Sync),
}

// SAFETY: `part` points to a `Sync` closure, called only while it lives (see run_claimed).
unsafe impl Send for Task {}
unsafe impl Sync for Task {}

impl Task {
    /// Claims and runs parts until none is left.
    pub(super) fn work(&self) {
        use std::sync::atomic::Ordering;
        loop {
            let p = self.claims.next.fetch_add(1, Ordering::AcqRel);
            if p >= self.parts {
                return;
            }
            // SAFETY: p was claimed before the counter passed `parts`, so the caller is still
            // waiting in run_claimed and the closure lives.
            unsafe { (*self.part)(p) };
            self.claims.done.fetch_add(1, Ordering::Release);
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn epoch_seen(&self) -> u64 {
        HOT.epoch.load(std::sync::atomic::Ordering::Acquire)
    }
}

/// The threaded wasm build's helpers: pool workers that finished a call and spin for a while
/// for the next one instead of going back to the pool's sleep. A caller posts its task here
/// with a new epoch; each spinning helper that sees the new epoch takes it.
#[cfg(target_arch = "wasm32")]
struct HotHelpers {
    spinning: std::sync::atomic::AtomicUsize,
    epoch: std::sync::atomic::AtomicU64,
    posted: std::sync::Mutex<Option<Task>>,
}

#[cfg(target_arch = "wasm32")]
static HOT: HotHelpers = HotHelpers {
    spinning: std::sync::atomic::AtomicUsize::new(0),
    epoch: std::sync::atomic::AtomicU64::new(0),
    posted: std::sync::Mutex::new(None),
};

/// Spin rounds a helper waits for the next call: a few milliseconds (wasm32 has no clock in
/// std). Long enough to span the serial work between two products of a training step; short
/// enough that an idle page stops burning a core at once.
#[cfg(target_arch = "wasm32")]
const SPIN_ROUNDS: u32 = 2_000_000;

#[cfg(target_arch = "wasm32")]
impl HotHelpers {
    /// Posts `task` to the spinning helpers; returns how many (up to `wanted`) may take it.
    fn offer(&self, task: &Task, wanted: usize) -> usize {
        use std::sync::atomic::Ordering;
        let hot = self.spinning.load(Ordering::Acquire).min(wanted);
        if hot > 0 {
            *self.posted.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.clone());
            self.epoch.fetch_add(1, Ordering::AcqRel);
        }
        hot
    }

    /// A helper's wait for later calls: takes each newly posted task, until none comes for
    /// SPIN_ROUNDS rounds.
    fn stay(&self, mut seen: u64) {
        use std::sync::atomic::Ordering;
        self.spinning.fetch_add(1, Ordering::AcqRel);
        let mut idle = 0;
        while idle < SPIN_ROUNDS {
            let epoch = self.epoch.load(Ordering::Acquire);
            if epoch == seen {
                idle += 1;
                std::hint::spin_loop();
                continue;
            }
            seen = epoch;
            let task = self.posted.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let Some(task) = task {
                task.work();
            }
            idle = 0;
        }
        self.spinning.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Held for reading by every run_claimed, for writing by a test that must be alone with the helpers.
    pub(super) static EXCLUSIVE: std::sync::RwLock<()> = std::sync::RwLock::new(());

    /// Every part runs exactly once, whoever claims it, and all are done on return.
    #[test]
    fn claimed_parts_run_once_each() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        for parts in [1, 2, 3, 8] {
            let runs: Vec<AtomicUsize> = (0..parts).map(|_| AtomicUsize::new(0)).collect();
            run_claimed(parts, &|p| {
                runs[p].fetch_add(1, Ordering::Relaxed);
            });
            assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1), "{parts} parts");
        }
    }

    /// A helper takes a part whether it was spinning (calls back to back) or asleep (calls
    /// further apart than its spin), also while other tests post tasks of their own: each of
    /// the two parts holds on until the other has started (or ten seconds have passed, when the
    /// caller would run both itself and the test fail), so they must run on two threads. Which
    /// part the helper claims is not fixed: a helper woken or spinning can claim part 0 before
    /// the caller does (on a loaded machine the caller is often descheduled right after posting).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn native_helpers_take_parts_when_spinning_and_when_woken() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::{Duration, Instant};
        if crate::threads::available_threads() < 2 {
            return;
        }
        // Alone: no other test's task can crowd this one out of the helpers' queue (they keep
        // the last few posted; a task pushed out is run by its caller, correctly but here
        // failing the test, as happened under a load average of 7).
        let _alone = EXCLUSIVE.write().unwrap_or_else(|e| e.into_inner());
        for gap in [Duration::ZERO, Duration::from_millis(20)] {
            for _ in 0..3 {
                std::thread::sleep(gap);
                let started = AtomicUsize::new(0);
                let runners = std::sync::Mutex::new(Vec::new());
                run_claimed_alone(2, &|_| {
                    runners.lock().unwrap().push(std::thread::current().name().unwrap_or_default().to_owned());
                    started.fetch_add(1, Ordering::AcqRel);
                    let t = Instant::now();
                    while started.load(Ordering::Acquire) < 2 && t.elapsed() < Duration::from_secs(10) {
                        std::hint::spin_loop();
                    }
                });
                let runners = runners.into_inner().unwrap();
                let helpers = runners.iter().filter(|name| name.starts_with("dlp-kernel-helper")).count();
                assert_eq!(helpers, 1, "parts ran on {runners:?} after a gap of {gap:?}: one should be a helper, one the caller");
            }
        }
    }
}
