//! Normalisation layers: `batch_norm` (over the channels of [outer, channels, inner], walked by
//! `per_channel`) and `layer_norm` (over rows), each beside its f64 oracles (`*_reference`).

pub mod batch_norm;
pub mod batch_norm_reference;
pub mod layer_norm;
pub mod layer_norm_reference;
pub mod per_channel;
