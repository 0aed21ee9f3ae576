//! The `cuda` feature's half of the addon: the GPU's memory as numbered buffers, and every
//! kernel of the contract on the device (`kernels.rs`, generated from the declarations).
//!
//! A buffer lives on the GPU until JS releases it; JS holds only its number (the cuda
//! backend's storage, packages/core/src/backends/cuda/). Numbers are per thread, as the device
//! is: each Node thread that opens it gets its own context's worth of state. V8 is told about
//! the device memory JS keeps alive (napi_adjust_external_memory), so that its garbage
//! collector runs often enough to release the storages nobody references.
//!
//! Errors reach JS with the dlp error class as their `code` (ShapeError, ArgumentError,
//! AllocationError, BackendUnavailableError, DlpError for a failed CUDA call).

mod kernels;

use std::cell::RefCell;

use dlp_cuda::{CudaError, Device, DeviceBuffer};
use napi::bindgen_prelude::{Float32Array, Float32ArraySlice, Uint8Array, Uint8ArraySlice};
use napi::Env;
use napi_derive::napi;

/// A device buffer of one of the element types kernels take.
pub(crate) enum Held {
    F32(DeviceBuffer<f32>),
    I32(DeviceBuffer<i32>),
    U8(DeviceBuffer<u8>),
}

impl Held {
    fn bytes(&self) -> usize {
        match self {
            Held::F32(b) => b.len() * 4,
            Held::I32(b) => b.len() * 4,
            Held::U8(b) => b.len(),
        }
    }
}

/// The open device and the buffers JS holds, by number (a freed number is reused).
pub(crate) struct State {
    /// The NCCL communicator joined, if any (before `device`: fields drop in order, and the
    /// communicator must go before the context it lives in).
    nccl: Option<dlp_cuda::nccl::Nccl>,
    pub(crate) device: Device,
    buffers: Vec<Option<Held>>,
    free: Vec<u32>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// A CUDA error as a JS Error whose `code` names the dlp error class it stands for.
pub(crate) fn js_error(error: CudaError) -> napi::Error<&'static str> {
    let code = match &error {
        CudaError::Kernel(e) => e.code(),
        CudaError::Unavailable(_) => "BackendUnavailableError",
        CudaError::Cuda(m) if m.contains("OUT_OF_MEMORY") => "AllocationError",
        CudaError::Cuda(_) => "DlpError",
    };
    napi::Error::new(code, error.to_string())
}

fn argument(message: String) -> napi::Error<&'static str> {
    napi::Error::new("ArgumentError", message)
}

/// Runs `f` on this thread's open device (an ArgumentError before `cudaOpen`).
pub(crate) fn with_state<R>(f: impl FnOnce(&mut State) -> napi::Result<R, &'static str>) -> napi::Result<R, &'static str> {
    STATE.with(|cell| match cell.borrow_mut().as_mut() {
        Some(state) => f(state),
        None => Err(argument("cuda: the device is not open (cudaOpen first)".into())),
    })
}

impl State {
    fn insert(&mut self, held: Held) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.buffers[id as usize] = Some(held);
                id
            }
            None => {
                self.buffers.push(Some(held));
                (self.buffers.len() - 1) as u32
            }
        }
    }

    fn held(&self, kernel: &str, name: &str, id: u32) -> napi::Result<&Held, &'static str> {
        self.buffers
            .get(id as usize)
            .and_then(Option::as_ref)
            .ok_or_else(|| argument(format!("{kernel}: {name} is not a live cuda buffer (buffer {id} was released or never made)")))
    }

    pub(crate) fn f32(&self, kernel: &str, name: &str, id: u32) -> napi::Result<&DeviceBuffer<f32>, &'static str> {
        match self.held(kernel, name, id)? {
            Held::F32(b) => Ok(b),
            _ => Err(argument(format!("{kernel}: {name} should be a float32 buffer"))),
        }
    }

    pub(crate) fn i32(&self, kernel: &str, name: &str, id: u32) -> napi::Result<&DeviceBuffer<i32>, &'static str> {
        match self.held(kernel, name, id)? {
            Held::I32(b) => Ok(b),
            _ => Err(argument(format!("{kernel}: {name} should be an int32 buffer"))),
        }
    }

    pub(crate) fn u8(&self, kernel: &str, name: &str, id: u32) -> napi::Result<&DeviceBuffer<u8>, &'static str> {
        match self.held(kernel, name, id)? {
            Held::U8(b) => Ok(b),
            _ => Err(argument(format!("{kernel}: {name} should be a uint8 buffer"))),
        }
    }
}

/// Keeps `held` and tells V8 how much device memory JS now keeps alive.
fn keep(env: &Env, state: &mut State, held: Held) -> napi::Result<u32, &'static str> {
    let bytes = held.bytes() as i64;
    let id = state.insert(held);
    env.adjust_external_memory(bytes).map_err(|e| argument(format!("cuda: {e}")))?;
    Ok(id)
}

/// Opens GPU `ordinal` for this thread (compiling the kernels: a second or so) and returns its
/// description, e.g. "NVIDIA H100 80GB HBM3 (sm_90)". Opening again returns the open one's.
#[napi]
pub fn cuda_open(ordinal: u32) -> napi::Result<String, &'static str> {
    STATE.with(|cell| {
        let mut state = cell.borrow_mut();
        if state.is_none() {
            let device = Device::open(ordinal as usize).map_err(js_error)?;
            *state = Some(State { nccl: None, device, buffers: Vec::new(), free: Vec::new() });
        }
        Ok(state.as_ref().map(|s| s.device.describe().to_string()).unwrap_or_default())
    })
}

/// The JS names of the kernels that run on the GPU.
#[napi]
pub fn cuda_kernels() -> Vec<&'static str> {
    dlp_cuda::contract::kernels_on_gpu()
}

/// A zero-filled buffer of `length` elements of `dtype` ("float32" or "int32"); its number.
#[napi]
pub fn cuda_allocate(env: Env, length: u32, dtype: String) -> napi::Result<u32, &'static str> {
    with_state(|state| {
        let held = match dtype.as_str() {
            "float32" => Held::F32(state.device.zeros(length as usize).map_err(js_error)?),
            "int32" => Held::I32(state.device.zeros(length as usize).map_err(js_error)?),
            other => return Err(argument(format!("cuda: cannot allocate {other} buffers (float32 or int32)"))),
        };
        keep(&env, state, held)
    })
}

/// A float32 buffer holding a copy of `data`; its number.
#[napi]
pub fn cuda_upload(env: Env, data: Float32ArraySlice) -> napi::Result<u32, &'static str> {
    with_state(|state| {
        let held = Held::F32(state.device.upload(&data).map_err(js_error)?);
        keep(&env, state, held)
    })
}

/// A uint8 buffer holding a copy of `data` (a data set's pixels, uploaded once); its number.
#[napi]
pub fn cuda_upload_bytes(env: Env, data: Uint8ArraySlice) -> napi::Result<u32, &'static str> {
    with_state(|state| {
        let held = Held::U8(state.device.upload(&data).map_err(js_error)?);
        keep(&env, state, held)
    })
}

/// A copy of `length` elements of float32 buffer `id` from element `offset`, after every
/// queued kernel has run.
#[napi]
pub fn cuda_read(id: u32, offset: u32, length: u32) -> napi::Result<Float32Array, &'static str> {
    with_state(|state| {
        let buffer = state.f32("read", "storage", id)?;
        Ok(Float32Array::new(state.device.read(buffer, offset as usize, length as usize).map_err(js_error)?))
    })
}

/// Copies `data` into float32 buffer `id` from element `offset`.
#[napi]
pub fn cuda_write(id: u32, data: Float32ArraySlice, offset: u32) -> napi::Result<(), &'static str> {
    with_state(|state| {
        state.f32("write", "storage", id)?;
        let State { device, buffers, .. } = state;
        let Some(Some(Held::F32(buffer))) = buffers.get_mut(id as usize) else { unreachable!("checked above") };
        device.write(buffer, &data, offset as usize).map_err(js_error)
    })
}

/// Sets every element of float32 buffer `id` to `value`.
#[napi]
pub fn cuda_fill(id: u32, value: f64) -> napi::Result<(), &'static str> {
    with_state(|state| state.device.fill(state.f32("fill", "storage", id)?, value as f32).map_err(js_error))
}

/// Frees buffer `id` (in stream order: after the kernels queued before this call). Releasing
/// a number that is not live is an ArgumentError.
#[napi]
pub fn cuda_release(env: Env, id: u32) -> napi::Result<(), &'static str> {
    with_state(|state| {
        let held = state.buffers.get_mut(id as usize).and_then(Option::take);
        let Some(held) = held else { return Err(argument(format!("cuda: buffer {id} is not live"))) };
        state.free.push(id);
        env.adjust_external_memory(-(held.bytes() as i64)).map_err(|e| argument(format!("cuda: {e}")))?;
        Ok(())
    })
}

/// Waits until every queued kernel has run (for timing; reads wait by themselves).
#[napi]
pub fn cuda_synchronize() -> napi::Result<(), &'static str> {
    with_state(|state| state.device.synchronize().map_err(js_error))
}

/// The live buffers and their bytes (for tests and leak hunting).
#[napi(object)]
pub struct CudaMemory {
    pub buffers: u32,
    pub bytes: f64,
}

#[napi]
pub fn cuda_memory() -> napi::Result<CudaMemory, &'static str> {
    with_state(|state| {
        let live = state.buffers.iter().flatten();
        Ok(CudaMemory { buffers: live.clone().count() as u32, bytes: live.map(Held::bytes).sum::<usize>() as f64 })
    })
}

/// A fresh NCCL unique id (rank 0 makes it and sends it to the others, e.g. over MPI).
#[napi]
pub fn cuda_nccl_unique_id() -> napi::Result<Uint8Array, &'static str> {
    Ok(Uint8Array::new(dlp_cuda::nccl::nccl_unique_id().map_err(js_error)?.to_vec()))
}

/// Joins the NCCL communicator of `size` ranks named by `id` as rank `rank` (all ranks together).
#[napi]
pub fn cuda_nccl_join(id: Uint8ArraySlice, rank: u32, size: u32) -> napi::Result<(), &'static str> {
    let id: [u8; dlp_cuda::nccl::NCCL_ID_BYTES] = id
        .as_ref()
        .try_into()
        .map_err(|_| argument(format!("ncclJoin: the id holds {} bytes, not {}", id.len(), dlp_cuda::nccl::NCCL_ID_BYTES)))?;
    with_state(|state| {
        let nccl = state.device.nccl_join(&id, rank as usize, size as usize).map_err(js_error)?;
        state.nccl = Some(nccl);
        Ok(())
    })
}

/// Sums float32 buffer `id` over the NCCL ranks, in place.
#[napi]
pub fn cuda_nccl_all_reduce_sum(id: u32) -> napi::Result<(), &'static str> {
    with_state(|state| {
        let nccl = state.nccl.as_ref().ok_or_else(|| argument("ncclAllReduceSum: no NCCL communicator joined (cudaNcclJoin first)".into()))?;
        state.device.nccl_all_reduce_sum(nccl, state.f32("ncclAllReduceSum", "storage", id)?).map_err(js_error)
    })
}

/// Rank `root`'s float32 buffer `id` into every NCCL rank's.
#[napi]
pub fn cuda_nccl_broadcast(id: u32, root: u32) -> napi::Result<(), &'static str> {
    with_state(|state| {
        let nccl = state.nccl.as_ref().ok_or_else(|| argument("ncclBroadcast: no NCCL communicator joined (cudaNcclJoin first)".into()))?;
        state.device.nccl_broadcast(nccl, state.f32("ncclBroadcast", "storage", id)?, root as usize).map_err(js_error)
    })
}
