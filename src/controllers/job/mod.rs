//! The Job controller (kk:pkg/controller/job): runs pods until `completions` succeed, replaces failed
//! ones after the pod-failure back-off, and fails the Job past its backoffLimit or activeDeadlineSeconds.
//
// `backoff` is backoff_utils.go; `sync` is `syncJob` and `manageJob` of job_controller.go.

pub mod backoff;
mod sync;

#[cfg(test)]
mod tests;

pub use backoff::BackoffRecord;
pub use sync::past_backoff_limit_on_failure;

use crate::api::{Effects, JobId, Store};
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// A Job's delayed requeue (`enqueueSyncJobWithDelay`: the back-off, the active deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeue(pub JobId);

/// The controller's in-memory state: the pod-failure back-off record of each Job (`podBackoffStore`).
#[derive(Debug, Default)]
pub struct JobController {
    backoff: BTreeMap<JobId, BackoffRecord>,
}

impl JobController {
    /// `syncJob` of Job `id` at `now`.
    pub fn sync(&mut self, store: &Store, id: JobId, now: SimTime) -> Effects<Requeue> {
        let record = self.backoff.get(&id).copied().unwrap_or_default();
        let (fx, record) = sync::sync_job(store, id, record, now);
        self.backoff.insert(id, record);
        fx
    }
}
