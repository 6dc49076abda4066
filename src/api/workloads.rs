//! DaemonSets and Jobs as the store holds them (kk:staging/src/k8s.io/api/apps/v1/types.go,
//! kk:staging/src/k8s.io/api/batch/v1/types.go).

use super::ids::PodId;
use super::objects::{Labels, Meta, PodTemplate};
use crate::engine::SimTime;
use std::collections::BTreeSet;

/// `spec.updateStrategy` of a DaemonSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsUpdateStrategy {
    /// Pods are replaced only when someone deletes them.
    OnDelete,
    /// maxUnavailable and maxSurge as written (`1` or `25%`).
    RollingUpdate {
        max_unavailable: String,
        max_surge: String,
    },
}

/// `status` of a DaemonSet (`DaemonSetStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DaemonSetStatus {
    pub desired_number_scheduled: u32,
    pub current_number_scheduled: u32,
    pub number_misscheduled: u32,
    pub number_ready: u32,
    pub number_available: u32,
    pub number_unavailable: u32,
    pub updated_number_scheduled: u32,
    pub observed_generation: i64,
}

/// A DaemonSet.
#[derive(Debug, Clone, PartialEq)]
pub struct DaemonSet {
    pub meta: Meta,
    pub selector: Labels,
    pub template: PodTemplate,
    pub update_strategy: DsUpdateStrategy,
    pub min_ready_ms: u64,
    pub revision_history_limit: u32,
    pub status: DaemonSetStatus,
    /// The manifest as last applied, defaults included: `set-image` and patches edit it.
    pub source: Box<k8s_openapi::api::apps::v1::DaemonSet>,
}

/// A Job's terminal condition type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobConditionType {
    Complete,
    Failed,
}

impl JobConditionType {
    /// As the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            JobConditionType::Complete => "Complete",
            JobConditionType::Failed => "Failed",
        }
    }
}

/// The Job's `Complete` or `Failed` condition (status True).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCondition {
    pub kind: JobConditionType,
    /// `BackoffLimitExceeded`, `DeadlineExceeded`, or empty for Complete.
    pub reason: &'static str,
    pub message: &'static str,
    pub at: SimTime,
}

/// `status` of a Job (`JobStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobStatus {
    pub active: u32,
    pub ready: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub start_time: Option<SimTime>,
    pub completion_time: Option<SimTime>,
    pub condition: Option<JobCondition>,
    /// Finished pods already counted in `succeeded` / `failed` (upstream: pods whose
    /// `batch.kubernetes.io/job-tracking` finalizer the controller removed after counting them).
    pub counted: BTreeSet<PodId>,
}

/// A Job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub meta: Meta,
    /// The generated selector `batch.kubernetes.io/controller-uid=<uid>`.
    pub selector: Labels,
    /// The template with the generated labels (`batch.kubernetes.io/job-name`, `controller-uid`, ...).
    pub template: PodTemplate,
    /// `spec.completions`; None: the Job is done when any pod succeeds (a work queue).
    pub completions: Option<u32>,
    pub parallelism: u32,
    pub backoff_limit: u32,
    pub active_deadline_ms: Option<u64>,
    pub status: JobStatus,
}

impl Job {
    /// True once the Job has its Complete or Failed condition.
    pub fn finished(&self) -> bool {
        self.status.condition.is_some()
    }
}
