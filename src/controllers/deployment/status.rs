//! `syncDeploymentStatus`, `syncRolloutStatus` and `requeueStuckDeployment`
//! (kk:pkg/controller/deployment/sync.go, progress.go): the status the Deployment gets.

use super::controller::Sync;
use super::progress::{
    available_condition, requeue_stuck_deployment, sync_rollout_progressing, Requeue as Stuck,
};
use super::sync::calculate_status;
use super::util::{RsView, StatusView};
use super::Requeue;
use crate::api::{Deployment, DeploymentStatus, Write};
use crate::engine::SimTime;

impl Sync<'_> {
    pub(super) fn all_rss(&self) -> Vec<RsView> {
        self.old_rss
            .iter()
            .chain(self.new_rs.as_ref())
            .cloned()
            .collect()
    }

    /// `calculateStatus`: counts from the ReplicaSets, conditions carried over, Available updated.
    pub(super) fn calculate_status(&self) -> DeploymentStatus {
        let v = calculate_status(&self.all_rss(), self.new_rs.as_ref(), &self.view);
        let available = available_condition(
            &self.view,
            self.status.available_condition.as_ref(),
            v.available,
            self.now.0,
        );
        DeploymentStatus {
            replicas: v.replicas.max(0) as u32,
            updated: v.updated.max(0) as u32,
            ready: v.ready.max(0) as u32,
            available: v.available.max(0) as u32,
            unavailable: v.unavailable.max(0) as u32,
            observed_generation: v.observed_generation,
            progressing: self.status.progressing,
            available_condition: Some(available),
        }
    }

    /// `syncDeploymentStatus`: write the status when it changed.
    pub(super) fn sync_status(&mut self, new: DeploymentStatus) {
        self.flush_created();
        if new != self.d.status || self.revision.is_some() {
            self.status = new;
            self.write_status(self.revision_annotation());
        }
    }

    /// `syncRolloutStatus`: the Progressing condition, then the status or the stuck-deployment requeue.
    pub(super) fn sync_rollout_status(&mut self) {
        let mut new = self.calculate_status();
        let deadline = self.deadline_s();
        let old = self.d.status_view();
        let current = self.status.progressing;
        new.progressing = sync_rollout_progressing(
            &self.view,
            deadline,
            current.as_ref(),
            &old,
            &new.view(),
            self.now.0,
        );
        self.flush_created();
        if new == self.status && self.revision.is_none() {
            self.requeue_stuck(&new);
            return;
        }
        self.status = new;
        self.write_status(self.revision_annotation());
    }

    /// `requeueStuckDeployment`: resync at the progress deadline (+1 s against clock skew). The
    /// rate-limited requeue of the last second is modelled as one resync just after the deadline;
    /// once that is past (a Deployment that lost available pods after it completed keeps the
    /// reason NewReplicaSetAvailable, which never times out) `enqueueRateLimited` runs on every
    /// sync, and the controller's rate limiter spaces those syncs by its overall bucket:
    /// 10 per second (client-go util/workqueue/default_rate_limiters.go
    /// `DefaultControllerRateLimiter`; the per-item 5 ms back-off is reset by `Forget` after each
    /// successful sync).
    pub(super) fn requeue_stuck(&mut self, new: &DeploymentStatus) {
        const RATE_LIMITED_REQUEUE_MS: u64 = 100;
        let deadline = self.deadline_s();
        let at = match requeue_stuck_deployment(
            &self.view,
            deadline,
            new.progressing.as_ref(),
            &new.view(),
            self.now.0,
        ) {
            Stuck::Never => return,
            Stuck::Now => {
                let c = new.progressing.expect("Now only with a condition");
                SimTime(c.last_update_ms + self.d.progress_deadline_ms.unwrap_or(0) + 1)
            }
            Stuck::After { after_ms } => self.now.plus_ms(after_ms + 1_000),
        };
        let at = match at > self.now {
            true => at,
            false => self.now.plus_ms(RATE_LIMITED_REQUEUE_MS),
        };
        self.fx.timer(at, Requeue(self.id));
    }

    pub(super) fn write_status(&mut self, annotations: Vec<(String, String)>) {
        self.fx.write(Write::SetDeploymentStatus {
            deployment: self.id,
            status: self.status,
            annotations,
        });
    }
}

/// The status fields the pure decisions compare.
pub(super) trait StatusViewOf {
    fn view(&self) -> StatusView;
}

impl StatusViewOf for DeploymentStatus {
    fn view(&self) -> StatusView {
        StatusView {
            replicas: self.replicas as i32,
            updated: self.updated as i32,
            ready: self.ready as i32,
            available: self.available as i32,
            unavailable: self.unavailable as i32,
            observed_generation: self.observed_generation,
        }
    }
}

pub(super) trait DeploymentStatusView {
    fn status_view(&self) -> StatusView;
}

impl DeploymentStatusView for Deployment {
    fn status_view(&self) -> StatusView {
        self.status.view()
    }
}
