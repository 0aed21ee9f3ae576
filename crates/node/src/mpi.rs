//! MPI for data-parallel training (crates/mpi: Open MPI opened at run time, so the addon builds
//! and loads without it). JS calls these from its main thread only, which MPI was initialised
//! on. Errors reach JS with `code` "DistributedError" (BackendUnavailable-like reasons: no
//! Open MPI here; a failed collective).

use dlp_mpi::{Mpi, MpiError};
use napi::bindgen_prelude::{Float32ArraySlice, Float64ArraySlice, Uint8ArraySlice};
use napi_derive::napi;

fn js_error(error: MpiError) -> napi::Error<&'static str> {
    napi::Error::new("DistributedError", error.to_string())
}

fn mpi() -> napi::Result<&'static Mpi, &'static str> {
    Mpi::get().map_err(js_error)
}

/// This process's place in the job.
#[napi(object)]
pub struct MpiWorld {
    pub rank: u32,
    pub size: u32,
}

/// Initialises MPI (once; later calls return the same world). A process not started by
/// mpirun is a world of one.
#[napi]
pub fn mpi_init() -> napi::Result<MpiWorld, &'static str> {
    let mpi = mpi()?;
    Ok(MpiWorld { rank: mpi.rank() as u32, size: mpi.size() as u32 })
}

/// Sums `values` over the ranks, in place on every rank.
#[napi]
pub fn mpi_all_reduce_sum(mut values: Float32ArraySlice) -> napi::Result<(), &'static str> {
    // SAFETY: the JS array is not touched by JS during this synchronous call.
    let slice = unsafe { values.as_mut() };
    mpi()?.all_reduce_sum_f32(slice).map_err(js_error)
}

/// As mpiAllReduceSum for float64 values (losses and counts).
#[napi]
pub fn mpi_all_reduce_sum_f64(mut values: Float64ArraySlice) -> napi::Result<(), &'static str> {
    // SAFETY: as above.
    let slice = unsafe { values.as_mut() };
    mpi()?.all_reduce_sum_f64(slice).map_err(js_error)
}

/// Rank `root`'s `values` into every rank's `values`.
#[napi]
pub fn mpi_broadcast(mut values: Float32ArraySlice, root: u32) -> napi::Result<(), &'static str> {
    // SAFETY: as above.
    let slice = unsafe { values.as_mut() };
    mpi()?.broadcast_f32(slice, root as usize).map_err(js_error)
}

/// Rank `root`'s bytes into every rank's `values` (an NCCL unique id).
#[napi]
pub fn mpi_broadcast_bytes(mut values: Uint8ArraySlice, root: u32) -> napi::Result<(), &'static str> {
    // SAFETY: as above.
    let slice = unsafe { values.as_mut() };
    mpi()?.broadcast_bytes(slice, root as usize).map_err(js_error)
}

#[napi]
pub fn mpi_barrier() -> napi::Result<(), &'static str> {
    mpi()?.barrier().map_err(js_error)
}

/// Ends every rank of the job with `code` (mpirun stops the others).
#[napi]
pub fn mpi_abort(code: i32) -> napi::Result<(), &'static str> {
    mpi()?.abort(code)
}

/// Ends MPI for this process; every rank calls it once, last.
#[napi]
pub fn mpi_finalize() -> napi::Result<(), &'static str> {
    mpi()?.finalize().map_err(js_error)
}
