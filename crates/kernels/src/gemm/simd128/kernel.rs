//! The micro-kernel: one MR×NR tile of C ← alpha·Ã·B̃ + beta·C, where Ã is a packed MR-row panel
//! of op(A) (kc steps of MR floats) and B̃ a packed NR-column panel of op(B) (kc steps of NR
//! floats); C is row-major with row stride `ldc`.
//!
//! 5×8 = ten 4-lane accumulators: with the two B vectors, the broadcast A element and one product
//! that is 14 XMM registers, the most V8's x64 code generator has to spare (xmm15 is its scratch
//! register), so the loop runs without spills. Per k step it loads 2 B vectors and broadcasts 5 A
//! elements (`v128.load32_splat`, a plain load on x64) for 10 multiplies and 10 adds (simd128 has
//! no fused multiply-add). The loop is not unrolled on purpose: unrolled by 2 or 4, LLVM's wasm
//! backend nests each accumulator's updates into one expression tree, which brings the B loads of
//! every step to the top; V8 schedules close to that order, runs out of registers and spills
//! accumulators to the stack (measured 20–25% slower).

pub(super) const MR: usize = 5;
pub(super) const NR: usize = 8;

/// C[0..MR][0..NR] ← alpha·Σₚ Ã[p]ᵀ·B̃[p] + beta·C (beta = 0 does not read C).
///
/// # Safety
/// `a` must hold `kc·MR` floats and `b` `kc·NR` (kc ≥ 0); `c` must address MR rows of NR
/// writable floats at row stride `ldc`, none of them overlapping `a` or `b`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(never)]
pub(super) unsafe fn tile(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, alpha: f32, beta: f32) {
    use core::arch::wasm32::*;

    let zero = f32x4_splat(0.0);
    let mut acc = [[zero; 2]; MR];
    // The panel pointers travel as integers: through a pointer induction variable, LLVM's loop
    // strength reduction rewrites `a.add(i)` into address arithmetic without `inbounds`, and the
    // wasm backend then emits an i32.add per load instead of folding `i` into the load's offset
    // (V8 turns each into an extra x64 instruction; measured at half the speed).
    let (mut ai, mut bi) = (a as usize, b as usize);
    for _ in 0..kc {
        let (a, b) = (ai as *const f32, bi as *const f32);
        let b0 = v128_load(b as *const v128);
        let b1 = v128_load(b.add(4) as *const v128);
        for (i, row) in acc.iter_mut().enumerate() {
            let ai = v128_load32_splat(a.add(i) as *const u32);
            row[0] = f32x4_add(row[0], f32x4_mul(ai, b0));
            row[1] = f32x4_add(row[1], f32x4_mul(ai, b1));
        }
        ai += MR * 4;
        bi += NR * 4;
    }

    let va = f32x4_splat(alpha);
    for (i, row) in acc.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            let p = c.add(i * ldc + 4 * j) as *mut v128;
            let out = if beta == 0.0 {
                f32x4_mul(v, va)
            } else if beta == 1.0 {
                f32x4_add(v128_load(p), f32x4_mul(v, va))
            } else {
                f32x4_add(f32x4_mul(v128_load(p), f32x4_splat(beta)), f32x4_mul(v, va))
            };
            v128_store(p, out);
        }
    }
}

/// The same tile in scalar f32, operation for operation (a multiply, then an add, in the same
/// order), so that it rounds exactly like the simd128 kernel: the model the host tests run.
///
/// # Safety
/// As for the simd128 `tile`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(super) unsafe fn tile(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, alpha: f32, beta: f32) {
    let mut acc = [[0.0f32; NR]; MR];
    for p in 0..kc {
        let (a, b) = (a.add(p * MR), b.add(p * NR));
        for (i, row) in acc.iter_mut().enumerate() {
            let ai = *a.add(i);
            for (j, v) in row.iter_mut().enumerate() {
                *v += ai * *b.add(j);
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            let p = c.add(i * ldc + j);
            *p = if beta == 0.0 {
                v * alpha
            } else if beta == 1.0 {
                *p + v * alpha
            } else {
                *p * beta + v * alpha
            };
        }
    }
}
