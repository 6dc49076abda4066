//! Progressing and Available conditions of the Deployment controller (kk:pkg/controller/deployment/progress.go).

use super::util::{deployment_complete, max_unavailable, DeploymentView, StatusView};
pub use crate::api::{Condition, ConditionStatus};

/// `ReplicaSetUpdatedReason`: a replica set was updated as part of the rollout.
pub const REPLICA_SET_UPDATED_REASON: &str = "ReplicaSetUpdated";
/// `FailedRSCreateReason`: the new replica set could not be created.
pub const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";
/// `NewReplicaSetReason`: the new replica set was created.
pub const NEW_REPLICA_SET_REASON: &str = "NewReplicaSetCreated";
/// `FoundNewRSReason`: an existing replica set was adopted as the new one.
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
/// `NewRSAvailableReason`: the rollout completed.
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
/// `TimedOutReason`: no progress within progressDeadlineSeconds.
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
/// `PausedDeployReason`.
pub const PAUSED_DEPLOY_REASON: &str = "DeploymentPaused";
/// `ResumedDeployReason`.
pub const RESUMED_DEPLOY_REASON: &str = "DeploymentResumed";
/// `MinimumReplicasAvailable` (Available=True).
pub const MINIMUM_REPLICAS_AVAILABLE: &str = "MinimumReplicasAvailable";
/// `MinimumReplicasUnavailable` (Available=False).
pub const MINIMUM_REPLICAS_UNAVAILABLE: &str = "MinimumReplicasUnavailable";

/// `SetDeploymentCondition` for one condition type: the condition the status holds afterwards
/// (unchanged for the same status and reason; the transition time kept for the same status).
pub fn set_condition(current: Option<&Condition>, new: Condition) -> Condition {
    match current {
        Some(c) if c.status == new.status && c.reason == new.reason => *c,
        Some(c) if c.status == new.status => Condition {
            last_transition_ms: c.last_transition_ms,
            ..new
        },
        _ => new,
    }
}

/// `HasProgressDeadline`: set and not `MaxInt32`.
pub fn has_progress_deadline(progress_deadline_s: Option<i32>) -> bool {
    progress_deadline_s.is_some_and(|s| s != i32::MAX)
}

/// `DeploymentProgressing`: more updated, fewer old, more ready or more available replicas.
pub fn deployment_progressing(old: &StatusView, new: &StatusView) -> bool {
    let old_old_replicas = old.replicas - old.updated;
    let new_old_replicas = new.replicas - new.updated;
    new.updated > old.updated
        || new_old_replicas < old_old_replicas
        || new.ready > old.ready
        || new.available > old.available
}

/// `DeploymentTimedOut`: the Progressing condition was last updated more than the deadline
/// before `now_ms`, or already says ProgressDeadlineExceeded (never after NewReplicaSetAvailable).
pub fn deployment_timed_out(
    condition: Option<&Condition>,
    progress_deadline_s: Option<i32>,
    now_ms: u64,
) -> bool {
    let (Some(c), Some(deadline)) = (condition, progress_deadline_s.filter(|s| *s != i32::MAX))
    else {
        return false;
    };
    match c.reason {
        NEW_RS_AVAILABLE_REASON => false,
        TIMED_OUT_REASON => true,
        _ => (c.last_update_ms as i64 + deadline as i64 * 1000) < now_ms as i64,
    }
}

/// The Progressing condition `syncRolloutStatus` leaves (None: removed or absent). `current` is
/// the Deployment's, `old` its status and `new` the calculated one.
pub fn sync_rollout_progressing(
    d: &DeploymentView,
    progress_deadline_s: Option<i32>,
    current: Option<&Condition>,
    old: &StatusView,
    new: &StatusView,
    now_ms: u64,
) -> Option<Condition> {
    if !has_progress_deadline(progress_deadline_s) {
        return None;
    }
    let complete_before =
        new.replicas == new.updated && current.is_some_and(|c| c.reason == NEW_RS_AVAILABLE_REASON);
    if complete_before {
        return current.copied();
    }
    if deployment_complete(d, new) {
        let done = Condition::new(ConditionStatus::True, NEW_RS_AVAILABLE_REASON, now_ms);
        return Some(set_condition(current, done));
    }
    if deployment_progressing(old, new) {
        // Replaced (new lastUpdateTime) even with the same reason; keep the transition if True.
        let mut progressing =
            Condition::new(ConditionStatus::True, REPLICA_SET_UPDATED_REASON, now_ms);
        if let Some(c) = current.filter(|c| c.status == ConditionStatus::True) {
            progressing.last_transition_ms = c.last_transition_ms;
        }
        return Some(progressing);
    }
    if deployment_timed_out(current, progress_deadline_s, now_ms) {
        let timed_out = Condition::new(ConditionStatus::False, TIMED_OUT_REASON, now_ms);
        return Some(set_condition(current, timed_out));
    }
    current.copied()
}

/// The Available condition of `calculateStatus`: at least `replicas − maxUnavailable` available.
pub fn available_condition(
    d: &DeploymentView,
    current: Option<&Condition>,
    available: i32,
    now_ms: u64,
) -> Condition {
    let new = if available >= d.replicas - max_unavailable(d) {
        Condition::new(ConditionStatus::True, MINIMUM_REPLICAS_AVAILABLE, now_ms)
    } else {
        Condition::new(ConditionStatus::False, MINIMUM_REPLICAS_UNAVAILABLE, now_ms)
    };
    set_condition(current, new)
}

/// `checkPausedConditions`: the Progressing condition to store on pause or resume (None: no update).
pub fn paused_condition(
    progress_deadline_s: Option<i32>,
    current: Option<&Condition>,
    paused: bool,
    now_ms: u64,
) -> Option<Condition> {
    if !has_progress_deadline(progress_deadline_s)
        || current.is_some_and(|c| c.reason == TIMED_OUT_REASON)
    {
        return None;
    }
    let paused_exists = current.is_some_and(|c| c.reason == PAUSED_DEPLOY_REASON);
    let reason = match (paused, paused_exists) {
        (true, false) => PAUSED_DEPLOY_REASON,
        (false, true) => RESUMED_DEPLOY_REASON,
        _ => return None,
    };
    Some(set_condition(
        current,
        Condition::new(ConditionStatus::Unknown, reason, now_ms),
    ))
}

/// When `requeueStuckDeployment` resyncs a Deployment whose status did not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requeue {
    /// No progress check (upstream returns -1).
    Never,
    /// Less than a second is left: requeue now, rate limited (upstream returns 0).
    Now,
    /// Upstream returns `after_ms` and requeues after `after_ms` + 1 s (against clock skew).
    After { after_ms: u64 },
}

/// `requeueStuckDeployment`: the progress check at `lastUpdateTime + progressDeadlineSeconds`.
pub fn requeue_stuck_deployment(
    d: &DeploymentView,
    progress_deadline_s: Option<i32>,
    current: Option<&Condition>,
    new: &StatusView,
    now_ms: u64,
) -> Requeue {
    let (Some(c), Some(deadline)) = (current, progress_deadline_s.filter(|s| *s != i32::MAX))
    else {
        return Requeue::Never;
    };
    if deployment_complete(d, new) || c.reason == TIMED_OUT_REASON {
        return Requeue::Never;
    }
    let after = c.last_update_ms as i64 + deadline as i64 * 1000 - now_ms as i64;
    if after < 1000 {
        Requeue::Now
    } else {
        Requeue::After {
            after_ms: after as u64,
        }
    }
}

#[cfg(test)]
#[path = "progress_tests.rs"]
mod tests;
