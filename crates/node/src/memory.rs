//! How the process's allocator treats the memory of freed tensors.
//!
//! A training step allocates and frees the same large buffers (activations, gradients) every
//! time; Node's ArrayBuffers come from glibc's malloc. By default glibc serves blocks of more
//! than a few MB with fresh mmap()s and hands freed memory back to the kernel, so the next
//! step's buffers are fresh pages again: a page fault per 4 KiB, each one measured at about
//! 10 µs on this project's virtual machines (a first memcpy into fresh memory ran at 0.7 GB/s,
//! the second at 24 GB/s). Keeping freed memory in the process's heap avoids that.

use napi_derive::napi;

/// Tells glibc's malloc to serve every block from its heap (no mmap) and never to return freed
/// memory to the kernel, for the whole process: resident memory then stays at its high-water
/// mark. True when the settings took effect; false where the allocator is not glibc's.
#[napi]
pub fn retain_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator parameters; both values are in range.
        unsafe { libc::mallopt(libc::M_MMAP_MAX, 0) == 1 && libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
