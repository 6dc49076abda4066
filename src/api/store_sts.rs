//! The store's writes for StatefulSets: named pods, claims from templates, owner references of
//! claims, ControllerRevisions, and the StatefulSet's own updates.

use super::ids::*;
use super::objects::*;
use super::statefulset::*;
use super::store::Store;
use super::write::Write;
use crate::engine::SimTime;

impl Store {
    /// Applies one of the StatefulSet writes; returns the id of a pod it created, if any.
    pub(super) fn apply_stateful(&mut self, write: Write, now: SimTime) -> Option<PodId> {
        match write {
            Write::CreateNamedPod {
                namespace,
                name,
                owner,
                template,
            } => return self.create_named_pod(&namespace, &name, owner, template, now),
            Write::CreateClaim { claim } => self.create_claim(*claim, now),
            Write::DeleteClaim { claim } => {
                self.claims[claim.index()].meta.gone = Some(now);
                self.touch(Kind::PersistentVolumeClaim, claim.0);
            }
            Write::SetClaimOwner { claim, owner } => {
                self.claims[claim.index()].meta.owner = owner;
                self.touch(Kind::PersistentVolumeClaim, claim.0);
            }
            Write::UpdateStatefulSet { set, object } => self.update_stateful_set(set, *object),
            Write::SetStatefulSetStatus { set, status } => {
                self.stateful_sets[set.index()].status = status;
                self.touch(Kind::StatefulSet, set.0);
            }
            Write::CreateRevision { revision } => self.create_revision(*revision, now),
            Write::SetRevisionNumber { revision, number } => {
                self.revisions[revision.index()].revision = number;
                self.touch(Kind::ControllerRevision, revision.0);
            }
            Write::DeleteRevision { revision } => {
                self.revisions[revision.index()].meta.gone = Some(now);
                self.touch(Kind::ControllerRevision, revision.0);
            }
            other => unreachable!("not a StatefulSet write: {other:?}"),
        }
        None
    }

    /// The live pod called `name` among the pods of `set`, if any.
    pub fn sts_pod_named(&self, set: StsId, name: &str) -> Option<PodId> {
        self.pods_of_sts(set)
            .find(|p| self.pods[p.index()].meta.name == name)
    }

    /// A pod with a fixed name: refused with AlreadyExists (nothing happens) while a pod of that
    /// name still exists, even terminating (kk:pkg/registry/core/pod/storage).
    fn create_named_pod(
        &mut self,
        namespace: &str,
        name: &str,
        owner: Owner,
        template: PodTemplate,
        now: SimTime,
    ) -> Option<PodId> {
        let taken = match owner {
            Owner::StatefulSet(set) => self.sts_pod_named(set, name).is_some(),
            _ => self
                .live_pods
                .iter()
                .any(|p| self.pods[p.index()].meta.name == name),
        };
        if taken {
            return None;
        }
        Some(self.create_pod_named(namespace, name, owner, template, now))
    }

    fn create_claim(&mut self, mut claim: Claim, now: SimTime) {
        let (ns, name) = (claim.meta.namespace.clone(), claim.meta.name.clone());
        if self.claim_by_name(&ns, &name).is_some() {
            return;
        }
        let mut meta = self.new_meta(&name, &ns, claim.meta.labels.clone(), now);
        meta.owner = claim.meta.owner;
        meta.annotations = std::mem::take(&mut claim.meta.annotations);
        claim.meta = meta;
        self.add_claim(claim);
    }

    fn create_revision(&mut self, mut rev: ControllerRevision, now: SimTime) {
        let fresh = self.new_meta(
            &rev.meta.name,
            &rev.meta.namespace,
            rev.meta.labels.clone(),
            now,
        );
        rev.meta = Meta {
            owner: rev.meta.owner,
            ..fresh
        };
        let id = RevId(self.revisions.len() as u32);
        self.revisions.push(rev);
        self.touch(Kind::ControllerRevision, id.0);
    }

    /// Replaces labels, annotations and the updatable fields of the spec (`replicas`, `template`,
    /// `updateStrategy`, `minReadySeconds`, `ordinals`, `revisionHistoryLimit`,
    /// `persistentVolumeClaimRetentionPolicy`: kk:pkg/apis/apps/validation `ValidateStatefulSetUpdate`);
    /// bumps the generation when the spec changed.
    fn update_stateful_set(&mut self, id: StsId, new: StatefulSet) {
        let s = &mut self.stateful_sets[id.index()];
        if s.source.spec != new.source.spec {
            s.meta.generation += 1;
        }
        s.meta.labels = new.meta.labels;
        s.meta.annotations = new.meta.annotations;
        s.replicas = new.replicas;
        s.template = new.template;
        s.update_strategy = new.update_strategy;
        s.min_ready_ms = new.min_ready_ms;
        s.start_ordinal = new.start_ordinal;
        s.revision_history_limit = new.revision_history_limit;
        s.retention = new.retention;
        s.source = new.source;
        self.touch(Kind::StatefulSet, id.0);
    }
}
