//! Datasets into network input: batches of uint8 images gathered by index and centred as f32
//! (`images`).

pub mod images;
