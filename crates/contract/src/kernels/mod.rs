//! The declarations, by concern. A new group needs one line here and one generator call in
//! each binding crate; a new kernel in an existing group needs neither.

#[macro_use]
pub mod gemm;
#[macro_use]
pub mod elementwise;
#[macro_use]
pub mod loss;
#[macro_use]
pub mod layout;
#[macro_use]
pub mod norm;
#[macro_use]
pub mod optim;
#[macro_use]
pub mod conv;
#[macro_use]
pub mod images;

pub use conv::*;
pub use elementwise::*;
pub use gemm::*;
pub use images::*;
pub use layout::*;
pub use loss::*;
pub use norm::*;
pub use optim::*;
