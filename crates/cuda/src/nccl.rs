//! NCCL on the device: the collectives data-parallel training needs on GPU buffers (sum
//! all-reduce in place, broadcast), on this device's stream. NCCL (`libnccl.so.2`) is loaded
//! when first used, like the other CUDA libraries. A job's ranks join one communicator from a
//! unique id that rank 0 makes and sends to the others over another channel (MPI, in dlp).
//! One rank per GPU: NCCL refuses two ranks on one device.

use cudarc::nccl::{result, sys};

use crate::device::{Device, DeviceBuffer};
use crate::error::CudaError;

/// The size of NCCL's unique id, in bytes.
pub const NCCL_ID_BYTES: usize = 128;

/// This rank's place in an NCCL communicator, destroyed on drop.
pub struct Nccl {
    comm: sys::ncclComm_t,
    rank: usize,
    size: usize,
}

impl Nccl {
    pub fn rank(&self) -> usize {
        self.rank
    }

    pub fn size(&self) -> usize {
        self.size
    }
}

impl Drop for Nccl {
    fn drop(&mut self) {
        // SAFETY: a communicator this type made, destroyed once.
        let _ = unsafe { result::comm_destroy(self.comm) };
    }
}

fn nccl_error(what: &str, error: result::NcclError) -> CudaError {
    CudaError::cuda(what, error)
}

/// A fresh unique id (rank 0 makes it; every rank joins with the same bytes).
pub fn nccl_unique_id() -> Result<[u8; NCCL_ID_BYTES], CudaError> {
    let id = result::get_uniqueid().map_err(|e| nccl_error("ncclGetUniqueId", e))?;
    Ok(id.internal.map(|c| c as u8))
}

impl Device {
    /// Joins the communicator of `size` ranks named by `id` as rank `rank` (every rank calls
    /// this together: it returns once all have joined).
    pub fn nccl_join(&self, id: &[u8; NCCL_ID_BYTES], rank: usize, size: usize) -> Result<Nccl, CudaError> {
        if rank >= size {
            return Err(CudaError::argument(format!("nccl: rank {rank} is outside 0..{size}")));
        }
        let unique = sys::ncclUniqueId { internal: id.map(|b| b as std::ffi::c_char) };
        let mut comm: sys::ncclComm_t = std::ptr::null_mut();
        // SAFETY: `comm` receives the new communicator; this thread's current context is this
        // device's (cudarc binds it when the device opens).
        unsafe { result::comm_init_rank(&mut comm, size as i32, unique, rank as i32) }.map_err(|e| nccl_error("ncclCommInitRank", e))?;
        Ok(Nccl { comm, rank, size })
    }

    /// Sums `buffer` over the communicator's ranks, in place on every rank, in stream order.
    pub fn nccl_all_reduce_sum(&self, nccl: &Nccl, buffer: &DeviceBuffer<f32>) -> Result<(), CudaError> {
        let ptr = self.ptr(buffer) as *mut std::ffi::c_void;
        // SAFETY: in place over the buffer's floats, the same count on every rank.
        unsafe {
            result::all_reduce(ptr, ptr, buffer.len(), sys::ncclDataType_t::ncclFloat32, sys::ncclRedOp_t::ncclSum, nccl.comm, self.nccl_stream())
        }
        .map_err(|e| nccl_error("ncclAllReduce", e))?;
        Ok(())
    }

    /// Rank `root`'s `buffer` into every rank's, in stream order.
    pub fn nccl_broadcast(&self, nccl: &Nccl, buffer: &DeviceBuffer<f32>, root: usize) -> Result<(), CudaError> {
        if root >= nccl.size {
            return Err(CudaError::argument(format!("nccl broadcast: root {root} is outside ranks 0..{}", nccl.size)));
        }
        let ptr = self.ptr(buffer) as *mut std::ffi::c_void;
        // SAFETY: in place over the buffer's floats, the same count on every rank.
        unsafe { result::broadcast(ptr, ptr, buffer.len(), sys::ncclDataType_t::ncclFloat32, root as i32, nccl.comm, self.nccl_stream()) }
            .map_err(|e| nccl_error("ncclBroadcast", e))?;
        Ok(())
    }

    fn nccl_stream(&self) -> sys::cudaStream_t {
        self.stream.cu_stream() as sys::cudaStream_t
    }
}
