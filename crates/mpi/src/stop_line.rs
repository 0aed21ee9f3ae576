//! One line on stderr when mpirun stops this rank. When a rank fails (an error, a crash),
//! mpirun ends the job by sending SIGTERM to the others, which may be waiting inside an MPI
//! call where no JavaScript runs; this handler says so on each of them before the rank exits.

use std::sync::atomic::{AtomicUsize, Ordering};

static RANK: AtomicUsize = AtomicUsize::new(0);
static SIZE: AtomicUsize = AtomicUsize::new(1);

/// Replaces SIGTERM's action with [`on_term`] (a later handler, e.g. Node's, replaces it again).
pub(crate) fn install(rank: usize, size: usize) {
    RANK.store(rank, Ordering::Relaxed);
    SIZE.store(size, Ordering::Relaxed);
    // SAFETY: a plain sigaction with an async-signal-safe handler.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_term as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGTERM, &action, std::ptr::null_mut());
    }
}

/// Writes "dlp: rank R of N: stopped by mpirun …" with write(2) only, then exits with 143.
extern "C" fn on_term(_signal: libc::c_int) {
    let mut line = [0u8; 160];
    let mut n = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            if n < line.len() {
                line[n] = b;
                n += 1;
            }
        }
    };
    let digits = |mut value: usize, put: &mut dyn FnMut(&[u8])| {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        put(&buf[i..]);
    };
    put(b"dlp: rank ");
    digits(RANK.load(Ordering::Relaxed), &mut put);
    put(b" of ");
    digits(SIZE.load(Ordering::Relaxed), &mut put);
    put(b": stopped by mpirun (another rank failed, or the job was interrupted)\n");
    // SAFETY: write(2) and _exit(2) are async-signal-safe.
    unsafe {
        libc::write(2, line.as_ptr().cast(), n);
        libc::_exit(143);
    }
}
