//! A buffer a binding borrowed from JS for one synchronous call: a typed array's memory on
//! Node, a (pointer, length) range of wasm memory in the browser. Two JS buffers may share
//! memory, which Rust slices must never do while one is `&mut`, so a kernel's `run` compares
//! its outputs with its inputs (`dlp_kernels::alias`) before it forms any slice.

use std::ptr::NonNull;

use dlp_kernels::alias::{self, Operand};
use dlp_kernels::KernelError;

/// `len` elements of `T` at `ptr`, named after the kernel argument they came from.
pub struct Buf<T> {
    name: &'static str,
    ptr: *mut T,
    len: usize,
}

impl<T> Buf<T> {
    /// # Safety
    /// `ptr` must point to `len` initialised, aligned elements (any pointer when `len` is 0)
    /// that stay valid, and that nothing outside this call touches, until the call returns.
    pub unsafe fn new(name: &'static str, ptr: *mut T, len: usize) -> Self {
        let ptr = if len == 0 { NonNull::dangling().as_ptr() } else { ptr };
        Self { name, ptr, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The same memory under another name, for messages (gemm's operands are "A", "B", "C").
    pub fn named(self, name: &'static str) -> Self {
        Self { name, ..self }
    }

    /// The buffer's bytes, for the aliasing checks.
    pub fn op(&self) -> Operand<'static> {
        let start = self.ptr as usize;
        Operand::new(self.name, start..start + self.len * std::mem::size_of::<T>())
    }

    /// # Safety
    /// No `&mut` slice overlapping this buffer may be alive while the result is.
    pub unsafe fn read<'a>(&self) -> &'a [T] {
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// # Safety
    /// No other slice overlapping this buffer may be alive while the result is.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn write<'a>(&self) -> &'a mut [T] {
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

/// An optional buffer's bytes (`None` when JS left it out).
pub fn op<T>(buf: &Option<Buf<T>>) -> Option<Operand<'static>> {
    buf.as_ref().map(Buf::op)
}

/// Every output separate from every input and from every other output.
pub fn separate(kernel: &str, outputs: &[Option<Operand>], inputs: &[Option<Operand>]) -> Result<(), KernelError> {
    alias::check_all_separate(kernel, outputs, inputs)
}

/// True when `out` is `input` itself (run the kernel in place), false when they are disjoint;
/// a partial overlap is refused.
pub fn same<T>(kernel: &str, out: &Buf<T>, input: &Buf<T>) -> Result<bool, KernelError> {
    alias::in_place(kernel, &out.op(), &input.op())
}

/// # Safety
/// As `Buf::read`.
pub unsafe fn read_opt<'a, T>(buf: &Option<Buf<T>>) -> Option<&'a [T]> {
    buf.as_ref().map(|b| unsafe { b.read() })
}

/// # Safety
/// As `Buf::write`.
pub unsafe fn write_opt<'a, T>(buf: &Option<Buf<T>>) -> Option<&'a mut [T]> {
    buf.as_ref().map(|b| unsafe { b.write() })
}
