//! The attach/detach controller (kk:pkg/controller/volume/attachdetach): attaches volumes to the nodes
//! whose pods need them, detaches them once unmounted, and refuses a second node for a ReadWriteOnce volume.

use crate::api::{ContainerState, Effects, Event, NodeId, PodId, PodPhase, PvId, Store, Write};
use crate::engine::SimTime;
use crate::scenario::ProvisionerSpec;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// A cloud attach or detach call finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Attached(PvId, NodeId),
    Detached(PvId, NodeId),
    /// `maxWaitForUnmountDuration` ran out for a detach from an unhealthy node: reconcile the volume.
    Recheck(PvId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Attaching,
    Detaching,
}

/// The controller's in-flight operations and the Multi-Attach errors already reported.
#[derive(Debug)]
pub struct AttachDetach {
    ops: BTreeMap<(PvId, NodeId), Op>,
    reported: BTreeSet<(PodId, PvId)>,
    /// When a detach was first wanted while the node still reported the volume in use
    /// (`SetDetachRequestTime`).
    detach_requested: BTreeMap<(PvId, NodeId), SimTime>,
    /// `ReconcilerMaxWaitForUnmountDuration` (6 min, kk:pkg/controller/volume/attachdetach/attach_detach_controller.go).
    pub max_wait_for_unmount_ms: u64,
    /// Mutant `attach-detach-fixed-timer` (testing only): a pod leaves the desired state when it is
    /// deleted, and its volume is force-detached when `maxWaitForUnmountDuration` runs out whatever the
    /// node's state, as before kubernetes/kubernetes#106710 was fixed.
    pub fixed_timer: bool,
}

impl Default for AttachDetach {
    fn default() -> Self {
        AttachDetach {
            ops: BTreeMap::new(),
            reported: BTreeSet::new(),
            detach_requested: BTreeMap::new(),
            max_wait_for_unmount_ms: 360_000,
            fixed_timer: false,
        }
    }
}

/// Pods in the desired state of world for `volume`: scheduled, using it, and not terminated
/// (a deleted pod leaves once no container runs: `podutil.IsPodTerminated` / DSW populator).
pub fn desired_pods(store: &Store, volume: PvId) -> Vec<(PodId, NodeId)> {
    desired_pods_with(store, volume, false)
}

/// [`desired_pods`]; with `deleted_leave` (the fixed-timer mutant) a pod leaves as soon as it is deleted.
fn desired_pods_with(store: &Store, volume: PvId, deleted_leave: bool) -> Vec<(PodId, NodeId)> {
    let Some(claim) = store.volumes[volume.index()].claim else {
        return Vec::new();
    };
    let claim = &store.claims[claim.index()];
    store
        .pods_using_claim(&claim.meta.namespace, &claim.meta.name)
        .map(|p| (p, &store.pods[p.index()]))
        .filter(|(_, p)| !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed))
        .filter(|(_, p)| {
            p.meta.deletion.is_none()
                || !deleted_leave && matches!(p.container, ContainerState::Running { .. })
        })
        .filter_map(|(id, p)| p.node.map(|n| (id, n)))
        .collect()
}

impl AttachDetach {
    /// The reconciler's pass over one volume: detaches first, then attaches (reconciler.go).
    pub fn reconcile(
        &mut self,
        store: &Store,
        volume: PvId,
        spec: &ProvisionerSpec,
        rng: &mut ChaCha8Rng,
        now: SimTime,
    ) -> Effects<Done> {
        let mut fx = Effects::default();
        // Only attachable plugins are in its desired state of world (hostPath, local, NFS are mounted directly).
        if !store.volumes[volume.index()].binding.attachable {
            return fx;
        }
        let desired = desired_pods_with(store, volume, self.fixed_timer);
        let nodes: BTreeSet<NodeId> = desired.iter().map(|(_, n)| *n).collect();
        self.detach_unneeded(store, volume, &nodes, spec, rng, now, &mut fx);
        for node in &nodes {
            self.attach(store, volume, *node, &desired, spec, rng, now, &mut fx);
        }
        fx
    }

    #[allow(clippy::too_many_arguments)]
    fn detach_unneeded(
        &mut self,
        store: &Store,
        volume: PvId,
        nodes: &BTreeSet<NodeId>,
        spec: &ProvisionerSpec,
        rng: &mut ChaCha8Rng,
        now: SimTime,
        fx: &mut Effects<Done>,
    ) {
        for node in store.volumes[volume.index()].attached_to.clone() {
            if nodes.contains(&node) {
                self.detach_requested.remove(&(volume, node));
                continue;
            }
            if self.ops.contains_key(&(volume, node)) {
                continue;
            }
            // Safe to detach only once the kubelet no longer reports the volume in use (node.status.volumesInUse),
            // unless the node is unhealthy and the wait ran out, or it is tainted out-of-service.
            if store.nodes[node.index()].volumes_in_use.contains(&volume)
                && !self.may_force_detach(store, volume, node, now, fx)
            {
                continue;
            }
            self.detach_requested.remove(&(volume, node));
            self.ops.insert((volume, node), Op::Detaching);
            // reconciler.go: "Before triggering volume detach, mark volume as detached and update
            // the node status" (RemoveVolumeFromReportAsAttached + UpdateNodeStatusForNode).
            fx.write(Write::SetDetaching { volume, node });
            fx.timer(
                now.plus_ms(spec.detach.sample(rng)),
                Done::Detached(volume, node),
            );
        }
    }

    /// reconciler.go: `timeout := elapsed > maxWaitForUnmountDuration`; force-detach from an unhealthy
    /// node after the timeout, or at once from a node with the `node.kubernetes.io/out-of-service`
    /// taint (NodeOutOfServiceVolumeDetach, GA 1.28). An unhealthy node's wait is re-checked when it ends.
    fn may_force_detach(
        &mut self,
        store: &Store,
        volume: PvId,
        node: NodeId,
        now: SimTime,
        fx: &mut Effects<Done>,
    ) -> bool {
        let out_of_service = store.has_taint(node, crate::api::node_health::TAINT_OUT_OF_SERVICE);
        let requested = *self.detach_requested.entry((volume, node)).or_insert(now);
        let healthy = store.nodes[node.index()].meta.exists()
            && store.health(node).ready == crate::api::ConditionStatus::True;
        let deadline = requested.plus_ms(self.max_wait_for_unmount_ms);
        if out_of_service || (!healthy || self.fixed_timer) && now > deadline {
            return true;
        }
        if (!healthy || self.fixed_timer) && requested == now {
            fx.timer(deadline.plus_ms(1), Done::Recheck(volume));
        }
        false
    }

    #[allow(clippy::too_many_arguments)]
    fn attach(
        &mut self,
        store: &Store,
        volume: PvId,
        node: NodeId,
        desired: &[(PodId, NodeId)],
        spec: &ProvisionerSpec,
        rng: &mut ChaCha8Rng,
        now: SimTime,
        fx: &mut Effects<Done>,
    ) {
        let v = &store.volumes[volume.index()];
        if v.attached_to.contains(&node) || self.ops.contains_key(&(volume, node)) {
            return;
        }
        let elsewhere = v.attached_to.iter().any(|n| *n != node)
            || self.ops.keys().any(|(pv, n)| *pv == volume && *n != node);
        if v.is_single_node() && elsewhere {
            self.report_multi_attach(store, volume, node, desired, now, fx);
            return;
        }
        self.ops.insert((volume, node), Op::Attaching);
        fx.timer(
            now.plus_ms(spec.attach.sample(rng)),
            Done::Attached(volume, node),
        );
    }

    /// `FailedAttachVolume` with the Multi-Attach message of reconciler.go `reportMultiAttachError`.
    fn report_multi_attach(
        &mut self,
        store: &Store,
        volume: PvId,
        node: NodeId,
        desired: &[(PodId, NodeId)],
        now: SimTime,
        fx: &mut Effects<Done>,
    ) {
        let users: Vec<&str> = desired
            .iter()
            .filter(|(_, n)| *n != node)
            .map(|(p, _)| store.pods[p.index()].meta.name.as_str())
            .collect();
        let vname = &store.volumes[volume.index()].meta.name;
        for (pod, _) in desired.iter().filter(|(_, n)| *n == node) {
            if !self.reported.insert((*pod, volume)) {
                continue;
            }
            let p = &store.pods[pod.index()];
            let msg = if users.is_empty() {
                format!("Multi-Attach error for volume \"{vname}\" Volume is already exclusively attached to one node and can't be attached to another")
            } else {
                format!(
                    "Multi-Attach error for volume \"{vname}\" Volume is already used by pod(s) {}",
                    users.join(", ")
                )
            };
            fx.event(Event::pod(now, &p.meta, "FailedAttachVolume", msg));
        }
    }

    /// A cloud call finished: record it in the API (VolumeAttachment status).
    pub fn on_done(&mut self, store: &Store, done: Done, now: SimTime) -> Effects<Done> {
        let mut fx = Effects::default();
        match done {
            Done::Attached(volume, node) => {
                self.ops.remove(&(volume, node));
                let vname = &store.volumes[volume.index()].meta.name;
                for (pod, _) in desired_pods(store, volume)
                    .iter()
                    .filter(|(_, n)| *n == node)
                {
                    let p = &store.pods[pod.index()];
                    fx.event(Event::pod(
                        now,
                        &p.meta,
                        "SuccessfulAttachVolume",
                        format!("AttachVolume.Attach succeeded for volume \"{vname}\""),
                    ));
                }
                fx.write(Write::SetAttached {
                    volume,
                    node,
                    attached: true,
                });
            }
            Done::Recheck(_) => {}
            Done::Detached(volume, node) => {
                self.ops.remove(&(volume, node));
                fx.write(Write::SetAttached {
                    volume,
                    node,
                    attached: false,
                });
            }
        }
        fx
    }
}
