//! The native helper threads of [`super::claimed::run_claimed`]: `available_threads() - 1`
//! dedicated threads, started with the first parallel call. After each task a helper spins
//! for [`SPIN`] waiting for the next one, then sleeps on a condition variable until woken.
//!
//! Not rayon's workers: a helper spinning inside a rayon job would hold back the jobs that the
//! `gemm` crate (the thin products) queues on the same pool, for up to [`SPIN`].

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::claimed::Task;

/// How long a helper spins for the next task before it sleeps. Long enough to span the gaps
/// between the kernel calls of a training step (setup 5: ~60 calls in ~20 ms; with 0.05 ms of
/// spinning its step took 19.9-20.6 ms, with 0.3 ms 18.8-19.1 ms, with 2 ms 18.7 ms, and on
/// rayon's sleeping workers 21.2-23.1 ms); short enough that an idle process soon stops using
/// a core.
const SPIN: Duration = Duration::from_millis(2);

struct Helpers {
    /// Bumped for each posted task; a helper takes a task when the epoch it last saw changes.
    epoch: AtomicU64,
    posted: Mutex<Option<Task>>,
    /// Helpers asleep (or about to be), so that a caller wakes them only when there are any.
    asleep: AtomicUsize,
    sleep: Mutex<()>,
    wake: Condvar,
}

static HELPERS: Helpers = Helpers {
    epoch: AtomicU64::new(0),
    posted: Mutex::new(None),
    asleep: AtomicUsize::new(0),
    sleep: Mutex::new(()),
    wake: Condvar::new(),
};

/// Offers `task` to every helper (they claim its parts alongside the caller), starting the
/// helpers on the first call.
pub(super) fn offer(task: &Task) {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(start_helpers);
    *HELPERS.posted.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.clone());
    // SeqCst with the helper's `asleep` increment and epoch check: either it sees this epoch
    // before it waits, or this caller sees it asleep and wakes it.
    HELPERS.epoch.fetch_add(1, Ordering::SeqCst);
    if HELPERS.asleep.load(Ordering::SeqCst) > 0 {
        let _guard = HELPERS.sleep.lock().unwrap_or_else(|e| e.into_inner());
        HELPERS.wake.notify_all();
    }
}

fn start_helpers() {
    for i in 1..super::available_threads() {
        let spawned = std::thread::Builder::new().name(format!("dlp-kernel-helper-{i}")).spawn(helper);
        // Without a helper, the caller claims and runs every part itself: slower, not wrong.
        drop(spawned);
    }
}

fn helper() {
    let mut seen = HELPERS.epoch.load(Ordering::SeqCst);
    loop {
        let mut idle_since = Instant::now();
        let mut rounds = 0u32;
        loop {
            let epoch = HELPERS.epoch.load(Ordering::Acquire);
            if epoch != seen {
                seen = epoch;
                let task = HELPERS.posted.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if let Some(task) = task {
                    task.work();
                }
                idle_since = Instant::now();
                continue;
            }
            rounds = rounds.wrapping_add(1);
            // Reading the clock costs ~20 ns; a spin round ~15 ns.
            if rounds.is_multiple_of(64) && idle_since.elapsed() >= SPIN {
                break;
            }
            std::hint::spin_loop();
        }
        let mut guard = HELPERS.sleep.lock().unwrap_or_else(|e| e.into_inner());
        HELPERS.asleep.fetch_add(1, Ordering::SeqCst);
        while HELPERS.epoch.load(Ordering::SeqCst) == seen {
            guard = HELPERS.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
        HELPERS.asleep.fetch_sub(1, Ordering::SeqCst);
    }
}
