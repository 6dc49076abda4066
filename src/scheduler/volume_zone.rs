//! VolumeZone (kk:pkg/scheduler/framework/plugins/volumezone/volume_zone.go): a node whose zone or
//! region labels differ from those of a bound volume the pod uses is rejected.

use super::fit_error::Rejection;
use super::volume_binding::PodVolumes;
use crate::api::{NodeId, Store};

/// volume_zone.go `ErrReasonConflict`.
pub const CONFLICT: &str = "node(s) had no available volume zone";

/// volume_zone.go `topologyLabels`: the beta and GA zone and region labels.
const TOPOLOGY_LABELS: [&str; 4] = [
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
];

/// `Filter`: nodes without any topology label pass; otherwise each topology label of each bound volume
/// must be on the node with one of the volume's values (`LabelZonesToSet`: values joined by `__`).
pub fn filter(store: &Store, vols: &PodVolumes, node: NodeId) -> Option<Rejection> {
    let labels = &store.nodes[node.index()].meta.labels;
    if !TOPOLOGY_LABELS.iter().any(|k| labels.contains_key(*k)) {
        return None;
    }
    let conflict = vols.bound.iter().any(|&c| {
        let Some(v) = store.claims[c.index()].volume else {
            return false;
        };
        let pv = &store.volumes[v.index()].meta.labels;
        TOPOLOGY_LABELS.iter().any(|key| {
            pv.get(*key).is_some_and(|zones| {
                labels
                    .get(*key)
                    .is_none_or(|n| !zones.split("__").any(|z| z == n))
            })
        })
    });
    conflict.then(|| Rejection::unresolvable(CONFLICT))
}
