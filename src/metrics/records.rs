//! The rows of the output files: one type per file of the output contract (DESIGN.md).

use crate::engine::SimTime;

/// One Kubernetes event (`kubectl get events`): a row of `events.csv`.
pub use crate::api::Event as EventRecord;

/// One pod incarnation (one pod UID): a row of `pods.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodRecord {
    pub pod: String,
    pub namespace: String,
    pub uid: String,
    /// `Kind/name` of the controlling owner, empty for a bare pod.
    pub owner: String,
    pub node: Option<String>,
    pub ip: Option<String>,
    pub created: SimTime,
    pub scheduled: Option<SimTime>,
    pub started: Option<SimTime>,
    pub ready: Option<SimTime>,
    /// When the deletion was requested (deletionTimestamp set).
    pub deleted: Option<SimTime>,
    /// When the object left the API server.
    pub gone: Option<SimTime>,
    pub restarts: u32,
    /// The pod's DNS name under its governing headless Service (`web-0.nginx.default.svc.cluster.local`).
    pub dns: Option<String>,
    /// Phase intervals for the timeline: (from, phase name); each lasts until the next.
    pub phases: Vec<(SimTime, &'static str)>,
    /// When the pod joined (true) or left (false) the ready endpoints of the Services that select
    /// it (of any of them), for the timeline's endpoint band.
    pub endpoints: Vec<(SimTime, bool)>,
}

/// How a client request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// The service answered.
    Ok,
    /// The connection was refused (nothing listening, or no endpoint programmed).
    Refused,
    /// No answer within the client's timeout.
    Timeout,
}

impl Outcome {
    /// The name used in `requests.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Timeout => "timeout",
        }
    }
}

/// One client request: a row of `requests.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// When the request was sent.
    pub time: SimTime,
    pub service: String,
    pub outcome: Outcome,
    /// From sending until the answer, the refusal or the timeout.
    pub latency_ms: u64,
    /// The pod that handled it, if the request reached one.
    pub pod: Option<String>,
}

/// One line of the `kubectl get pods -w`-style log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchLine {
    pub time: SimTime,
    pub name: String,
    /// `1/1`-style ready containers over containers.
    pub ready: String,
    /// The STATUS column as kubectl prints it (`Pending`, `ContainerCreating`, `Running`, `Terminating`, ...).
    pub status: String,
    pub restarts: u32,
    pub node: String,
    pub ip: String,
}

/// The state of one ReplicaSet of a Deployment after a change: a row of `rollouts.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutRecord {
    pub time: SimTime,
    /// `namespace/name` of the Deployment.
    pub deployment: String,
    pub replicaset: String,
    /// `deployment.kubernetes.io/revision`.
    pub revision: u64,
    /// `spec.replicas`.
    pub replicas: u32,
    pub ready: u32,
    pub available: u32,
}
