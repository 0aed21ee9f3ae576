//! Denormals flushed to zero while a GEMM part runs (MXCSR's FTZ and DAZ bits), restored after.
//!
//! Why: Intel cores take a microcode assist for every FMA with a denormal operand or result,
//! about 100 cycles instead of half of one. Backprop makes denormals (a confident softmax's
//! gradient, and products of small gradients): on a Sapphire Rapids, setup 1's weight gradient
//! gᵀ·x (100×3072, k = 200) took 1.3 ms with 1% of g denormal and 9.9 ms with 10%, against
//! 0.50 ms with none. Values below 2⁻¹²⁶ ≈ 1.2e-38 carry no information a network can use
//! (PyTorch's `set_flush_denormal(True)` does the same, process-wide); flushing them keeps every
//! GEMM at the speed of its shape. AMD's cores handle denormals at nearly full speed, so there
//! it changes nothing but the (denormal) bits.
//!
//! Scoped to the kernel, never left on: the same thread runs Node's JavaScript, whose numbers
//! must keep IEEE denormals, between kernel calls.

use std::arch::asm;

/// MXCSR's flush-to-zero (denormal results become 0) and denormals-are-zero (denormal inputs
/// count as 0) bits.
const FTZ_DAZ: u32 = (1 << 15) | (1 << 6);
/// MXCSR's sticky exception flags (bits 0-5), which arithmetic sets; the rest is control.
const FLAGS: u32 = 0x3f;

/// While alive, this thread's SSE/AVX arithmetic flushes denormals to zero; dropping it puts
/// back the MXCSR it found.
pub(super) struct FlushDenormals {
    saved: u32,
}

impl FlushDenormals {
    pub(super) fn on() -> Self {
        let saved = read_mxcsr();
        if saved & FTZ_DAZ != FTZ_DAZ {
            write_mxcsr(saved | FTZ_DAZ);
        }
        Self { saved }
    }
}

impl Drop for FlushDenormals {
    fn drop(&mut self) {
        if read_mxcsr() & !FLAGS != self.saved & !FLAGS {
            write_mxcsr(self.saved);
        }
    }
}

fn read_mxcsr() -> u32 {
    let mut csr = 0u32;
    // SAFETY: stmxcsr stores the 4-byte register into `csr`, a live local; it touches nothing else.
    unsafe { asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags)) };
    csr
}

fn write_mxcsr(csr: u32) {
    // SAFETY: ldmxcsr reads 4 bytes from `csr`; the value only differs from the current one in
    // the FTZ and DAZ bits (or is the one saved before), which no Rust code relies on: they
    // change results only where an operand or a result is denormal.
    unsafe { asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly, preserves_flags)) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hint::black_box;

    #[test]
    fn flushes_denormals_while_alive_and_restores_the_register() {
        let tiny = black_box(1e-39f32); // denormal
        let before = read_mxcsr();
        assert_eq!(black_box(tiny) * black_box(1.0f32), 1e-39, "denormals kept outside the guard");
        {
            let _flush = FlushDenormals::on();
            assert_eq!(black_box(tiny) * black_box(1.0f32), 0.0, "a denormal input counts as zero");
            assert_eq!(black_box(1e-20f32) * black_box(1e-20f32), 0.0, "a denormal result becomes zero");
        }
        assert_eq!(read_mxcsr() & !FLAGS, before & !FLAGS, "the control bits put back");
        assert_eq!(black_box(tiny) * black_box(1.0f32), 1e-39, "denormals kept after the guard");
    }
}
