//! The obviously-correct direct convolution loops in f64, the oracles for `conv/mod.rs`: every
//! (image, output channel, position, input channel, tap) visited once, padding taps skipped.

use crate::check;
use crate::conv::Conv2dShape;
use crate::error::KernelError;

/// Indices of one tap: the out, x and weight elements it joins.
struct Tap {
    out: usize,
    x: usize,
    weight: usize,
}

/// Every tap of the convolution whose input pixel is not padding.
fn for_each_tap(s: &Conv2dShape, mut visit: impl FnMut(Tap)) {
    let (oh, ow) = (s.out_h(), s.out_w());
    for n in 0..s.batch {
        for oc in 0..s.out_channels {
            for y in 0..oh {
                for xo in 0..ow {
                    let out = ((n * s.out_channels + oc) * oh + y) * ow + xo;
                    for c in 0..s.in_channels {
                        for ki in 0..s.kernel_h {
                            let Some(ih) = (y * s.stride_h + ki).checked_sub(s.pad_h).filter(|&h| h < s.height) else {
                                continue;
                            };
                            for kj in 0..s.kernel_w {
                                let Some(iw) = (xo * s.stride_w + kj).checked_sub(s.pad_w).filter(|&w| w < s.width)
                                else {
                                    continue;
                                };
                                let x = ((n * s.in_channels + c) * s.height + ih) * s.width + iw;
                                let weight = ((oc * s.in_channels + c) * s.kernel_h + ki) * s.kernel_w + kj;
                                visit(Tap { out, x, weight });
                            }
                        }
                    }
                }
            }
        }
    }
}

fn out_len(s: &Conv2dShape) -> usize {
    s.batch * s.out_channels * s.out_h() * s.out_w()
}

fn lengths(kernel: &str, s: &Conv2dShape, x: usize, weight: usize) -> Result<(), KernelError> {
    s.check(kernel)?;
    check::tensor(kernel, "x", &[s.batch, s.in_channels, s.height, s.width], x)?;
    check::tensor(kernel, "weight", &[s.out_channels, s.in_channels, s.kernel_h, s.kernel_w], weight)
}

/// conv(x, weight) + bias, in f64.
pub fn conv2d_reference(
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    s: Conv2dShape,
) -> Result<Vec<f64>, KernelError> {
    lengths("conv2d", &s, x.len(), weight.len())?;
    let per_channel = s.out_h() * s.out_w();
    let mut out: Vec<f64> =
        (0..out_len(&s)).map(|i| bias.map_or(0.0, |b| b[i / per_channel.max(1) % s.out_channels] as f64)).collect();
    for_each_tap(&s, |t| out[t.out] += x[t.x] as f64 * weight[t.weight] as f64);
    Ok(out)
}

/// dx = Σ over taps of dout·weight, in f64.
pub fn conv2d_backward_input_reference(dout: &[f32], weight: &[f32], s: Conv2dShape) -> Result<Vec<f64>, KernelError> {
    lengths("conv2dBackwardInput", &s, s.batch * s.in_channels * s.height * s.width, weight.len())?;
    check::tensor("conv2dBackwardInput", "dout", &[out_len(&s)], dout.len())?;
    let mut dx = vec![0.0; s.batch * s.in_channels * s.height * s.width];
    for_each_tap(&s, |t| dx[t.x] += dout[t.out] as f64 * weight[t.weight] as f64);
    Ok(dx)
}

/// (dweight, dbias) = (Σ over taps of dout·x, Σ dout per output channel), in f64.
pub fn conv2d_backward_weight_reference(
    x: &[f32],
    dout: &[f32],
    s: Conv2dShape,
) -> Result<(Vec<f64>, Vec<f64>), KernelError> {
    lengths("conv2dBackwardWeight", &s, x.len(), s.out_channels * s.patch())?;
    check::tensor("conv2dBackwardWeight", "dout", &[out_len(&s)], dout.len())?;
    let mut dweight = vec![0.0; s.out_channels * s.patch()];
    for_each_tap(&s, |t| dweight[t.weight] += dout[t.out] as f64 * x[t.x] as f64);
    let per_channel = (s.out_h() * s.out_w()).max(1);
    let mut dbias = vec![0.0; s.out_channels];
    dout.iter().enumerate().for_each(|(i, &d)| dbias[i / per_channel % s.out_channels] += d as f64);
    Ok((dweight, dbias))
}
