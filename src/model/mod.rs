//! The typed site and the access facts derived from it. Built from the
//! spanned tree; knows nothing of rendering.

pub mod decode;
pub mod facts;
mod field_spans;
pub mod grouped;
pub mod index;
pub mod permissions;
pub mod resolve;
pub mod site;
pub mod text;

pub use decode::Part;
pub use facts::Facts;
pub use site::Site;

use rayon::prelude::*;

use crate::finding::Finding;
use crate::tree::Document;

/// The whole model step: decode the documents (file order) into a site,
/// resolve its references, derive its facts. Findings come from decoding,
/// then from resolution.
pub fn build(documents: &[Document]) -> (Site, Facts, Vec<Finding>) {
    let parts = documents.par_iter().map(decode::decode_document).collect();
    build_parts(parts)
}

/// [`build`] from documents already decoded one by one
/// ([`decode::decode_document`]), in file order.
pub fn build_parts(parts: Vec<Part>) -> (Site, Facts, Vec<Finding>) {
    let (mut site, mut findings, users, email_domains) = decode::merge(parts);
    let (resolved, users_by_email) = resolve::resolve_with(&mut site, users);
    findings.extend(resolved);
    let facts = facts::derive(&site, users_by_email, email_domains);
    (site, facts, findings)
}
