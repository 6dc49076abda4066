//! `syncDeployment` over the store (kk:pkg/controller/deployment/deployment_controller.go, sync.go):
//! reads ReplicaSets into views, runs the pure decisions, and returns the writes they ask for.

use super::progress::paused_condition;
use super::recreate::{rollout_recreate, RecreateStep};
use super::rolling::rollout_rolling;
use super::status::DeploymentStatusView;
use super::sync::{is_scaling_event, scale};
use super::util::{
    deployment_complete, parse_replicas_annotation, parse_revision, DeploymentView, RsView,
    StatusView, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
};
use super::{equal_ignore_hash, Requeue};
use crate::api::{
    DeployId, Deployment, DeploymentStatus, Effects, Owner, ReplicaSet, RsId, Store, Strategy,
};
use crate::engine::SimTime;

/// The key of a ReplicaSet this sync creates (it has no id until the store applies the write).
pub(super) const NEW_KEY: usize = usize::MAX;

/// Annotations a ReplicaSet does not copy from its Deployment (`skipCopyAnnotation`).
pub(super) const SKIP_COPY: [&str; 5] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
];

/// `syncDeployment`: one reconcile of Deployment `id` at `now`.
pub fn sync(store: &Store, id: DeployId, now: SimTime) -> Effects<Requeue> {
    let d = &store.deployments[id.index()];
    if !d.meta.exists() {
        return Effects::default();
    }
    let mut s = Sync::new(store, id, now);
    s.check_paused_conditions();
    if d.paused || is_scaling_event(&s.view, s.new_rs.as_ref(), &s.old_rss) {
        s.sync_scale();
    } else {
        match d.strategy {
            Strategy::Recreate => s.rollout_recreate(),
            Strategy::RollingUpdate { .. } => s.rollout_rolling(),
        }
    }
    s.fx
}

/// One sync of one Deployment: what it read, what it has decided so far.
pub(super) struct Sync<'a> {
    pub(super) store: &'a Store,
    pub(super) id: DeployId,
    pub(super) d: &'a Deployment,
    pub(super) view: DeploymentView,
    pub(super) now: SimTime,
    /// The Deployment's status as this sync has changed it so far (`d.Status` upstream).
    pub(super) status: DeploymentStatus,
    /// The revision annotation `SetDeploymentRevision` asks for, if it differs.
    pub(super) revision: Option<String>,
    pub(super) new_rs: Option<RsView>,
    /// Every old ReplicaSet (`allOldRSs`).
    pub(super) old_rss: Vec<RsView>,
    /// The ReplicaSet this sync creates, written last with its final size.
    pub(super) created: Option<ReplicaSet>,
    pub(super) fx: Effects<Requeue>,
}

impl<'a> Sync<'a> {
    pub(super) fn new(store: &'a Store, id: DeployId, now: SimTime) -> Self {
        let d = &store.deployments[id.index()];
        let owned = owned_sets(store, id);
        // FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's.
        let new_id = owned
            .iter()
            .copied()
            .filter(|rs| equal_ignore_hash(&store.replica_sets[rs.index()].template, &d.template))
            .min_by_key(|rs| (store.replica_sets[rs.index()].meta.created.0 / 1000, *rs));
        let view_of = |rs: RsId| rs_view(&store.replica_sets[rs.index()], rs.index());
        Sync {
            store,
            id,
            d,
            view: DeploymentView::of(d),
            now,
            status: d.status,
            revision: None,
            new_rs: new_id.map(view_of),
            old_rss: owned
                .into_iter()
                .filter(|rs| Some(*rs) != new_id)
                .map(view_of)
                .collect(),
            created: None,
            fx: Effects::default(),
        }
    }

    /// `checkPausedConditions`: record a pause or resume in the Progressing condition.
    pub(super) fn check_paused_conditions(&mut self) {
        let deadline = self.deadline_s();
        let current = self.status.progressing;
        if let Some(c) = paused_condition(deadline, current.as_ref(), self.d.paused, self.now.0) {
            self.status.progressing = Some(c);
            self.write_status(Vec::new());
        }
    }

    /// `dc.sync`: a scaling event or a paused Deployment; proportional scaling, no rollout.
    pub(super) fn sync_scale(&mut self) {
        self.sync_revision(false);
        let actions = scale(&self.view, self.new_rs.as_ref(), &self.old_rss);
        self.apply_scaling(&actions);
        if self.d.paused {
            self.cleanup();
        }
        let calculated = self.calculate_status();
        self.sync_status(calculated);
    }

    /// `rolloutRolling`: scale the new ReplicaSet up, or old ones down, then sync the status.
    pub(super) fn rollout_rolling(&mut self) {
        self.sync_revision(true);
        let new_rs = self
            .new_rs
            .clone()
            .expect("sync_revision(true) makes a new ReplicaSet");
        let scaling = match rollout_rolling(&self.view, &self.old_rss, &new_rs) {
            Ok(scaling) => scaling,
            Err(_) => return self.flush_created(),
        };
        self.apply_scaling(&scaling.actions);
        if !scaling.scaled && self.complete(&self.d.status_view()) {
            self.cleanup();
        }
        self.sync_rollout_status();
    }

    /// `rolloutRecreate`: old ReplicaSets to 0, wait for their pods, then the new one at full size.
    pub(super) fn rollout_recreate(&mut self) {
        self.sync_revision(false);
        let old_pods = self.old_non_terminal_pods();
        let step = rollout_recreate(&self.view, &self.old_rss, self.new_rs.as_ref(), old_pods);
        match step {
            RecreateStep::ScaleDownOld(actions) => self.apply_scaling(&actions),
            RecreateStep::WaitForOldPods => {}
            RecreateStep::CreateNew { .. } | RecreateStep::ScaleUpNew(_) => {
                if self.new_rs.is_none() {
                    self.sync_revision(true);
                }
                let new_rs = self.new_rs.clone().expect("created above");
                if let Some(a) =
                    super::recreate::scale_up_new_replica_set_for_recreate(&new_rs, &self.view)
                {
                    self.apply_scaling(&[a]);
                }
                if self.complete(&self.d.status_view()) {
                    self.cleanup();
                }
            }
        }
        self.sync_rollout_status();
    }

    /// Pods of old ReplicaSets that are not Succeeded or Failed (`oldPodsRunning`'s pod map).
    pub(super) fn old_non_terminal_pods(&self) -> usize {
        self.old_rss
            .iter()
            .flat_map(|rs| self.store.pods_of_rs(RsId(rs.key as u32)))
            .filter(|p| {
                let pod = &self.store.pods[p.index()];
                !matches!(
                    pod.phase,
                    crate::api::PodPhase::Succeeded | crate::api::PodPhase::Failed
                )
            })
            .count()
    }

    pub(super) fn deadline_s(&self) -> Option<i32> {
        self.d.progress_deadline_ms.map(|ms| (ms / 1000) as i32)
    }

    pub(super) fn complete(&self, status: &StatusView) -> bool {
        deployment_complete(&self.view, status)
    }
}

/// ReplicaSets that exist and are controlled by `id`, in id order.
fn owned_sets(store: &Store, id: DeployId) -> Vec<RsId> {
    store
        .replica_sets_of(id)
        .filter(|rs| {
            let rs = &store.replica_sets[rs.index()];
            rs.meta.exists() && rs.meta.owner == Some(Owner::Deployment(id))
        })
        .collect()
}

/// The view of a stored ReplicaSet.
fn rs_view(rs: &ReplicaSet, key: usize) -> RsView {
    let annotation = |k: &str| {
        rs.meta
            .annotations
            .get(k)
            .and_then(|v| parse_replicas_annotation(v).ok())
    };
    RsView {
        key,
        name: rs.meta.name.clone(),
        created_ms: rs.meta.created.0,
        replicas: rs.replicas as i32,
        status_replicas: rs.status.replicas as i32,
        ready: rs.status.ready as i32,
        available: rs.status.available as i32,
        desired_annotation: annotation(DESIRED_REPLICAS_ANNOTATION),
        max_annotation: annotation(MAX_REPLICAS_ANNOTATION),
        revision: parse_revision(
            rs.meta
                .annotations
                .get(REVISION_ANNOTATION)
                .map(String::as_str),
        ),
        observed: rs.status.observed_generation >= rs.meta.generation,
        deleting: rs.meta.deletion.is_some(),
    }
}

#[cfg(test)]
#[path = "controller_tests.rs"]
mod tests;
