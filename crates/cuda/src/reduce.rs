//! Reductions on the device, as dlp-kernels' reduce_sum, max_along and max_along_backward
//! (reduce.cu), checked by the CPU's own checks (`reduce_sum_layout`, `check_max_along`,
//! `check_max_along_backward_lengths`).

use cudarc::driver::DeviceRepr;
use dlp_kernels::{check_max_along, check_max_along_backward_lengths, reduce_sum_layout};

use crate::device::{launch, Device, DeviceBuffer, BLOCK};
use crate::error::CudaError;

/// The most kept and the most summed axes a collapsed reduction may have (reduce.cu's
/// MAX_RANK): collapsing merges neighbouring axes that are both kept or both summed, so only
/// more than eight alternations are refused.
const MAX_RANK: usize = 8;

/// reduce.cu's `ReduceLayout`, field for field.
#[repr(C)]
#[derive(Clone, Copy)]
struct ReduceLayout {
    kept: [u64; MAX_RANK],
    kept_strides: [u64; MAX_RANK],
    summed: [u64; MAX_RANK],
    summed_strides: [u64; MAX_RANK],
    kept_rank: u64,
    summed_rank: u64,
}

// SAFETY: plain old data with reduce.cu's layout (34 64-bit integers).
unsafe impl DeviceRepr for ReduceLayout {}

/// The collapsed axes split into kept and summed ones (out's stride 0), each with x's
/// row-major strides; with the number of values summed into each output.
fn reduce_layout(dims: &[usize], out_strides: &[usize]) -> Result<(ReduceLayout, u64), CudaError> {
    let mut l = ReduceLayout { kept: [1; MAX_RANK], kept_strides: [0; MAX_RANK], summed: [1; MAX_RANK], summed_strides: [0; MAX_RANK], kept_rank: 0, summed_rank: 0 };
    let (mut x_stride, mut count) = (1u64, 1u64);
    for (&d, &s) in dims.iter().zip(out_strides).rev() {
        let (sizes, strides, rank) = if s == 0 { (&mut l.summed, &mut l.summed_strides, &mut l.summed_rank) } else { (&mut l.kept, &mut l.kept_strides, &mut l.kept_rank) };
        let r = *rank as usize;
        if r == MAX_RANK {
            return Err(CudaError::argument(format!(
                "reduceSum: these axes alternate between kept and summed more than {MAX_RANK} times after merging; the GPU kernel takes at most {MAX_RANK} of each"
            )));
        }
        // Filled from the innermost axis (x's strides grow outwards), reversed below.
        sizes[r] = d as u64;
        strides[r] = x_stride;
        *rank += 1;
        if s == 0 {
            count *= d as u64;
        }
        x_stride *= d as u64;
    }
    for (sizes, strides, rank) in [(&mut l.kept, &mut l.kept_strides, l.kept_rank), (&mut l.summed, &mut l.summed_strides, l.summed_rank)] {
        sizes[..rank as usize].reverse();
        strides[..rank as usize].reverse();
    }
    Ok((l, count))
}

impl Device {
    /// out = beta·out + Σ of x (row-major, `shape`) over the axes flagged in `axes`, as
    /// [`dlp_kernels::reduce_sum`] (beta = 0 ignores out's old contents).
    pub fn reduce_sum(&self, x: &DeviceBuffer<f32>, shape: &[usize], axes: &[bool], out: &DeviceBuffer<f32>, beta: f32) -> Result<(), CudaError> {
        let (dims, [out_strides]) = reduce_sum_layout(shape, axes, x.len(), out.len())?;
        let outputs = out.len() as u64;
        if outputs == 0 {
            return Ok(());
        }
        let (layout, count) = reduce_layout(&dims, &out_strides)?;
        let (x, out) = (self.ptr(x), self.ptr(out));
        // A block per output only where each of its threads gets a value to add.
        if count >= BLOCK as u64 {
            launch!(self, "reduce_sum_blocks", blocks = outputs; x, out, outputs, count, layout, beta)
        } else {
            launch!(self, "reduce_sum_threads", outputs; x, out, outputs, count, layout, beta)
        }
    }

    /// The max along the middle axis of x as [outer, size, inner] and the first index reaching
    /// it, as [`dlp_kernels::max_along`].
    pub fn max_along(
        &self,
        x: &DeviceBuffer<f32>,
        outer: usize,
        size: usize,
        inner: usize,
        out: &DeviceBuffer<f32>,
        indices: &DeviceBuffer<i32>,
    ) -> Result<(), CudaError> {
        check_max_along(outer, size, inner, x.len(), out.len(), indices.len())?;
        let (x, out, indices, o, s, i) = (self.ptr(x), self.ptr(out), self.ptr(indices), outer as u64, size as u64, inner as u64);
        launch!(self, "max_along", o * i; x, o, s, i, out, indices)
    }

    /// dx = dout routed to the forward's indices, 0 elsewhere, as
    /// [`dlp_kernels::max_along_backward`]. The indices are the device's own forward's, so
    /// they are not checked on the host (the CPU's check that each is in 0..size would need
    /// them back); an index outside it reaches no element.
    pub fn max_along_backward(
        &self,
        dout: &DeviceBuffer<f32>,
        indices: &DeviceBuffer<i32>,
        outer: usize,
        size: usize,
        inner: usize,
        dx: &DeviceBuffer<f32>,
    ) -> Result<(), CudaError> {
        check_max_along_backward_lengths(outer, size, inner, dout.len(), indices.len(), dx.len())?;
        let (dout, indices, dx, o, s, i) = (self.ptr(dout), self.ptr(indices), self.ptr(dx), outer as u64, size as u64, inner as u64);
        launch!(self, "max_along_backward", o * s * i; dout, indices, o, s, i, dx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reduce.cu's `offset_of`.
    fn offset_of(dims: &[u64], strides: &[u64], rank: u64, mut i: u64) -> u64 {
        let mut offset = 0;
        for d in (0..rank as usize).rev() {
            offset += (i % dims[d]) * strides[d];
            i /= dims[d];
        }
        offset
    }

    /// What the kernels add into each output, on the host: its values read through the layout.
    fn sums_through_the_layout(x: &[f32], shape: &[usize], axes: &[bool], out_len: usize) -> Vec<f64> {
        let (dims, [out_strides]) = reduce_sum_layout(shape, axes, x.len(), out_len).unwrap();
        let (l, count) = reduce_layout(&dims, &out_strides).unwrap();
        (0..out_len as u64)
            .map(|o| {
                let base = offset_of(&l.kept, &l.kept_strides, l.kept_rank, o);
                (0..count).map(|j| x[(base + offset_of(&l.summed, &l.summed_strides, l.summed_rank, j)) as usize] as f64).sum()
            })
            .collect()
    }

    #[test]
    fn the_layout_reads_each_outputs_values_as_reduce_sum_adds_them() {
        let cases: &[(&[usize], &[bool])] = &[
            (&[2, 3], &[false, true]),
            (&[2, 3], &[true, false]),
            (&[2, 3], &[true, true]),
            (&[2, 3], &[false, false]),
            (&[4, 1, 3, 5], &[true, false, false, true]),
            (&[2, 3, 4, 5], &[false, true, false, true]),
            (&[3, 2, 4, 5, 2], &[true, false, true, false, true]),
            (&[3, 1, 7], &[true, true, false]),
            (&[3, 0, 2], &[false, true, false]),
            (&[1, 1], &[true, false]),
            (&[], &[]),
        ];
        for &(shape, axes) in cases {
            let n: usize = shape.iter().product();
            let x: Vec<f32> = (0..n).map(|i| (i * 7 % 11) as f32 - 5.0).collect();
            let out_len: usize = shape.iter().zip(axes).filter(|(_, &summed)| !summed).map(|(&d, _)| d).product();
            let want = dlp_kernels::reduce_sum_reference(&x, shape, axes, &vec![0.0; out_len], 0.0).unwrap();
            assert_eq!(sums_through_the_layout(&x, shape, axes, out_len), want, "shape {shape:?} axes {axes:?}");
        }
    }

    #[test]
    fn more_alternations_than_the_kernel_holds_are_refused() {
        let shape = [2; 18];
        let axes: Vec<bool> = (0..18).map(|d| d % 2 == 0).collect();
        let (dims, [out_strides]) = reduce_sum_layout(&shape, &axes, 1 << 18, 1 << 9).unwrap();
        let err = reduce_layout(&dims, &out_strides).err().expect("refused");
        assert!(err.to_string().starts_with("reduceSum: these axes alternate"), "{err}");
    }
}
