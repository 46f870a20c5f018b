//! The typed site and the access facts derived from it. Built from the
//! spanned tree; knows nothing of rendering.

pub mod decode;
pub mod facts;
pub mod permissions;
pub mod resolve;
pub mod site;
pub mod text;

pub use facts::Facts;
pub use site::Site;

use crate::finding::Finding;
use crate::tree::Document;

/// The whole model step: decode the documents (file order) into a site,
/// resolve its references, derive its facts. Findings come from decoding,
/// then from resolution.
pub fn build(documents: &[Document]) -> (Site, Facts, Vec<Finding>) {
    let (mut site, mut findings) = decode::decode(documents);
    findings.extend(resolve::resolve(&mut site));
    let facts = facts::derive(&site);
    (site, facts, findings)
}
