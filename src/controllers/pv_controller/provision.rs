//! `provisionClaim` and the external provisioner: a claim whose class has a provisioner gets a volume
//! of the provisioner's size, in the selected node's zone (WaitForFirstConsumer) or one it picks
//! (kk:pkg/controller/volume/persistentvolume/pv_controller.go `provisionClaimOperationExternal`;
//! kubernetes-csi/external-provisioner).

use super::claim::claim_event;
use super::index::claim_class;
use super::{Ctx, PvController, Timer};
use crate::api::{
    ann, storage::NO_PROVISIONER, Effects, ProvisionedVolume, PvcId, VolumeWrite, Write, ZONE_LABEL,
};
use crate::scenario::ProvisionerSpec;
use rand::Rng;
use std::collections::BTreeSet;

impl PvController {
    /// Starts provisioning a claim (once); false when its class cannot provision (an Event says why).
    pub(super) fn provision_claim(
        &mut self,
        cx: &mut Ctx,
        id: PvcId,
        fx: &mut Effects<Timer>,
    ) -> bool {
        if self.in_flight.contains(&id) {
            return true;
        }
        let c = &cx.store.claims[id.index()];
        let name = claim_class(c);
        let Some(class) = cx.store.storage_classes.get(name) else {
            let msg = format!("storageclass.storage.k8s.io {name:?} not found");
            fx.event(claim_event(cx, id, "ProvisioningFailed", msg));
            return false;
        };
        if class.provisioner == NO_PROVISIONER {
            let msg = format!("no volume plugin matched name: {NO_PROVISIONER}");
            fx.event(claim_event(cx, id, "ProvisioningFailed", msg));
            return false;
        }
        // `setClaimProvisioner`, then the CSI external-provisioner's `Provisioning` Event.
        let (ns, cname) = (&c.meta.namespace, &c.meta.name);
        if !c.meta.annotations.contains_key(ann::STORAGE_PROVISIONER) {
            fx.write(Write::Volume(VolumeWrite::AnnotateClaim {
                claim: id,
                key: ann::STORAGE_PROVISIONER.into(),
                value: class.provisioner.clone(),
            }));
        }
        let msg = format!("External provisioner is provisioning volume for claim \"{ns}/{cname}\"");
        fx.event(claim_event(cx, id, "Provisioning", msg));
        self.in_flight.insert(id);
        let spec = provisioner_spec(cx, name);
        fx.timer(
            cx.now.plus_ms(spec.provision.sample(cx.rng)),
            Timer::Provisioned(id),
        );
        true
    }

    /// The provisioner created the volume (`pvc-<claim uid>`, external-provisioner `makeVolumeName`),
    /// and the PV controller binds it to the claim.
    pub fn on_provisioned(&mut self, cx: &mut Ctx, id: PvcId) -> Effects<Timer> {
        let mut fx = Effects::default();
        self.in_flight.remove(&id);
        let c = &cx.store.claims[id.index()];
        let class_name = claim_class(c);
        let Some(class) = cx.store.storage_classes.get(class_name) else {
            return fx;
        };
        if !c.meta.exists() || c.volume.is_some() {
            return fx;
        }
        let name = format!("pvc-{}", c.meta.uid);
        let zone = zone_for(cx, id);
        fx.event(claim_event(
            cx,
            id,
            "ProvisioningSucceeded",
            format!("Successfully provisioned volume {name}"),
        ));
        fx.write(Write::Volume(VolumeWrite::Provision(Box::new(
            ProvisionedVolume {
                claim: id,
                name,
                capacity_bytes: provisioned_size(
                    c.request_bytes,
                    &provisioner_spec(cx, class_name),
                ),
                provisioner: class.provisioner.clone(),
                reclaim_policy: class.reclaim_policy,
                zone,
                node: local_node(&class.provisioner, c),
                attachable: !mounts_directly(&class.provisioner),
            },
        ))));
        fx
    }
}

/// The zone of the volume: the selected node's; else, among the zones of the nodes the class allows,
/// the only one or one at random (the CSI provisioner's choice without a selected node).
fn zone_for(cx: &mut Ctx, id: PvcId) -> Option<String> {
    let c = &cx.store.claims[id.index()];
    let nodes = &cx.store.nodes;
    if let Some(node) = c.meta.annotations.get(ann::SELECTED_NODE) {
        let n = nodes
            .iter()
            .find(|n| n.meta.exists() && n.meta.name == *node)?;
        return n.meta.labels.get(ZONE_LABEL).cloned();
    }
    let allowed = cx
        .store
        .storage_classes
        .get(claim_class(c))
        .and_then(|k| k.allowed_topologies.as_ref());
    let zones: BTreeSet<&String> = nodes
        .iter()
        .filter(|n| n.meta.exists() && allowed.is_none_or(|a| a.matches(&n.meta.labels)))
        .filter_map(|n| n.meta.labels.get(ZONE_LABEL))
        .collect();
    let zones: Vec<&String> = zones.into_iter().collect();
    match zones.len() {
        0 => None,
        1 => Some(zones[0].clone()),
        n => Some(zones[cx.rng.random_range(0..n)].clone()),
    }
}

/// rancher.io/local-path creates the volume in a directory of the selected node and pins it there:
/// `nodeAffinity` `kubernetes.io/hostname In [<node>]` (rancher/local-path-provisioner provisioner.go
/// `Provision`, `KeyNode`). Without a selected node (an Immediate class) the model keeps the zone.
fn local_node(provisioner: &str, claim: &crate::api::Claim) -> Option<String> {
    (provisioner == "rancher.io/local-path")
        .then(|| claim.meta.annotations.get(ann::SELECTED_NODE).cloned())
        .flatten()
}

/// Provisioners whose volumes the kubelet mounts directly, with no attach step (their PV sources are
/// plugins without an `Attacher`, kk:pkg/volume/nfs/nfs.go, kk:pkg/volume/hostpath/host_path.go,
/// kk:pkg/volume/local/local.go; the attach/detach controller skips them):
/// nfs-subdir-external-provisioner (kubernetes-sigs/nfs-subdir-external-provisioner
/// cmd/nfs-subdir-external-provisioner/provisioner.go: `PersistentVolumeSource{NFS: ...}`; the Helm
/// chart names it `cluster.local/<release>`) and rancher's local-path-provisioner (provisioner.go:
/// `HostPath` or `Local` sources). A CSI driver's volumes are attachable unless its CSIDriver says
/// `attachRequired: false`, which no manifest here carries.
fn mounts_directly(provisioner: &str) -> bool {
    const DIRECT: &[&str] = &[
        "k8s-sigs.io/nfs-subdir-external-provisioner",
        "cluster.local/nfs-subdir-external-provisioner",
        "rancher.io/local-path",
    ];
    DIRECT.contains(&provisioner)
}

/// The scenario's behaviour of a class's provisioner, or the default one.
fn provisioner_spec(cx: &Ctx, class: &str) -> ProvisionerSpec {
    cx.provisioners
        .get(class)
        .cloned()
        .unwrap_or_else(default_provisioner)
}

/// A provisioner with no scenario entry: 1 s, exact sizes, 1 s attach and detach.
pub fn default_provisioner() -> ProvisionerSpec {
    use crate::scenario::Dist;
    ProvisionerSpec {
        provision: Dist::Const(1_000),
        min_size_bytes: 0,
        size_step_bytes: 0,
        attach: Dist::Const(1_000),
        detach: Dist::Const(1_000),
    }
}

/// The size a provisioner gives a request: at least its minimum, rounded up to its step.
pub fn provisioned_size(request_bytes: u64, spec: &ProvisionerSpec) -> u64 {
    let size = request_bytes.max(spec.min_size_bytes);
    match spec.size_step_bytes {
        0 => size,
        step => size.div_ceil(step) * step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Dist;

    const GI: u64 = 1 << 30;

    fn cbs() -> ProvisionerSpec {
        ProvisionerSpec {
            provision: Dist::Const(0),
            min_size_bytes: 50 * GI,
            size_step_bytes: 10 * GI,
            attach: Dist::Const(0),
            detach: Dist::Const(0),
        }
    }

    #[test]
    fn a_local_path_volume_is_pinned_to_the_selected_node_and_other_volumes_are_not() {
        let mut store = crate::api::Store::new(crate::engine::Streams::new(1, 0).stream("n"));
        let mut meta = store.new_meta(
            "data",
            "default",
            Default::default(),
            crate::engine::SimTime(0),
        );
        meta.annotations
            .insert(ann::SELECTED_NODE.into(), "node-1".into());
        let claim = crate::api::Claim {
            meta,
            storage_class: Some("standard".into()),
            request_bytes: GI,
            access_modes: vec![],
            phase: crate::api::ClaimPhase::Pending,
            volume: None,
            capacity_bytes: None,
            selector: None,
            volume_name: None,
            volume_mode: Default::default(),
        };
        assert_eq!(
            local_node("rancher.io/local-path", &claim),
            Some("node-1".into())
        );
        assert_eq!(local_node("example.com/disk", &claim), None);
        let mut immediate = claim;
        immediate.meta.annotations.clear();
        assert_eq!(local_node("rancher.io/local-path", &immediate), None);
    }

    #[test]
    fn a_cloud_disk_has_a_minimum_size_and_a_size_step() {
        // The MariaDB article: 10Gi asked gave 50Gi, 51Gi asked gave 60Gi.
        assert_eq!(provisioned_size(10 * GI, &cbs()), 50 * GI);
        assert_eq!(provisioned_size(51 * GI, &cbs()), 60 * GI);
        assert_eq!(provisioned_size(60 * GI, &cbs()), 60 * GI);
    }
}
