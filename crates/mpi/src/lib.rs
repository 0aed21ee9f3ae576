//! The few MPI collectives data-parallel training needs, over Open MPI's `libmpi`, which is
//! opened when a program first asks for MPI: nothing MPI is needed to build this crate, and a
//! program that never asks pays nothing. A thin FFI rather than the `mpi` crate, whose build
//! needs libclang and an MPI installation on every machine that compiles dlp.
//!
//! Open MPI's ABI is assumed (Debian's `openmpi-bin`/`libopenmpi-dev`, and what mpirun starts):
//! a handle (communicator, datatype, reduction) is the address of a predefined global object
//! (`ompi_mpi_comm_world`, `ompi_mpi_float`, `ompi_mpi_op_sum`, …), which this crate looks up
//! in the library like the functions. MPICH's integer handles are not supported.
//!
//! MPI is initialised once per process ([`Mpi::get`]), with MPI_THREAD_FUNNELED: the calls come
//! from the thread that initialised it. Errors return codes (MPI_ERRORS_RETURN), turned into
//! [`MpiError::Call`] with MPI's message.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::OnceLock;

use libloading::os::unix::{Library, Symbol, RTLD_GLOBAL, RTLD_NOW};

mod stop_line;

type Handle = *mut c_void;

/// Why MPI cannot be used, or which call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MpiError {
    /// libmpi could not be opened or lacks a symbol: no Open MPI here.
    Unavailable(String),
    /// An MPI call returned an error: the call and MPI's message.
    Call(String),
    /// A bad argument (a root outside the communicator).
    Argument(String),
}

impl std::fmt::Display for MpiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MpiError::Unavailable(m) | MpiError::Call(m) | MpiError::Argument(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for MpiError {}

/// The library names tried in order when DLP_MPI_LIB does not name one.
const LIBRARY_NAMES: [&str; 2] = ["libmpi.so.40", "libmpi.so"];

struct Functions {
    init_thread: unsafe extern "C" fn(*mut c_int, *mut *mut *mut c_char, c_int, *mut c_int) -> c_int,
    initialized: unsafe extern "C" fn(*mut c_int) -> c_int,
    finalize: unsafe extern "C" fn() -> c_int,
    comm_rank: unsafe extern "C" fn(Handle, *mut c_int) -> c_int,
    comm_size: unsafe extern "C" fn(Handle, *mut c_int) -> c_int,
    comm_set_errhandler: unsafe extern "C" fn(Handle, Handle) -> c_int,
    allreduce: unsafe extern "C" fn(*const c_void, *mut c_void, c_int, Handle, Handle, Handle) -> c_int,
    bcast: unsafe extern "C" fn(*mut c_void, c_int, Handle, c_int, Handle) -> c_int,
    barrier: unsafe extern "C" fn(Handle) -> c_int,
    abort: unsafe extern "C" fn(Handle, c_int) -> c_int,
    error_string: unsafe extern "C" fn(c_int, *mut c_char, *mut c_int) -> c_int,
}

/// MPI, initialised, on MPI_COMM_WORLD.
pub struct Mpi {
    f: Functions,
    world: Handle,
    float: Handle,
    double: Handle,
    byte: Handle,
    sum: Handle,
    rank: usize,
    size: usize,
    /// Keeps the library mapped for the process's life.
    _library: Library,
}

// SAFETY: the handles are addresses of Open MPI's global objects, valid for the process's
// life; calls are made from the initialising thread (MPI_THREAD_FUNNELED), which the bindings
// ensure (Node's main thread).
unsafe impl Send for Mpi {}
unsafe impl Sync for Mpi {}

static MPI: OnceLock<Result<Mpi, MpiError>> = OnceLock::new();

/// MPI_IN_PLACE in Open MPI's mpi.h: the address 1 (a marker MPI compares with, not memory).
#[allow(clippy::manual_dangling_ptr)]
const IN_PLACE: *const c_void = 1 as *const c_void;
const SUCCESS: c_int = 0;
const THREAD_FUNNELED: c_int = 1;

impl Mpi {
    /// The process's MPI, initialised on first use (a process started without mpirun is a
    /// world of one). The second and later calls return the first one's result.
    pub fn get() -> Result<&'static Mpi, MpiError> {
        MPI.get_or_init(Mpi::init).as_ref().map_err(Clone::clone)
    }

    fn init() -> Result<Mpi, MpiError> {
        let library = open_library()?;
        // SAFETY: each symbol is looked up with the C signature Open MPI's mpi.h declares.
        unsafe {
            let f = Functions {
                init_thread: *symbol(&library, "MPI_Init_thread")?,
                initialized: *symbol(&library, "MPI_Initialized")?,
                finalize: *symbol(&library, "MPI_Finalize")?,
                comm_rank: *symbol(&library, "MPI_Comm_rank")?,
                comm_size: *symbol(&library, "MPI_Comm_size")?,
                comm_set_errhandler: *symbol(&library, "MPI_Comm_set_errhandler")?,
                allreduce: *symbol(&library, "MPI_Allreduce")?,
                bcast: *symbol(&library, "MPI_Bcast")?,
                barrier: *symbol(&library, "MPI_Barrier")?,
                abort: *symbol(&library, "MPI_Abort")?,
                error_string: *symbol(&library, "MPI_Error_string")?,
            };
            let object = |name: &str| -> Result<Handle, MpiError> {
                let s: Symbol<*mut c_void> = symbol(&library, name)?;
                Ok(s.into_raw() as Handle)
            };
            let (world, float, double, byte) = (object("ompi_mpi_comm_world")?, object("ompi_mpi_float")?, object("ompi_mpi_double")?, object("ompi_mpi_byte")?);
            let (sum, errors_return) = (object("ompi_mpi_op_sum")?, object("ompi_mpi_errors_return")?);
            let mut mpi = Mpi { f, world, float, double, byte, sum, rank: 0, size: 1, _library: library };
            let mut initialized = 0;
            (mpi.f.initialized)(&mut initialized);
            if initialized == 0 {
                let mut provided = 0;
                mpi.check("MPI_Init_thread", (mpi.f.init_thread)(std::ptr::null_mut(), std::ptr::null_mut(), THREAD_FUNNELED, &mut provided))?;
            }
            mpi.check("MPI_Comm_set_errhandler", (mpi.f.comm_set_errhandler)(world, errors_return))?;
            let (mut rank, mut size) = (0, 0);
            mpi.check("MPI_Comm_rank", (mpi.f.comm_rank)(world, &mut rank))?;
            mpi.check("MPI_Comm_size", (mpi.f.comm_size)(world, &mut size))?;
            (mpi.rank, mpi.size) = (rank as usize, size as usize);
            stop_line::install(mpi.rank, mpi.size);
            Ok(mpi)
        }
    }

    pub fn rank(&self) -> usize {
        self.rank
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Every rank's `values` summed element by element, into every rank's `values`.
    pub fn all_reduce_sum_f32(&self, values: &mut [f32]) -> Result<(), MpiError> {
        self.all_reduce_sum(values, self.float)
    }

    /// As [`Mpi::all_reduce_sum_f32`] for doubles (losses and counts summed over the ranks).
    pub fn all_reduce_sum_f64(&self, values: &mut [f64]) -> Result<(), MpiError> {
        self.all_reduce_sum(values, self.double)
    }

    /// Rank `root`'s `values` into every rank's.
    pub fn broadcast_f32(&self, values: &mut [f32], root: usize) -> Result<(), MpiError> {
        self.broadcast(values, self.float, root)
    }

    /// Rank `root`'s bytes into every rank's (an NCCL unique id, for instance).
    pub fn broadcast_bytes(&self, values: &mut [u8], root: usize) -> Result<(), MpiError> {
        self.broadcast(values, self.byte, root)
    }

    /// In-place sum over the ranks of `values`, whose elements are MPI's `datatype`, in chunks
    /// MPI's int count can say.
    fn all_reduce_sum<T>(&self, values: &mut [T], datatype: Handle) -> Result<(), MpiError> {
        for chunk in values.chunks_mut(c_int::MAX as usize) {
            // SAFETY: in place over the chunk's elements, of `datatype`, on every rank alike.
            let code = unsafe { (self.f.allreduce)(IN_PLACE, chunk.as_mut_ptr().cast(), chunk.len() as c_int, datatype, self.sum, self.world) };
            self.check("MPI_Allreduce", code)?;
        }
        Ok(())
    }

    /// Rank `root`'s `values` (elements of MPI's `datatype`) into every rank's.
    fn broadcast<T>(&self, values: &mut [T], datatype: Handle, root: usize) -> Result<(), MpiError> {
        if root >= self.size {
            return Err(MpiError::Argument(format!("broadcast: root {root} is outside ranks 0..{}", self.size - 1)));
        }
        for chunk in values.chunks_mut(c_int::MAX as usize) {
            // SAFETY: the chunk's elements, of `datatype`, the same count on every rank.
            let code = unsafe { (self.f.bcast)(chunk.as_mut_ptr().cast(), chunk.len() as c_int, datatype, root as c_int, self.world) };
            self.check("MPI_Bcast", code)?;
        }
        Ok(())
    }

    /// Returns once every rank has called it.
    pub fn barrier(&self) -> Result<(), MpiError> {
        // SAFETY: a plain call on the world communicator.
        self.check("MPI_Barrier", unsafe { (self.f.barrier)(self.world) })
    }

    /// Ends every rank of the job (mpirun stops the others); does not return.
    pub fn abort(&self, code: i32) -> ! {
        // SAFETY: a plain call; MPI_Abort does not return on success.
        unsafe { (self.f.abort)(self.world, code) };
        std::process::exit(code)
    }

    /// Ends MPI for this process (every rank calls it once, last).
    pub fn finalize(&self) -> Result<(), MpiError> {
        // SAFETY: a plain call.
        self.check("MPI_Finalize", unsafe { (self.f.finalize)() })
    }

    fn check(&self, call: &str, code: c_int) -> Result<(), MpiError> {
        if code == SUCCESS {
            return Ok(());
        }
        let mut text = [0 as c_char; 257];
        let mut len = 0;
        // SAFETY: the buffer holds MPI_MAX_ERROR_STRING (256) characters and a NUL.
        unsafe { (self.f.error_string)(code, text.as_mut_ptr(), &mut len) };
        // SAFETY: MPI wrote a NUL-terminated string (the buffer was zeroed).
        let message = unsafe { CStr::from_ptr(text.as_ptr()) }.to_string_lossy();
        Err(MpiError::Call(format!("{call} failed on rank {}: {message} (error {code})", self.rank)))
    }
}

/// Open MPI's library, global so that the plugins it opens itself find its symbols.
fn open_library() -> Result<Library, MpiError> {
    let names: Vec<String> = match std::env::var("DLP_MPI_LIB") {
        Ok(path) if !path.is_empty() => vec![path],
        _ => LIBRARY_NAMES.iter().map(|s| s.to_string()).collect(),
    };
    let mut last = String::new();
    for name in &names {
        // SAFETY: loading Open MPI runs its (well-behaved) initialisers.
        match unsafe { Library::open(Some(name), RTLD_NOW | RTLD_GLOBAL) } {
            Ok(library) => return Ok(library),
            Err(e) => last = e.to_string(),
        }
    }
    Err(MpiError::Unavailable(format!(
        "MPI unavailable: Open MPI's library was not found ({}: {last}); install openmpi-bin and libopenmpi-dev, or set DLP_MPI_LIB",
        names.join(", ")
    )))
}

/// # Safety
/// `T` must be the symbol's type.
unsafe fn symbol<T>(library: &Library, name: &str) -> Result<Symbol<T>, MpiError> {
    unsafe { library.get(name.as_bytes()) }.map_err(|e| MpiError::Unavailable(format!("MPI unavailable: {name} is missing from libmpi ({e}); Open MPI is required")))
}
