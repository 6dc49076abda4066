//! The Deployment controller (kk:pkg/controller/deployment): `syncDeployment` over the store.
//!
//! The decisions are pure functions over views (`util`, `sync`, `rolling`, `recreate`, `progress`,
//! each a port of the upstream file of that name); `controller` reads the store into those views and
//! turns the decisions into writes, Events and the progress-deadline requeue.

mod controller;
pub mod progress;
pub mod recreate;
mod revision;
pub mod rolling;
mod scaling;
mod status;
pub mod sync;
pub mod util;

pub use controller::sync;

use crate::api::{DeployId, PodTemplate};
use crate::engine::rng::fnv1a;

/// The label a ReplicaSet and its pods carry (`DefaultDeploymentUniqueLabelKey`).
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// The Deployment controller's timer: resync a Deployment (`requeueStuckDeployment`'s `enqueueAfter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeue(pub DeployId);

/// `ComputeHash` of a pod template, encoded with the alphabet of `rand.SafeEncodeString`
/// (kk:pkg/controller/controller_utils.go): a stable 32-bit FNV hash of the template.
pub fn template_hash(template: &PodTemplate) -> String {
    const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = fnv1a(template.hash_text().as_bytes()) as u32;
    let mut out = String::new();
    for _ in 0..10 {
        out.push(SAFE[(h % SAFE.len() as u32) as usize] as char);
        h /= SAFE.len() as u32;
        if h == 0 {
            break;
        }
    }
    out
}

/// `EqualIgnoreHash`: two pod templates equal once the pod-template-hash label is dropped.
pub fn equal_ignore_hash(a: &PodTemplate, b: &PodTemplate) -> bool {
    let PodTemplate { labels, spec } = a;
    fn but_hash(l: &crate::api::Labels) -> impl Iterator<Item = (&String, &String)> {
        l.iter().filter(|(k, _)| k.as_str() != POD_TEMPLATE_HASH)
    }
    spec == &b.spec && but_hash(labels).eq(but_hash(&b.labels))
}
