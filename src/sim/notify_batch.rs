//! The DaemonSet and Job controllers' informer handlers and work.

use super::cache_view::view;
use super::world::{Ev, Target, World, WorldError};
use crate::api::{Change, DsId, JobId, Kind, NodeId, Owner, PodId};
use crate::controllers::daemon;
use crate::engine::SimTime;
use crate::scenario::Controller;

impl World<'_> {
    /// A DaemonSet or a Job changed: enqueue it.
    pub(super) fn on_batch_kind_changed(
        &mut self,
        change: Change,
        at: SimTime,
    ) -> Result<(), WorldError> {
        match change.kind {
            Kind::DaemonSet => self.enqueue(Target::DaemonSet(DsId(change.id)), at),
            Kind::Job => self.enqueue(Target::Job(JobId(change.id)), at),
            _ => Ok(()),
        }
    }

    /// The pod handlers of both controllers: enqueue the controlling DaemonSet or Job.
    pub(super) fn on_batch_pod_changed(
        &mut self,
        id: PodId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        match self.store.pods[id.index()].meta.owner {
            Some(Owner::DaemonSet(ds)) => self.enqueue(Target::DaemonSet(ds), at),
            Some(Owner::Job(job)) => self.enqueue(Target::Job(job), at),
            _ => Ok(()),
        }
    }

    /// The DaemonSet controller's node handlers (`addNode`, `updateNode`, `deleteNode`): every
    /// DaemonSet looks at the node again (upstream enqueues those whose shouldRun changed).
    pub(super) fn on_batch_node_changed(
        &mut self,
        _: NodeId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        for ds in 0..self.store.daemon_sets.len() as u32 {
            if self.store.daemon_sets[ds as usize].meta.exists() {
                self.enqueue(Target::DaemonSet(DsId(ds)), at)?;
            }
        }
        Ok(())
    }

    /// Runs the DaemonSet controller's or the Job controller's sync.
    pub(super) fn run_batch_target(&mut self, target: Target) -> Result<(), WorldError> {
        let now = self.cal.now();
        match target {
            Target::DaemonSet(ds) => {
                let seen = view(&self.cp, &self.store, Controller::DaemonSet, now);
                let fx = daemon::sync(&seen, ds, now);
                drop(seen);
                self.apply(fx, Ev::DsRequeue)
            }
            Target::Job(job) => {
                let fx = {
                    let seen = view(&self.cp, &self.store, Controller::Job, now);
                    self.jobs.sync(&seen, job, now)
                };
                self.apply(fx, Ev::JobRequeue)
            }
            _ => Ok(()),
        }
    }
}
