//! WebAssembly binding of dlp's kernels through wasm-bindgen, generated from the kernel
//! contract (crates/contract): for each declared kernel, a function taking one object of its
//! named arguments, typed in the generated .d.ts. Float buffers are the wasm backend's
//! storages themselves (`WasmBuffer`: a byte pointer into this module's memory and an element
//! count), so a call copies nothing; Int32Array arguments (labels, argmax indices) stay in JS
//! memory and are copied in, and for outputs back out.
//!
//! Kernel errors reach JS as `Error`s whose `code` is the TypeScript class they stand for
//! ("ShapeError", "ArgumentError"); the message is dlp-kernels' own.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::mem::size_of;

use dlp_contract::{Buf, KernelError};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A float32 buffer in this module's memory (a wasm backend storage).
    pub type WasmBuffer;
    #[wasm_bindgen(method, getter)]
    fn ptr(this: &WasmBuffer) -> f64;
    #[wasm_bindgen(method, getter)]
    fn length(this: &WasmBuffer) -> f64;

    /// An Int32Array in JS memory, written back after a kernel filled it.
    pub type JsInt32Array;
    #[wasm_bindgen(method, getter, js_name = length)]
    fn int32_length(this: &JsInt32Array) -> u32;
    #[wasm_bindgen(method, js_name = set)]
    fn copy_from(this: &JsInt32Array, values: &[i32]);

    #[wasm_bindgen(js_name = Error)]
    type CodedError;
    #[wasm_bindgen(constructor, js_class = "Error")]
    fn new(message: &str) -> CodedError;
    #[wasm_bindgen(method, setter = code)]
    fn set_code(this: &CodedError, code: &str);
}

#[wasm_bindgen(typescript_custom_section)]
const WASM_BUFFER: &str = "/** A float32 buffer in the module's memory: byte pointer and element count. */
export interface WasmBuffer { readonly ptr: number; readonly length: number }";

/// A kernel's error as a JS `Error` with the error class's name as its `code`.
fn js_error(error: KernelError) -> JsValue {
    let e = CodedError::new(error.message());
    e.set_code(error.code());
    e.into()
}

/// Runs once when the module is instantiated (both `init` and `initSync`), before any kernel:
/// the `gemm` crate dispatches on a run-time switch that starts on with `wasm-simd128`, and
/// caches its choice at the first GEMM, so set it here to what this build was compiled for.
#[wasm_bindgen(start)]
fn start() {
    dlp_kernels::set_wasm_simd128(cfg!(target_feature = "simd128"));
}

/// Whether this build was compiled with `+simd128` (and so runs the simd128 GEMM kernels).
#[wasm_bindgen]
pub fn simd128() -> bool {
    cfg!(target_feature = "simd128") && dlp_kernels::wasm_simd128_enabled()
}

/// Threads a kernel may use: the rayon pool's size in the `threads` build (after
/// `initThreadPool(n)`, n), else 1.
#[wasm_bindgen(js_name = availableThreads)]
pub fn available_threads() -> usize {
    dlp_kernels::threads::available_threads()
}

/// `initThreadPool(n)`: starts the pool's n Web Workers (each instantiates this module on the
/// shared memory) and builds rayon's global pool on them. Call it once, right after
/// instantiating and before any kernel: a kernel run earlier would make rayon build a
/// one-thread pool, and the global pool cannot be built twice.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// The module's `WebAssembly.Memory`, that every pointer indexes (in bytes). Not named
/// `memory`: that is the module's own export, and a second one would clash.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// One layout per length, shared by alloc and free; zero-length buffers still get one element
/// so that every pointer handed out is real, distinct and freeable.
fn layout_f32(len: usize) -> Result<Layout, JsError> {
    Layout::array::<f32>(len.max(1)).map_err(|_| JsError::new(&format!("allocF32: {len} floats do not fit in wasm32 memory")))
}

/// Allocates `len` zeroed f32 inside wasm memory and returns its byte pointer (4-aligned).
#[wasm_bindgen(js_name = allocF32)]
pub fn alloc_f32(len: usize) -> Result<usize, JsError> {
    let layout = layout_f32(len)?;
    // SAFETY: the layout has a non-zero size (at least one element).
    let ptr = unsafe { alloc_zeroed(layout) };
    if ptr.is_null() {
        return Err(JsError::new(&format!("allocF32: out of memory allocating {len} floats ({} bytes)", layout.size())));
    }
    Ok(ptr as usize)
}

/// Frees a buffer from `allocF32`; `len` must be the length it was allocated with.
#[wasm_bindgen(js_name = freeF32)]
pub fn free_f32(ptr: usize, len: usize) -> Result<(), JsError> {
    let layout = layout_f32(len)?;
    if ptr == 0 || !ptr.is_multiple_of(layout.align()) {
        return Err(JsError::new(&format!("freeF32: {ptr} is not a pointer from allocF32")));
    }
    // SAFETY: the caller's contract (the wasm backend's): ptr/len come from one allocF32 call.
    unsafe { dealloc(ptr as *mut u8, layout) };
    Ok(())
}

/// Current size of the wasm memory in bytes.
fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) * 65536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        usize::MAX
    }
}

/// A JS argument as the contract takes it (see dlp_contract::kind); `finish` runs after the
/// kernel, to copy an output back to JS.
trait ToContract {
    type Contract;
    fn to_contract(&mut self, kernel: &'static str, name: &'static str) -> Result<Self::Contract, KernelError>;
    fn finish(self)
    where
        Self: Sized,
    {
    }
}

impl ToContract for WasmBuffer {
    type Contract = Buf<f32>;
    fn to_contract(&mut self, kernel: &'static str, name: &'static str) -> Result<Buf<f32>, KernelError> {
        let ptr = dlp_contract::kind::size(kernel, &format!("{name}.ptr"), self.ptr())?;
        let len = dlp_contract::kind::size(kernel, &format!("{name}.length"), self.length())?;
        let inside = len.checked_mul(size_of::<f32>()).and_then(|bytes| ptr.checked_add(bytes)).is_some_and(|end| end <= memory_bytes());
        if len > 0 && !(inside && ptr != 0 && ptr.is_multiple_of(size_of::<f32>())) {
            return Err(KernelError::new(format!(
                "{kernel}: {name} at byte {ptr} with {len} floats is not a 4-aligned buffer inside wasm memory ({} bytes)",
                memory_bytes()
            )));
        }
        // SAFETY: the range lies inside wasm memory (checked above), which nothing else
        // touches during this synchronous call; the contract checks it against other buffers.
        Ok(unsafe { Buf::new(name, ptr as *mut f32, len) })
    }
}

impl<T: ToContract> ToContract for Option<T> {
    type Contract = Option<T::Contract>;
    fn to_contract(&mut self, kernel: &'static str, name: &'static str) -> Result<Self::Contract, KernelError> {
        self.as_mut().map(|value| value.to_contract(kernel, name)).transpose()
    }
}

/// Int32 input values, copied into wasm memory by wasm-bindgen.
impl ToContract for Vec<i32> {
    type Contract = Buf<i32>;
    fn to_contract(&mut self, _kernel: &'static str, name: &'static str) -> Result<Buf<i32>, KernelError> {
        // SAFETY: the vector lives, unchanged, until after the kernel returns.
        Ok(unsafe { Buf::new(name, self.as_mut_ptr(), self.len()) })
    }
}

/// An Int32Array the kernel writes: filled in wasm memory, then copied back.
struct Int32Output {
    js: JsInt32Array,
    values: Vec<i32>,
}

impl Int32Output {
    fn new(js: JsInt32Array) -> Self {
        let values = vec![0; js.int32_length() as usize];
        Self { js, values }
    }
}

impl ToContract for Int32Output {
    type Contract = Buf<i32>;
    fn to_contract(&mut self, kernel: &'static str, name: &'static str) -> Result<Buf<i32>, KernelError> {
        self.values.to_contract(kernel, name)
    }
    fn finish(self) {
        self.js.copy_from(&self.values);
    }
}

macro_rules! as_is {
    ($($t:ty),*) => {$(
        impl ToContract for $t {
            type Contract = $t;
            fn to_contract(&mut self, _kernel: &'static str, _name: &'static str) -> Result<$t, KernelError> {
                Ok(std::mem::take(self))
            }
        }
    )*};
}
as_is!(f64, bool, Vec<f64>, String);

/// Axis flags arrive as bytes (a JS boolean[] copied into a Uint8Array: true is 1).
impl ToContract for Vec<u8> {
    type Contract = Vec<bool>;
    fn to_contract(&mut self, _kernel: &'static str, _name: &'static str) -> Result<Vec<bool>, KernelError> {
        Ok(self.iter().map(|&b| b != 0).collect())
    }
}

/// Generates, for each declared kernel, its argument type (getters on the JS object), its
/// exported function and the function's TypeScript signature with the argument interface.
macro_rules! wasm_bind {
    ($( $(#[doc = $doc:tt])* $js:literal $fun:ident $S:ident { $($f:ident : $k:ident),* $(,)? } -> $ret:ident; )*) => {$(
        #[wasm_bindgen]
        extern "C" {
            #[allow(non_camel_case_types)]
            pub type $S;
        }
        $( wasm_getter!($S $f $k); )*

        #[wasm_bindgen(typescript_custom_section)]
        const _: &str = concat!(
            "export interface ", stringify!($S), " { ", $( stringify!($f), wasm_ts!($k), "; ", )* "}\n",
            $( "/**", $doc, " */\n", )*
            "export function ", $js, "(args: ", stringify!($S), ")", wasm_ts!($ret), ";"
        );

        wasm_export!($ret; $js $fun $S { $($f: $k),* });
    )*};
}

/// The exported function: converts each field, runs the kernel, copies outputs back.
/// (Return and getter types are spelled out per rule: wasm-bindgen's attribute sees tokens
/// before any macro inside them is expanded.)
macro_rules! wasm_export {
    (unit; $($rest:tt)*) => { wasm_export!(@ [()] $($rest)*); };
    (number; $($rest:tt)*) => { wasm_export!(@ [f64] $($rest)*); };
    (@ [$($r:tt)*] $js:literal $fun:ident $S:ident { $($f:ident: $k:ident),* }) => {
        #[wasm_bindgen(js_name = $js, skip_typescript)]
        pub fn $fun(args: &$S) -> Result<$($r)*, JsValue> {
            const K: &str = dlp_contract::$S::NAME;
            $( let mut $f = wasm_hold!($k, args.$f()); )*
            let call = dlp_contract::$S {
                $( $f: dlp_contract::kind::$k(K, stringify!($f), $f.to_contract(K, stringify!($f)).map_err(js_error)?).map_err(js_error)?, )*
            };
            let result = call.run().map_err(js_error)?;
            $( $f.finish(); )*
            Ok(result)
        }
    };
}

/// A getter on the argument object, returning the kind as wasm-bindgen converts it from JS.
macro_rules! wasm_getter {
    ($S:ident $f:ident f32_in) => { wasm_getter!(@ $S $f WasmBuffer); };
    ($S:ident $f:ident f32_out) => { wasm_getter!(@ $S $f WasmBuffer); };
    ($S:ident $f:ident opt_f32_in) => { wasm_getter!(@ $S $f Option<WasmBuffer>); };
    ($S:ident $f:ident opt_f32_out) => { wasm_getter!(@ $S $f Option<WasmBuffer>); };
    ($S:ident $f:ident i32_in) => { wasm_getter!(@ $S $f Vec<i32>); };
    ($S:ident $f:ident i32_out) => { wasm_getter!(@ $S $f JsInt32Array); };
    ($S:ident $f:ident size) => { wasm_getter!(@ $S $f f64); };
    ($S:ident $f:ident real32) => { wasm_getter!(@ $S $f f64); };
    ($S:ident $f:ident real64) => { wasm_getter!(@ $S $f f64); };
    ($S:ident $f:ident flag) => { wasm_getter!(@ $S $f bool); };
    ($S:ident $f:ident dims) => { wasm_getter!(@ $S $f Vec<f64>); };
    ($S:ident $f:ident flags) => { wasm_getter!(@ $S $f Vec<u8>); };
    ($S:ident $f:ident name) => { wasm_getter!(@ $S $f String); };
    (@ $S:ident $f:ident $($t:tt)+) => {
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(method, getter)]
            fn $f(this: &$S) -> $($t)+;
        }
    };
}

/// What the exported function holds of a getter's value until the kernel has run.
macro_rules! wasm_hold {
    (i32_out, $value:expr) => { Int32Output::new($value) };
    ($k:ident, $value:expr) => { $value };
}

/// A field's (or the return's) TypeScript type in the generated .d.ts, colon included.
macro_rules! wasm_ts {
    (f32_in) => { ": WasmBuffer" };
    (f32_out) => { ": WasmBuffer" };
    (opt_f32_in) => { "?: WasmBuffer" };
    (opt_f32_out) => { "?: WasmBuffer" };
    (i32_in) => { ": Int32Array" };
    (i32_out) => { ": Int32Array" };
    (size) => { ": number" };
    (real32) => { ": number" };
    (real64) => { ": number" };
    (flag) => { ": boolean" };
    (dims) => { ": readonly number[]" };
    (flags) => { ": readonly boolean[]" };
    (name) => { ": string" };
    (unit) => { ": void" };
    (number) => { ": number" };
}

dlp_contract::gemm_kernels!(wasm_bind);
dlp_contract::elementwise_kernels!(wasm_bind);
dlp_contract::loss_kernels!(wasm_bind);
dlp_contract::layout_kernels!(wasm_bind);
dlp_contract::norm_kernels!(wasm_bind);
dlp_contract::optim_kernels!(wasm_bind);
dlp_contract::conv_kernels!(wasm_bind);
