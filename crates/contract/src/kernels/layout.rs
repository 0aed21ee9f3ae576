//! Layout and reductions: making a strided view contiguous, slices along an axis copied in and
//! out (concatenation), sums over axes, the max along an axis with its argmax (and the gradient
//! routed back through it).

use dlp_kernels::KernelError;

use crate::buffer::separate;

/// The layout and reduction declarations (see the crate docs for the format).
#[macro_export]
macro_rules! layout_kernels {
    ($gen:ident) => {
        $gen! {
            /// out (row-major, `shape`) = x read through `strides`: makes a view contiguous.
            "copy" copy Copy { shape: dims, x: f32_in, strides: dims, out: f32_out } -> unit;
            /// out [outer, total, inner]: out[o][offset + s][i] = x[o][s][i] for x [outer, size, inner];
            /// the rest of out is left as it is (one input of a concatenation put in its place).
            "copyIntoSlice" copy_into_slice CopyIntoSlice {
                x: f32_in, out: f32_out, outer: size, total: size, inner: size, offset: size, size: size,
            } -> unit;
            /// out [outer, size, inner] = x[o][offset + s][i] for x [outer, total, inner] (a slice along an axis).
            "copySlice" copy_slice CopySlice {
                x: f32_in, out: f32_out, outer: size, total: size, inner: size, offset: size, size: size,
            } -> unit;
            /// out = beta·out + Σ of x (row-major, `shape`) over the axes flagged true.
            "reduceSum" reduce_sum ReduceSum { x: f32_in, shape: dims, axes: flags, out: f32_out, beta: real32 } -> unit;
            /// Max along the middle axis of x as [outer, size, inner] into out, and the first index
            /// reaching it into indices.
            "maxAlong" max_along MaxAlong { x: f32_in, outer: size, size: size, inner: size, out: f32_out, indices: i32_out } -> unit;
            /// dx = 0, then dout routed to the argmax positions given by indices.
            "maxAlongBackward" max_along_backward MaxAlongBackward {
                dout: f32_in, indices: i32_in, outer: size, size: size, inner: size, dx: f32_out,
            } -> unit;
        }
    };
}
layout_kernels!(declare);

impl Copy {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out does not overlap x.
        unsafe { dlp_kernels::copy_strided(&self.shape, self.x.read(), &self.strides, self.out.write()) }
    }
}

impl CopyIntoSlice {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out does not overlap x.
        unsafe {
            dlp_kernels::copy_into_slice(self.x.read(), self.out.write(), self.outer, self.total, self.inner, self.offset, self.size)
        }
    }
}

impl CopySlice {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out does not overlap x.
        unsafe { dlp_kernels::copy_slice(self.x.read(), self.out.write(), self.outer, self.total, self.inner, self.offset, self.size) }
    }
}

impl ReduceSum {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out does not overlap x.
        unsafe { dlp_kernels::reduce_sum(self.x.read(), &self.shape, &self.axes, self.out.write(), self.beta) }
    }
}

impl MaxAlong {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op()), Some(self.indices.op())], &[Some(self.x.op())])?;
        // SAFETY: out, indices and x are pairwise disjoint (checked above).
        unsafe {
            dlp_kernels::max_along(self.x.read(), self.outer, self.size, self.inner, self.out.write(), self.indices.write())
        }
    }
}

impl MaxAlongBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.dout.op()), Some(self.indices.op())])?;
        // SAFETY: dx overlaps neither input.
        unsafe {
            dlp_kernels::max_along_backward(self.dout.read(), self.indices.read(), self.outer, self.size, self.inner, self.dx.write())
        }
    }
}
