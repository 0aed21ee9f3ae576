//! NVRTC: a source to PTX for a virtual architecture (`compute_80`: what [`crate::Device`]
//! loads, the driver finishing it for its GPU) or to a cubin for a real one (`sm_80`: NVRTC
//! runs ptxas too, so register allocation and the machine code are checked as well).

use std::ffi::{c_char, CStr, CString};

use cudarc::nvrtc::{result, sys};

use crate::error::CudaError;
use crate::libs::nvrtc_present;
use crate::sources::KernelSource;

/// Options for every compile: IEEE division and square roots, no flush to zero, contraction
/// to FMA allowed (as the CPU kernels use FMAs), C++17.
const OPTIONS: &[&str] = &["--std=c++17", "--prec-div=true", "--prec-sqrt=true", "--ftz=false", "--fmad=true"];

/// `source` as PTX for `arch` (e.g. "compute_80").
pub fn to_ptx(source: &KernelSource, arch: &str) -> Result<String, CudaError> {
    let program = Program::compile(source, arch)?;
    // SAFETY: the program compiled.
    let ptx = unsafe { result::get_ptx(program.0) }.map_err(|e| CudaError::cuda("nvrtcGetPTX", e))?;
    // SAFETY: NVRTC's PTX is NUL-terminated text.
    Ok(unsafe { CStr::from_ptr(ptx.as_ptr()) }.to_string_lossy().into_owned())
}

/// `source` as a cubin for `arch` (e.g. "sm_90"): the machine code for that GPU.
pub fn to_cubin(source: &KernelSource, arch: &str) -> Result<Vec<u8>, CudaError> {
    let program = Program::compile(source, arch)?;
    let mut size = 0usize;
    // SAFETY: the program compiled for a real architecture, so it has a cubin of `size` bytes.
    unsafe { sys::nvrtcGetCUBINSize(program.0, &mut size) }.result().map_err(|e| CudaError::cuda("nvrtcGetCUBINSize", e))?;
    let mut cubin = vec![0u8; size];
    // SAFETY: `cubin` holds `size` bytes.
    unsafe { sys::nvrtcGetCUBIN(program.0, cubin.as_mut_ptr() as *mut c_char) }.result().map_err(|e| CudaError::cuda("nvrtcGetCUBIN", e))?;
    Ok(cubin)
}

/// NVRTC's version, (major, minor).
pub fn nvrtc_version() -> Result<(i32, i32), CudaError> {
    nvrtc_present()?;
    let (mut major, mut minor) = (0, 0);
    // SAFETY: two ints to write.
    unsafe { sys::nvrtcVersion(&mut major, &mut minor) }.result().map_err(|e| CudaError::cuda("nvrtcVersion", e))?;
    Ok((major, minor))
}

/// What every source shares (u64, THREADS, FOR_EACH, block_sum2), put before each one.
const COMMON: &str = include_str!("kernels/common.cuh");

/// A compiled NVRTC program, destroyed on drop.
struct Program(sys::nvrtcProgram);

impl Program {
    fn compile(source: &KernelSource, arch: &str) -> Result<Program, CudaError> {
        nvrtc_present()?;
        // The shared definitions first, then the source with its own line numbers.
        let text = format!("{COMMON}\n#line 1 \"{}\"\n{}", source.file, source.code);
        let code = CString::new(text).map_err(|_| CudaError::argument(format!("{}: the source holds a NUL byte", source.file)))?;
        let name = CString::new(source.file).map_err(|_| CudaError::argument("a source's file name holds a NUL byte"))?;
        let program = Program(result::create_program(code.as_c_str(), Some(name.as_c_str())).map_err(|e| CudaError::cuda("nvrtcCreateProgram", e))?);
        let options: Vec<String> = OPTIONS.iter().map(|o| o.to_string()).chain([format!("--gpu-architecture={arch}")]).collect();
        // SAFETY: the program was created above; the options are owned strings.
        if let Err(e) = unsafe { result::compile_program(program.0, &options) } {
            // SAFETY: as above; NVRTC's log is NUL-terminated text.
            let log = unsafe { result::get_program_log(program.0) }
                .map(|l| unsafe { CStr::from_ptr(l.as_ptr()) }.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Err(CudaError::Cuda(format!("NVRTC could not compile {} for {arch} ({e:?}):\n{}", source.file, log.trim_end())));
        }
        Ok(program)
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: created by nvrtcCreateProgram, destroyed once.
        let _ = unsafe { result::destroy_program(self.0) };
    }
}
