//! The compact objects the store holds: only the fields the model reads, converted from k8s-openapi types.

use super::ids::*;
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// Labels and label selectors (`matchLabels`; `matchExpressions` are converted where supported).
pub type Labels = BTreeMap<String, String>;

/// True when every selector pair is among the labels (an empty selector matches everything).
pub fn selector_matches(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// A graceful deletion in progress: `metadata.deletionTimestamp` and `deletionGracePeriodSeconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deletion {
    /// When the delete was requested.
    pub requested: SimTime,
    pub grace_period_ms: u64,
}

/// The controlling owner reference (`ownerReferences[controller=true]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Deployment(DeployId),
    ReplicaSet(RsId),
    StatefulSet(StsId),
    DaemonSet(DsId),
    Job(JobId),
    /// One pod incarnation (its uid): a StatefulSet's claim condemned by a scale-down.
    Pod(PodId),
}

impl Owner {
    /// `ownerReferences[].kind`.
    pub fn kind(self) -> &'static str {
        match self {
            Owner::Deployment(_) => "Deployment",
            Owner::ReplicaSet(_) => "ReplicaSet",
            Owner::StatefulSet(_) => "StatefulSet",
            Owner::DaemonSet(_) => "DaemonSet",
            Owner::Job(_) => "Job",
            Owner::Pod(_) => "Pod",
        }
    }
}

/// Object metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub labels: Labels,
    pub annotations: Labels,
    pub resource_version: u64,
    /// `metadata.generation`: 1 at creation, +1 on every change of the spec.
    pub generation: i64,
    pub created: SimTime,
    pub owner: Option<Owner>,
    pub deletion: Option<Deletion>,
    /// The object has left the API server (kept in the arena for the record).
    pub gone: Option<SimTime>,
}

impl Meta {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// True while the object exists in the API server.
    pub fn exists(&self) -> bool {
        self.gone.is_none()
    }
}

/// imagePullPolicy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

/// A probe with its API defaults applied (kk:pkg/apis/core/v1/defaults.go `SetDefaults_Probe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub initial_delay_ms: u64,
    pub period_ms: u64,
    pub timeout_ms: u64,
    pub success_threshold: u32,
    pub failure_threshold: u32,
}

/// One container of a pod spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub pull_policy: PullPolicy,
    pub cpu_milli: u64,
    pub memory_bytes: u64,
    pub readiness: Option<Probe>,
    pub liveness: Option<Probe>,
    pub startup: Option<Probe>,
    /// `lifecycle.preStop` is set (its duration comes from the app model).
    pub has_pre_stop: bool,
}

/// A toleration (`operator: Exists` when `value` is None and `key` may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    pub key: Option<String>,
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule`, `NoExecute`, or None for all effects.
    pub effect: Option<String>,
    pub exists: bool,
    pub toleration_seconds: Option<u64>,
}

/// A node taint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
    /// `timeAdded` (set by the API for NoExecute taints; the taint manager counts tolerationSeconds from it).
    pub time_added: Option<SimTime>,
}

impl Taint {
    /// A taint `key=value:effect` not yet added.
    pub fn new(key: &str, value: &str, effect: &str) -> Self {
        Taint {
            key: key.to_string(),
            value: value.to_string(),
            effect: effect.to_string(),
            time_added: None,
        }
    }
}

impl Toleration {
    /// True if this toleration tolerates `taint` (kk:staging/src/k8s.io/api/core/v1/toleration.go `ToleratesTaint`).
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if self.effect.as_deref().is_some_and(|e| e != taint.effect) {
            return false;
        }
        match &self.key {
            Some(k) if k != &taint.key => false,
            None if !self.exists => false,
            _ if self.exists => true,
            _ => self.value.as_deref().unwrap_or("") == taint.value,
        }
    }
}

/// The parts of a PodSpec the model uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSpec {
    pub containers: Vec<Container>,
    pub termination_grace_period_ms: u64,
    pub node_selector: Labels,
    pub tolerations: Vec<Toleration>,
    /// `spec.affinity`: node affinity and pod (anti-)affinity.
    pub affinity: super::affinity::Affinity,
    /// `spec.topologySpreadConstraints`.
    pub topology_spread: Vec<super::affinity::SpreadConstraint>,
    /// Names of the PersistentVolumeClaims the pod mounts.
    pub claims: Vec<String>,
    /// `spec.nodeName` preset in the manifest.
    pub node_name: Option<String>,
    /// `spec.hostname` and `spec.subdomain` (a StatefulSet sets them to the pod's name and its serviceName).
    pub hostname: Option<String>,
    pub subdomain: Option<String>,
    /// `spec.restartPolicy` (default Always).
    pub restart_policy: RestartPolicy,
}

/// `spec.restartPolicy`: what the kubelet does when a container exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestartPolicy {
    /// Restart whatever the exit code (the only policy a Deployment's or DaemonSet's pods may have).
    #[default]
    Always,
    /// Restart after a non-zero exit; a zero exit ends the pod Succeeded.
    OnFailure,
    /// Never restart: the pod ends Succeeded (exit 0) or Failed.
    Never,
}

impl PodSpec {
    /// Sum of the containers' cpu requests.
    pub fn cpu_milli(&self) -> u64 {
        self.containers.iter().map(|c| c.cpu_milli).sum()
    }

    /// Sum of the containers' memory requests.
    pub fn memory_bytes(&self) -> u64 {
        self.containers.iter().map(|c| c.memory_bytes).sum()
    }
}

/// A pod template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodTemplate {
    pub labels: Labels,
    pub spec: PodSpec,
}

impl PodTemplate {
    /// The template as the text `ComputeHash` hashes: its Debug form without the fields added after
    /// the first hashes were pinned, at their defaults (restartPolicy Always, no `matchFields` node),
    /// so that templates without them keep their pod-template-hash and revision names.
    pub fn hash_text(&self) -> String {
        format!("{self:?}")
            .replace(", restart_policy: Always", "")
            .replace(", required_node_name: None", "")
    }
}

/// Pod phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// What the kubelet reports of a pod's (single tracked) container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerState {
    /// Not started yet: the STATUS column shows this reason.
    Waiting(&'static str),
    Running {
        started: SimTime,
    },
    Terminated {
        finished: SimTime,
        /// `Completed` (a clean exit) or `Error`.
        reason: &'static str,
        exit_code: i32,
    },
}

/// A pod incarnation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    pub meta: Meta,
    pub spec: PodSpec,
    pub node: Option<NodeId>,
    pub ip: Option<super::PodIp>,
    pub phase: PodPhase,
    pub container: ContainerState,
    /// The PodReady condition, and when it last turned true.
    pub ready: bool,
    pub ready_since: Option<SimTime>,
    pub restarts: u32,
}

impl Pod {
    /// `IsPodActive`: not terminal and not being deleted (kk:pkg/controller/controller_utils.go).
    pub fn is_active(&self) -> bool {
        self.meta.exists()
            && self.meta.deletion.is_none()
            && !matches!(self.phase, PodPhase::Succeeded | PodPhase::Failed)
    }

    /// `IsPodAvailable`: ready for at least `min_ready_ms` (kk:pkg/api/v1/pod/util.go).
    pub fn is_available(&self, min_ready_ms: u64, now: SimTime) -> bool {
        self.ready
            && self
                .ready_since
                .is_some_and(|t| now.since_ms(t) >= min_ready_ms)
    }
}

/// A ReplicaSet.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaSet {
    pub meta: Meta,
    pub replicas: u32,
    pub selector: Labels,
    pub template: PodTemplate,
    pub min_ready_ms: u64,
    pub status: ReplicaStatus,
    /// The pod template as written (with the pod-template-hash label): `rollout undo` copies it back.
    pub source_template: Box<k8s_openapi::api::core::v1::PodTemplateSpec>,
}

/// `status` of a ReplicaSet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplicaStatus {
    pub replicas: u32,
    pub ready: u32,
    pub available: u32,
    /// `status.observedGeneration`: the generation the controller last synced.
    pub observed_generation: i64,
}

/// A condition's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

/// A Deployment condition (Progressing or Available), without its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub status: ConditionStatus,
    pub reason: &'static str,
    pub last_update_ms: u64,
    pub last_transition_ms: u64,
}

impl Condition {
    /// `NewDeploymentCondition`: updated and transitioned now.
    pub fn new(status: ConditionStatus, reason: &'static str, now_ms: u64) -> Self {
        Condition {
            status,
            reason,
            last_update_ms: now_ms,
            last_transition_ms: now_ms,
        }
    }
}

/// `status` of a Deployment (kk:staging/src/k8s.io/api/apps/v1/types.go `DeploymentStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeploymentStatus {
    pub replicas: u32,
    pub updated: u32,
    pub ready: u32,
    pub available: u32,
    pub unavailable: u32,
    pub observed_generation: i64,
    /// The `Progressing` condition (only with a progress deadline).
    pub progressing: Option<Condition>,
    /// The `Available` condition.
    pub available_condition: Option<Condition>,
}

/// `.spec.strategy` of a Deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    Recreate,
    /// maxSurge and maxUnavailable as given (`3` or `25%`).
    RollingUpdate {
        max_surge: String,
        max_unavailable: String,
    },
}

/// A Deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub meta: Meta,
    pub replicas: u32,
    pub selector: Labels,
    pub template: PodTemplate,
    pub strategy: Strategy,
    pub min_ready_ms: u64,
    pub revision_history_limit: u32,
    /// `spec.progressDeadlineSeconds`; None: no deadline.
    pub progress_deadline_ms: Option<u64>,
    pub paused: bool,
    pub status: DeploymentStatus,
    /// The manifest as last applied, defaults included: patches and `set-image` edit it.
    pub source: Box<k8s_openapi::api::apps::v1::Deployment>,
}

/// Service type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceType {
    ClusterIp,
    NodePort,
    LoadBalancer,
}

/// A Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub meta: Meta,
    pub kind: ServiceType,
    pub headless: bool,
    /// None: a Service without a selector (endpoints managed by hand).
    pub selector: Option<Labels>,
    pub publish_not_ready: bool,
    pub cluster_ip: Option<String>,
    /// The EndpointSlice(s) of this service, merged.
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint of an EndpointSlice (kk:staging/src/k8s.io/endpointslice/utils.go `podToEndpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub pod: PodId,
    pub ip: super::PodIp,
    pub node: Option<NodeId>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

/// PersistentVolumeClaim phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimPhase {
    Pending,
    Bound,
    Lost,
}

/// An access mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessMode {
    ReadWriteOnce,
    ReadOnlyMany,
    ReadWriteMany,
    ReadWriteOncePod,
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub meta: Meta,
    pub storage_class: Option<String>,
    pub request_bytes: u64,
    pub access_modes: Vec<AccessMode>,
    pub phase: ClaimPhase,
    pub volume: Option<PvId>,
    /// The capacity of the bound volume.
    pub capacity_bytes: Option<u64>,
    /// `spec.selector`: labels a statically provisioned volume must have to be bound to it.
    pub selector: Option<super::selector::LabelSelector>,
    /// `spec.volumeName`: the volume it is bound to, or pre-bound to by its creator.
    pub volume_name: Option<String>,
    pub volume_mode: super::storage::VolumeMode,
}

/// A PersistentVolume with the attach state the attach/detach controller keeps for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub meta: Meta,
    pub storage_class: Option<String>,
    pub capacity_bytes: u64,
    pub access_modes: Vec<AccessMode>,
    pub claim: Option<PvcId>,
    /// Nodes the volume is attached to (`VolumeAttachment.status.attached`).
    pub attached_to: Vec<NodeId>,
    /// Nodes of `attached_to` it is being detached from. The attach/detach controller takes the
    /// volume out of the node's `status.volumesAttached` before it starts the detach
    /// (pkg/controller/volume/attachdetach/reconciler/reconciler.go: `RemoveVolumeFromReportAsAttached`,
    /// then `UpdateNodeStatusForNode`), so a kubelet does not mount it there meanwhile.
    pub detaching_from: Vec<NodeId>,
    /// PersistentVolume binding state (`persistentVolumeReclaimPolicy`, `status.phase`, the
    /// claimRef of a volume pre-bound by name, node affinity, ...): `claim` is the claimRef with a uid.
    pub binding: super::storage::VolumeBinding,
}

impl Volume {
    /// True if at most one node may attach it read-write.
    pub fn is_single_node(&self) -> bool {
        self.access_modes
            .iter()
            .all(|m| matches!(m, AccessMode::ReadWriteOnce | AccessMode::ReadWriteOncePod))
    }
}

/// A Node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub meta: Meta,
    pub cpu_milli: u64,
    pub memory_bytes: u64,
    pub pods: u32,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub ready: bool,
    /// `status.volumesInUse`: volumes the kubelet has mounted or is mounting.
    pub volumes_in_use: Vec<PvId>,
    /// `status.images`: images on the node (normalized name, size in bytes).
    pub images: Vec<(String, u64)>,
}

/// An image name with its tag made explicit (`centos/mariadb` is `centos/mariadb:latest`), as the
/// scheduler's ImageLocality plugin compares them (`normalizedImageName`).
pub fn normalized_image(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains(':') || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}
