//! The store's writes to apps/v1 objects: scaling ReplicaSets and updating Deployments.

use super::ids::Kind;
use super::ids::{DeployId, RsId};
use super::objects::*;
use super::store::Store;
use crate::engine::SimTime;

impl Store {
    /// `spec.replicas` and annotations in one update; a new size bumps `metadata.generation`.
    pub(super) fn scale_replica_set(
        &mut self,
        rs: RsId,
        replicas: u32,
        annotations: Vec<(String, String)>,
    ) {
        let set = &mut self.replica_sets[rs.index()];
        if set.replicas != replicas {
            set.meta.generation += 1;
        }
        set.replicas = replicas;
        set.meta.annotations.extend(annotations);
        self.touch(Kind::ReplicaSet, rs.0);
    }

    /// Adds a Deployment with fresh metadata (uid, resourceVersion, creation time).
    pub(super) fn create_deployment(&mut self, mut d: Deployment, now: SimTime) {
        let fresh = self.new_meta(&d.meta.name, &d.meta.namespace, d.meta.labels.clone(), now);
        d.meta = Meta {
            annotations: std::mem::take(&mut d.meta.annotations),
            ..fresh
        };
        self.add_deployment(d);
    }

    /// Replaces labels, annotations and spec, keeping identity and status; bumps the generation
    /// when the spec changed (the API server's `PrepareForUpdate` for Deployments).
    pub(super) fn update_deployment(&mut self, id: DeployId, new: Deployment) {
        let d = &mut self.deployments[id.index()];
        let spec_changed = d.replicas != new.replicas
            || d.selector != new.selector
            || d.template != new.template
            || d.strategy != new.strategy
            || d.min_ready_ms != new.min_ready_ms
            || d.revision_history_limit != new.revision_history_limit
            || d.progress_deadline_ms != new.progress_deadline_ms
            || d.paused != new.paused
            || d.source.spec != new.source.spec;
        if spec_changed {
            d.meta.generation += 1;
        }
        d.meta.labels = new.meta.labels;
        d.meta.annotations = new.meta.annotations;
        d.replicas = new.replicas;
        d.selector = new.selector;
        d.template = new.template;
        d.strategy = new.strategy;
        d.min_ready_ms = new.min_ready_ms;
        d.revision_history_limit = new.revision_history_limit;
        d.progress_deadline_ms = new.progress_deadline_ms;
        d.paused = new.paused;
        d.source = new.source;
        self.touch(Kind::Deployment, id.0);
    }
}
