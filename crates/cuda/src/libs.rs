//! Where the CUDA libraries come from, and what is missing when CUDA cannot be used.
//!
//! cudarc opens each library by its usual names (libcuda.so, libcublas.so.13,
//! libnvrtc.so.13, …) through the system's search (LD_LIBRARY_PATH, the ld.so cache). A pip
//! install keeps its CUDA libraries in a folder of its own (e.g. PyTorch's
//! `site-packages/nvidia/cu13/lib`): the folders listed in `DLP_CUDA_LIB_DIRS` (colon
//! separated) are searched first, and a library found there is loaded by its path, after
//! which the search by name finds it already loaded.

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The variable naming extra folders to find the CUDA libraries in.
pub const LIB_DIRS_VAR: &str = "DLP_CUDA_LIB_DIRS";

/// The libraries loaded from `DLP_CUDA_LIB_DIRS` when present there, dependencies first.
const PRELOADED: &[&str] = &["libcublasLt.so.13", "libcublas.so.13", "libnvrtc.so.13"];

/// Why CUDA cannot be used here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// libcuda (the NVIDIA driver's library) is not installed: a machine without an NVIDIA
    /// driver, the usual case on a CPU-only machine.
    NoDriver,
    /// The driver is there but did not start (cuInit's error).
    DriverFailed(String),
    /// The driver started and sees no GPU.
    NoDevice,
    /// A library that the device needs was not found: (its name, the file looked for).
    MissingLibrary(&'static str, &'static str),
}

impl Unavailable {
    /// Whether this is simply a machine without NVIDIA's driver, where asking for the fastest
    /// backend need not mention CUDA at all.
    pub fn is_no_driver(&self) -> bool {
        matches!(self, Unavailable::NoDriver)
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::NoDriver => write!(f, "no CUDA driver: libcuda.so (the NVIDIA driver's library) was not found"),
            Unavailable::DriverFailed(e) => write!(f, "the CUDA driver did not start (cuInit: {e})"),
            Unavailable::NoDevice => write!(f, "no CUDA device: the driver found no GPU"),
            Unavailable::MissingLibrary(name, file) => write!(
                f,
                "{name} ({file}, CUDA 13) was not found: install it (CUDA 13 toolkit, or the pip wheel) and add its folder to \
                 LD_LIBRARY_PATH or {LIB_DIRS_VAR}"
            ),
        }
    }
}

/// Whether a device can be opened here: `Ok(number of devices)`, or what is missing. Checks, in
/// order, the driver library, the driver's start, a device, cuBLAS and NVRTC. Cheap after the
/// first call (the libraries stay loaded).
pub fn availability() -> Result<usize, Unavailable> {
    preload_from_lib_dirs();
    // SAFETY: opening a library runs its initialisers; the CUDA libraries' are safe to run.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Err(Unavailable::NoDriver);
    }
    cudarc::driver::result::init().map_err(|e| Unavailable::DriverFailed(format!("{e:?}")))?;
    let count = cudarc::driver::result::device::get_count().map_err(|e| Unavailable::DriverFailed(format!("{e:?}")))?;
    if count <= 0 {
        return Err(Unavailable::NoDevice);
    }
    cublas_present()?;
    nvrtc_present()?;
    Ok(count as usize)
}

/// NVRTC alone (all the tests that compile the sources need): Ok, or what is missing.
pub fn nvrtc_present() -> Result<(), Unavailable> {
    preload_from_lib_dirs();
    // SAFETY: as in `availability`.
    if unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        Ok(())
    } else {
        Err(Unavailable::MissingLibrary("NVRTC", "libnvrtc.so.13"))
    }
}

fn cublas_present() -> Result<(), Unavailable> {
    // SAFETY: as in `availability`.
    if unsafe { cudarc::cublas::sys::is_culib_present() } {
        Ok(())
    } else {
        Err(Unavailable::MissingLibrary("cuBLAS", "libcublas.so.13"))
    }
}

/// Loads, once per process, the libraries found in the `DLP_CUDA_LIB_DIRS` folders.
fn preload_from_lib_dirs() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let Some(dirs) = std::env::var_os(LIB_DIRS_VAR) else { return };
        for dir in std::env::split_paths(&dirs) {
            for name in PRELOADED {
                let path = dir.join(name);
                if path.is_file() {
                    preload(&path);
                }
            }
        }
    });
}

/// Opens `path` for good, its symbols global, so that a later open by its name finds it.
#[cfg(unix)]
fn preload(path: &Path) {
    use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};
    // SAFETY: as in `availability`. A library that fails to open here is reported later, when
    // the search by name does not find it either.
    if let Ok(lib) = unsafe { Library::open(Some(path), RTLD_NOW | RTLD_GLOBAL) } {
        std::mem::forget(lib);
    }
}

#[cfg(not(unix))]
fn preload(_path: &Path) {}
