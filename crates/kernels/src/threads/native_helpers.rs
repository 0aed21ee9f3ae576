//! The native helper threads of [`super::claimed::run_claimed`]: `available_threads() - 1`
//! dedicated threads, started with the first parallel call. After each task a helper spins
//! for [`SPIN`] waiting for the next one (yielding to any other thread that is ready), then
//! sleeps on a condition variable until woken.
//!
//! Not rayon's workers: a helper spinning inside a rayon job would hold back the jobs that the
//! `gemm` crate (the thin products) queues on the same pool, for up to [`SPIN`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::claimed::Task;

/// How long a helper spins for the next task before it sleeps. Long enough to span the gaps
/// between the kernel calls of a training step (setup 5: ~60 calls in ~20 ms; with 0.05 ms of
/// spinning its step took 19.9-20.6 ms, with 0.3 ms 18.8-27 ms, with 2 ms 18.7-21 ms, and on
/// rayon's sleeping workers 21.2-23.1 ms; setup 1's took 3.1-3.7 ms with 0.1 ms); short enough
/// that an idle process soon stops using a core.
const SPIN: Duration = Duration::from_millis(2);

struct Helpers {
    /// Bumped for each posted task; a helper looks for tasks when the epoch it last saw changes.
    epoch: AtomicU64,
    /// The latest tasks with their epochs, oldest first: a helper runs every one newer than the
    /// epoch it last saw, so that calls made at once from several threads all get help.
    posted: Mutex<VecDeque<(u64, Task)>>,
    /// Helpers asleep (or about to be), so that a caller wakes them only when there are any.
    asleep: AtomicUsize,
    sleep: Mutex<()>,
    wake: Condvar,
}

static HELPERS: Helpers = Helpers {
    epoch: AtomicU64::new(0),
    posted: Mutex::new(VecDeque::new()),
    asleep: AtomicUsize::new(0),
    sleep: Mutex::new(()),
    wake: Condvar::new(),
};

/// Offers `task` to every helper (they claim its parts alongside the caller), starting the
/// helpers on the first call.
pub(super) fn offer(task: &Task) {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(start_helpers);
    {
        let mut posted = HELPERS.posted.lock().unwrap_or_else(|e| e.into_inner());
        // SeqCst with the helper's `asleep` increment and epoch check: either it sees this
        // epoch before it waits, or this caller sees it asleep and wakes it.
        let epoch = HELPERS.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        posted.push_back((epoch, task.clone()));
        if posted.len() > POSTED_KEPT {
            posted.pop_front();
        }
    }
    if HELPERS.asleep.load(Ordering::SeqCst) > 0 {
        let _guard = HELPERS.sleep.lock().unwrap_or_else(|e| e.into_inner());
        HELPERS.wake.notify_all();
    }
}

/// How many of the latest tasks stay posted: more than calls made at once, by far.
const POSTED_KEPT: usize = 8;

/// Starts the helpers, before the first task is posted: each begins from the epoch before it.
fn start_helpers() {
    let seen = HELPERS.epoch.load(Ordering::SeqCst);
    for i in 1..super::available_threads() {
        let spawned = std::thread::Builder::new().name(format!("dlp-kernel-helper-{i}")).spawn(move || helper(seen));
        // Without a helper, the caller claims and runs every part itself: slower, not wrong.
        drop(spawned);
    }
}

fn helper(mut seen: u64) {
    loop {
        let mut idle_since = Instant::now();
        let mut rounds = 0u32;
        loop {
            let epoch = HELPERS.epoch.load(Ordering::Acquire);
            if epoch != seen {
                let tasks: Vec<Task> = {
                    let posted = HELPERS.posted.lock().unwrap_or_else(|e| e.into_inner());
                    let newer: Vec<Task> = posted.iter().filter(|(e, _)| *e > seen).map(|(_, t)| t.clone()).collect();
                    seen = posted.back().map_or(seen, |(e, _)| *e);
                    newer
                };
                for task in tasks {
                    task.work();
                }
                idle_since = Instant::now();
                continue;
            }
            rounds = rounds.wrapping_add(1);
            // Every 64 rounds (reading the clock costs ~20 ns, a spin round ~15 ns): give up
            // after SPIN, else let any other thread that is ready run here first. On two cores
            // a helper spinning without yielding held back V8's own threads (its garbage
            // collector's): setup 1's step, which allocates much per millisecond, took 2.2-2.6 ms
            // against 1.7-2.3 ms with the yield; setup 5's was unchanged.
            if rounds.is_multiple_of(64) {
                if idle_since.elapsed() >= SPIN {
                    break;
                }
                std::thread::yield_now();
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
