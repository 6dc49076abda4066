//! The disruption controller's informer handlers (`addPod`/`updatePod`/`deletePod` and the budget's
//! own handlers enqueue the budget) and its sync.

use super::world::{Ev, Target, World, WorldError};
use crate::api::{PdbId, PodId};
use crate::controllers::disruption;
use crate::engine::SimTime;
use crate::scenario::Controller;

impl World<'_> {
    /// A pod changed: the budgets that select it are synced.
    pub(super) fn on_pod_changed_disruption(
        &mut self,
        pod: PodId,
        at: SimTime,
    ) -> Result<(), WorldError> {
        for pdb in disruption::pdbs_for_pod(&self.store, pod) {
            self.enqueue(Target::Disruption(pdb), at)?;
        }
        Ok(())
    }

    /// A budget was added or changed (its own status writes included: the sync then finds nothing to do).
    pub(super) fn on_pdb_changed(&mut self, pdb: PdbId, at: SimTime) -> Result<(), WorldError> {
        self.enqueue(Target::Disruption(pdb), at)
    }

    /// Syncs one budget.
    pub(super) fn run_disruption(&mut self, pdb: PdbId) -> Result<(), WorldError> {
        let now = self.cal.now();
        let seen = super::cache_view::view(&self.cp, &self.store, Controller::Disruption, now);
        let mut fx = disruption::sync(&seen, pdb, now);
        drop(seen);
        // `enqueuePdbForRecheck`: synced again when an entry of `disruptedPods` expires.
        for (at, ()) in std::mem::take(&mut fx.timers) {
            self.enqueue(Target::Disruption(pdb), at)?;
        }
        self.apply(fx, |_| Ev::Wake)
    }
}
