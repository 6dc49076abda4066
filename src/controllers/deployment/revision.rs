//! `getNewReplicaSet` and `getAllReplicaSetsAndSyncRevision` (kk:pkg/controller/deployment/sync.go):
//! the new ReplicaSet's creation, revision, revision history and copied annotations.

use super::controller::{Sync, NEW_KEY, SKIP_COPY};
use super::progress::{set_condition, FOUND_NEW_RS_REASON, NEW_REPLICA_SET_REASON};
use super::util::{
    max_revision, new_rs_new_replicas, new_rs_revision_annotations, replicas_annotations,
    DeploymentView, RsView, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
    MAX_REV_HISTORY_LENGTH_IN_CHARS, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
};
use super::{template_hash, POD_TEMPLATE_HASH};
use crate::api::{
    Condition, ConditionStatus, DeployId, Deployment, Owner, ReplicaSet, ReplicaStatus, RsId,
    Store, Write,
};
use crate::engine::SimTime;

impl Sync<'_> {
    /// `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet's revision and annotations, created
    /// when `create` and there is none (`getNewReplicaSet`).
    pub(super) fn sync_revision(&mut self, create: bool) {
        let new_revision = (max_revision(&self.old_rss) + 1).to_string();
        match self.new_rs.clone() {
            Some(rs) => self.update_new_rs(&rs, &new_revision),
            None if create => self.create_new_rs(&new_revision),
            None => {}
        }
    }

    /// The existing new ReplicaSet: revision (and history on a rollback), copied annotations,
    /// minReadySeconds; then the Deployment's revision and a FoundNewReplicaSet condition.
    pub(super) fn update_new_rs(&mut self, view: &RsView, new_revision: &str) {
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
    pub(super) fn create_new_rs(&mut self, new_revision: &str) {
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
            self.status.progressing = Some(set_condition(self.status.progressing.as_ref(), c));
        }
        self.write_status(self.revision_annotation());
    }

    /// `SetDeploymentRevision`: true when the Deployment's revision annotation changes.
    pub(super) fn set_revision(&mut self, revision: &str) -> bool {
        let current = self.d.meta.annotations.get(REVISION_ANNOTATION);
        let changed = current.map(String::as_str) != Some(revision);
        if changed {
            self.revision = Some(revision.to_string());
        }
        changed
    }

    pub(super) fn revision_annotation(&self) -> Vec<(String, String)> {
        self.revision
            .iter()
            .map(|r| (REVISION_ANNOTATION.to_string(), r.clone()))
            .collect()
    }

    /// The pending creation goes out first: later writes may scale it.
    pub(super) fn flush_created(&mut self) {
        if let Some(rs) = self.created.take() {
            self.fx
                .writes
                .insert(0, Write::CreateReplicaSet { rs: Box::new(rs) });
        }
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
