//! The typed site and the access facts derived from it. Built from the
//! spanned tree; knows nothing of rendering.

pub mod decode;
pub mod facts;
pub mod resolve;
pub mod site;

pub use facts::Facts;
pub use site::Site;
