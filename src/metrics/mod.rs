//! Pure recorders of what a run produced: events, pod incarnations, client requests, fault recoveries.
//!
//! The simulation appends to these; `report` turns them into files. Nothing here touches the file system.

pub mod node_report;
pub mod quorum;
pub mod recorder;
pub mod records;
pub mod summary;
pub mod workloads;

pub use quorum::{QuorumSummary, QuorumTracker};
pub use recorder::Recorder;
pub use records::{EventRecord, Outcome, PodRecord, RequestRecord, RolloutRecord, WatchLine};
pub use summary::{
    BudgetSummary, ClaimSummary, FaultSummary, PendingSummary, RolloutSpan, ServiceSummary, Summary,
};
pub use workloads::{DaemonSetSummary, JobSummary};

use crate::engine::SimTime;

/// A fault or change as the timeline marks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultMark {
    pub at: SimTime,
    /// `delete-pod`, `kill-container`, ...
    pub action: String,
    pub target: String,
}

/// Everything one run produced, in the order it happened.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub events: Vec<EventRecord>,
    /// One per pod incarnation, in creation order.
    pub pods: Vec<PodRecord>,
    pub requests: Vec<RequestRecord>,
    pub watch: Vec<WatchLine>,
    /// Every change of a Deployment's ReplicaSets (sizes, readiness, availability), in time order.
    pub rollouts: Vec<RolloutRecord>,
    pub faults: Vec<FaultMark>,
    pub summary: Summary,
}
