//! The writes actors ask the API server to make: reconciles return these as values.

use super::ids::*;
use super::objects::*;
use super::statefulset::*;

/// One API write.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// POST a pod from a template; `generate_name` gets a random 5-character suffix like the API server's.
    CreatePod {
        namespace: String,
        generate_name: String,
        owner: Owner,
        template: PodTemplate,
    },
    /// DELETE a pod gracefully; None uses the pod's terminationGracePeriodSeconds.
    DeletePod {
        pod: PodId,
        grace_period_ms: Option<u64>,
    },
    /// The kubelet's final DELETE with grace 0 after the containers stopped, or a force delete.
    RemovePod { pod: PodId },
    /// The scheduler's Binding.
    BindPod { pod: PodId, node: NodeId },
    /// The kubelet's status update.
    SetPodStatus { pod: PodId, status: PodStatus },
    /// POST a ReplicaSet.
    CreateReplicaSet { rs: Box<ReplicaSet> },
    /// Update a ReplicaSet's `spec.replicas` and set `annotations` on it in the same write
    /// (upstream `scaleReplicaSet` writes the desired- and max-replicas annotations with the size).
    ScaleReplicaSet {
        rs: RsId,
        replicas: u32,
        annotations: Vec<(String, String)>,
    },
    /// DELETE a ReplicaSet (history cleanup: it has no pods left).
    DeleteReplicaSet { rs: RsId },
    /// POST a Deployment (`kubectl apply` of a new one); the store gives it a fresh uid and times.
    CreateDeployment { object: Box<Deployment> },
    /// Replace a Deployment's labels, annotations and spec with those of `object` (`kubectl apply`,
    /// `patch`, `set-image`, `scale`, `rollout undo/pause/resume`); identity and status are kept.
    UpdateDeployment {
        deployment: DeployId,
        object: Box<Deployment>,
    },
    /// A ReplicaSet's status.
    SetReplicaSetStatus { rs: RsId, status: ReplicaStatus },
    /// A Deployment's status (`UpdateStatus`, which may also set annotations: the controller's
    /// `SetDeploymentRevision` travels with it).
    SetDeploymentStatus {
        deployment: DeployId,
        status: DeploymentStatus,
        annotations: Vec<(String, String)>,
    },
    /// The EndpointSlice controller's write for one Service.
    SetEndpoints {
        service: SvcId,
        endpoints: Vec<Endpoint>,
    },
    /// The PV controller's, the provisioner's and the scheduler's volume binder's writes to
    /// PersistentVolumes and PersistentVolumeClaims.
    Volume(super::store_volumes::VolumeWrite),
    /// The disruption controller's status of a PodDisruptionBudget.
    SetPdbStatus {
        pdb: PdbId,
        status: super::policy::PdbStatus,
    },
    /// The attach/detach controller starts a detach: the volume leaves the node's
    /// `status.volumesAttached` (it stays attached until the detach is done).
    SetDetaching { volume: PvId, node: NodeId },
    /// The attach/detach controller records an attach (true) or detach (false).
    SetAttached {
        volume: PvId,
        node: NodeId,
        attached: bool,
    },
    /// The kubelet reports `status.images`.
    SetNodeImages {
        node: NodeId,
        images: Vec<(String, u64)>,
    },
    /// `kubectl cordon` / `uncordon`: sets `spec.unschedulable`.
    SetNodeUnschedulable { node: NodeId, unschedulable: bool },
    /// The kubelet reports `status.volumesInUse`.
    SetVolumesInUse { node: NodeId, volumes: Vec<PvId> },
    /// POST a pod with a fixed name (a StatefulSet's `<set>-<ordinal>`); refused (AlreadyExists)
    /// while a pod of that name exists.
    CreateNamedPod {
        namespace: String,
        name: String,
        owner: Owner,
        template: PodTemplate,
    },
    /// POST a PersistentVolumeClaim (from a StatefulSet's claim template); refused while one of
    /// that name exists. The store gives it a fresh uid and times.
    CreateClaim { claim: Box<Claim> },
    /// DELETE a claim (the garbage collector, once its owner is gone).
    DeleteClaim { claim: PvcId },
    /// Sets or clears a claim's owner reference (a StatefulSet's claim retention policy).
    SetClaimOwner { claim: PvcId, owner: Option<Owner> },
    /// Replace a StatefulSet's labels, annotations and the mutable part of its spec with those of
    /// `object` (`scale`, `set-image`, `patch`); identity, claim templates and status are kept.
    UpdateStatefulSet {
        set: StsId,
        object: Box<StatefulSet>,
    },
    /// A StatefulSet's status.
    SetStatefulSetStatus {
        set: StsId,
        status: StatefulSetStatus,
    },
    /// POST a ControllerRevision; the store gives it a fresh uid and times.
    CreateRevision { revision: Box<ControllerRevision> },
    /// Renumber a ControllerRevision (a StatefulSet rolled back to its template).
    SetRevisionNumber { revision: RevId, number: i64 },
    /// DELETE a ControllerRevision (history beyond revisionHistoryLimit).
    DeleteRevision { revision: RevId },
    /// Replace a DaemonSet's labels, annotations and updatable spec (`set-image`, `patch`).
    UpdateDaemonSet {
        ds: DsId,
        object: Box<super::workloads::DaemonSet>,
    },
    /// A DaemonSet's status.
    SetDaemonSetStatus {
        ds: DsId,
        status: super::workloads::DaemonSetStatus,
    },
    /// A Job's status (counts, start and completion times, its terminal condition).
    SetJobStatus {
        job: JobId,
        status: Box<super::workloads::JobStatus>,
    },
    /// A write to a Node's conditions, taints or Lease, or its deletion.
    Node(super::node_health::NodeWrite),
}

/// A pod's status as the kubelet writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodStatus {
    pub phase: PodPhase,
    pub container: ContainerState,
    pub ready: bool,
    pub ip: Option<super::PodIp>,
    pub restarts: u32,
}
