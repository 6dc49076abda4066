//! The StatefulSet controller's and the garbage collector's informer handlers and work.

use super::cache_view::view;
use super::world::{Target, World, WorldError};
use crate::api::{Change, Kind, Owner, PodId, StsId};
use crate::controllers::{garbage_collector, statefulset};
use crate::engine::SimTime;
use crate::scenario::{Controller, Mutant};

impl World<'_> {
    /// A StatefulSet changed (the set informer's handlers: enqueue it). Its ControllerRevisions
    /// have no handlers upstream (the controller only lists them).
    pub(super) fn on_sts_kind_changed(
        &mut self,
        change: Change,
        at: SimTime,
    ) -> Result<(), WorldError> {
        if change.kind != Kind::StatefulSet {
            return Ok(());
        }
        let set = StsId(change.id);
        self.enqueue(Target::StatefulSet(set), at)?;
        if !self.store.stateful_sets[set.index()].meta.exists() {
            self.enqueue_dependents(Owner::StatefulSet(set), at)?;
        }
        Ok(())
    }

    /// The pod handlers (`addPod`, `updatePod`, `deletePod`): enqueue the controlling set; a pod that
    /// left the API server is also an owner the garbage collector's graph no longer holds.
    pub(super) fn on_sts_pod_changed(&mut self, id: PodId, at: SimTime) -> Result<(), WorldError> {
        let pod = &self.store.pods[id.index()];
        let gone = !pod.meta.exists();
        if let Some(Owner::StatefulSet(set)) = pod.meta.owner {
            self.enqueue(Target::StatefulSet(set), at)?;
        }
        if gone {
            self.enqueue_dependents(Owner::Pod(id), at)?;
        }
        Ok(())
    }

    /// The garbage collector looks at every claim that names `owner`.
    fn enqueue_dependents(&mut self, owner: Owner, at: SimTime) -> Result<(), WorldError> {
        for claim in garbage_collector::claims_owned_by(&self.store, owner) {
            self.enqueue(Target::ClaimGc(claim), at)?;
        }
        Ok(())
    }

    /// Runs the StatefulSet controller's sync or the garbage collector on a claim.
    pub(super) fn run_sts_target(&mut self, target: Target) -> Result<(), WorldError> {
        let now = self.cal.now();
        match target {
            Target::StatefulSet(set) => {
                let gate = self.scenario.timings.max_unavailable_stateful_set;
                let early = (self.scenario.testing).is(Mutant::StatefulSetEarlyScaleDown);
                let seen = view(&self.cp, &self.store, Controller::StatefulSet, now);
                let fx = statefulset::sync(&seen, set, now, gate, early);
                drop(seen);
                self.apply(fx, super::world::Ev::StsRequeue)
            }
            Target::ClaimGc(claim) => {
                let seen = view(&self.cp, &self.store, Controller::GarbageCollector, now);
                let fx = garbage_collector::sync_claim(&seen, claim);
                drop(seen);
                self.apply(fx, |_| super::world::Ev::Wake)
            }
            _ => Ok(()),
        }
    }
}
