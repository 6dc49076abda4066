//! `syncDeployment` over the store (kk:pkg/controller/deployment/deployment_controller.go, sync.go):
//! reads ReplicaSets into views, runs the pure decisions, and returns the writes they ask for.

use super::progress::{
    available_condition, paused_condition, requeue_stuck_deployment, sync_rollout_progressing,
    Requeue as Stuck, FOUND_NEW_RS_REASON, NEW_REPLICA_SET_REASON,
};
use super::recreate::{rollout_recreate, RecreateStep};
use super::rolling::rollout_rolling;
use super::sync::{calculate_status, cleanup_deployment, is_scaling_event, scale};
use super::util::{
    deployment_complete, max_revision, new_rs_new_replicas, new_rs_revision_annotations,
    parse_replicas_annotation, parse_revision, replicas_annotations, DeploymentView, RsView,
    ScaleAction, StatusView, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
    MAX_REV_HISTORY_LENGTH_IN_CHARS, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
};
use super::{equal_ignore_hash, template_hash, Requeue, POD_TEMPLATE_HASH};
use crate::api::{
    Condition, ConditionStatus, DeployId, Deployment, DeploymentStatus, Effects, Event, Owner,
    ReplicaSet, ReplicaStatus, RsId, Store, Strategy, Write,
};
use crate::engine::SimTime;

/// The key of a ReplicaSet this sync creates (it has no id until the store applies the write).
const NEW_KEY: usize = usize::MAX;

/// Annotations a ReplicaSet does not copy from its Deployment (`skipCopyAnnotation`).
const SKIP_COPY: [&str; 5] = [
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
struct Sync<'a> {
    store: &'a Store,
    id: DeployId,
    d: &'a Deployment,
    view: DeploymentView,
    now: SimTime,
    /// The Deployment's status as this sync has changed it so far (`d.Status` upstream).
    status: DeploymentStatus,
    /// The revision annotation `SetDeploymentRevision` asks for, if it differs.
    revision: Option<String>,
    new_rs: Option<RsView>,
    /// Every old ReplicaSet (`allOldRSs`).
    old_rss: Vec<RsView>,
    /// The ReplicaSet this sync creates, written last with its final size.
    created: Option<ReplicaSet>,
    fx: Effects<Requeue>,
}

impl<'a> Sync<'a> {
    fn new(store: &'a Store, id: DeployId, now: SimTime) -> Self {
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
    fn check_paused_conditions(&mut self) {
        let deadline = self.deadline_s();
        let current = self.status.progressing;
        if let Some(c) = paused_condition(deadline, current.as_ref(), self.d.paused, self.now.0) {
            self.status.progressing = Some(c);
            self.write_status(Vec::new());
        }
    }

    /// `dc.sync`: a scaling event or a paused Deployment; proportional scaling, no rollout.
    fn sync_scale(&mut self) {
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
    fn rollout_rolling(&mut self) {
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
    fn rollout_recreate(&mut self) {
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
    fn old_non_terminal_pods(&self) -> usize {
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

    fn deadline_s(&self) -> Option<i32> {
        self.d.progress_deadline_ms.map(|ms| (ms / 1000) as i32)
    }

    fn complete(&self, status: &StatusView) -> bool {
        deployment_complete(&self.view, status)
    }
}

impl Sync<'_> {
    /// `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet's revision and annotations, created
    /// when `create` and there is none (`getNewReplicaSet`).
    fn sync_revision(&mut self, create: bool) {
        let new_revision = (max_revision(&self.old_rss) + 1).to_string();
        match self.new_rs.clone() {
            Some(rs) => self.update_new_rs(&rs, &new_revision),
            None if create => self.create_new_rs(&new_revision),
            None => {}
        }
    }

    /// The existing new ReplicaSet: revision (and history on a rollback), copied annotations,
    /// minReadySeconds; then the Deployment's revision and a FoundNewReplicaSet condition.
    fn update_new_rs(&mut self, view: &RsView, new_revision: &str) {
        let rs = &self.store.replica_sets[view.key];
        let mut annotations = copied_annotations(self.d, rs);
        let old = rs
            .meta
            .annotations
            .get(REVISION_ANNOTATION)
            .map(String::as_str);
        let history = rs.meta.annotations.get(REVISION_HISTORY_ANNOTATION);
        let limit = MAX_REV_HISTORY_LENGTH_IN_CHARS;
        let bumped =
            new_rs_revision_annotations(old, history.map(String::as_str), new_revision, limit);
        if let Some((rev, hist)) = bumped {
            if let Some(nv) = self.new_rs.as_mut() {
                nv.revision = rev.parse().ok();
            }
            annotations.push((REVISION_ANNOTATION.into(), rev));
            annotations.extend(hist.map(|h| (REVISION_HISTORY_ANNOTATION.to_string(), h)));
        }
        // minReadySeconds of an existing new ReplicaSet is not synced (a known simplification).
        if !annotations.is_empty() {
            let (rs, replicas) = (RsId(view.key as u32), rs.replicas);
            self.fx.write(Write::ScaleReplicaSet {
                rs,
                replicas,
                annotations,
            });
        }
        let revision = self
            .new_rs
            .as_ref()
            .and_then(|v| v.revision)
            .unwrap_or(0)
            .to_string();
        let mut needs_update = self.set_revision(&revision);
        if self.deadline_s().is_some() && self.status.progressing.is_none() {
            let c = Condition::new(ConditionStatus::True, FOUND_NEW_RS_REASON, self.now.0);
            self.status.progressing = Some(c);
            needs_update = true;
        }
        if needs_update {
            self.write_status(self.revision_annotation());
        }
    }

    /// Creates the new ReplicaSet at `NewRSNewReplicas` (written at the end of the sync).
    fn create_new_rs(&mut self, new_revision: &str) {
        let d = self.d;
        let hash = template_hash(&d.template);
        let mut zero = RsView::new(NEW_KEY, &format!("{}-{hash}", d.meta.name), self.now.0, 0);
        zero.revision = new_revision.parse().ok();
        let mut all = self.old_rss.clone();
        all.push(zero.clone());
        let replicas = new_rs_new_replicas(&self.view, &all, &zero).unwrap_or(0);
        let rs = new_replica_set(
            self.store,
            self.id,
            &hash,
            new_revision,
            replicas as u32,
            self.now,
        );
        zero.replicas = replicas;
        let (desired, max) = replicas_annotations(&self.view);
        (zero.desired_annotation, zero.max_annotation) = (Some(desired), Some(max));
        if replicas > 0 {
            self.scaling_event(&rs.meta.name, "up", 0, replicas as u32);
        }
        self.new_rs = Some(zero);
        self.created = Some(rs);
        self.set_revision(new_revision);
        if self.deadline_s().is_some() {
            let c = Condition::new(ConditionStatus::True, NEW_REPLICA_SET_REASON, self.now.0);
            self.status.progressing = Some(super::progress::set_condition(
                self.status.progressing.as_ref(),
                c,
            ));
        }
        self.write_status(self.revision_annotation());
    }

    /// `SetDeploymentRevision`: true when the Deployment's revision annotation changes.
    fn set_revision(&mut self, revision: &str) -> bool {
        let current = self.d.meta.annotations.get(REVISION_ANNOTATION);
        let changed = current.map(String::as_str) != Some(revision);
        if changed {
            self.revision = Some(revision.to_string());
        }
        changed
    }

    fn revision_annotation(&self) -> Vec<(String, String)> {
        self.revision
            .iter()
            .map(|r| (REVISION_ANNOTATION.to_string(), r.clone()))
            .collect()
    }

    /// The pending creation goes out first: later writes may scale it.
    fn flush_created(&mut self) {
        if let Some(rs) = self.created.take() {
            self.fx
                .writes
                .insert(0, Write::CreateReplicaSet { rs: Box::new(rs) });
        }
    }
}

impl Sync<'_> {
    /// `scaleReplicaSet` for each action: a write when the size or the replicas annotations
    /// differ, and a ScalingReplicaSet Event when the size does.
    fn apply_scaling(&mut self, actions: &[ScaleAction]) {
        let (desired, max) = replicas_annotations(&self.view);
        for a in actions {
            if a.key == NEW_KEY {
                if let Some(rs) = self.created.as_mut() {
                    rs.replicas = a.replicas as u32;
                }
                continue;
            }
            let store = self.store;
            let rs = &store.replica_sets[a.key];
            let view = self.view_mut(a.key).map(|v| &*v);
            let old = view.map_or(rs.replicas as i32, |v| v.replicas);
            let needs = view.is_some_and(|v| {
                v.desired_annotation != Some(desired) || v.max_annotation != Some(max)
            });
            if old == a.replicas && !needs {
                continue;
            }
            let annotations = vec![
                (DESIRED_REPLICAS_ANNOTATION.to_string(), desired.to_string()),
                (MAX_REPLICAS_ANNOTATION.to_string(), max.to_string()),
            ];
            self.fx.write(Write::ScaleReplicaSet {
                rs: RsId(a.key as u32),
                replicas: a.replicas as u32,
                annotations,
            });
            if let Some(v) = self.view_mut(a.key) {
                (v.replicas, v.desired_annotation, v.max_annotation) =
                    (a.replicas, Some(desired), Some(max));
            }
            if old != a.replicas {
                let op = if a.replicas > old { "up" } else { "down" };
                self.scaling_event(&rs.meta.name, op, old as u32, a.replicas as u32);
            }
        }
    }

    fn view_mut(&mut self, key: usize) -> Option<&mut RsView> {
        self.old_rss
            .iter_mut()
            .chain(self.new_rs.as_mut())
            .find(|v| v.key == key)
    }

    fn scaling_event(&mut self, rs: &str, op: &str, from: u32, to: u32) {
        let meta = &self.d.meta;
        self.fx.event(Event::new(
            self.now,
            "Deployment",
            &meta.namespace,
            &meta.name,
            "ScalingReplicaSet",
            format!("Scaled {op} replica set {rs} from {from} to {to}"),
        ));
    }

    /// `cleanupDeployment`: delete old, empty ReplicaSets beyond `revisionHistoryLimit`.
    fn cleanup(&mut self) {
        let limit = Some(self.d.revision_history_limit.min(i32::MAX as u32) as i32);
        for key in cleanup_deployment(&self.old_rss, limit) {
            self.fx.write(Write::DeleteReplicaSet {
                rs: RsId(key as u32),
            });
        }
    }
}

impl Sync<'_> {
    fn all_rss(&self) -> Vec<RsView> {
        self.old_rss
            .iter()
            .chain(self.new_rs.as_ref())
            .cloned()
            .collect()
    }

    /// `calculateStatus`: counts from the ReplicaSets, conditions carried over, Available updated.
    fn calculate_status(&self) -> DeploymentStatus {
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
    fn sync_status(&mut self, new: DeploymentStatus) {
        self.flush_created();
        if new != self.d.status || self.revision.is_some() {
            self.status = new;
            self.write_status(self.revision_annotation());
        }
    }

    /// `syncRolloutStatus`: the Progressing condition, then the status or the stuck-deployment requeue.
    fn sync_rollout_status(&mut self) {
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
    /// rate-limited requeue of the last second is modelled as one resync just after the deadline.
    fn requeue_stuck(&mut self, new: &DeploymentStatus) {
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
        self.fx.timer(at.max(self.now.plus_ms(1)), Requeue(self.id));
    }

    fn write_status(&mut self, annotations: Vec<(String, String)>) {
        self.fx.write(Write::SetDeploymentStatus {
            deployment: self.id,
            status: self.status,
            annotations,
        });
    }
}

/// The status fields the pure decisions compare.
trait StatusViewOf {
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

trait DeploymentStatusView {
    fn status_view(&self) -> StatusView;
}

impl DeploymentStatusView for Deployment {
    fn status_view(&self) -> StatusView {
        self.status.view()
    }
}

/// ReplicaSets that exist and are controlled by `id`, in id order.
fn owned_sets(store: &Store, id: DeployId) -> Vec<RsId> {
    (0..store.replica_sets.len() as u32)
        .map(RsId)
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

/// `copyDeploymentAnnotationsToReplicaSet`: the Deployment's annotations the ReplicaSet lacks.
fn copied_annotations(d: &Deployment, rs: &ReplicaSet) -> Vec<(String, String)> {
    d.meta
        .annotations
        .iter()
        .filter(|(k, _)| !SKIP_COPY.contains(&k.as_str()))
        .filter(|(k, v)| rs.meta.annotations.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The ReplicaSet `getNewReplicaSet` creates: `<deployment>-<hash>`, the template with the hash
/// label, the Deployment's annotations, its revision and the replicas annotations.
fn new_replica_set(
    store: &Store,
    id: DeployId,
    hash: &str,
    revision: &str,
    replicas: u32,
    now: SimTime,
) -> ReplicaSet {
    let d = &store.deployments[id.index()];
    let mut template = d.template.clone();
    template
        .labels
        .insert(POD_TEMPLATE_HASH.into(), hash.into());
    let mut selector = d.selector.clone();
    selector.insert(POD_TEMPLATE_HASH.into(), hash.into());
    let mut source_template = d.source.spec.clone().unwrap_or_default().template;
    let labels = source_template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(Default::default);
    labels.insert(POD_TEMPLATE_HASH.into(), hash.into());
    let mut meta = d.meta.clone();
    meta.name = format!("{}-{}", d.meta.name, hash);
    meta.labels = template.labels.clone();
    meta.owner = Some(Owner::Deployment(id));
    meta.created = now;
    meta.annotations
        .retain(|k, _| !SKIP_COPY.contains(&k.as_str()));
    let view = DeploymentView::of(d);
    let (desired, max) = replicas_annotations(&view);
    meta.annotations
        .insert(REVISION_ANNOTATION.into(), revision.into());
    meta.annotations
        .insert(DESIRED_REPLICAS_ANNOTATION.into(), desired.to_string());
    meta.annotations
        .insert(MAX_REPLICAS_ANNOTATION.into(), max.to_string());
    ReplicaSet {
        meta,
        replicas,
        selector,
        template,
        min_ready_ms: d.min_ready_ms,
        status: ReplicaStatus::default(),
        source_template: Box::new(source_template),
    }
}
