//! Volumes against ground truth: an RWO volume is attached to at most one node, and never detached
//! from a node where a running container still uses it (kk:pkg/controller/volume/attachdetach/
//! reconciler/reconciler.go detaches only after the node reports the volume unmounted, except the
//! deliberate force-detach from an unhealthy node after maxWaitForUnmountDuration or from an
//! out-of-service node); PV-PVC binding is one to one (kk:pkg/controller/volume/persistentvolume).

use super::persist::Persisting;
use super::{Checker, Findings, Invariant};
use crate::api::node_health::TAINT_OUT_OF_SERVICE;
use crate::api::{ClaimPhase, ConditionStatus, NodeId, PodId, PvId, PvcId, Store};
use crate::engine::SimTime;
use crate::sim::WorldView;
use std::collections::{BTreeMap, BTreeSet};

/// What one running container's use of an attachable volume looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MountFacts {
    /// The volume is attached to the node the container runs on.
    pub attached_here: bool,
    /// The node is Ready and not tainted out-of-service.
    pub node_healthy: bool,
}

/// How a running container's volume stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mount {
    Attached,
    /// Detached from an unhealthy node: upstream's deliberate force-detach (a known data risk).
    Excused,
    /// Detached from a healthy node under a running container.
    DetachedWhileMounted,
}

/// Judges one running container's use of one attachable volume.
pub fn mount_state(f: MountFacts) -> Mount {
    match (f.attached_here, f.node_healthy) {
        (true, _) => Mount::Attached,
        (false, false) => Mount::Excused,
        (false, true) => Mount::DetachedWhileMounted,
    }
}

/// True if a volume with these access modes may not be attached to this many nodes.
pub fn multi_attached(single_node: bool, nodes: usize) -> bool {
    single_node && nodes > 1
}

/// Checks attachments against running containers, and PV-PVC binding, after every event.
#[derive(Debug)]
pub struct VolumeChecker {
    multi: Persisting<PvId>,
    detached: Persisting<(PodId, PvId)>,
    /// Detachments under a running container first seen while its node was unhealthy.
    excused: BTreeSet<(PodId, PvId)>,
    binding: Persisting<(PvcId, PvId)>,
}

impl Default for VolumeChecker {
    fn default() -> Self {
        VolumeChecker {
            multi: Persisting::immediate(),
            detached: Persisting::immediate(),
            excused: BTreeSet::new(),
            // The PV controller binds the volume, then the claim, in one sync.
            binding: Persisting::after_ms(0),
        }
    }
}

impl Checker for VolumeChecker {
    fn observe(&mut self, view: &WorldView<'_>, now: SimTime, findings: &mut Findings) {
        self.check_attachments(view.store, now, findings);
        self.check_mounts(view, now, findings);
        self.check_binding(view.store, now, findings);
    }
}

impl VolumeChecker {
    fn check_attachments(&mut self, store: &Store, now: SimTime, findings: &mut Findings) {
        let live = store
            .volumes
            .iter()
            .enumerate()
            .filter(|(_, v)| v.meta.exists());
        let mut bad = Vec::new();
        for (i, v) in live {
            findings.judged(Invariant::VolumeAttachment, 1);
            if multi_attached(v.is_single_node(), v.attached_to.len()) {
                bad.push(PvId(i as u32));
            }
        }
        for pv in self.multi.update(bad, now) {
            let v = &store.volumes[pv.index()];
            let nodes: Vec<&str> = (v.attached_to.iter())
                .map(|n| store.nodes[n.index()].meta.name.as_str())
                .collect();
            let detail = format!(
                "ReadWriteOnce volume attached to {} nodes at once: {}",
                nodes.len(),
                nodes.join(", ")
            );
            findings.violate(
                now,
                Invariant::VolumeAttachment,
                volume_name(store, pv),
                detail,
            );
        }
    }

    fn check_mounts(&mut self, view: &WorldView<'_>, now: SimTime, findings: &mut Findings) {
        let store = view.store;
        let mut bad = Vec::new();
        for pod in view.runtime.running() {
            let Some(process) = view.runtime.process(pod) else {
                continue;
            };
            let node = process.launch.node;
            for pv in process.launch.volumes.iter().copied() {
                let v = &store.volumes[pv.index()];
                if !v.binding.attachable {
                    continue;
                }
                findings.judged(Invariant::VolumeAttachment, 1);
                let facts = MountFacts {
                    attached_here: v.attached_to.contains(&node),
                    node_healthy: healthy(store, node),
                };
                match mount_state(facts) {
                    Mount::Attached => {}
                    Mount::Excused => {
                        self.excused.insert((pod, pv));
                    }
                    Mount::DetachedWhileMounted if self.excused.contains(&(pod, pv)) => {}
                    Mount::DetachedWhileMounted => bad.push((pod, pv)),
                }
            }
        }
        for (pod, pv) in self.detached.update(bad, now) {
            let p = &store.pods[pod.index()];
            let node = view.runtime.process(pod).map(|pr| pr.launch.node);
            let node = node.map_or("", |n| store.nodes[n.index()].meta.name.as_str());
            let detail = format!(
                "detached from Ready node {node} while container of pod {}/{} still runs there with it mounted",
                p.meta.namespace, p.meta.name
            );
            findings.violate(
                now,
                Invariant::VolumeAttachment,
                volume_name(store, pv),
                detail,
            );
        }
    }

    fn check_binding(&mut self, store: &Store, now: SimTime, findings: &mut Findings) {
        let faults = binding_faults(store);
        findings.judged(Invariant::VolumeBinding, store.claims.len() as u64);
        for (pvc, pv) in self.binding.update(faults.keys().copied(), now) {
            let c = &store.claims[pvc.index()].meta;
            let object = format!("PersistentVolumeClaim {}/{}", c.namespace, c.name);
            let why = faults.get(&(pvc, pv)).copied().unwrap_or("");
            let detail = format!("{} {why}", volume_name(store, pv));
            findings.violate(now, Invariant::VolumeBinding, object, detail);
        }
    }
}

/// Ready and not tainted out-of-service.
fn healthy(store: &Store, node: NodeId) -> bool {
    store.nodes[node.index()].meta.exists()
        && store.health(node).ready == ConditionStatus::True
        && !store.has_taint(node, TAINT_OUT_OF_SERVICE)
}

fn volume_name(store: &Store, pv: PvId) -> String {
    format!("PersistentVolume {}", store.volumes[pv.index()].meta.name)
}

/// Bound claims whose volume is bound by another claim too, or points at another claim.
fn binding_faults(store: &Store) -> BTreeMap<(PvcId, PvId), &'static str> {
    let mut by_volume: BTreeMap<PvId, Vec<PvcId>> = BTreeMap::new();
    let bound = (store.claims.iter().enumerate())
        .filter(|(_, c)| c.meta.exists() && c.phase == ClaimPhase::Bound);
    for (i, c) in bound {
        if let Some(pv) = c.volume {
            by_volume.entry(pv).or_default().push(PvcId(i as u32));
        }
    }
    let mut faults = BTreeMap::new();
    for (pv, claims) in by_volume {
        let back = store.volumes[pv.index()].claim;
        for pvc in &claims {
            let fault = binding_fault(claims.len(), back == Some(*pvc));
            if let Some(why) = fault {
                faults.insert((*pvc, pv), why);
            }
        }
    }
    faults
}

/// The one-to-one rule for a Bound claim: `claims` Bound claims name its volume, and the volume's
/// claimRef does (`points_back`) or does not name it.
pub fn binding_fault(claims: usize, points_back: bool) -> Option<&'static str> {
    if claims > 1 {
        Some("is the volume of several Bound claims")
    } else if !points_back {
        Some("is the volume of this Bound claim but its claimRef names another")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_container_needs_its_volume_attached_on_a_healthy_node() {
        let ok = MountFacts {
            attached_here: true,
            node_healthy: true,
        };
        assert_eq!(mount_state(ok), Mount::Attached);
        let detached = MountFacts {
            attached_here: false,
            ..ok
        };
        assert_eq!(mount_state(detached), Mount::DetachedWhileMounted);
    }

    #[test]
    fn a_force_detach_from_an_unhealthy_node_is_excused() {
        let f = MountFacts {
            attached_here: false,
            node_healthy: false,
        };
        assert_eq!(mount_state(f), Mount::Excused);
    }

    #[test]
    fn only_a_single_node_volume_is_limited_to_one_node() {
        assert!(multi_attached(true, 2));
        assert!(!multi_attached(true, 1));
        assert!(!multi_attached(false, 3), "ReadWriteMany");
    }

    #[test]
    fn binding_is_one_to_one() {
        assert_eq!(binding_fault(1, true), None);
        assert!(binding_fault(2, true).is_some());
        assert!(binding_fault(1, false).is_some());
    }
}
