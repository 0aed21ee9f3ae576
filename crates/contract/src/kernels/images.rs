//! Image batches as network input: uint8 rows gathered by index and centred. Native only: on
//! wasm the dataset stays in JS memory, and copying it in per batch would cost more than the
//! TypeScript loop the wasm backend runs instead.

use dlp_kernels::KernelError;

use crate::buffer::separate;

/// The image-batch declarations (see the crate docs for the format); bound by crates/node only.
#[macro_export]
macro_rules! image_kernels {
    ($gen:ident) => {
        $gen! {
            /// out[r][j] = pixels[indices[r]·d + j] − mean[j], d = mean's length: the dataset's bytes
            /// are read in place, not copied.
            "gatherCenter" gather_center GatherCenter { pixels: u8_in, indices: u32_in, mean: f32_in, out: f32_out, threads: size } -> unit;
        }
    };
}
image_kernels!(declare);

impl GatherCenter {
    pub fn run(self) -> Result<(), KernelError> {
        let inputs = [Some(self.mean.op()), Some(self.pixels.op()), Some(self.indices.op())];
        separate(Self::NAME, &[Some(self.out.op())], &inputs)?;
        // SAFETY: out overlaps none of the inputs (checked above).
        unsafe { dlp_kernels::gather_center_u8(self.pixels.read(), self.indices.read(), self.mean.read(), self.out.write(), self.threads) }
    }
}
