//! The validated scenario: what `scenario::load` returns and the simulation reads.
//!
//! Every duration is an integer number of milliseconds; every field has been checked.

use super::dist::Dist;
use super::timings::Timings;
use crate::manifest::Loaded;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A whole scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// The file it was read from (messages name it).
    pub source: PathBuf,
    pub seed: u64,
    pub duration_ms: u64,
    /// The nodes, expanded from `cluster.nodes` groups, in declaration order.
    pub nodes: Vec<NodeSpec>,
    /// Provisioner behaviour per StorageClass name.
    pub storage_classes: BTreeMap<String, ProvisionerSpec>,
    /// Kubernetes timings: upstream defaults with the scenario's overrides.
    pub timings: Timings,
    /// The Kubernetes objects from `manifests`, defaults applied, in file order.
    pub objects: Vec<Loaded>,
    /// The programs in the containers; the first entry that applies to a pod's container
    /// ([`app_for`]) describes it.
    pub apps: Vec<AppSpec>,
    pub traffic: Vec<ClientSpec>,
    /// Faults and changes, sorted by time (stable: equal times keep file order).
    pub faults: Vec<FaultSpec>,
    /// Workloads that serve only while enough of their members are ready, in file order.
    pub quorums: Vec<QuorumSpec>,
    /// For testing the checker only: a deliberately wrong controller variant (`testing.mutant`).
    pub testing: super::testing::Testing,
}

/// `quorum`: a workload (ZooKeeper, etcd, a Raft group) that serves only while at least
/// `min_ready` of its members are ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumSpec {
    /// How the summary names it (default: the selector, `app=zk`).
    pub name: String,
    /// The members: the pods it selects.
    pub selector: PodSelector,
    pub min_ready: u32,
}

/// One node of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    pub name: String,
    /// `topology.kubernetes.io/zone`, if any.
    pub zone: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub cpu_milli: u64,
    pub memory_bytes: u64,
    pub pods: u32,
    /// `spec.taints` of a Node manifest (none for `cluster.nodes`).
    pub taints: Vec<crate::api::Taint>,
    /// `spec.unschedulable` of a Node manifest (cordoned from the start).
    pub unschedulable: bool,
}

/// How a StorageClass's provisioner and its disks behave.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisionerSpec {
    /// From the claim's creation until the volume exists.
    pub provision: Dist,
    /// The smallest volume it creates, in bytes (0: no minimum).
    pub min_size_bytes: u64,
    /// Sizes are rounded up to a multiple of this, in bytes (0: no rounding).
    pub size_step_bytes: u64,
    /// The cloud's attach call, from the attach/detach controller's request until the node sees the disk.
    pub attach: Dist,
    /// The cloud's detach call.
    pub detach: Dist,
}

/// How the program in matching containers behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSpec {
    /// Pod labels this applies to (all must match; empty: any pod).
    pub match_labels: BTreeMap<String, String>,
    /// The container image this applies to: exact, or a prefix when it ends in `*` (`nginx:*`);
    /// None: any image.
    pub image: Option<String>,
    /// Pulling the image (each pull: `imagePullPolicy: Always` pulls at every container start).
    pub image_pull: Dist,
    /// From the container's start until its port accepts connections; None: never.
    pub listen_after: Option<Dist>,
    /// From the container's start until it answers requests (at or after `listen_after`); None: never.
    pub serve_after: Option<Dist>,
    /// The program exits with an error this long after each start; None: it runs until stopped.
    pub crash_after: Option<Dist>,
    /// The program exits by itself with `exit_code` this long after each start (a batch job's
    /// work); None: it runs until stopped.
    pub exit_after: Option<Dist>,
    /// The exit code of `exit_after` (0: success).
    pub exit_code: i32,
    /// Extra time before answering when the previous run on the same volume was killed
    /// without a clean shutdown (a database's crash recovery). Zero when not set.
    pub crash_recovery: Dist,
    /// Time to answer one request once serving.
    pub latency: Dist,
    /// The image's size as the node reports it (`status.images`); the scheduler's ImageLocality uses it.
    pub image_size_bytes: u64,
    /// The program locks its data volume exclusively before it listens (InnoDB's lock on `ibdata1`)
    /// and retries every second while another process holds it.
    pub data_lock: bool,
    pub on_sigterm: OnSigterm,
}

impl AppSpec {
    /// True if this entry describes the program of a container running `image` in a pod labelled `labels`.
    pub fn applies_to(&self, labels: &BTreeMap<String, String>, image: &str) -> bool {
        let image_matches = match self.image.as_deref() {
            None => true,
            Some(pattern) => match pattern.strip_suffix('*') {
                Some(prefix) => image.starts_with(prefix),
                None => image == pattern,
            },
        };
        image_matches && crate::api::selector_matches(&self.match_labels, labels)
    }
}

/// The first of `apps`, in file order, that applies to a container running `image` in a pod labelled `labels`.
pub fn app_for<'a>(
    apps: &'a [AppSpec],
    labels: &BTreeMap<String, String>,
    image: &str,
) -> Option<&'a AppSpec> {
    apps.iter().find(|a| a.applies_to(labels, image))
}

/// What the program does when the kubelet sends SIGTERM.
#[derive(Debug, Clone, PartialEq)]
pub struct OnSigterm {
    /// Stops accepting connections (and shuts its data down cleanly) at once.
    pub close_listener: bool,
    /// Exits this long after SIGTERM; None: never exits by itself (runs until SIGKILL).
    pub exit_after: Option<Dist>,
}

/// A client sending requests to a Service.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSpec {
    pub service: String,
    pub namespace: String,
    /// Open loop: one request every `every_ms`. Closed loop: `every_ms` of pause after each answer.
    pub every_ms: u64,
    /// A closed-loop client waits for each answer before the pause, like `while true; do query; sleep 1; done`.
    pub closed_loop: bool,
    pub timeout_ms: u64,
    /// When the first request is sent.
    pub start_ms: u64,
}

/// A fault or change at a point in time, at a random time, or repeated at random times.
#[derive(Debug, Clone)]
pub struct FaultSpec {
    /// The fixed time; for a drawn time, 0; for a repeated fault, when its process starts.
    pub at_ms: u64,
    /// When it happens: at `at_ms`, at a time drawn per replication, or as a Poisson process.
    pub timing: FaultTiming,
    /// Which of the pods it selects it hits: all of them, or one at random.
    pub pick: Pick,
    pub action: FaultAction,
}

/// When a fault happens (`faults[].at` and `faults[].every`).
#[derive(Debug, Clone, PartialEq)]
pub enum FaultTiming {
    /// Once, at `at_ms`.
    Fixed,
    /// Once, at a time drawn from this distribution in each replication (not at all when the draw
    /// falls after the end of the scenario).
    Drawn(Dist),
    /// Repeatedly, from `at_ms` on: a Poisson process whose gaps are exponential with this mean
    /// (the mean time between failures).
    Every { mtbf_ms: u64 },
}

/// Which of the selected pods a pod fault hits (`faults[].pick`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Every matching pod, as `kubectl delete pod -l` does.
    All,
    /// One matching pod chosen at random (from the `fault-targets` stream).
    One,
}

/// Selects pods by namespace and labels, like `kubectl -n NS -l k=v,...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSelector {
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
}

/// What a fault does. (Not `PartialEq`: `Apply` holds manifest objects, which are not.)
#[derive(Debug, Clone)]
pub enum FaultAction {
    /// `kubectl delete pod`: a graceful delete of every matching pod.
    DeletePod {
        selector: PodSelector,
        /// `--grace-period`; None: the pod's terminationGracePeriodSeconds.
        grace_period_ms: Option<u64>,
    },
    /// `docker kill`: SIGKILL to a container of every matching running pod.
    KillContainer {
        selector: PodSelector,
        /// The container's name; None: the first container.
        container: Option<String>,
    },
    /// `kubectl set image deployment/NAME CONTAINER=IMAGE` (or `statefulset/NAME`): a new pod
    /// template, hence a rollout.
    SetImage {
        namespace: String,
        /// `Deployment` or `StatefulSet`.
        kind: ScaleKind,
        name: String,
        /// A container of the Deployment's template; None: the first container.
        container: Option<String>,
        image: String,
    },
    /// `kubectl scale --replicas=N`: sets `spec.replicas` of a Deployment, ReplicaSet or StatefulSet.
    Scale {
        namespace: String,
        kind: ScaleKind,
        name: String,
        replicas: u32,
    },
    /// `kubectl rollout undo deployment/NAME [--to-revision=N]`.
    RolloutUndo {
        namespace: String,
        deployment: String,
        /// The revision to go back to; None (or 0 in the file): the previous one.
        to_revision: Option<u64>,
    },
    /// `kubectl rollout pause`: sets `spec.paused`, so template changes start no rollout.
    RolloutPause {
        namespace: String,
        deployment: String,
    },
    /// `kubectl rollout resume`: clears `spec.paused`.
    RolloutResume {
        namespace: String,
        deployment: String,
    },
    /// `kubectl patch KIND NAME --type merge -p '...'`.
    Patch {
        namespace: String,
        /// The Kubernetes kind: `Deployment`, `ReplicaSet`, `StatefulSet` or `Service`.
        kind: String,
        name: String,
        /// A JSON merge patch (RFC 7386): a mapping; `null` removes a field.
        merge: serde_json::Value,
    },
    /// `kubectl apply -f`: new versions of objects (or new objects), defaults applied, file order.
    Apply { objects: Vec<Loaded> },
    /// `kubectl cordon NODE`: sets `spec.unschedulable`.
    Cordon { node: String },
    /// `kubectl uncordon NODE`: clears `spec.unschedulable`.
    Uncordon { node: String },
    /// `kubectl drain` of each node in turn, like `kubectl drain n1 && kubectl drain n2 && ...`.
    Drain(DrainSpec),
    /// A node fault on the named nodes of the cluster (`node_faults.rs`).
    Node {
        fault: NodeFault,
        /// The nodes it hits (with `pick: one`, the nodes one is chosen from).
        nodes: Vec<String>,
        /// `repair`: a crashed or partitioned node comes back after a time drawn from this
        /// (per occurrence, from the `fault-repair` stream); None: it stays down.
        repair: Option<Dist>,
    },
    /// `kubectl delete pod --grace-period=0 --force`: the object goes at once, whatever runs.
    ForceDeletePod { selector: PodSelector },
    /// A fault of a controller's process or of its connection to the API server (`control_plane.rs`).
    ControlPlane(super::control_plane::ControlPlaneFault),
}

/// `drain`: the nodes, one after another, and kubectl's flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrainSpec {
    /// Drained in this order; each drain starts when the previous one completed (and, with
    /// `uncordon_after_ms`, its node was uncordoned). A drain that fails stops the chain.
    pub nodes: Vec<String>,
    /// `--timeout`: a drain not complete this long after it started fails; None: waits forever.
    pub timeout_ms: Option<u64>,
    /// `--grace-period`: the evicted pods' grace period; None: each pod's own.
    pub grace_period_ms: Option<u64>,
    /// `sleep D && kubectl uncordon NODE` after each node's drain (the maintenance); None: the
    /// nodes stay cordoned and the next drain starts at once.
    pub uncordon_after_ms: Option<u64>,
}

/// What happens to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeFault {
    /// The machine dies: containers end, the kubelet is silent.
    Crash,
    /// The kubelet cannot reach the API server; its containers keep running and serving.
    Partition,
    /// The machine reboots: containers end; the kubelet is back after `down_ms`.
    Restart { down_ms: u64 },
    /// The kubelet reaches the API server again (after a crash: the machine boots).
    Recover,
    /// Graceful node shutdown with `shutdownGracePeriod`, then the machine is off.
    Shutdown { grace_ms: u64 },
    /// `kubectl delete node`.
    Delete,
    /// `kubectl taint nodes NODE key=value:Effect` (`remove`: `key:Effect-`).
    Taint {
        key: String,
        value: String,
        effect: String,
        remove: bool,
    },
    /// Every node of a zone crashes or is partitioned.
    ZoneOutage(Box<NodeFault>),
}

/// What `scale` resizes (and what `set-image` changes: a Deployment or a StatefulSet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    /// Only for `set-image`.
    DaemonSet,
}

impl ScaleKind {
    /// The Kubernetes kind: `Deployment`, `ReplicaSet` or `StatefulSet`.
    pub fn kind(self) -> &'static str {
        match self {
            ScaleKind::Deployment => "Deployment",
            ScaleKind::ReplicaSet => "ReplicaSet",
            ScaleKind::StatefulSet => "StatefulSet",
            ScaleKind::DaemonSet => "DaemonSet",
        }
    }
}

impl FaultAction {
    /// The action's name as the scenario spells it.
    pub fn name(&self) -> &'static str {
        match self {
            FaultAction::DeletePod { .. } => "delete-pod",
            FaultAction::KillContainer { .. } => "kill-container",
            FaultAction::SetImage { .. } => "set-image",
            FaultAction::Scale { .. } => "scale",
            FaultAction::RolloutUndo { .. } => "rollout-undo",
            FaultAction::RolloutPause { .. } => "rollout-pause",
            FaultAction::RolloutResume { .. } => "rollout-resume",
            FaultAction::Patch { .. } => "patch",
            FaultAction::Apply { .. } => "apply",
            FaultAction::Cordon { .. } => "cordon",
            FaultAction::Uncordon { .. } => "uncordon",
            FaultAction::Drain(_) => "drain",
            FaultAction::ForceDeletePod { .. } => "force-delete-pod",
            FaultAction::Node { fault, .. } => match fault {
                NodeFault::Crash => "crash-node",
                NodeFault::Partition => "partition-node",
                NodeFault::Restart { .. } => "restart-node",
                NodeFault::Recover => "recover-node",
                NodeFault::Shutdown { .. } => "shutdown-node",
                NodeFault::Delete => "delete-node",
                NodeFault::Taint { .. } => "taint-node",
                NodeFault::ZoneOutage(_) => "zone-outage",
            },
            FaultAction::ControlPlane(f) => match f {
                super::control_plane::ControlPlaneFault::Crash { .. } => "crash-controller",
                super::control_plane::ControlPlaneFault::DelayWatch { .. } => "delay-watch",
                super::control_plane::ControlPlaneFault::DropWatch { .. } => "drop-watch",
                super::control_plane::ControlPlaneFault::SlowSync { .. } => "slow-sync",
                super::control_plane::ControlPlaneFault::Conflict { .. } => "conflict",
            },
        }
    }
}
