//! `scaleReplicaSet` and `cleanupDeployment` (kk:pkg/controller/deployment/sync.go): the writes and
//! ScalingReplicaSet Events of the decisions' scale actions, and the revision-history cleanup.

use super::controller::{Sync, NEW_KEY};
use super::sync::cleanup_deployment;
use super::util::{
    replicas_annotations, RsView, ScaleAction, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
};
use crate::api::{Event, RsId, Write};

impl Sync<'_> {
    /// `scaleReplicaSet` for each action: a write when the size or the replicas annotations
    /// differ, and a ScalingReplicaSet Event when the size does.
    pub(super) fn apply_scaling(&mut self, actions: &[ScaleAction]) {
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

    pub(super) fn view_mut(&mut self, key: usize) -> Option<&mut RsView> {
        self.old_rss
            .iter_mut()
            .chain(self.new_rs.as_mut())
            .find(|v| v.key == key)
    }

    pub(super) fn scaling_event(&mut self, rs: &str, op: &str, from: u32, to: u32) {
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
    pub(super) fn cleanup(&mut self) {
        let limit = Some(self.d.revision_history_limit.min(i32::MAX as u32) as i32);
        for key in cleanup_deployment(&self.old_rss, limit) {
            self.fx.write(Write::DeleteReplicaSet {
                rs: RsId(key as u32),
            });
        }
    }
}
