//! Storage objects beside claims and volumes: a volume's binding state, volume modes, reclaim
//! policies, and StorageClasses (kk:staging/src/k8s.io/api/core/v1/types.go, storage/v1/types.go).

use super::selector::NodeSelector;

/// `volumeMode` of a claim or a volume (default Filesystem).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumeMode {
    #[default]
    Filesystem,
    Block,
}

/// `persistentVolumeReclaimPolicy`: what happens to a volume once its claim is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReclaimPolicy {
    /// Kept, Released, for an administrator to clean up (the default of a manually created volume).
    #[default]
    Retain,
    /// Deleted (the default of a dynamically provisioned one, from its StorageClass).
    Delete,
    /// Scrubbed and made Available again (deprecated).
    Recycle,
}

/// `status.phase` of a PersistentVolume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumePhase {
    /// Created, not yet seen by the PV controller.
    #[default]
    Pending,
    Available,
    Bound,
    /// Its claim was deleted; not available to another claim.
    Released,
    Failed,
}

impl VolumePhase {
    /// The phase as `kubectl get pv` shows it.
    pub fn name(self) -> &'static str {
        match self {
            VolumePhase::Pending => "Pending",
            VolumePhase::Available => "Available",
            VolumePhase::Bound => "Bound",
            VolumePhase::Released => "Released",
            VolumePhase::Failed => "Failed",
        }
    }
}

/// A PersistentVolume's spec and status beyond its size, modes and claim.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VolumeBinding {
    pub reclaim_policy: ReclaimPolicy,
    pub volume_mode: VolumeMode,
    pub phase: VolumePhase,
    /// `spec.claimRef` without a uid: (namespace, name) of the claim its creator reserved it for.
    pub pre_bound: Option<(String, String)>,
    /// `spec.nodeAffinity.required`: the nodes that can reach it (a local disk, a zonal cloud disk).
    pub node_affinity: Option<NodeSelector>,
    /// A node must attach it before mounting (cloud disks, CSI); hostPath, local and NFS are not attached.
    pub attachable: bool,
}

/// A StorageClass: what the PV controller and the scheduler read of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageClass {
    pub name: String,
    /// `kubernetes.io/no-provisioner` provisions nothing.
    pub provisioner: String,
    pub reclaim_policy: ReclaimPolicy,
    /// `volumeBindingMode: WaitForFirstConsumer`.
    pub wait_for_first_consumer: bool,
    /// `allowedTopologies`; None: anywhere.
    pub allowed_topologies: Option<NodeSelector>,
}

/// The provisioner of classes that provision nothing (kk:staging/src/k8s.io/component-helpers/storage/volume
/// `NotSupportedProvisioner`).
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// Annotations the PV controller and the scheduler's volume binder write
/// (kk:staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go).
pub mod ann {
    /// On a claim: its binding completed once (`AnnBindCompleted`).
    pub const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
    /// On a claim or volume: the controller made the binding, not its creator (`AnnBoundByController`).
    pub const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
    /// On a claim: the node the scheduler chose for a WaitForFirstConsumer claim (`AnnSelectedNode`).
    pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
    /// On a claim: the provisioner asked to create its volume (`AnnStorageProvisioner`).
    pub const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
    /// On a volume: the provisioner that created it (`AnnDynamicallyProvisioned`).
    pub const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
}

impl super::objects::Volume {
    /// `IsVolumeBoundToClaim`: its claimRef names the claim, with the claim's uid or without one.
    pub fn is_bound_to(&self, id: super::ids::PvcId, claim: &super::objects::Claim) -> bool {
        match self.claim {
            Some(c) => c == id,
            None => {
                let key = (claim.meta.namespace.clone(), claim.meta.name.clone());
                self.binding.pre_bound.as_ref() == Some(&key)
            }
        }
    }

    /// True when it has a claimRef (bound, or reserved by name for a claim).
    pub fn has_claim_ref(&self) -> bool {
        self.claim.is_some() || self.binding.pre_bound.is_some()
    }

    /// True if a pod on `node` can mount it without waiting for an attach: reported attached there
    /// (attached and not being detached: the kubelet's `verifyControllerAttachedVolume` reads
    /// `node.status.volumesAttached`), or a volume that is never attached (hostPath, local, NFS).
    pub fn is_attached_or_local(&self, node: super::ids::NodeId) -> bool {
        !self.binding.attachable
            || (self.attached_to.contains(&node) && !self.detaching_from.contains(&node))
    }
}
