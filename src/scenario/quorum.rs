//! The scenario's `quorum`: workloads that serve only while k of their members are ready.

use super::faults::{selector, show_labels};
use super::field::{Field, Result};
use super::manifests::Index;
use super::model::QuorumSpec;

const QUORUM: &[&str] = &["name", "selector", "namespace", "min-ready"];

/// One entry: `{name, selector, namespace, min-ready}`; the selector must select some workload's pods.
pub(crate) fn quorum(item: &Field, index: &Index) -> Result<QuorumSpec> {
    let f = item.fields(QUORUM)?;
    let (selector, _) = selector(&f, index)?;
    let field = f.req("min-ready")?;
    let min_ready = field.u64()?;
    if min_ready == 0 || min_ready > u64::from(u32::MAX) {
        let why = "a quorum needs at least 1 ready member (and fewer than 2^32)";
        return Err(field.invalid(why));
    }
    let name = match f.opt("name") {
        Some(n) => n.str()?.to_string(),
        None => show_labels(&selector.labels),
    };
    Ok(QuorumSpec {
        name,
        selector,
        min_ready: min_ready as u32,
    })
}
