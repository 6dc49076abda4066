//! The store's writes to claims and volumes: binding both ways with their phases and annotations,
//! provisioned volumes, reclaim (kk:pkg/controller/volume/persistentvolume/pv_controller.go `bind`,
//! `unbindVolume`, `updateVolumePhase`, `updateClaimStatus`; the scheduler's `bindAPIUpdate`).

use super::ids::{Kind, PvId, PvcId};
use super::objects::{ClaimPhase, Labels, Volume};
use super::selector::NodeSelector;
use super::storage::{ann, ReclaimPolicy, VolumeBinding, VolumePhase};
use super::store::Store;
use crate::engine::SimTime;

/// A write to a PersistentVolume or a PersistentVolumeClaim.
#[derive(Debug, Clone, PartialEq)]
pub enum VolumeWrite {
    /// `bind`: the volume's claimRef (with the claim's uid) and phase Bound, then the claim's
    /// volumeName, bind-completed annotation, phase Bound and capacity.
    Bind { volume: PvId, claim: PvcId },
    /// The scheduler's PreBind of a WaitForFirstConsumer claim: only the volume's claimRef
    /// (`GetBindVolumeToClaim` in `bindAPIUpdate`); the PV controller completes the binding.
    Reserve { volume: PvId, claim: PvcId },
    /// `updateVolumePhase`.
    SetVolumePhase { volume: PvId, phase: VolumePhase },
    /// `updateClaimStatus` to a phase without a volume (Lost).
    SetClaimPhase { claim: PvcId, phase: ClaimPhase },
    /// `unbindVolume`: a controller-made claimRef is removed, a creator's keeps its name; Available.
    Unbind { volume: PvId },
    /// Sets an annotation on a claim (`selected-node` by the scheduler, `storage-provisioner`).
    AnnotateClaim {
        claim: PvcId,
        key: String,
        value: String,
    },
    /// The provisioner created a volume for the claim (named `pvc-<claim uid>`), bound to it.
    Provision(Box<ProvisionedVolume>),
    /// DELETE a volume (reclaim policy Delete, after its claim is gone).
    Delete { volume: PvId },
}

/// A volume a provisioner created for a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisionedVolume {
    pub claim: PvcId,
    pub name: String,
    pub capacity_bytes: u64,
    pub provisioner: String,
    pub reclaim_policy: ReclaimPolicy,
    /// The zone it was created in (the selected node's, or one the provisioner chose).
    pub zone: Option<String>,
    /// The node a node-local volume lives on (rancher.io/local-path): its node affinity is that node's
    /// `kubernetes.io/hostname` instead of the zone, and it has no zone label.
    pub node: Option<String>,
    /// Whether its volume source is attached to a node before it is mounted (a cloud disk, a CSI
    /// volume) or mounted directly (NFS, hostPath, local).
    pub attachable: bool,
}

/// The zone label of nodes and of zonal volumes.
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// The hostname label of nodes (`kubernetes.io/hostname`), the key of a local volume's node affinity.
pub const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";

impl Store {
    /// Applies one volume write at `now`.
    pub(super) fn apply_volume(&mut self, w: VolumeWrite, now: SimTime) {
        match w {
            VolumeWrite::Bind { volume, claim } => self.bind_volume(volume, claim),
            VolumeWrite::Reserve { volume, claim } => self.reserve_volume(volume, claim),
            VolumeWrite::SetVolumePhase { volume, phase } => {
                self.volumes[volume.index()].binding.phase = phase;
                self.touch(Kind::PersistentVolume, volume.0);
            }
            VolumeWrite::SetClaimPhase { claim, phase } => {
                self.claims[claim.index()].phase = phase;
                self.touch(Kind::PersistentVolumeClaim, claim.0);
            }
            VolumeWrite::Unbind { volume } => self.unbind_volume(volume),
            VolumeWrite::AnnotateClaim { claim, key, value } => {
                self.claims[claim.index()]
                    .meta
                    .annotations
                    .insert(key, value);
                self.touch(Kind::PersistentVolumeClaim, claim.0);
            }
            VolumeWrite::Provision(p) => self.provision_volume(*p, now),
            VolumeWrite::Delete { volume } => {
                self.volumes[volume.index()].meta.gone = Some(now);
                self.touch(Kind::PersistentVolume, volume.0);
            }
        }
    }

    /// `bindVolumeToClaim`, `updateVolumePhase(Bound)`, `bindClaimToVolume`, `updateClaimStatus(Bound)`.
    fn bind_volume(&mut self, volume: PvId, claim: PvcId) {
        self.reserve_volume(volume, claim);
        let v = &mut self.volumes[volume.index()];
        v.binding.phase = VolumePhase::Bound;
        let (name, capacity) = (v.meta.name.clone(), v.capacity_bytes);
        let c = &mut self.claims[claim.index()];
        if c.volume_name.as_deref() != Some(name.as_str()) {
            c.volume_name = Some(name);
            set(&mut c.meta.annotations, ann::BOUND_BY_CONTROLLER);
        }
        set(&mut c.meta.annotations, ann::BIND_COMPLETED);
        if c.phase != ClaimPhase::Bound {
            c.capacity_bytes = Some(capacity);
        }
        c.phase = ClaimPhase::Bound;
        c.volume = Some(volume);
        self.touch(Kind::PersistentVolumeClaim, claim.0);
    }

    /// `GetBindVolumeToClaim`: the claimRef with the claim's uid; bound-by-controller unless its
    /// creator had reserved it for that claim.
    fn reserve_volume(&mut self, volume: PvId, claim: PvcId) {
        let c = &self.claims[claim.index()];
        let v = &self.volumes[volume.index()];
        let by_controller = !v.is_bound_to(claim, c);
        let v = &mut self.volumes[volume.index()];
        if by_controller {
            set(&mut v.meta.annotations, ann::BOUND_BY_CONTROLLER);
        }
        v.claim = Some(claim);
        self.touch(Kind::PersistentVolume, volume.0);
    }

    fn unbind_volume(&mut self, volume: PvId) {
        let v = &mut self.volumes[volume.index()];
        if v.meta
            .annotations
            .remove(ann::BOUND_BY_CONTROLLER)
            .is_some()
        {
            v.binding.pre_bound = None;
        }
        v.claim = None;
        v.binding.phase = VolumePhase::Available;
        self.touch(Kind::PersistentVolume, volume.0);
    }

    /// The provisioner's new volume, and the PV controller's binding of it to the claim.
    fn provision_volume(&mut self, p: ProvisionedVolume, now: SimTime) {
        let c = &self.claims[p.claim.index()];
        let (class, modes, mode) = (
            c.storage_class.clone(),
            c.access_modes.clone(),
            c.volume_mode,
        );
        let mut labels = Labels::new();
        if let (Some(zone), None) = (&p.zone, &p.node) {
            labels.insert(ZONE_LABEL.into(), zone.clone());
        }
        let mut meta = self.new_meta(&p.name, "", labels, now);
        meta.annotations
            .insert(ann::PROVISIONED_BY.into(), p.provisioner.clone());
        let binding = VolumeBinding {
            reclaim_policy: p.reclaim_policy,
            volume_mode: mode,
            phase: VolumePhase::Pending,
            pre_bound: None,
            node_affinity: match (&p.node, &p.zone) {
                (Some(node), _) => Some(NodeSelector::single(HOSTNAME_LABEL, node)),
                (None, zone) => zone.as_deref().map(|z| NodeSelector::single(ZONE_LABEL, z)),
            },
            attachable: p.attachable,
        };
        let volume = self.add_volume(Volume {
            meta,
            storage_class: class,
            capacity_bytes: p.capacity_bytes,
            access_modes: modes,
            claim: Some(p.claim),
            attached_to: Vec::new(),
            detaching_from: Vec::new(),
            binding,
        });
        self.bind_volume(volume, p.claim);
    }
}

fn set(annotations: &mut Labels, key: &str) {
    annotations.insert(key.to_string(), "yes".to_string());
}
