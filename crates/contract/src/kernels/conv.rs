//! Convolution (forward, input and weight backward) and 2-D max, average and adaptive average
//! pooling on NCHW tensors; the geometry (batch, channels, height, width, kernel, stride,
//! padding) is part of the arguments. Outputs must be separate from every input.

use dlp_kernels::KernelError;

use crate::buffer::{op, read_opt, separate, write_opt};

/// The convolution and pooling declarations (see the crate docs for the format).
#[macro_export]
macro_rules! conv_kernels {
    ($gen:ident) => {
        $gen! {
            /// out = conv(x, weight) + bias (absent: 0), cross-correlation as PyTorch's Conv2d.
            "conv2d" conv2d Conv2d {
                x: f32_in, weight: f32_in, bias: opt_f32_in, out: f32_out,
                batch: size, inChannels: size, height: size, width: size, outChannels: size, kernelH: size,
                kernelW: size, strideH: size, strideW: size, padH: size, padW: size, threads: size,
            } -> unit;
            /// dx from dout and weight; dx is overwritten.
            "conv2dBackwardInput" conv2d_backward_input Conv2dBackwardInput {
                dout: f32_in, weight: f32_in, dx: f32_out,
                batch: size, inChannels: size, height: size, width: size, outChannels: size, kernelH: size,
                kernelW: size, strideH: size, strideW: size, padH: size, padW: size, threads: size,
            } -> unit;
            /// dweight (and dbias when given) from x and dout; both overwritten.
            "conv2dBackwardWeight" conv2d_backward_weight Conv2dBackwardWeight {
                x: f32_in, dout: f32_in, dweight: f32_out, dbias: opt_f32_out,
                batch: size, inChannels: size, height: size, width: size, outChannels: size, kernelH: size,
                kernelW: size, strideH: size, strideW: size, padH: size, padW: size, threads: size,
            } -> unit;
            /// out = max over each window, indices = its flat position h·width + w in the input plane.
            "maxPool2d" max_pool2d MaxPool2d {
                x: f32_in, out: f32_out, indices: i32_out,
                batch: size, channels: size, height: size, width: size, kernelH: size, kernelW: size,
                strideH: size, strideW: size, padH: size, padW: size,
            } -> unit;
            /// dx = 0, then dout routed to the argmax positions given by indices.
            "maxPool2dBackward" max_pool2d_backward MaxPool2dBackward {
                dout: f32_in, indices: i32_in, dx: f32_out,
                batch: size, channels: size, height: size, width: size, kernelH: size, kernelW: size,
                strideH: size, strideW: size, padH: size, padW: size,
            } -> unit;
            /// out = mean over each window, divided by the whole window (countIncludePad) or by its pixels.
            "avgPool2d" avg_pool2d AvgPool2d {
                x: f32_in, out: f32_out,
                batch: size, channels: size, height: size, width: size, kernelH: size, kernelW: size,
                strideH: size, strideW: size, padH: size, padW: size, countIncludePad: flag,
            } -> unit;
            /// dx = each output's dout / divisor spread over its window; dx is overwritten.
            "avgPool2dBackward" avg_pool2d_backward AvgPool2dBackward {
                dout: f32_in, dx: f32_out,
                batch: size, channels: size, height: size, width: size, kernelH: size, kernelW: size,
                strideH: size, strideW: size, padH: size, padW: size, countIncludePad: flag,
            } -> unit;
            /// out [batch, channels, outH, outW] = the mean over PyTorch's adaptive bins.
            "adaptiveAvgPool2d" adaptive_avg_pool2d AdaptiveAvgPool2d {
                x: f32_in, out: f32_out, batch: size, channels: size, height: size, width: size, outH: size, outW: size,
            } -> unit;
            /// dx = each output's dout / bin size spread over its bin; dx is overwritten.
            "adaptiveAvgPool2dBackward" adaptive_avg_pool2d_backward AdaptiveAvgPool2dBackward {
                dout: f32_in, dx: f32_out, batch: size, channels: size, height: size, width: size, outH: size, outW: size,
            } -> unit;
        }
    };
}
conv_kernels!(declare);

/// The convolution's geometry from its arguments' fields.
#[macro_export]
macro_rules! conv_shape {
    ($a:expr) => {
        $crate::dlp_kernels::Conv2dShape {
            batch: $a.batch,
            in_channels: $a.inChannels,
            height: $a.height,
            width: $a.width,
            out_channels: $a.outChannels,
            kernel_h: $a.kernelH,
            kernel_w: $a.kernelW,
            stride_h: $a.strideH,
            stride_w: $a.strideW,
            pad_h: $a.padH,
            pad_w: $a.padW,
        }
    };
}

/// The pooling's geometry from its arguments' fields.
#[macro_export]
macro_rules! pool_shape {
    ($a:expr) => {
        $crate::dlp_kernels::MaxPool2dShape {
            batch: $a.batch,
            channels: $a.channels,
            height: $a.height,
            width: $a.width,
            kernel_h: $a.kernelH,
            kernel_w: $a.kernelW,
            stride_h: $a.strideH,
            stride_w: $a.strideW,
            pad_h: $a.padH,
            pad_w: $a.padW,
        }
    };
}

/// The average pooling's geometry from its arguments' fields.
#[macro_export]
macro_rules! avg_pool_shape {
    ($a:expr) => {
        $crate::dlp_kernels::AvgPool2dShape {
            batch: $a.batch,
            channels: $a.channels,
            height: $a.height,
            width: $a.width,
            kernel_h: $a.kernelH,
            kernel_w: $a.kernelW,
            stride_h: $a.strideH,
            stride_w: $a.strideW,
            pad_h: $a.padH,
            pad_w: $a.padW,
            count_include_pad: $a.countIncludePad,
        }
    };
}

/// The adaptive pooling's geometry from its arguments' fields.
#[macro_export]
macro_rules! adaptive_avg_pool_shape {
    ($a:expr) => {
        $crate::dlp_kernels::AdaptiveAvgPool2dShape {
            batch: $a.batch,
            channels: $a.channels,
            height: $a.height,
            width: $a.width,
            out_h: $a.outH,
            out_w: $a.outW,
        }
    };
}

impl Conv2d {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op()), Some(self.weight.op()), op(&self.bias)])?;
        // SAFETY: out overlaps no input (checked above).
        unsafe {
            let (x, weight, bias, out) = (self.x.read(), self.weight.read(), read_opt(&self.bias), self.out.write());
            dlp_kernels::conv2d(x, weight, bias, out, conv_shape!(self), self.threads)
        }
    }
}

impl Conv2dBackwardInput {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.dout.op()), Some(self.weight.op())])?;
        // SAFETY: dx overlaps no input (checked above).
        unsafe {
            let (dout, weight, dx) = (self.dout.read(), self.weight.read(), self.dx.write());
            dlp_kernels::conv2d_backward_input(dout, weight, dx, conv_shape!(self), self.threads)
        }
    }
}

impl Conv2dBackwardWeight {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dweight.op()), op(&self.dbias)], &[Some(self.x.op()), Some(self.dout.op())])?;
        // SAFETY: dweight and dbias overlap no input and each other (checked above).
        unsafe {
            let (x, dout, dweight, dbias) = (self.x.read(), self.dout.read(), self.dweight.write(), write_opt(&self.dbias));
            dlp_kernels::conv2d_backward_weight(x, dout, dweight, dbias, conv_shape!(self), self.threads)
        }
    }
}

impl MaxPool2d {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op()), Some(self.indices.op())], &[Some(self.x.op())])?;
        // SAFETY: out, indices and x are pairwise disjoint (checked above).
        unsafe { dlp_kernels::max_pool2d(self.x.read(), pool_shape!(self), self.out.write(), self.indices.write()) }
    }
}

impl MaxPool2dBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.dout.op()), Some(self.indices.op())])?;
        // SAFETY: dx overlaps neither input.
        unsafe { dlp_kernels::max_pool2d_backward(self.dout.read(), self.indices.read(), pool_shape!(self), self.dx.write()) }
    }
}

impl AvgPool2d {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out overlaps x nowhere.
        unsafe { dlp_kernels::avg_pool2d(self.x.read(), avg_pool_shape!(self), self.out.write()) }
    }
}

impl AvgPool2dBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.dout.op())])?;
        // SAFETY: dx overlaps dout nowhere.
        unsafe { dlp_kernels::avg_pool2d_backward(self.dout.read(), avg_pool_shape!(self), self.dx.write()) }
    }
}

impl AdaptiveAvgPool2d {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.out.op())], &[Some(self.x.op())])?;
        // SAFETY: out overlaps x nowhere.
        unsafe { dlp_kernels::adaptive_avg_pool2d(self.x.read(), adaptive_avg_pool_shape!(self), self.out.write()) }
    }
}

impl AdaptiveAvgPool2dBackward {
    pub fn run(self) -> Result<(), KernelError> {
        separate(Self::NAME, &[Some(self.dx.op())], &[Some(self.dout.op())])?;
        // SAFETY: dx overlaps dout nowhere.
        unsafe { dlp_kernels::adaptive_avg_pool2d_backward(self.dout.read(), adaptive_avg_pool_shape!(self), self.dx.write()) }
    }
}
