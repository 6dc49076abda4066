//! The store's DaemonSets and Jobs: their writes and the index of the pods they control.

use super::ids::*;
use super::objects::*;
use super::store::Store;
use super::workloads::*;
use super::write::Write;

impl Store {
    /// Applies one of the DaemonSet or Job writes.
    pub(super) fn apply_workload(&mut self, write: Write) {
        match write {
            Write::UpdateDaemonSet { ds, object } => self.update_daemon_set(ds, *object),
            Write::SetDaemonSetStatus { ds, status } => {
                self.daemon_sets[ds.index()].status = status;
                self.touch(Kind::DaemonSet, ds.0);
            }
            Write::SetJobStatus { job, status } => {
                self.jobs[job.index()].status = *status;
                self.touch(Kind::Job, job.0);
            }
            other => unreachable!("not a DaemonSet or Job write: {other:?}"),
        }
    }

    /// Adds a DaemonSet.
    pub fn add_daemon_set(&mut self, ds: DaemonSet) -> DsId {
        let id = DsId(self.daemon_sets.len() as u32);
        self.daemon_sets.push(ds);
        self.touch(Kind::DaemonSet, id.0);
        id
    }

    /// Adds a Job.
    pub fn add_job(&mut self, job: Job) -> JobId {
        let id = JobId(self.jobs.len() as u32);
        self.jobs.push(job);
        self.touch(Kind::Job, id.0);
        id
    }

    /// Live pods controlled by a DaemonSet or a Job, in creation order.
    pub fn pods_of(&self, owner: Owner) -> impl Iterator<Item = PodId> + '_ {
        self.pods_by_owner
            .get(&owner)
            .into_iter()
            .flatten()
            .copied()
    }

    /// Keeps the index of pods by DaemonSet or Job owner (`live` false: the pod left).
    pub(super) fn index_owned_pod(&mut self, owner: Option<Owner>, pod: PodId, live: bool) {
        let Some(owner @ (Owner::DaemonSet(_) | Owner::Job(_))) = owner else {
            return;
        };
        let pods = self.pods_by_owner.entry(owner).or_default();
        if live {
            pods.insert(pod);
        } else {
            pods.remove(&pod);
        }
    }

    /// Replaces labels, annotations and the updatable spec; bumps the generation when the spec changed.
    fn update_daemon_set(&mut self, id: DsId, new: DaemonSet) {
        let d = &mut self.daemon_sets[id.index()];
        if d.source.spec != new.source.spec {
            d.meta.generation += 1;
        }
        d.meta.labels = new.meta.labels;
        d.meta.annotations = new.meta.annotations;
        d.template = new.template;
        d.update_strategy = new.update_strategy;
        d.min_ready_ms = new.min_ready_ms;
        d.revision_history_limit = new.revision_history_limit;
        d.source = new.source;
        self.touch(Kind::DaemonSet, id.0);
    }
}
