//! Volumes against ground truth: an RWO volume is attached to at most one node, and never detached
//! from a node where a running container still uses it (kk:pkg/controller/volume/attachdetach/
//! reconciler/reconciler.go detaches only after the node reports the volume unmounted, except the
//! deliberate force-detach from an unhealthy node after maxWaitForUnmountDuration or from an
//! out-of-service node); PV-PVC binding is one to one (kk:pkg/controller/volume/persistentvolume).

use super::persist::Persisting;
use super::{Checker, Delta, Findings, Invariant};
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

/// Checks attachments against running containers, and PV-PVC binding, after every event: each
/// volume, node, claim and process the event changed is judged again, the rest stands.
#[derive(Debug)]
pub struct VolumeChecker {
    multi: Persisting<PvId>,
    detached: Persisting<(PodId, PvId)>,
    /// Detachments under a running container first seen while its node was unhealthy.
    excused: BTreeSet<(PodId, PvId)>,
    binding: Persisting<(PvcId, PvId)>,
    /// Volumes attached to more nodes than their access modes allow, now.
    multi_now: BTreeSet<PvId>,
    mounts: Mounts,
    /// Running containers whose volume was detached under them, now.
    detached_now: BTreeSet<(PodId, PvId)>,
    binds: Binds,
}

impl Default for VolumeChecker {
    fn default() -> Self {
        VolumeChecker {
            multi: Persisting::immediate(),
            detached: Persisting::immediate(),
            excused: BTreeSet::new(),
            // The PV controller binds the volume, then the claim, in one sync.
            binding: Persisting::after_ms(0),
            multi_now: BTreeSet::new(),
            mounts: Mounts::default(),
            detached_now: BTreeSet::new(),
            binds: Binds::default(),
        }
    }
}

impl Checker for VolumeChecker {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        self.check_attachments(view.store, delta, now, findings);
        self.check_mounts(view, delta, now, findings);
        self.check_binding(view.store, delta, now, findings);
    }
}

/// The volumes of every running container, by pod, node and volume.
#[derive(Debug, Default)]
struct Mounts {
    of_pod: BTreeMap<PodId, (NodeId, Vec<PvId>)>,
    on_node: BTreeMap<NodeId, BTreeSet<(PodId, PvId)>>,
    of_volume: BTreeMap<PvId, BTreeSet<PodId>>,
}

impl Mounts {
    /// Forgets `pod`'s mounts; returns them.
    fn remove(&mut self, pod: PodId) -> Vec<PvId> {
        let Some((node, pvs)) = self.of_pod.remove(&pod) else {
            return Vec::new();
        };
        for pv in &pvs {
            remove_from(&mut self.on_node, &node, &(pod, *pv));
            remove_from(&mut self.of_volume, pv, &pod);
        }
        pvs
    }

    fn add(&mut self, pod: PodId, node: NodeId, pvs: Vec<PvId>) {
        for pv in &pvs {
            self.on_node.entry(node).or_default().insert((pod, *pv));
            self.of_volume.entry(*pv).or_default().insert(pod);
        }
        self.of_pod.insert(pod, (node, pvs));
    }
}

/// Removes `value` from the set at `key`, and the set once empty.
fn remove_from<K: Ord + Copy, V: Ord>(map: &mut BTreeMap<K, BTreeSet<V>>, key: &K, value: &V) {
    if let Some(set) = map.get_mut(key) {
        set.remove(value);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// Bound claims by volume, and the binding faults of each volume, now.
#[derive(Debug, Default)]
struct Binds {
    /// The volume each Bound claim named when last read.
    volume_of: BTreeMap<PvcId, PvId>,
    claims_of: BTreeMap<PvId, BTreeSet<PvcId>>,
    faults: BTreeMap<(PvcId, PvId), &'static str>,
}

impl VolumeChecker {
    fn check_attachments(
        &mut self,
        store: &Store,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        for pv in delta.volumes.iter().copied() {
            let v = &store.volumes[pv.index()];
            self.multi_now.remove(&pv);
            if !v.meta.exists() {
                continue;
            }
            findings.judged(Invariant::VolumeAttachment, 1);
            if multi_attached(v.is_single_node(), v.attached_to.len()) {
                self.multi_now.insert(pv);
            }
        }
        for pv in self.multi.update(self.multi_now.iter().copied(), now) {
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

    /// Re-reads the mounts of the processes that started or ended, and judges every mount whose
    /// process, volume or node changed.
    fn check_mounts(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        let mut judge: BTreeSet<(PodId, PvId)> = BTreeSet::new();
        for pod in delta.lifecycle.iter().copied() {
            for pv in self.mounts.remove(pod) {
                self.detached_now.remove(&(pod, pv));
            }
            let process = view.runtime.process(pod).filter(|p| p.died.is_none());
            if let Some(p) = process {
                let pvs = p.launch.volumes.clone();
                judge.extend(pvs.iter().map(|pv| (pod, *pv)));
                self.mounts.add(pod, p.launch.node, pvs);
            }
        }
        for pv in delta.volumes.iter().copied() {
            let pods = self.mounts.of_volume.get(&pv).into_iter().flatten();
            judge.extend(pods.map(|pod| (*pod, pv)));
        }
        for &node in &delta.nodes {
            judge.extend(self.mounts.on_node.get(&node).into_iter().flatten());
        }
        for (pod, pv) in judge {
            self.judge_mount(view.store, pod, pv, findings);
        }
        self.report_detached(view, now, findings);
    }

    /// Judges running container `pod`'s use of volume `pv`.
    fn judge_mount(&mut self, store: &Store, pod: PodId, pv: PvId, findings: &mut Findings) {
        self.detached_now.remove(&(pod, pv));
        let v = &store.volumes[pv.index()];
        let Some((node, _)) = self.mounts.of_pod.get(&pod) else {
            return;
        };
        if !v.binding.attachable {
            return;
        }
        findings.judged(Invariant::VolumeAttachment, 1);
        let facts = MountFacts {
            attached_here: v.attached_to.contains(node),
            node_healthy: healthy(store, *node),
        };
        match mount_state(facts) {
            Mount::Attached => {}
            Mount::Excused => {
                self.excused.insert((pod, pv));
            }
            Mount::DetachedWhileMounted if self.excused.contains(&(pod, pv)) => {}
            Mount::DetachedWhileMounted => {
                self.detached_now.insert((pod, pv));
            }
        }
    }

    fn report_detached(&mut self, view: &WorldView<'_>, now: SimTime, findings: &mut Findings) {
        let store = view.store;
        for (pod, pv) in self.detached.update(self.detached_now.iter().copied(), now) {
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

    fn check_binding(
        &mut self,
        store: &Store,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        let mut volumes: BTreeSet<PvId> = delta.volumes.iter().copied().collect();
        for pvc in delta.claims.iter().copied() {
            volumes.extend(self.binds.reindex(store, pvc));
        }
        for pv in volumes {
            self.binds.judge(store, pv);
        }
        findings.judged(Invariant::VolumeBinding, store.claims.len() as u64);
        let faults = &self.binds.faults;
        for (pvc, pv) in self.binding.update(faults.keys().copied(), now) {
            let c = &store.claims[pvc.index()].meta;
            let object = format!("PersistentVolumeClaim {}/{}", c.namespace, c.name);
            let why = faults.get(&(pvc, pv)).copied().unwrap_or("");
            let detail = format!("{} {why}", volume_name(store, pv));
            findings.violate(now, Invariant::VolumeBinding, object, detail);
        }
    }
}

impl Binds {
    /// Re-reads which volume claim `pvc` is Bound to; returns the volumes whose claims changed.
    fn reindex(&mut self, store: &Store, pvc: PvcId) -> Vec<PvId> {
        let mut touched = Vec::new();
        if let Some(old) = self.volume_of.remove(&pvc) {
            remove_from(&mut self.claims_of, &old, &pvc);
            touched.push(old);
        }
        let c = &store.claims[pvc.index()];
        let bound = c.meta.exists() && c.phase == ClaimPhase::Bound;
        if let Some(pv) = c.volume.filter(|_| bound) {
            self.volume_of.insert(pvc, pv);
            self.claims_of.entry(pv).or_default().insert(pvc);
            touched.push(pv);
        }
        touched
    }

    /// Judges the one-to-one rule for the Bound claims of volume `pv`.
    fn judge(&mut self, store: &Store, pv: PvId) {
        let stale: Vec<(PvcId, PvId)> = (self.faults.keys())
            .filter(|(_, v)| *v == pv)
            .copied()
            .collect();
        for k in stale {
            self.faults.remove(&k);
        }
        let Some(claims) = self.claims_of.get(&pv) else {
            return;
        };
        let back = store.volumes[pv.index()].claim;
        for pvc in claims {
            if let Some(why) = binding_fault(claims.len(), back == Some(*pvc)) {
                self.faults.insert((*pvc, pv), why);
            }
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
